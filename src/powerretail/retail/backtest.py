"""Backtests of the forecasting methods (rolling origin), and the choice of a method per class.

For each origin month ``o`` of the test, a method forecasts ``o + horizon − 1`` from the months
known before ``o`` only, and the forecast is set against the actual. The scores over the points
(``a`` actual, ``f`` forecast, both [kWh]):

* **MAPE** (mean absolute percentage error) ``= 100 × mean(|f − a| / a)`` over the points with
  ``a > 0`` (a month of zero energy has no percentage error; it still counts in WAPE and bias);
* **WAPE** (weighted absolute percentage error) ``= 100 × Σ|f − a| / Σa``;
* **bias** ``= 100 × Σ(f − a) / Σa``: above zero the method over-forecasts.

Scores are in percent, rounded once to 0.01 (ties away from zero) for display
(:data:`SCORE_STEP`). A point a method cannot forecast (history too short, or a year the
business calendar has no data for) is skipped and counted (:attr:`Backtest.skipped`).
:func:`choose_method` picks, per customer class, the method with the lowest score by a named
criterion (``wape``, ``mape`` or ``abs_bias``), ties going to the method listed first, and says
the scores it compared.

>>> from powerretail.retail.forecast import Method, Month, MonthlyHistory
>>> history = MonthlyHistory.of("A-1", {"2025-01": "100", "2025-02": "200", "2025-03": "300"})
>>> test = backtest([history], Method.MOVING_AVERAGE, origins=[Month.parse("2025-03")], window=2)
>>> test.points[0].forecast_kwh, test.wape
(Decimal('150.000'), Decimal('50.00'))
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Final

import attrs

from powerretail.calendars.base import BusinessCalendar, CalendarYearNotCovered
from powerretail.errors import InvalidInput, NotFound
from powerretail.retail.forecast import (
    DEFAULT_WINDOW,
    ForecastNotPossible,
    Method,
    Month,
    MonthlyHistory,
    forecast_month,
)

__all__ = [
    "CRITERIA",
    "SCORE_STEP",
    "Backtest",
    "BacktestPoint",
    "MethodChoice",
    "backtest",
    "choose_method",
    "choose_methods",
]

#: Scores are shown rounded to this step [%].
SCORE_STEP: Final = Decimal("0.01")
#: The criteria :func:`choose_method` can rank by.
CRITERIA: Final = ("wape", "mape", "abs_bias")
_HUNDRED: Final = Decimal(100)


def _score(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(SCORE_STEP, rounding=decimal.ROUND_HALF_UP)


@attrs.frozen(kw_only=True)
class BacktestPoint:
    """One forecast set against its actual."""

    account_id: str
    origin: Month
    month: Month
    forecast_kwh: Decimal
    actual_kwh: Decimal

    @property
    def error_kwh(self) -> Decimal:
        """Forecast minus actual [kWh] (above zero: over-forecast)."""
        return self.forecast_kwh - self.actual_kwh


@attrs.frozen(kw_only=True)
class Backtest:
    """A method's points over the test and its scores (in percent; None: nothing to score)."""

    method: Method
    points: tuple[BacktestPoint, ...]
    skipped: int = 0

    @property
    def mape(self) -> Decimal | None:
        """Mean absolute percentage error [%] over the points with a non-zero actual."""
        scored = [p for p in self.points if p.actual_kwh > 0]
        if not scored:
            return None
        total = sum((abs(p.error_kwh) / p.actual_kwh for p in scored), Decimal(0))
        return _score(_HUNDRED * total / len(scored))

    @property
    def wape(self) -> Decimal | None:
        """Weighted absolute percentage error [%]: Σ|f − a| / Σa."""
        actual = sum((p.actual_kwh for p in self.points), Decimal(0))
        if actual == 0:
            return None
        return _score(_HUNDRED * sum((abs(p.error_kwh) for p in self.points), Decimal(0)) / actual)

    @property
    def bias(self) -> Decimal | None:
        """Bias [%]: Σ(f − a) / Σa; above zero the method over-forecasts."""
        actual = sum((p.actual_kwh for p in self.points), Decimal(0))
        if actual == 0:
            return None
        return _score(_HUNDRED * sum((p.error_kwh for p in self.points), Decimal(0)) / actual)

    def score(self, criterion: str) -> Decimal | None:
        """Return the score named ``criterion`` (``abs_bias`` is the bias without its sign).

        Raises:
            InvalidInput: an unknown criterion.
        """
        if criterion == "wape":
            return self.wape
        if criterion == "mape":
            return self.mape
        if criterion == "abs_bias":
            bias = self.bias
            return None if bias is None else abs(bias)
        raise InvalidInput("criterion", criterion, f"one of {', '.join(CRITERIA)}")

    def to_dict(self) -> dict[str, object]:
        """The scores as strings (None: nothing to score), for JSON."""

        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "method": self.method.value,
            "points": len(self.points),
            "skipped": self.skipped,
            "mape": text(self.mape),
            "wape": text(self.wape),
            "bias": text(self.bias),
        }


def backtest(
    histories: Iterable[MonthlyHistory],
    method: Method,
    *,
    origins: Sequence[Month] | None = None,
    horizon: int = 1,
    window: int = DEFAULT_WINDOW,
    calendar: BusinessCalendar | None = None,
) -> Backtest:
    """Backtest ``method`` over ``histories`` from each origin in ``origins`` (rolling origin).

    ``origins`` defaults, per customer, to every month of its history but the first: each is
    forecast ``horizon`` months ahead (1: the origin month itself) where its actual is known.

    Raises:
        InvalidInput: a horizon below 1.
    """
    if horizon < 1:
        raise InvalidInput("horizon", horizon, "at least 1 month")
    points: list[BacktestPoint] = []
    skipped = 0
    for history in sorted(histories, key=lambda h: h.account_id):
        months = sorted(history.usage)
        chosen = list(origins) if origins is not None else months[1:]
        for origin in chosen:
            target = origin.add(horizon - 1)
            if target not in history.usage:
                continue
            try:
                made = forecast_month(
                    history, target, method, origin=origin, window=window, calendar=calendar
                )
            except (ForecastNotPossible, CalendarYearNotCovered):
                skipped += 1
                continue
            points.append(
                BacktestPoint(
                    account_id=history.account_id,
                    origin=origin,
                    month=target,
                    forecast_kwh=made.kwh,
                    actual_kwh=history.usage[target],
                )
            )
    return Backtest(method=method, points=tuple(points), skipped=skipped)


@attrs.frozen(kw_only=True)
class MethodChoice:
    """The method chosen for a customer class, by which criterion, and the scores compared."""

    customer_class: str
    method: Method
    criterion: str
    scores: Mapping[Method, Decimal | None]

    def explain(self) -> str:
        """One line: the class, the method and the scores that chose it."""
        shown = ", ".join(f"{m.value} {s}" for m, s in self.scores.items())
        return f"{self.customer_class}: {self.method.value} (lowest {self.criterion}: {shown})"


def choose_method(
    tests: Sequence[Backtest], *, criterion: str = "wape", customer_class: str = ""
) -> MethodChoice:
    """Return the method of ``tests`` with the lowest score by ``criterion``.

    Ties go to the method tested first; a method with nothing scored is never chosen.

    Raises:
        InvalidInput: an unknown criterion.
        NotFound: no test has a score.
    """
    if criterion not in CRITERIA:
        raise InvalidInput("criterion", criterion, f"one of {', '.join(CRITERIA)}")
    scores = {test.method: test.score(criterion) for test in tests}
    ranked = [(s, i, m) for i, (m, s) in enumerate(scores.items()) if s is not None]
    if not ranked:
        raise NotFound("scored backtest for class", customer_class or "(all)")
    best = min(ranked, key=lambda entry: (entry[0], entry[1]))
    return MethodChoice(
        customer_class=customer_class, method=best[2], criterion=criterion, scores=scores
    )


def choose_methods(
    histories: Iterable[MonthlyHistory],
    methods: Sequence[Method],
    *,
    criterion: str = "wape",
    origins: Sequence[Month] | None = None,
    window: int = DEFAULT_WINDOW,
    calendar: BusinessCalendar | None = None,
) -> dict[str, MethodChoice]:
    """Backtest ``methods`` per customer class (:attr:`MonthlyHistory.customer_class`) and
    return the choice for each class.

    Raises:
        InvalidInput: an unknown criterion or no methods.
        NotFound: a class where no method could be scored.
    """
    if not methods:
        raise InvalidInput("methods", [], "at least one method")
    by_class: dict[str, list[MonthlyHistory]] = {}
    for history in histories:
        by_class.setdefault(history.customer_class, []).append(history)
    return {
        name: choose_method(
            [
                backtest(group, m, origins=origins, window=window, calendar=calendar)
                for m in methods
            ],
            criterion=criterion,
            customer_class=name,
        )
        for name, group in sorted(by_class.items())
    }
