from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from powerretail.errors import FloatNotAllowed, InvalidInput
from powerretail.metering.consumption import (
    ReadLedger,
    consumption,
    consumption_across_exchange,
    demand,
    energy_from_advance,
    reactive_consumption,
    register_advance,
)
from powerretail.metering.meters import Meter, MeterEvent, MeterType, RegisterKind, parse_ratio
from powerretail.metering.reads import (
    EstimationMethod,
    IntervalQuality,
    IntervalSeries,
    MeterExchange,
    ReadSource,
    RegisterRead,
    expected_interval_count,
)
from powerretail.quantities import Energy, Power, ReactiveEnergy
from tests.strategies.metering import a_meter, a_read, an_estimate, at_day


class TestParseRatio:
    def test_reads_a_transformer_ratio(self) -> None:
        assert parse_ratio("100/5") == Decimal(20)

    def test_reads_a_plain_number(self) -> None:
        assert parse_ratio(40) == Decimal(40)

    @pytest.mark.parametrize("text", ["0/5", "100/0", "-3", "0"])
    def test_refuses_a_ratio_that_is_not_positive(self, text: str) -> None:
        with pytest.raises(InvalidInput):
            parse_ratio(text)

    def test_refuses_a_float(self) -> None:
        with pytest.raises(FloatNotAllowed):
            parse_ratio(0.5)


class TestMeter:
    def test_multiplier_is_ct_ratio_times_vt_ratio(self) -> None:
        meter = a_meter(ct_ratio="100/5", vt_ratio="10000/100")

        assert meter.multiplier == Decimal(2000)

    def test_rolls_over_at_ten_to_the_digits(self) -> None:
        assert a_meter(digits=4).rollover_at == Decimal(10000)

    def test_is_installed_inside_its_half_open_window(self) -> None:
        meter = a_meter(installed_on=date(2024, 1, 1), removed_on=date(2025, 1, 1))

        assert [meter.is_installed_on(d) for d in (date(2023, 12, 31), date(2024, 6, 1))] == [
            False,
            True,
        ]
        assert not meter.is_installed_on(date(2025, 1, 1))

    def test_is_not_installed_without_an_installation_date(self) -> None:
        assert not a_meter(installed_on=None).is_installed_on(date(2025, 1, 1))

    def test_accepts_a_single_register_kind(self) -> None:
        meter = a_meter(registers=RegisterKind.REACTIVE)  # type: ignore[arg-type]

        assert meter.registers == frozenset({RegisterKind.REACTIVE})

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("accuracy_class", "7"),
            ("register_digits", 0),
            ("register_digits", True),
            ("registers", "active"),
            ("registers", frozenset()),
            ("registers", ("active",)),
            ("removed_on", date(2019, 1, 1)),
        ],
    )
    def test_refuses_bad_data(self, field: str, value: object) -> None:
        arguments: dict[str, object] = {
            "id": "M",
            "serial": "S",
            "meter_type": MeterType.SMART,
            "accuracy_class": "1",
            "installed_on": date(2020, 1, 1),
        }
        arguments[field] = value

        with pytest.raises(InvalidInput):
            Meter(**arguments)  # type: ignore[arg-type]

    def test_demand_is_not_cumulative(self) -> None:
        assert not RegisterKind.MAX_DEMAND.is_cumulative
        assert RegisterKind.PEAK.is_cumulative


class TestRegisterRead:
    def test_keeps_every_decimal(self) -> None:
        assert a_read(1, "236.80").value == Decimal("236.80")

    def test_an_estimate_must_name_its_method(self) -> None:
        with pytest.raises(InvalidInput, match="method"):
            RegisterRead(
                meter_id="M",
                read_at=at_day(1),
                value="1",
                source=ReadSource.ESTIMATED,
                produced_by="x",
            )

    def test_an_actual_has_no_method(self) -> None:
        with pytest.raises(InvalidInput, match="method"):
            RegisterRead(
                meter_id="M",
                read_at=at_day(1),
                value="1",
                source=ReadSource.ACTUAL,
                produced_by="x",
                method=EstimationMethod.LINEAR,
            )

    def test_only_an_estimate_stands_for_an_unreadable_cycle(self) -> None:
        with pytest.raises(InvalidInput, match="unreadable"):
            a_read(1, "1", unreadable=True)

    def test_refuses_a_negative_value(self) -> None:
        with pytest.raises(InvalidInput):
            a_read(1, "-1")

    def test_refuses_a_naive_instant(self) -> None:
        with pytest.raises(InvalidInput, match="read_at"):
            RegisterRead(
                meter_id="M",
                read_at="2025-01-01T00:00",
                value="1",
                source=ReadSource.ACTUAL,
                produced_by="x",
            )

    @pytest.mark.parametrize("events", ["outage", ["outage"]])
    def test_refuses_events_that_are_not_meter_events(self, events: object) -> None:
        with pytest.raises(InvalidInput, match="events"):
            RegisterRead(
                meter_id="M",
                read_at=at_day(1),
                value="1",
                source=ReadSource.ACTUAL,
                produced_by="x",
                events=events,  # type: ignore[arg-type]
            )

    def test_customer_reads_count_as_actual(self) -> None:
        assert a_read(1, "1", source=ReadSource.CUSTOMER).is_actual
        assert not an_estimate(1, "1").is_actual

    def test_describes_itself_with_meter_time_value_and_source(self) -> None:
        text = a_read(0, "5").describe()

        assert text == "M-1/active_total at 2025-01-01T08:00:00+08:00 = 5 (actual)"

    def test_carries_its_id(self) -> None:
        read = RegisterRead(
            meter_id="M",
            read_at=at_day(1),
            value="1",
            source=ReadSource.ACTUAL,
            produced_by="x",
            read_id=" R-1 ",
        )

        assert read.read_id == "R-1"


class TestMeterExchange:
    def test_refuses_the_same_meter_twice(self) -> None:
        with pytest.raises(InvalidInput, match="different meter"):
            MeterExchange(old_final=a_read(1, "5"), new_initial=a_read(1, "0"))

    def test_refuses_a_new_read_before_the_old_one(self) -> None:
        with pytest.raises(InvalidInput, match=r"new_initial\.read_at"):
            MeterExchange(old_final=a_read(2, "5"), new_initial=a_read(1, "0", meter_id="M-2"))

    def test_refuses_estimated_exchange_reads(self) -> None:
        with pytest.raises(InvalidInput, match="actual"):
            MeterExchange(old_final=an_estimate(2, "5"), new_initial=a_read(2, "0", meter_id="N"))


class TestExpectedIntervalCount:
    @pytest.mark.parametrize(
        ("day", "zone", "step", "count"),
        [
            (date(2025, 3, 30), "Europe/London", 15, 92),
            (date(2025, 10, 26), "Europe/London", 15, 100),
            (date(2025, 10, 26), "Europe/London", 60, 25),
            (date(2025, 3, 30), "Asia/Shanghai", 15, 96),
        ],
    )
    def test_counts_the_intervals_of_a_local_day(
        self, day: date, zone: str, step: int, count: int
    ) -> None:
        assert expected_interval_count(day, zone, step) == count

    def test_refuses_an_odd_step(self) -> None:
        with pytest.raises(InvalidInput, match="step_minutes"):
            expected_interval_count(date(2025, 1, 1), "Asia/Shanghai", 10)


class TestIntervalSeries:
    def test_flags_none_as_missing(self) -> None:
        series = IntervalSeries.of_actuals(meter_id="M", start=at_day(0), values=["1", None])

        assert series.quality == (IntervalQuality.ACTUAL, IntervalQuality.MISSING)
        assert series.missing_indices() == (1,)
        assert series.total() == Decimal(1)
        assert series.end == at_day(0).add(minutes=30)

    @pytest.mark.parametrize(
        ("values", "quality", "message"),
        [
            (["1"], [IntervalQuality.MISSING], "quality\\[0\\]"),
            (["1"], [], "one flag per value"),
            (["1"], [IntervalQuality.ESTIMATED], "methods\\[0\\]"),
            (["1"], ["actual"], "IntervalQuality"),
            ("1", [IntervalQuality.ACTUAL], "values"),
        ],
    )
    def test_refuses_inconsistent_flags(
        self, values: object, quality: object, message: str
    ) -> None:
        with pytest.raises(InvalidInput, match=message):
            IntervalSeries(meter_id="M", start=at_day(0), values=values, quality=quality)  # type: ignore[arg-type]

    def test_refuses_an_odd_step(self) -> None:
        with pytest.raises(InvalidInput, match="step_minutes"):
            IntervalSeries.of_actuals(meter_id="M", start=at_day(0), values=["1"], step_minutes=5)


class TestRegisterAdvance:
    def test_is_current_minus_previous(self) -> None:
        assert register_advance(Decimal("10.5"), Decimal("12"), digits=4).units == Decimal("1.5")

    def test_rolls_over_when_the_register_falls(self) -> None:
        advance = register_advance(Decimal("9990"), Decimal("5"), digits=4)

        assert (advance.units, advance.rolled_over) == (Decimal(15), True)

    def test_refuses_a_value_beyond_the_dials(self) -> None:
        with pytest.raises(InvalidInput, match="current"):
            register_advance(Decimal(1), Decimal(10000), digits=4)


class TestConsumption:
    def test_keeps_the_register_decimals_times_the_multiplier(self) -> None:
        meter = a_meter(ct_ratio="40")

        energy = consumption(a_read(0, "1000"), a_read(30, "1236.8"), meter)

        assert energy == Energy("9472.0")

    def test_dropping_the_decimal_would_lose_32_kwh(self) -> None:
        assert energy_from_advance(Decimal("236.8"), Decimal(40)).kwh - 236 * 40 == 32

    @pytest.mark.parametrize(
        ("previous", "latest", "message"),
        [
            (a_read(0, "1"), a_read(1, "2", meter_id="M-9"), "meter_id"),
            (a_read(0, "1"), a_read(1, "2", register=RegisterKind.PEAK), "register"),
            (
                a_read(0, "1", register=RegisterKind.MAX_DEMAND),
                a_read(1, "2", register=RegisterKind.MAX_DEMAND),
                "active-energy",
            ),
            (a_read(2, "1"), a_read(1, "2"), "latest.read_at"),
        ],
    )
    def test_refuses_reads_that_do_not_make_a_period(
        self, previous: RegisterRead, latest: RegisterRead, message: str
    ) -> None:
        meter = a_meter(registers=frozenset({RegisterKind.ACTIVE_TOTAL, RegisterKind.MAX_DEMAND}))

        with pytest.raises(InvalidInput, match=message):
            consumption(previous, latest, meter)

    def test_across_an_exchange_adds_both_meters_at_their_multipliers(self) -> None:
        old, new = a_meter("OLD", ct_ratio="20"), a_meter("NEW", ct_ratio="40")
        exchange = MeterExchange(
            old_final=a_read(10, "150", meter_id="OLD"),
            new_initial=a_read(10, "0.5", meter_id="NEW"),
        )

        energy = consumption_across_exchange(
            previous=a_read(0, "100", meter_id="OLD"),
            exchange=exchange,
            latest=a_read(30, "10.5", meter_id="NEW"),
            old_meter=old,
            new_meter=new,
        )

        assert energy == Energy(50 * 20 + 10 * 40)


class TestReadLedger:
    def test_bills_the_energy_between_reads(self) -> None:
        ledger = ReadLedger(meter=a_meter(ct_ratio="40")).offer_all(
            [a_read(0, "100"), a_read(30, "110")]
        )

        assert ledger.bill(at_day(30)).billed() == Energy(400)

    def test_trues_up_an_estimate_when_the_actual_arrives(self) -> None:
        ledger = ReadLedger(meter=a_meter()).offer_all([a_read(0, "100"), an_estimate(30, "150")])
        ledger = ledger.bill(at_day(30))
        ledger, outcome = ledger.offer(a_read(30, "130"))

        ledger = ledger.bill(at_day(30))

        assert outcome.status == "accepted"
        assert ledger.billed() == Energy(30)
        assert [line.energy.kwh for line in ledger.lines] == [50, -50, 30]
        assert ledger.lines[1].reverses == 0

    def test_ignores_a_duplicate(self) -> None:
        ledger = ReadLedger(meter=a_meter()).offer_all([a_read(0, "100")])

        again, outcome = ledger.offer(a_read(0, "100"))

        assert (again, outcome.status) == (ledger, "duplicate")

    def test_keeps_the_first_of_two_different_actuals_at_one_instant(self) -> None:
        ledger = ReadLedger(meter=a_meter()).offer_all([a_read(0, "100")])

        again, outcome = ledger.offer(a_read(0, "101"))

        assert (again, outcome.status) == (ledger, "conflict")

    def test_never_lets_an_estimate_overwrite_an_actual(self) -> None:
        ledger = ReadLedger(meter=a_meter()).offer_all([a_read(0, "100")])

        again, outcome = ledger.offer(an_estimate(0, "120"))

        assert (again, outcome.status) == (ledger, "duplicate")

    def test_skips_an_estimate_that_goes_backwards(self) -> None:
        ledger = ReadLedger(meter=a_meter()).offer_all(
            [a_read(0, "100"), a_read(10, "120"), an_estimate(20, "110")]
        )

        assert [read.value for read in ledger.best_path()] == [100, 120]

    def test_bills_nothing_before_the_first_actual(self) -> None:
        ledger = ReadLedger(meter=a_meter()).offer_all([an_estimate(0, "100")])

        assert ledger.bill(at_day(10)).billed() == Energy(0)

    def test_refuses_a_read_of_another_meter(self) -> None:
        with pytest.raises(InvalidInput):
            ReadLedger(meter=a_meter()).offer(a_read(0, "1", meter_id="M-2"))

    def test_importing_the_same_reads_twice_changes_nothing(self) -> None:
        reads = [a_read(0, "100"), an_estimate(10, "120"), a_read(20, "130")]
        once = ReadLedger(meter=a_meter()).offer_all(reads).bill(at_day(20))

        twice = once.offer_all(reads).bill(at_day(20))

        assert twice == once

    def test_never_moves_the_billing_horizon_back(self) -> None:
        ledger = ReadLedger(meter=a_meter()).offer_all([a_read(0, "1"), a_read(10, "5")])
        ledger = ledger.bill(at_day(10))

        assert ledger.bill(at_day(5)) == ledger


def test_meter_events_have_stable_names() -> None:
    assert [event.value for event in MeterEvent] == [
        "outage",
        "reset",
        "overflow",
        "tamper",
        "phase_loss",
    ]


class TestOtherRegisters:
    meter = a_meter(
        ct_ratio="40",
        registers=frozenset({RegisterKind.REACTIVE, RegisterKind.MAX_DEMAND}),
    )

    def test_reactive_energy_is_in_kvarh(self) -> None:
        previous = a_read(0, "10", register=RegisterKind.REACTIVE)
        latest = a_read(30, "12.5", register=RegisterKind.REACTIVE)

        assert reactive_consumption(previous, latest, self.meter) == ReactiveEnergy(100)

    def test_reactive_consumption_needs_the_reactive_register(self) -> None:
        with pytest.raises(InvalidInput, match="reactive register"):
            reactive_consumption(a_read(0, "1"), a_read(1, "2"), self.meter)

    def test_active_consumption_refuses_the_reactive_register(self) -> None:
        previous = a_read(0, "10", register=RegisterKind.REACTIVE)

        with pytest.raises(InvalidInput, match="active-energy"):
            consumption(previous, previous, self.meter)

    def test_demand_is_the_register_times_the_multiplier(self) -> None:
        read = a_read(0, "2.35", register=RegisterKind.MAX_DEMAND)

        assert demand(read, self.meter) == Power(94)

    def test_demand_needs_a_demand_read(self) -> None:
        with pytest.raises(InvalidInput, match="max_demand"):
            demand(a_read(0, "2"), self.meter)


def test_a_final_estimate_is_not_replaced_in_the_ledger() -> None:
    final = a_read(5, "50", source=ReadSource.ESTIMATED, is_final=True)
    ledger = ReadLedger(meter=a_meter()).offer_all([a_read(0, "1"), final])

    again, outcome = ledger.offer(an_estimate(5, "60"))

    assert (again, outcome.status) == (ledger, "conflict")
