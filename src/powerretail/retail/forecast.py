"""Demand forecasts (电量预测): monthly energy per customer and portfolio, and interval profiles.

A customer's history is its metered energy per calendar month (:class:`MonthlyHistory`). Four
methods forecast a month from the months before an *origin* (the first month not yet known; by
default the month after the last one in the history):

* ``seasonal_naive`` — the same month a year before the target (two years when that month is not
  yet known, and so on): ``f(m) = a(m − 12k)``;
* ``same_month_growth`` — the same month last year times ``1 + g``, where ``g`` is given or is the
  growth of the last twelve known months over the twelve before them;
* ``moving_average`` — the mean of the last ``window`` known months (3 unless told);
* ``working_day`` — the same month last year scaled by the working days of the two months on the
  business calendar (调休 make-up working days count as working days, holidays do not):
  ``f(m) = a(m − 12) × wd(m) / wd(m − 12)``.

A customer's production plan (生产计划) overrides any method for its month
(:class:`ProductionPlan`). Every forecast says which method made it and on what numbers
(:attr:`MonthForecast.basis`).

**Rounding.** A forecast is rounded once, to :data:`KWH_STEP` (0.001 kWh, ties away from zero);
the portfolio is the exact sum of the rounded customer forecasts, so it always adds up. A month's
forecast is spread over intervals (:func:`working_day_profile`) by a largest-remainder split at
the same step, so the intervals add up to the month exactly.

>>> history = MonthlyHistory.of("A-1", {"2025-01": "1000", "2025-02": "900", "2025-03": "1100"})
>>> forecast_month(history, Month.parse("2025-04"), Method.MOVING_AVERAGE).kwh
Decimal('1000.000')

Source: 售电公司流程管理制度, 电量销售流程 2.电量预测与计划 (根据客户历史用电数据、
生产经营计划等因素, 对客户电量需求进行预测).
"""

from __future__ import annotations

import decimal
import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

import attrs
import pendulum

from powerretail.calendars.base import BusinessCalendar
from powerretail.calendars.china import ChinaMainlandCalendar
from powerretail.errors import InvalidInput, NotFound
from powerretail.metering.reads import IntervalSeries
from powerretail.quantities import exact_decimal
from powerretail.timeframe import DEFAULT_TIMEZONE, local_date, timezone

__all__ = [
    "DEFAULT_WINDOW",
    "KWH_STEP",
    "ForecastNotPossible",
    "Method",
    "Month",
    "MonthForecast",
    "MonthlyHistory",
    "ProductionPlan",
    "ProfileForecast",
    "forecast_customers",
    "forecast_month",
    "portfolio_profile",
    "portfolio_total",
    "round_kwh",
    "split_exactly",
    "working_day_profile",
    "working_days_in",
]

#: Forecast energy is rounded once to this step [kWh].
KWH_STEP: Final = Decimal("0.001")
#: The moving average's window [months] unless told.
DEFAULT_WINDOW: Final = 3


def round_kwh(value: Decimal) -> Decimal:
    """Return ``value`` [kWh] rounded once to :data:`KWH_STEP`, ties away from zero."""
    return value.quantize(KWH_STEP, rounding=decimal.ROUND_HALF_UP)


@attrs.frozen(order=True)
class Month:
    """A calendar month (``2026-03``)."""

    year: int
    month: int

    def __attrs_post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 9999:
            raise InvalidInput("month", str(self), "a month YYYY-MM")

    @classmethod
    def parse(cls, text: object) -> Month:
        """Return the month written ``YYYY-MM``.

        Raises:
            InvalidInput: anything else.
        """
        if isinstance(text, Month):
            return text
        parts = text.split("-") if isinstance(text, str) else []
        if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts):
            raise InvalidInput("month", text, "a month YYYY-MM")
        if len(parts[0]) != 4 or len(parts[1]) != 2:
            raise InvalidInput("month", text, "a month YYYY-MM")
        year, month = int(parts[0]), int(parts[1])
        if not 1 <= month <= 12 or year < 1900:
            raise InvalidInput("month", text, "a month YYYY-MM")
        return cls(year, month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def add(self, months: int) -> Month:
        """Return the month ``months`` later (earlier when negative)."""
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def minus(self, other: Month) -> int:
        """Return how many months ``other`` is before this month."""
        return (self.year - other.year) * 12 + self.month - other.month

    @property
    def first_day(self) -> date:
        """The month's first day."""
        return date(self.year, self.month, 1)

    @property
    def days(self) -> tuple[date, ...]:
        """Every day of the month."""
        following = self.add(1).first_day
        count = (following - self.first_day).days
        return tuple(self.first_day + timedelta(days=i) for i in range(count))


def _kwh(value: object, field: str) -> Decimal:
    kwh = exact_decimal(value, field)
    if kwh < 0:
        raise InvalidInput(field, value, "energy [kWh] of at least 0")
    return kwh


def _usage(value: Mapping[Month, Decimal]) -> Mapping[Month, Decimal]:
    return {_month(m): _kwh(kwh, f"usage[{m}]") for m, kwh in sorted(value.items())}


@attrs.frozen
class MonthlyHistory:
    """A customer's metered energy per month [kWh] (months missing: not known)."""

    account_id: str
    usage: Mapping[Month, Decimal] = attrs.field(converter=_usage)
    customer_class: str = ""

    @classmethod
    def of(
        cls,
        account_id: str,
        usage: Mapping[str, Decimal | int | str],
        customer_class: str = "",
    ) -> MonthlyHistory:
        """Return the history of ``account_id`` from ``{"YYYY-MM": kwh}``.

        Raises:
            InvalidInput: a month not ``YYYY-MM``, energy below 0 or not a number.
        """
        parsed = {Month.parse(m): _kwh(v, f"usage[{m}]") for m, v in usage.items()}
        return cls(account_id, parsed, customer_class)

    @property
    def last_month(self) -> Month:
        """The last month known.

        Raises:
            NotFound: the history is empty.
        """
        if not self.usage:
            raise NotFound("usage history", self.account_id)
        return max(self.usage)

    def known_before(self, origin: Month) -> dict[Month, Decimal]:
        """Return the months known before ``origin``."""
        return {m: kwh for m, kwh in self.usage.items() if m < origin}


class Method(enum.Enum):
    """A forecasting method."""

    SEASONAL_NAIVE = "seasonal_naive"
    SAME_MONTH_GROWTH = "same_month_growth"
    MOVING_AVERAGE = "moving_average"
    WORKING_DAY = "working_day"
    #: The customer's own production plan (not a method one chooses: it overrides).
    PRODUCTION_PLAN = "production_plan"

    @classmethod
    def named(cls, name: str) -> Method:
        """Return the method called ``name``.

        Raises:
            NotFound: no such method.
        """
        for method in cls:
            if method.value == name:
                return method
        raise NotFound("forecast method", name)


class ForecastNotPossible(NotFound):
    """The history does not hold the months the method needs; names them."""

    def __init__(self, account_id: str, month: Month, method: Method, needs: str) -> None:
        self.account_id = account_id
        self.month = month
        self.method = method
        self.needs = needs
        super().__init__("forecast", f"{account_id} {month}")

    def __str__(self) -> str:
        return (
            f"cannot forecast {self.month} for {self.account_id} by {self.method.value}: "
            f"it needs {self.needs}"
        )


@attrs.frozen(kw_only=True)
class MonthForecast:
    """A month's forecast energy [kWh] for one customer, the method and the numbers behind it."""

    account_id: str
    month: Month
    kwh: Decimal
    method: Method
    basis: str

    def to_dict(self) -> dict[str, str]:
        """The forecast as plain strings, for JSON."""
        return {
            "account_id": self.account_id,
            "month": str(self.month),
            "kwh": str(self.kwh),
            "method": self.method.value,
            "basis": self.basis,
        }


def _month(value: object) -> Month:
    return Month.parse(value)


def _plan_kwh(value: object) -> Decimal:
    return _kwh(value, "plan.kwh")


@attrs.frozen(kw_only=True)
class ProductionPlan:
    """A customer's own planned energy for a month [kWh]: it overrides every method."""

    account_id: str
    month: Month = attrs.field(converter=_month)
    kwh: Decimal = attrs.field(converter=_plan_kwh)
    note: str = ""


def working_days_in(month: Month, calendar: BusinessCalendar) -> int:
    """Return the working days of ``month`` on ``calendar`` (make-up working days count).

    Raises:
        CalendarYearNotCovered: the calendar has no data for the year.
    """
    return sum(1 for day in month.days if calendar.is_working_day(day))


def _same_month(known: Mapping[Month, Decimal], month: Month, origin: Month) -> Month | None:
    back = month.add(-12)
    while back >= origin:
        back = back.add(-12)
    return back if back in known else None


def _growth(known: Mapping[Month, Decimal], origin: Month) -> tuple[Decimal, str] | None:
    recent = [origin.add(-i) for i in range(1, 13)]
    before = [m.add(-12) for m in recent]
    if not all(m in known for m in (*recent, *before)):
        return None
    last = sum((known[m] for m in recent), Decimal(0))
    prior = sum((known[m] for m in before), Decimal(0))
    if prior == 0:
        return None
    return last / prior - 1, f"growth {last}/{prior} − 1 of the 12 months to {origin.add(-1)}"


def forecast_month(
    history: MonthlyHistory,
    month: Month,
    method: Method,
    *,
    origin: Month | None = None,
    window: int = DEFAULT_WINDOW,
    growth: Decimal | None = None,
    calendar: BusinessCalendar | None = None,
) -> MonthForecast:
    """Return the forecast of ``month`` by ``method`` from the months known before ``origin``.

    ``origin`` defaults to the month after the last one known; ``month`` must not be before it.

    Raises:
        ForecastNotPossible: the months the method needs are not known.
        InvalidInput: ``month`` before ``origin``, a window below 1, or ``production_plan`` (pass
            the plans to :func:`forecast_customers`).
        CalendarYearNotCovered: ``working_day`` for a year the calendar has no data for.
    """
    start = history.last_month.add(1) if origin is None else origin
    if month < start:
        raise InvalidInput("month", str(month), f"a month from the origin {start} on")
    known = history.known_before(start)
    kwh, basis = _by_method(
        history.account_id,
        known,
        month,
        start,
        method=method,
        window=window,
        growth=growth,
        calendar=calendar,
    )
    return MonthForecast(
        account_id=history.account_id, month=month, kwh=round_kwh(kwh), method=method, basis=basis
    )


def _by_method(
    account_id: str,
    known: Mapping[Month, Decimal],
    month: Month,
    origin: Month,
    *,
    method: Method,
    window: int,
    growth: Decimal | None,
    calendar: BusinessCalendar | None,
) -> tuple[Decimal, str]:
    if method is Method.MOVING_AVERAGE:
        if window < 1:
            raise InvalidInput("window", window, "at least 1 month")
        months = [origin.add(-i) for i in range(window, 0, -1)]
        if not all(m in known for m in months):
            needs = f"the {window} months {months[0]} to {months[-1]}"
            raise ForecastNotPossible(account_id, month, method, needs)
        total = sum((known[m] for m in months), Decimal(0))
        return total / window, f"mean of {months[0]}..{months[-1]}: {total} / {window}"
    if method is Method.PRODUCTION_PLAN:
        raise InvalidInput("method", method.value, "a method (plans go to forecast_customers)")
    back = _same_month(known, month, origin)
    if back is None:
        raise ForecastNotPossible(account_id, month, method, f"{month.month:02d} of a known year")
    base = known[back]
    if method is Method.SEASONAL_NAIVE:
        return base, f"{back} actual {base}"
    if method is Method.SAME_MONTH_GROWTH:
        if growth is not None:
            rate, why = exact_decimal(growth, "growth"), "growth given"
        else:
            found = _growth(known, origin)
            if found is None:
                needs = f"24 months to {origin.add(-1)} (with a non-zero earlier year)"
                raise ForecastNotPossible(account_id, month, method, needs)
            rate, why = found
        return base * (1 + rate), f"{back} actual {base} × (1 + {rate}) ({why})"
    chosen = ChinaMainlandCalendar.default() if calendar is None else calendar
    then, now = working_days_in(back, chosen), working_days_in(month, chosen)
    return (
        base * now / then,
        f"{back} actual {base} × {now} working days / {then} working days",
    )


def forecast_customers(
    histories: Iterable[MonthlyHistory],
    month: Month,
    methods: Method | Mapping[str, Method],
    *,
    plans: Iterable[ProductionPlan] = (),
    window: int = DEFAULT_WINDOW,
    calendar: BusinessCalendar | None = None,
) -> tuple[MonthForecast, ...]:
    """Return each customer's forecast of ``month`` (sorted by account), a plan overriding.

    ``methods`` is one method for everyone or a method per account (its class's chosen method,
    see :func:`~powerretail.retail.backtest.choose_method`).

    Raises:
        ForecastNotPossible: a customer's history lacks what its method needs (and no plan).
        NotFound: an account missing from a ``methods`` mapping.
    """
    planned = {(p.account_id, p.month): p for p in plans}
    made: list[MonthForecast] = []
    for history in sorted(histories, key=lambda h: h.account_id):
        plan = planned.get((history.account_id, month))
        if plan is not None:
            made.append(
                MonthForecast(
                    account_id=history.account_id,
                    month=month,
                    kwh=round_kwh(plan.kwh),
                    method=Method.PRODUCTION_PLAN,
                    basis=f"production plan {plan.kwh}" + (f": {plan.note}" if plan.note else ""),
                )
            )
            continue
        if isinstance(methods, Method):
            method = methods
        elif history.account_id in methods:
            method = methods[history.account_id]
        else:
            raise NotFound("forecast method for account", history.account_id)
        made.append(forecast_month(history, month, method, window=window, calendar=calendar))
    return tuple(made)


def portfolio_total(forecasts: Iterable[MonthForecast]) -> Decimal:
    """Return the portfolio's forecast [kWh]: the exact sum of the customers' forecasts."""
    return sum((f.kwh for f in forecasts), Decimal(0))


def split_exactly(
    total: Decimal, weights: Sequence[Decimal], step: Decimal = KWH_STEP
) -> tuple[Decimal, ...]:
    """Split ``total`` (a multiple of ``step``) in proportion to ``weights``, by largest remainder.

    The parts are multiples of ``step`` and add up to ``total`` exactly; ties in the remainders go
    to the earlier part. All-zero weights split evenly.

    Raises:
        InvalidInput: no weights, a negative weight, or ``total`` not a multiple of ``step``.
    """
    if not weights:
        raise InvalidInput("weights", [], "at least one weight")
    if any(w < 0 for w in weights):
        raise InvalidInput("weights", [str(w) for w in weights], "weights of at least 0")
    units = total / step
    if units != units.to_integral_value():
        raise InvalidInput("total", str(total), f"a multiple of {step}")
    shares = list(weights) if any(weights) else [Decimal(1)] * len(weights)
    whole = sum(shares)
    exact = [units * w / whole for w in shares]
    floors = [int(e.to_integral_value(rounding=decimal.ROUND_FLOOR)) for e in exact]
    left = int(units) - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return tuple(Decimal(f) * step for f in floors)


@attrs.frozen(kw_only=True)
class ProfileForecast:
    """A month's forecast spread over intervals: ``values[i]`` [kWh] from ``start + i·step``."""

    account_id: str
    month: Month
    start: pendulum.DateTime
    step_minutes: int
    values: tuple[Decimal, ...]
    basis: str

    @property
    def total(self) -> Decimal:
        """The month's energy [kWh] (the exact sum of the intervals)."""
        return sum(self.values, Decimal(0))

    def instant(self, index: int) -> pendulum.DateTime:
        """Return the start of interval ``index``."""
        return self.start + timedelta(minutes=self.step_minutes) * index

    def hourly(self) -> tuple[Decimal, ...]:
        """Return the values summed per hour (the same total).

        Raises:
            InvalidInput: the step does not divide an hour.
        """
        if 60 % self.step_minutes:
            raise InvalidInput("step_minutes", self.step_minutes, "15, 30 or 60 for hourly sums")
        per = 60 // self.step_minutes
        return tuple(
            sum(self.values[i : i + per], Decimal(0)) for i in range(0, len(self.values), per)
        )


def _day_kind(day: date, calendar: BusinessCalendar) -> str:
    return "working" if calendar.is_working_day(day) else "non-working"


def working_day_profile(
    series: Iterable[IntervalSeries],
    *,
    account_id: str,
    month: Month,
    kwh: Decimal,
    calendar: BusinessCalendar | None = None,
    zone: str = DEFAULT_TIMEZONE,
) -> ProfileForecast:
    """Spread ``kwh`` over ``month``'s intervals in the shape of the customer's interval history.

    The history is folded into two average days, a working day and a non-working day (weekends
    and holidays; make-up working days are working days), per interval of the local day. Each
    interval of the target month weighs what the average day of its kind holds at that time; the
    month's energy is split by those weights (largest remainder at :data:`KWH_STEP`), so the
    intervals add up to ``kwh`` exactly. Missing values are left out of the averages (each
    interval of the day is averaged over the days that have a value for it).

    Raises:
        InvalidInput: no series, series of different steps, or ``kwh`` not a multiple of
            :data:`KWH_STEP`.
        ForecastNotPossible: the history has no day of a kind the month needs.
        CalendarYearNotCovered: the calendar has no data for a year.
    """
    chosen = ChinaMainlandCalendar.default() if calendar is None else calendar
    given = tuple(series)
    if not given:
        raise InvalidInput("series", [], "at least one interval series")
    steps = {s.step_minutes for s in given}
    if len(steps) != 1:
        raise InvalidInput("series", sorted(steps), "series of one step")
    step = steps.pop()
    per_day = 24 * 60 // step
    sums: dict[str, list[Decimal]] = {}
    seen: dict[str, list[int]] = {}
    days: dict[str, set[date]] = {}
    tz = timezone(zone)
    for one in given:
        for index, value in enumerate(one.values):
            if value is None:
                continue
            local = one.instant(index).in_timezone(tz)
            kind = _day_kind(local.date(), chosen)
            slot = (local.hour * 60 + local.minute) // step
            sums.setdefault(kind, [Decimal(0)] * per_day)[slot] += value
            seen.setdefault(kind, [0] * per_day)[slot] += 1
            days.setdefault(kind, set()).add(local.date())
    start = pendulum.datetime(month.year, month.month, 1, tz=tz)
    end_day = month.add(1).first_day
    end = pendulum.datetime(end_day.year, end_day.month, end_day.day, tz=tz)
    count = int((end - start).total_seconds()) // (step * 60)
    weights: list[Decimal] = []
    for index in range(count):
        local = (start + timedelta(minutes=step) * index).in_timezone(tz)
        kind = _day_kind(local_date(local, zone), chosen)
        slot = (local.hour * 60 + local.minute) // step
        if kind not in sums or not seen[kind][slot]:
            when = f"{local.hour:02d}:{local.minute:02d}"
            raise ForecastNotPossible(
                account_id, month, Method.WORKING_DAY, f"interval data of a {kind} day at {when}"
            )
        weights.append(sums[kind][slot] / seen[kind][slot])
    values = split_exactly(kwh, weights)
    kinds = ", ".join(f"{len(days[k])} {k} days" for k in sorted(days))
    return ProfileForecast(
        account_id=account_id,
        month=month,
        start=start,
        step_minutes=step,
        values=values,
        basis=f"{kwh} kWh in the shape of {kinds} of interval history",
    )


def portfolio_profile(profiles: Iterable[ProfileForecast]) -> ProfileForecast:
    """Return the portfolio's profile: the customers' profiles of one month summed per interval.

    The portfolio's intervals add up to the sum of the customers' months exactly.

    Raises:
        InvalidInput: no profiles, or profiles of different months, starts or steps.
    """
    given = tuple(profiles)
    if not given:
        raise InvalidInput("profiles", [], "at least one profile")
    first = given[0]
    for other in given[1:]:
        if (other.month, other.start, other.step_minutes, len(other.values)) != (
            first.month,
            first.start,
            first.step_minutes,
            len(first.values),
        ):
            raise InvalidInput(
                f"profile {other.account_id}",
                f"{other.month} from {other.start} by {other.step_minutes} min",
                f"{first.month} from {first.start} by {first.step_minutes} min",
            )
    values = tuple(
        sum(column, Decimal(0)) for column in zip(*(p.values for p in given), strict=True)
    )
    return ProfileForecast(
        account_id="portfolio",
        month=first.month,
        start=first.start,
        step_minutes=first.step_minutes,
        values=values,
        basis=f"sum of {len(given)} customers' profiles",
    )
