from __future__ import annotations

from datetime import date

import pendulum
import pytest

from powerretail.errors import InvalidInput, NotFound
from powerretail.metering.lifecycle import (
    DLT448_2000,
    METER_LIFECYCLE,
    MeterAsset,
    MeterEventKind,
    MeteringClass,
    MeterState,
    meters_due,
    move_meter,
    policy_on,
)
from powerretail.metering.meters import MeterType
from powerretail.statemachine import TransitionNotAllowed
from tests.strategies.metering import a_meter

AT = pendulum.datetime(2024, 3, 1, 9, tz="Asia/Shanghai")


def an_asset(
    metering_class: MeteringClass = MeteringClass.II,
    *,
    commissioned_on: date | None = date(2024, 3, 1),
    last_tested_on: date | None = None,
    state: MeterState = MeterState.IN_SERVICE,
    meter_id: str = "M-1",
) -> MeterAsset:
    return MeterAsset(
        meter=a_meter(meter_id),
        state=state,
        metering_class=metering_class,
        commissioned_on=commissioned_on,
        last_tested_on=last_tested_on,
    )


class TestMeterLifecycle:
    def test_goes_from_stock_to_service_and_records_who(self) -> None:
        asset = an_asset(state=MeterState.IN_STOCK, commissioned_on=None)

        asset, _ = move_meter(asset, MeterEventKind.INSTALL, at=AT, by="fitter-1")
        asset, record = move_meter(asset, MeterEventKind.COMMISSION, at=AT, by="fitter-1")

        assert asset.state is MeterState.IN_SERVICE
        assert asset.commissioned_on == date(2024, 3, 1)
        assert (record.subject, record.by) == ("M-1", "fitter-1")

    def test_a_passed_test_restarts_the_test_clock(self) -> None:
        asset, _ = move_meter(an_asset(), MeterEventKind.SEND_TO_TEST, at=AT, by="lab")
        asset, _ = move_meter(asset, MeterEventKind.PASS_TEST, at=AT.add(days=3), by="lab")

        assert (asset.state, asset.last_tested_on) == (MeterState.IN_SERVICE, date(2024, 3, 4))

    def test_a_failed_test_removes_the_meter(self) -> None:
        asset, _ = move_meter(an_asset(), MeterEventKind.SEND_TO_TEST, at=AT, by="lab")
        asset, _ = move_meter(asset, MeterEventKind.FAIL_TEST, at=AT, by="lab")

        assert asset.state is MeterState.REMOVED

    def test_a_retired_meter_goes_nowhere(self) -> None:
        asset = an_asset(state=MeterState.RETIRED)

        with pytest.raises(TransitionNotAllowed):
            move_meter(asset, MeterEventKind.INSTALL, at=AT, by="x")

    def test_every_state_and_event_pair_is_either_an_arrow_or_refused(self) -> None:
        for state in MeterState:
            for event in MeterEventKind:
                allowed = event in METER_LIFECYCLE.allowed_events(state)
                try:
                    METER_LIFECYCLE.next_state(state, event)
                except TransitionNotAllowed:
                    assert not allowed
                else:
                    assert allowed

        assert METER_LIFECYCLE.is_final(MeterState.RETIRED)


class TestDueDates:
    def test_a_new_class_ii_meter_is_first_tested_within_a_month(self) -> None:
        due = meters_due([an_asset()], as_of=date(2024, 4, 1))

        assert [(d.kind, d.due_on) for d in due] == [("first_test", date(2024, 4, 1))]

    def test_then_every_six_months(self) -> None:
        asset = an_asset(last_tested_on=date(2024, 4, 1))

        assert meters_due([asset], as_of=date(2024, 9, 30)) == ()
        assert [d.due_on for d in meters_due([asset], as_of=date(2024, 10, 1))] == [
            date(2024, 10, 1)
        ]

    def test_class_i_is_tested_every_three_months(self) -> None:
        asset = an_asset(MeteringClass.I, last_tested_on=date(2024, 4, 1))

        (due,) = meters_due([asset], as_of=date(2024, 7, 1))

        assert due.rule == "DLT448-2000 on-site test every 3 months, class I"

    def test_rotation_takes_the_shorter_of_class_and_type(self) -> None:
        asset = an_asset(MeteringClass.III, last_tested_on=date(2027, 3, 1))

        due = meters_due([asset], as_of=date(2027, 3, 1), within_days=1)

        assert [(d.kind, d.due_on) for d in due] == [("rotation", date(2027, 3, 1))]

    def test_a_class_v_meter_rotates_by_its_type_only(self) -> None:
        asset = an_asset(MeteringClass.V)

        (due,) = meters_due([asset], as_of=date(2032, 3, 1))

        assert (due.kind, due.due_on) == ("rotation", date(2032, 3, 1))
        assert DLT448_2000.rotation_years_by_type[MeterType.ELECTRONIC] == 8

    def test_only_meters_in_service_fall_due(self) -> None:
        asset = an_asset(state=MeterState.UNDER_TEST)

        assert meters_due([asset], as_of=date(2040, 1, 1)) == ()

    def test_needs_the_commissioning_date(self) -> None:
        with pytest.raises(InvalidInput, match="commissioned_on"):
            meters_due([an_asset(commissioned_on=None)], as_of=date(2025, 1, 1))

    def test_has_no_policy_before_dlt_448(self) -> None:
        with pytest.raises(NotFound):
            policy_on(date(1999, 1, 1))

    def test_a_policy_applies_inside_its_dates(self) -> None:
        assert DLT448_2000.applies_on(date(2025, 1, 1))
        assert not DLT448_2000.applies_on(date(2000, 1, 1))
