"""Contract execution tracking (合同执行跟蹤): actual against contracted energy, with alerts.

A retail contract's terms (:mod:`powerretail.contracts.terms`) carry no energy quantity, so the
contracted energy per user and month is an input (:class:`ContractedEnergy`: from the trading
platform's registered retail contract). During a month the metered energy to date
(:class:`MonthToDate`, through a day) is projected to the month end in proportion to the days
elapsed — calendar days, or working days on a business calendar for a user whose load follows
the working week — and the projected deviation ``(projected − contracted) / contracted`` is set
against the user's band (:class:`ExecutionBand`, policy data: the free band of the deviation rule
the user is assessed under). A user heading outside its band gets an :class:`ExecutionAlert`
that names the rule and the numbers.

Projected energy is rounded once to 0.001 kWh; the deviation is compared exactly and shown
rounded to 0.01 %.

>>> band = ExecutionBand(key="BAND-3", lower=Decimal("-0.03"), upper=Decimal("0.03"))
>>> line = track_one(
...     ContractedEnergy(account_id="A-1", month=Month.parse("2026-03"), kwh=Decimal("31000")),
...     MonthToDate(account_id="A-1", month=Month.parse("2026-03"), kwh=Decimal("11000"),
...                 through=date(2026, 3, 10)),
...     band=band,
... )
>>> line.projected_kwh, line.alert.side
(Decimal('34100.000'), 'over')

Source: 售电公司流程管理制度, 电量销售流程 1.合同执行跟踪 (定期对售电合同的执行情况进行检查 …
确保客户按照合同约定用电).
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Final

import attrs

from powerretail.calendars.base import BusinessCalendar
from powerretail.errors import InvalidInput, NotFound
from powerretail.quantities import exact_decimal
from powerretail.retail.forecast import Month, round_kwh
from powerretail.timeframe import as_date

__all__ = [
    "DEVIATION_STEP",
    "EXECUTION_BANDS",
    "ContractedEnergy",
    "ExecutionAlert",
    "ExecutionBand",
    "ExecutionLine",
    "MonthToDate",
    "execution_band",
    "project_month_end",
    "track_execution",
    "track_one",
]

#: Deviations are shown rounded to this step (0.01 %).
DEVIATION_STEP: Final = Decimal("0.0001")


def _kwh(value: object) -> Decimal:
    kwh = exact_decimal(value, "kwh")
    if kwh < 0:
        raise InvalidInput("kwh", value, "energy [kWh] of at least 0")
    return kwh


def _month(value: object) -> Month:
    return Month.parse(value)


def _through(value: object) -> date:
    return as_date(value, "through")


def _fraction(value: object) -> Decimal:
    return exact_decimal(value, "band")


@attrs.frozen(kw_only=True)
class ExecutionBand:
    """A user's allowed deviation from its contracted energy: ``lower`` ≤ dev ≤ ``upper``.

    ``lower`` and ``upper`` are fractions (``-0.03`` is 3 % under). The band is policy data: use
    the free band of the deviation rule the user is assessed under.

    Raises:
        InvalidInput: ``lower`` above 0 or ``upper`` below 0.
    """

    key: str
    lower: Decimal = attrs.field(converter=_fraction)
    upper: Decimal = attrs.field(converter=_fraction)
    source: str = ""

    def __attrs_post_init__(self) -> None:
        if self.lower > 0:
            raise InvalidInput(f"{self.key}.lower", str(self.lower), "a fraction of at most 0")
        if self.upper < 0:
            raise InvalidInput(f"{self.key}.upper", str(self.upper), "a fraction of at least 0")

    def describe(self) -> str:
        """The band as percentages (``-3% to +3%``)."""
        return f"{_percent(self.lower)} to +{_percent(self.upper)}"


def _generic(percent: int) -> ExecutionBand:
    share = Decimal(percent) / 100
    return ExecutionBand(
        key=f"BAND-{percent}",
        lower=-share,
        upper=share,
        source=f"generic ±{percent}% free band; the provincial deviation rule in force sets the "
        "user's band",
    )


#: Generic symmetric bands by key (``BAND-3``, ``BAND-5``, ``BAND-10``): ±3 %, ±5 %, ±10 %.
EXECUTION_BANDS: Final[Mapping[str, ExecutionBand]] = {
    band.key: band for band in (_generic(3), _generic(5), _generic(10))
}


def execution_band(key: str) -> ExecutionBand:
    """Return the generic band ``key``.

    Raises:
        NotFound: no such band.
    """
    try:
        return EXECUTION_BANDS[key]
    except KeyError:
        raise NotFound("execution band", key) from None


def _percent(fraction: Decimal) -> str:
    return f"{(fraction * 100).normalize():f}%"


@attrs.frozen(kw_only=True)
class ContractedEnergy:
    """A user's contracted energy for a month [kWh]."""

    account_id: str
    month: Month = attrs.field(converter=_month)
    kwh: Decimal = attrs.field(converter=_kwh)


@attrs.frozen(kw_only=True)
class MonthToDate:
    """A user's metered energy [kWh] in ``month`` from its first day through ``through``."""

    account_id: str
    month: Month = attrs.field(converter=_month)
    kwh: Decimal = attrs.field(converter=_kwh)
    through: date = attrs.field(converter=_through)

    def __attrs_post_init__(self) -> None:
        if self.through not in self.month.days:
            raise InvalidInput("through", self.through.isoformat(), f"a day of {self.month}")


def project_month_end(
    actual: MonthToDate, *, calendar: BusinessCalendar | None = None
) -> tuple[Decimal, str]:
    """Return the month-end energy [kWh] projected from ``actual``, and how.

    Without a calendar the energy to date is scaled by calendar days (``kWh × days in month /
    days elapsed``); with one, by working days (a month to date without a working day is
    projected by calendar days). A month to its last day is its own projection.

    Raises:
        CalendarYearNotCovered: the calendar has no data for the year.
    """
    days = actual.month.days
    elapsed = days.index(actual.through) + 1
    if elapsed == len(days):
        return round_kwh(actual.kwh), "the whole month metered"
    if calendar is not None:
        working = [calendar.is_working_day(day) for day in days]
        done = sum(working[:elapsed])
        if done:
            total = sum(working)
            return (
                round_kwh(actual.kwh * total / done),
                f"{actual.kwh} kWh × {total} working days / {done} working days elapsed",
            )
    return (
        round_kwh(actual.kwh * len(days) / elapsed),
        f"{actual.kwh} kWh × {len(days)} days / {elapsed} days elapsed",
    )


@attrs.frozen(kw_only=True)
class ExecutionAlert:
    """A user heading outside its band: the rule, the side and the numbers."""

    account_id: str
    month: Month
    rule: str
    side: str
    message: str


@attrs.frozen(kw_only=True)
class ExecutionLine:
    """A user's month: contracted, metered to date, projected, the deviation and any alert."""

    account_id: str
    month: Month
    contracted_kwh: Decimal
    actual_kwh: Decimal
    through: date
    projected_kwh: Decimal
    projection: str
    deviation: Decimal | None
    alert: ExecutionAlert | None

    def to_dict(self) -> dict[str, str | None]:
        """The line as plain strings, for JSON."""
        return {
            "account_id": self.account_id,
            "month": str(self.month),
            "contracted_kwh": str(self.contracted_kwh),
            "actual_kwh": str(self.actual_kwh),
            "through": self.through.isoformat(),
            "projected_kwh": str(self.projected_kwh),
            "deviation": None
            if self.deviation is None
            else str(self.deviation.quantize(DEVIATION_STEP, rounding=decimal.ROUND_HALF_UP)),
            "alert": None if self.alert is None else self.alert.message,
        }


def track_one(
    contracted: ContractedEnergy,
    actual: MonthToDate,
    *,
    band: ExecutionBand,
    calendar: BusinessCalendar | None = None,
) -> ExecutionLine:
    """Return the execution of one user's month, with an alert if it heads outside ``band``.

    A month contracted at zero has no deviation; any energy projected in it is an alert.

    Raises:
        InvalidInput: the contracted energy and the actuals are of different users or months.
    """
    if (contracted.account_id, contracted.month) != (actual.account_id, actual.month):
        raise InvalidInput(
            "actual",
            f"{actual.account_id} {actual.month}",
            f"the contract's {contracted.account_id} {contracted.month}",
        )
    projected, how = project_month_end(actual, calendar=calendar)
    deviation = None
    alert = None
    head = f"{actual.account_id} {actual.month}: projected {projected} kWh ({how})"
    if contracted.kwh == 0:
        if projected > 0:
            alert = ExecutionAlert(
                account_id=actual.account_id,
                month=actual.month,
                rule=band.key,
                side="over",
                message=f"{head} against nothing contracted ({band.key})",
            )
    else:
        deviation = (projected - contracted.kwh) / contracted.kwh
        side = "over" if deviation > band.upper else "under" if deviation < band.lower else ""
        if side:
            shown = _percent(deviation.quantize(DEVIATION_STEP, rounding=decimal.ROUND_HALF_UP))
            alert = ExecutionAlert(
                account_id=actual.account_id,
                month=actual.month,
                rule=band.key,
                side=side,
                message=(
                    f"{head} against {contracted.kwh} kWh contracted: deviation {shown} is "
                    f"{side} the band {band.describe()} ({band.key}"
                    + (f": {band.source})" if band.source else ")")
                ),
            )
    return ExecutionLine(
        account_id=actual.account_id,
        month=actual.month,
        contracted_kwh=contracted.kwh,
        actual_kwh=actual.kwh,
        through=actual.through,
        projected_kwh=projected,
        projection=how,
        deviation=deviation,
        alert=alert,
    )


def track_execution(
    contracted: Iterable[ContractedEnergy],
    actuals: Iterable[MonthToDate],
    *,
    band: ExecutionBand,
    bands: dict[str, ExecutionBand] | None = None,
    calendar: BusinessCalendar | None = None,
) -> tuple[ExecutionLine, ...]:
    """Return the execution of every contracted user and month that has actuals (sorted).

    ``bands`` gives some users their own band; the others use ``band``.

    Raises:
        NotFound: actuals for a user and month with no contracted energy.
    """
    by_key = {(c.account_id, c.month): c for c in contracted}
    own = bands or {}
    lines: list[ExecutionLine] = []
    for actual in sorted(actuals, key=lambda a: (a.account_id, a.month)):
        contract = by_key.get((actual.account_id, actual.month))
        if contract is None:
            raise NotFound("contracted energy of", f"{actual.account_id} {actual.month}")
        lines.append(
            track_one(contract, actual, band=own.get(actual.account_id, band), calendar=calendar)
        )
    return tuple(lines)
