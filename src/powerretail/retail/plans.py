"""The sales plan (电量销售计划) by month and TOU band, and the open position against purchases.

A :class:`SalesPlan` holds, per customer, month and TOU band (the buckets of the tariff's
:class:`~powerretail.tariffs.tou.TouSchedule`: ``peak``, ``flat``, ``valley`` …), the energy
the retailer expects to sell [kWh]. Each customer's month comes from its forecast
(:class:`~powerretail.retail.forecast.MonthForecast`) split into bands either by its forecast
interval profile (:func:`band_energy`: every interval falls in the band of its local time) or by
the band weights of its interval history (:func:`band_weights`, split by largest remainder at
0.001 kWh). Either way the bands add up to the forecast exactly, and the portfolio's cell
(month, band) is the exact sum of the customers' cells.

:func:`open_position` sets the plan against the energy already bought per (month, band) — a plain
mapping, fed by the purchase positions of :mod:`powerretail.retail.procurement` summed over their
channels — and returns, per cell, the open position (planned − purchased: above zero still to
buy, below zero bought beyond the plan) and the hedge ratio (purchased / planned, rounded once to
:data:`RATIO_STEP`; none for a cell with nothing planned).

Source: 售电公司流程管理制度, 电量销售流程 2.电量预测与计划 and 3.购电交易 (根据电量销售计划,
参与电力市场购电交易 … 确保购电价格合理、购电电量满足销售需求).
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Final

import attrs
import pendulum

from powerretail.errors import InvalidInput, NotFound
from powerretail.metering.reads import IntervalSeries
from powerretail.quantities import exact_decimal
from powerretail.retail.forecast import (
    KWH_STEP,
    Month,
    MonthForecast,
    ProfileForecast,
    split_exactly,
)
from powerretail.tariffs.tou import MINUTES_PER_SLOT, TouSchedule

__all__ = [
    "RATIO_STEP",
    "PositionLine",
    "PositionReport",
    "SalesPlan",
    "SalesPlanLine",
    "band_energy",
    "band_weights",
    "open_position",
    "sales_plan",
    "split_by_bands",
]

#: Hedge ratios are rounded once to this step (0.01 %).
RATIO_STEP: Final = Decimal("0.0001")


def _local_slots(
    start: pendulum.DateTime, step_minutes: int, index: int, schedule: TouSchedule
) -> list[str]:
    begin = (start + timedelta(minutes=step_minutes) * index).in_timezone(schedule.timezone)
    minute = begin.hour * 60 + begin.minute
    day = begin.date()
    return [
        schedule.bucket_at(day, m) for m in range(minute, minute + step_minutes, MINUTES_PER_SLOT)
    ]


def _add_interval(
    totals: dict[str, Decimal], buckets: list[str], value: Decimal, *, exact: bool
) -> None:
    if len(set(buckets)) == 1:
        totals[buckets[0]] = totals.get(buckets[0], Decimal(0)) + value
        return
    parts = (
        split_exactly(value, [Decimal(1)] * len(buckets))
        if exact
        else [value / len(buckets)] * len(buckets)
    )
    for bucket, part in zip(buckets, parts, strict=True):
        totals[bucket] = totals.get(bucket, Decimal(0)) + part


def band_energy(profile: ProfileForecast, schedule: TouSchedule) -> dict[str, Decimal]:
    """Return the profile's energy per TOU band [kWh]; the bands add up to the profile exactly.

    An interval longer than a quarter hour that spans two bands is split evenly between its
    quarter hours (largest remainder at 0.001 kWh).

    Raises:
        CalendarYearNotCovered: the schedule's holiday calendar has no data for the year.
    """
    totals: dict[str, Decimal] = {}
    for index, value in enumerate(profile.values):
        buckets = _local_slots(profile.start, profile.step_minutes, index, schedule)
        _add_interval(totals, buckets, value, exact=True)
    return dict(sorted(totals.items()))


def band_weights(series: Iterable[IntervalSeries], schedule: TouSchedule) -> dict[str, Decimal]:
    """Return the customer's historic energy per TOU band [kWh], to weigh a split by.

    Missing values count for nothing; an interval spanning two bands is shared evenly (the
    weights are not rounded: they only set the proportions).

    Raises:
        CalendarYearNotCovered: the schedule's holiday calendar has no data for the year.
    """
    totals: dict[str, Decimal] = {}
    for one in series:
        for index, value in enumerate(one.values):
            if value is None:
                continue
            buckets = _local_slots(one.start, one.step_minutes, index, schedule)
            _add_interval(totals, buckets, value, exact=False)
    return dict(sorted(totals.items()))


def split_by_bands(kwh: Decimal, weights: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Split ``kwh`` between the bands in proportion to ``weights`` (exactly, at 0.001 kWh).

    Raises:
        InvalidInput: no bands, a negative weight, or ``kwh`` not a multiple of 0.001.
    """
    names = sorted(weights)
    parts = split_exactly(kwh, [weights[name] for name in names], KWH_STEP)
    return dict(zip(names, parts, strict=True))


@attrs.frozen(kw_only=True)
class SalesPlanLine:
    """One cell of the plan: a customer's energy [kWh] in a month and TOU band."""

    account_id: str
    month: Month
    band: str
    kwh: Decimal
    basis: str = ""


def _lines(value: Iterable[SalesPlanLine]) -> tuple[SalesPlanLine, ...]:
    lines = tuple(sorted(value, key=lambda line: (line.account_id, line.month, line.band)))
    keys = [(line.account_id, line.month, line.band) for line in lines]
    if len(set(keys)) != len(keys):
        raise InvalidInput("lines", len(keys), "one line per account, month and band")
    return lines


@attrs.frozen
class SalesPlan:
    """The plan: one line per customer, month and band (sorted)."""

    lines: tuple[SalesPlanLine, ...] = attrs.field(converter=_lines)

    def accounts(self) -> tuple[str, ...]:
        """The customers in the plan, sorted."""
        return tuple(sorted({line.account_id for line in self.lines}))

    def for_account(self, account_id: str) -> dict[tuple[Month, str], Decimal]:
        """Return one customer's (month, band) → kWh."""
        return {(ln.month, ln.band): ln.kwh for ln in self.lines if ln.account_id == account_id}

    def portfolio(self) -> dict[tuple[Month, str], Decimal]:
        """Return the portfolio's (month, band) → kWh: exact sums of the customers' cells."""
        cells: dict[tuple[Month, str], Decimal] = {}
        for line in self.lines:
            key = (line.month, line.band)
            cells[key] = cells.get(key, Decimal(0)) + line.kwh
        return dict(sorted(cells.items()))

    @property
    def total_kwh(self) -> Decimal:
        """Everything planned [kWh]."""
        return sum((line.kwh for line in self.lines), Decimal(0))

    def to_dict(self) -> dict[str, object]:
        """The plan as plain strings, for JSON."""
        return {
            "lines": [
                {
                    "account_id": ln.account_id,
                    "month": str(ln.month),
                    "band": ln.band,
                    "kwh": str(ln.kwh),
                }
                for ln in self.lines
            ],
            "portfolio": [
                {"month": str(m), "band": b, "kwh": str(k)}
                for (m, b), k in self.portfolio().items()
            ],
            "total_kwh": str(self.total_kwh),
        }


def sales_plan(
    forecasts: Iterable[MonthForecast],
    *,
    schedule: TouSchedule,
    profiles: Iterable[ProfileForecast] = (),
    weights: Mapping[str, Mapping[str, Decimal]] | None = None,
) -> SalesPlan:
    """Return the sales plan of ``forecasts``, each split into ``schedule``'s TOU bands.

    A forecast with a profile of the same account and month is split by :func:`band_energy`
    (the profile must hold the forecast's energy); otherwise by the account's band ``weights``
    (:func:`band_weights` of its history, or shares the user sets).

    Raises:
        InvalidInput: a profile whose total differs from its forecast.
        NotFound: a forecast with neither a profile nor band weights.
    """
    by_key = {(p.account_id, p.month): p for p in profiles}
    shares = weights or {}
    lines: list[SalesPlanLine] = []
    for made in forecasts:
        profile = by_key.get((made.account_id, made.month))
        if profile is not None:
            if profile.total != made.kwh:
                raise InvalidInput(
                    f"profile {made.account_id} {made.month}",
                    str(profile.total),
                    f"the forecast's {made.kwh} kWh",
                )
            bands = band_energy(profile, schedule)
            basis = f"{made.method.value} forecast, split by its interval profile"
        elif made.account_id in shares:
            bands = split_by_bands(made.kwh, shares[made.account_id])
            basis = f"{made.method.value} forecast, split by the account's band weights"
        else:
            raise NotFound("interval profile or band weights of account", made.account_id)
        lines.extend(
            SalesPlanLine(
                account_id=made.account_id, month=made.month, band=band, kwh=kwh, basis=basis
            )
            for band, kwh in bands.items()
        )
    return SalesPlan(lines)


@attrs.frozen(kw_only=True)
class PositionLine:
    """One (month, band) of the position: planned and purchased energy [kWh]."""

    month: Month
    band: str
    planned_kwh: Decimal
    purchased_kwh: Decimal

    @property
    def open_kwh(self) -> Decimal:
        """Planned minus purchased [kWh]: above zero still to buy, below zero over-bought."""
        return self.planned_kwh - self.purchased_kwh

    @property
    def hedge_ratio(self) -> Decimal | None:
        """Purchased over planned, rounded to :data:`RATIO_STEP` (None: nothing planned)."""
        if self.planned_kwh == 0:
            return None
        ratio = self.purchased_kwh / self.planned_kwh
        return ratio.quantize(RATIO_STEP, rounding=decimal.ROUND_HALF_UP)


@attrs.frozen
class PositionReport:
    """The open position per (month, band), sorted."""

    lines: tuple[PositionLine, ...]

    def month_totals(self) -> dict[Month, PositionLine]:
        """Return each month's position over all its bands (band ``"all"``)."""
        months: dict[Month, list[PositionLine]] = {}
        for line in self.lines:
            months.setdefault(line.month, []).append(line)
        return {
            month: PositionLine(
                month=month,
                band="all",
                planned_kwh=sum((ln.planned_kwh for ln in cells), Decimal(0)),
                purchased_kwh=sum((ln.purchased_kwh for ln in cells), Decimal(0)),
            )
            for month, cells in sorted(months.items())
        }

    def to_dict(self) -> dict[str, object]:
        """The report as plain strings, for JSON."""

        def row(line: PositionLine) -> dict[str, str | None]:
            ratio = line.hedge_ratio
            return {
                "month": str(line.month),
                "band": line.band,
                "planned_kwh": str(line.planned_kwh),
                "purchased_kwh": str(line.purchased_kwh),
                "open_kwh": str(line.open_kwh),
                "hedge_ratio": None if ratio is None else str(ratio),
            }

        return {
            "lines": [row(line) for line in self.lines],
            "months": [row(line) for line in self.month_totals().values()],
        }


def _purchased(
    value: Mapping[tuple[Month | str, str], Decimal | int],
) -> dict[tuple[Month, str], Decimal]:
    cells: dict[tuple[Month, str], Decimal] = {}
    for (month, band), kwh in value.items():
        amount = exact_decimal(kwh, f"purchased[{month}, {band}]")
        if amount < 0:
            raise InvalidInput(f"purchased[{month}, {band}]", kwh, "energy [kWh] of at least 0")
        key = (Month.parse(month), band)
        cells[key] = cells.get(key, Decimal(0)) + amount
    return cells


def open_position(
    plan: SalesPlan, purchased: Mapping[tuple[Month | str, str], Decimal | int]
) -> PositionReport:
    """Return the open position and hedge ratio of the portfolio's plan against ``purchased``.

    ``purchased`` maps (month, band) to the energy bought [kWh] — the purchase positions of
    :mod:`powerretail.retail.procurement` summed over their channels. A cell bought but not
    planned is reported with nothing planned.

    Raises:
        InvalidInput: purchased energy below zero or not a number (a float is refused).
    """
    planned = plan.portfolio()
    bought = _purchased(purchased)
    keys = sorted(set(planned) | set(bought))
    return PositionReport(
        tuple(
            PositionLine(
                month=month,
                band=band,
                planned_kwh=planned.get((month, band), Decimal(0)),
                purchased_kwh=bought.get((month, band), Decimal(0)),
            )
            for month, band in keys
        )
    )
