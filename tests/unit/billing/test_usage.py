"""Determinants from register reads and from interval series."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from powerretail.adapters.tariff_library import load_shipped
from powerretail.billing.determinants import AccountFacts
from powerretail.billing.engine import BillingEngine
from powerretail.billing.usage import (
    IntervalSeries,
    RegisterRead,
    bucket_energy,
    determinants_from_intervals,
    determinants_from_registers,
)
from powerretail.errors import InvalidInput
from powerretail.tariffs.tou import Season, TouSchedule, TouWindow
from powerretail.timeframe import DateRange

from .builders import energy, tariff, tou, version

JULY = DateRange.month(2025, 7)
SHANGHAI_JULY = datetime(2025, 6, 30, 16, tzinfo=UTC)


def a_series(
    days: int, minutes: int = 15, value: str = "1", start: datetime = SHANGHAI_JULY
) -> IntervalSeries:
    count = days * 24 * 60 // minutes
    return IntervalSeries(
        start=start,
        minutes=minutes,
        active_kwh=[Decimal(value)] * count,
        reactive_kvarh=[Decimal("0.5")] * count,
    )


class TestRegisterReads:
    def test_keeps_the_decimals_a_multiplier_makes_whole(self) -> None:
        read = RegisterRead(register="total", previous="0", current="236.8", multiplier=40)

        assert read.quantity == Decimal("9472.0")

    def test_adds_reactive_import_and_export_and_demand_per_meter(self) -> None:
        reads = [
            RegisterRead(register="peak", previous=0, current=10),
            RegisterRead(register="peak", previous=0, current=5, meter="B"),
            RegisterRead(register="q_in", kind="reactive", previous=0, current=4),
            RegisterRead(register="q_out", kind="reactive", previous=7, current=10),
            RegisterRead(register="d", kind="demand", current=100, meter="A"),
            RegisterRead(register="d2", kind="demand", current=120, meter="A"),
            RegisterRead(register="d", kind="demand", current=50, meter="B"),
        ]

        d = determinants_from_registers(reads)

        assert d.energy_kwh == {"peak": Decimal(15)}
        assert d.reactive_kvarh == Decimal(7)
        assert d.max_demand_kw == Decimal(170)

    @pytest.mark.parametrize(
        ("fields", "match"),
        [
            ({"register": "x", "current": 1}, "previous"),
            ({"register": "x", "current": 1, "previous": 0, "multiplier": 0}, "multiplier"),
            ({"register": "x", "current": 1, "previous": 0, "kind": "apparent"}, "kind"),
        ],
    )
    def test_refuses_incomplete_reads(self, fields: dict[str, object], match: str) -> None:
        with pytest.raises(InvalidInput, match=match):
            RegisterRead(**fields)  # type: ignore[arg-type]

    def test_needs_an_active_register(self) -> None:
        with pytest.raises(InvalidInput, match="active"):
            determinants_from_registers([RegisterRead(register="d", kind="demand", current=1)])


class TestIntervalSeries:
    def test_buckets_quarter_hours_by_the_schedule_in_its_zone(self) -> None:
        schedule = load_shipped("JS-RES-TOU").versions[0].schedules["residential"]

        d = determinants_from_intervals(a_series(31), schedule, JULY)

        assert d.energy_kwh == {"valley": Decimal(31 * 44), "peak": Decimal(31 * 52)}
        assert d.max_demand_kw == Decimal(4)
        assert d.reactive_kvarh == Decimal(31 * 48)

    def test_shares_an_hour_that_straddles_a_boundary_a_quarter_per_quarter_hour(self) -> None:
        schedule = load_shipped("JS-CI-TOU-2P").versions[0].schedules["js426"]
        one_day = DateRange("2025-07-01", "2025-07-02")

        hourly = bucket_energy(a_series(1, minutes=60, value="4"), schedule, one_day)
        quarterly = bucket_energy(a_series(1), schedule, one_day)

        assert hourly == quarterly
        assert hourly["critical"] == Decimal(12)  # 14-15 and 19:30-21:30

    def test_buckets_a_daylight_saving_day_on_the_local_clock(self) -> None:
        schedule = TouSchedule(
            name="uk",
            timezone="Europe/London",
            seasons=(
                Season(
                    name="all",
                    months=tuple(range(1, 13)),
                    windows=(
                        TouWindow("peak", "07:00", "23:00"),
                        TouWindow("valley", "23:00", "07:00"),
                    ),
                ),
            ),
        )
        spring = DateRange("2025-03-30", "2025-03-31")  # 23 hours in London
        start = datetime(2025, 3, 30, 0, tzinfo=UTC)

        quarters = bucket_energy(a_series(1, start=start), schedule, spring)
        hours = bucket_energy(a_series(1, minutes=60, start=start), schedule, spring)

        assert quarters == {"valley": Decimal(28), "peak": Decimal(64)}
        assert hours == {"valley": Decimal(7), "peak": Decimal(16)}

    def test_refuses_a_series_that_does_not_cover_the_period(self) -> None:
        schedule = load_shipped("JS-RES-TOU").versions[0].schedules["residential"]

        with pytest.raises(InvalidInput, match="whole period"):
            determinants_from_intervals(a_series(30), schedule, JULY)
        with pytest.raises(InvalidInput, match="aligned"):
            determinants_from_intervals(
                a_series(31, start=SHANGHAI_JULY + timedelta(minutes=5)), schedule, JULY
            )

    @pytest.mark.parametrize(
        ("fields", "match"),
        [
            ({"minutes": 30}, "minutes"),
            ({"minutes": 15.0}, "minutes"),
            ({"active_kwh": [0.5]}, r"active_kwh\[0\]"),
            ({"reactive_kvarh": []}, "reactive_kvarh"),
            ({"start": datetime(2025, 7, 1)}, "start"),  # noqa: DTZ001 - refused on purpose
        ],
    )
    def test_refuses_bad_series(self, fields: dict[str, object], match: str) -> None:
        values: dict[str, object] = {"start": SHANGHAI_JULY, "minutes": 15, "active_kwh": ["1"]}
        values.update(fields)

        with pytest.raises(InvalidInput, match=match):
            IntervalSeries(**values)  # type: ignore[arg-type]


class TestWholeUnits:
    def units_series(self, days: int, minutes: int = 15) -> IntervalSeries:
        count = days * 24 * 60 // minutes
        return IntervalSeries(
            start=SHANGHAI_JULY,
            minutes=minutes,
            active_units=[1000 + i % 7 for i in range(count)],
            reactive_units=[500] * count,
            unit_exponent=-3,
        )

    def decimal_series(self, days: int, minutes: int = 15) -> IntervalSeries:
        units = self.units_series(days, minutes)
        return IntervalSeries(
            start=SHANGHAI_JULY,
            minutes=minutes,
            active_kwh=units.active_kwh,
            reactive_kvarh=units.reactive_kvarh,
        )

    @pytest.mark.parametrize("minutes", [15, 60])
    def test_whole_units_give_the_same_determinants_as_decimals(self, minutes: int) -> None:
        schedule = load_shipped("JS-CI-TOU-2P").versions[0].schedules["js426"]

        by_units = determinants_from_intervals(self.units_series(31, minutes), schedule, JULY)
        by_decimals = determinants_from_intervals(self.decimal_series(31, minutes), schedule, JULY)

        assert by_units == by_decimals
        assert by_units.max_demand_kw == Decimal("1.006") * (4 if minutes == 15 else 1)

    def test_converts_units_to_decimals_once_and_exactly(self) -> None:
        series = self.units_series(1)

        assert series.active_kwh[:2] == (Decimal("1.000"), Decimal("1.001"))
        assert series.active_kwh is series.active_kwh
        assert series.units is not None
        assert self.decimal_series(1).units is None

    @pytest.mark.parametrize(
        ("fields", "match"),
        [
            ({}, "either"),
            ({"active_kwh": ["1"], "active_units": [1]}, "either"),
            ({"active_kwh": ["1"], "reactive_units": [1]}, "reactive_units"),
            ({"active_units": [1], "reactive_kvarh": ["1"]}, "reactive_kvarh"),
            ({"active_units": [True]}, r"active_units\[0\]"),
            ({"active_units": [1], "reactive_units": [Decimal(1)]}, r"reactive_units\[0\]"),
            ({"active_units": [1], "unit_exponent": 5}, "unit_exponent"),
        ],
    )
    def test_refuses_mixed_or_inexact_units(self, fields: dict[str, object], match: str) -> None:
        with pytest.raises(InvalidInput, match=match):
            IntervalSeries(start=SHANGHAI_JULY, minutes=15, **fields)  # type: ignore[arg-type]


class TestBillIntervals:
    def test_matches_the_bill_of_the_same_usage_as_register_totals(self) -> None:
        engine = BillingEngine(load_shipped("JS-CI-TOU-2P"))
        account = AccountFacts(
            capacity_kva=1000,
            use_category="industrial",
            contract_demand_kw=600,
            pf_standard="0.90",
        )
        series = a_series(31, value="50")
        schedule = engine.tariff.versions[0].schedules["js426"]

        by_intervals = engine.bill_intervals(series, JULY, account)
        by_totals = engine.bill(determinants_from_intervals(series, schedule, JULY), JULY, account)

        assert by_intervals.lines == by_totals.lines

    def test_splits_energy_exactly_at_a_version_change(self) -> None:
        t = tariff(
            version(tou(), label="old", end="2025-07-11"),
            version(energy(price="0.6"), label="new", start="2025-07-11"),
        )

        bill = BillingEngine(t).bill_intervals(a_series(31), JULY)

        assert [(line.code, line.quantity) for line in bill.lines] == [
            ("tou.peak", Decimal(520)),
            ("tou.valley", Decimal(440)),
            ("energy", Decimal(2016)),
        ]
