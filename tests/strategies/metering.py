"""Builders and hypothesis strategies for metering: meters, reads, interval series."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pendulum
from hypothesis import strategies as st

from powerretail.ids import MeterId
from powerretail.metering.meters import Meter, MeterEvent, MeterType, RegisterKind
from powerretail.metering.reads import (
    EstimationMethod,
    IntervalQuality,
    IntervalSeries,
    ReadSource,
    RegisterRead,
)
from powerretail.metering.vee import ReadSubject, ServiceStatus

SHANGHAI = pendulum.timezone("Asia/Shanghai")
#: The instant every builder counts days from: 2025-01-01 08:00 Shanghai.
ORIGIN = pendulum.datetime(2025, 1, 1, 8, tz=SHANGHAI)


def a_meter(
    meter_id: str = "M-1",
    *,
    ct_ratio: str = "1",
    vt_ratio: str = "1",
    digits: int = 6,
    installed_on: date | None = date(2020, 1, 1),
    removed_on: date | None = None,
    registers: frozenset[RegisterKind] = frozenset({RegisterKind.ACTIVE_TOTAL}),
) -> Meter:
    """Return an electronic class-1 meter installed in 2020 (multiplier 1 unless told)."""
    return Meter(
        id=MeterId(meter_id),
        serial=f"S-{meter_id}",
        meter_type=MeterType.ELECTRONIC,
        accuracy_class="1",
        ct_ratio=ct_ratio,
        vt_ratio=vt_ratio,
        register_digits=digits,
        registers=registers,
        installed_on=installed_on,
        removed_on=removed_on,
    )


def at_day(day: int | Decimal, hours: int = 0) -> pendulum.DateTime:
    """Return ORIGIN plus ``day`` days (elapsed) and ``hours``."""
    return ORIGIN.add(days=int(day), hours=hours)


def a_read(
    day: int,
    value: str | Decimal,
    *,
    source: ReadSource = ReadSource.ACTUAL,
    meter_id: str = "M-1",
    register: RegisterKind = RegisterKind.ACTIVE_TOTAL,
    unreadable: bool = False,
    is_final: bool = False,
    events: frozenset[MeterEvent] = frozenset(),
    meter_clock_at: pendulum.DateTime | None = None,
    hours: int = 0,
) -> RegisterRead:
    """Return a read ``day`` days after ORIGIN; estimates get the previous-period method."""
    return RegisterRead(
        meter_id=MeterId(meter_id),
        register=register,
        read_at=at_day(day, hours),
        value=value,
        source=source,
        produced_by="test",
        method=None if source.is_actual else EstimationMethod.PREVIOUS_PERIOD,
        unreadable=unreadable,
        is_final=is_final,
        events=events,
        meter_clock_at=meter_clock_at,
    )


def an_estimate(day: int, value: str | Decimal, *, unreadable: bool = False) -> RegisterRead:
    """Return an estimated read ``day`` days after ORIGIN."""
    return a_read(day, value, source=ReadSource.ESTIMATED, unreadable=unreadable)


def a_subject(
    read: RegisterRead,
    *history: RegisterRead,
    meter: Meter | None = None,
    as_of_day: int = 400,
    service: ServiceStatus = ServiceStatus.ENERGISED,
    **extra: object,
) -> ReadSubject:
    """Return a subject for ``read`` with ``history``, checked on day ``as_of_day``."""
    return ReadSubject(
        meter=meter or a_meter(),
        read=read,
        history=history,
        as_of=at_day(as_of_day),
        service=service,
        **extra,  # type: ignore[arg-type]
    )


def a_series(values: list[str | None], *, start: str = "2025-01-06T00:00+08:00") -> IntervalSeries:
    """Return a 15-minute series of actual values from ``start`` (``None`` = missing)."""
    return IntervalSeries.of_actuals(meter_id="M-1", start=start, values=values)


# ---------------------------------------------------------------- strategies

#: Register values with one decimal, below a 6-dial roll-over point.
register_values = st.decimals(
    min_value=Decimal(0), max_value=Decimal("999999.9"), places=1, allow_nan=False
)
#: Consumption in register units that fits on 6 dials.
advances = st.decimals(min_value=Decimal(0), max_value=Decimal("999999.9"), places=1)
#: Multipliers: products of common CT and VT ratios.
multipliers = st.sampled_from(["1", "20", "40", "60", "2000", "6000"])
#: Interval values [kWh] with three decimals.
interval_values = st.decimals(min_value=Decimal(0), max_value=Decimal("500"), places=3)


@st.composite
def series_with_gaps(draw: st.DrawFn, max_days: int = 3) -> IntervalSeries:
    """Draw a 15-minute series of whole Shanghai days with some values missing."""
    days = draw(st.integers(min_value=1, max_value=max_days))
    count = 96 * days
    values: list[Decimal | None] = [draw(interval_values) for _ in range(8)] * (count // 8)
    holes = draw(st.lists(st.integers(min_value=0, max_value=count - 1), max_size=30))
    runs = draw(st.lists(st.integers(min_value=1, max_value=20), min_size=len(holes)))
    for hole, run in zip(holes, runs, strict=False):
        for index in range(hole, min(hole + run, count)):
            values[index] = None
    return IntervalSeries(
        meter_id=MeterId("M-1"),
        start=pendulum.datetime(2025, 1, 6, tz=SHANGHAI),
        values=tuple(values),
        quality=tuple(
            IntervalQuality.MISSING if v is None else IntervalQuality.ACTUAL for v in values
        ),
    )
