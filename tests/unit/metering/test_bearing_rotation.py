"""Rotation of electromechanical single-phase meters by their bearing (JJG 307-2006).

Magnetic or double-jewel bearings: 15 years; any other: 10 years; bearing not given: the shorter
10 years, and the due date says it was assumed. Meters stored before the bearing was a field
still load (the field is optional).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import attrs
import pytest

from powerretail.adapters.memory import MemoryStore
from powerretail.adapters.sqlite import SqliteStore
from powerretail.errors import InvalidInput
from powerretail.ids import MeterId
from powerretail.metering.lifecycle import (
    DLT448_2000,
    MeterAsset,
    MeteringClass,
    MeterState,
    TestPolicy,
    due_dates,
    meters_due,
)
from powerretail.metering.meters import Bearing, Meter, MeterType
from powerretail.repositories.metering import METERS

LEAP_DAY = date(2016, 2, 29)
NOT_GIVEN = (
    "bearing not given: the shorter 10-year period assumed "
    "(15 years with a magnetic or double-jewel bearing)"
)


def a_single_phase(
    bearing: Bearing | None,
    *,
    meter_type: MeterType = MeterType.ELECTROMECHANICAL_SINGLE_PHASE,
    meter_id: str = "M-1",
) -> Meter:
    return Meter(
        id=MeterId(meter_id),
        serial=f"S-{meter_id}",
        meter_type=meter_type,
        accuracy_class="2",
        bearing=bearing,
    )


def an_asset(
    meter: Meter,
    *,
    commissioned_on: date = LEAP_DAY,
    metering_class: MeteringClass = MeteringClass.V,
) -> MeterAsset:
    return MeterAsset(
        meter=meter,
        state=MeterState.IN_SERVICE,
        metering_class=metering_class,
        commissioned_on=commissioned_on,
    )


def rotation_of(asset: MeterAsset) -> tuple[date, str]:
    (item,) = (d for d in due_dates(asset, DLT448_2000) if d.kind == "rotation")
    return item.due_on, item.rule


class TestRotationByBearing:
    @pytest.mark.parametrize(
        ("bearing", "due_on", "years", "why"),
        [
            (Bearing.MAGNETIC, date(2031, 2, 28), 15, "magnetic bearing"),
            (Bearing.DOUBLE_JEWEL, date(2031, 2, 28), 15, "double-jewel bearing"),
            (Bearing.OTHER, date(2026, 2, 28), 10, "other bearing"),
            (None, date(2026, 2, 28), 10, NOT_GIVEN),
        ],
    )
    def test_a_leap_day_meter_rotates_on_the_last_day_of_february(
        self, bearing: Bearing | None, due_on: date, years: int, why: str
    ) -> None:
        rule = f"DLT448-2000 rotation after {years} years, electromechanical single phase meter, "

        assert rotation_of(an_asset(a_single_phase(bearing))) == (due_on, rule + why)

    def test_a_double_jewel_meter_falls_due_on_its_fifteenth_anniversary_not_before(
        self,
    ) -> None:
        asset = an_asset(a_single_phase(Bearing.DOUBLE_JEWEL), commissioned_on=date(2011, 12, 7))

        assert meters_due([asset], as_of=date(2026, 12, 6)) == ()
        (due,) = meters_due([asset], as_of=date(2026, 12, 7))
        assert (due.kind, due.due_on) == ("rotation", date(2026, 12, 7))

    def test_an_unknown_bearing_falls_due_five_years_earlier(self) -> None:
        known = an_asset(
            a_single_phase(Bearing.MAGNETIC, meter_id="M-1"), commissioned_on=date(2016, 12, 7)
        )
        unknown = an_asset(a_single_phase(None, meter_id="M-2"), commissioned_on=date(2016, 12, 7))

        due = meters_due([known, unknown], as_of=date(2026, 12, 7))

        assert [(d.meter_id, d.due_on) for d in due] == [("M-2", date(2026, 12, 7))]
        assert "bearing not given" in due[0].rule

    def test_a_three_phase_meter_keeps_six_years_whatever_its_bearing(self) -> None:
        meter = a_single_phase(Bearing.MAGNETIC, meter_type=MeterType.ELECTROMECHANICAL_THREE_PHASE)

        assert rotation_of(an_asset(meter, commissioned_on=date(2020, 12, 7))) == (
            date(2026, 12, 7),
            "DLT448-2000 rotation after 6 years, electromechanical three phase meter",
        )

    def test_the_class_period_wins_when_shorter(self) -> None:
        asset = an_asset(
            a_single_phase(None),
            metering_class=MeteringClass.III,
            commissioned_on=date(2023, 12, 7),
        )

        assert rotation_of(asset) == (
            date(2026, 12, 7),
            "DLT448-2000 rotation after 3 years, class III",
        )

    def test_a_bearing_period_without_a_type_period_is_not_used(self) -> None:
        policy: TestPolicy = attrs.evolve(DLT448_2000, rotation_years_by_type={})

        assert due_dates(an_asset(a_single_phase(Bearing.MAGNETIC)), policy) == ()


class TestBearingFact:
    def test_a_meter_without_a_rotor_has_no_bearing(self) -> None:
        with pytest.raises(InvalidInput, match="no bearing on a electronic meter"):
            a_single_phase(Bearing.MAGNETIC, meter_type=MeterType.ELECTRONIC)

    def test_a_bearing_is_a_bearing(self) -> None:
        with pytest.raises(InvalidInput, match="a Bearing or None"):
            a_single_phase("magnetic")  # type: ignore[arg-type]

    def test_a_meter_stored_before_the_bearing_was_kept_loads_without_one(self) -> None:
        data = METERS.encode(a_single_phase(Bearing.MAGNETIC))
        del data["bearing"]

        meter = METERS.decode(data)

        assert meter.bearing is None
        assert "bearing not given" in rotation_of(an_asset(meter))[1]

    def test_a_memory_store_keeps_the_bearing(self) -> None:
        store = MemoryStore()
        with store.unit_of_work() as uow:
            uow.repository(METERS).add(a_single_phase(Bearing.DOUBLE_JEWEL))
            uow.commit()

        with store.unit_of_work() as uow:
            assert uow.repository(METERS).get(MeterId("M-1")).entity.bearing is Bearing.DOUBLE_JEWEL

    def test_a_sqlite_file_written_before_the_bearing_still_loads(self, tmp_path: Path) -> None:
        store = SqliteStore(tmp_path / "meters.sqlite")
        with store.unit_of_work() as uow:
            uow.repository(METERS).add(a_single_phase(Bearing.MAGNETIC, meter_id="M-new"))
            uow.repository(METERS).add(a_single_phase(None, meter_id="M-old"))
            uow.commit()
        connection = store.connection()
        (body,) = connection.execute(
            "SELECT body FROM aggregates WHERE kind = 'meter' AND key = 'M-old'"
        ).fetchone()
        older = json.loads(body)
        del older["bearing"]  # as an older program wrote it
        with connection:
            connection.execute(
                "UPDATE aggregates SET body = ? WHERE kind = 'meter' AND key = 'M-old'",
                (json.dumps(older),),
            )

        with store.unit_of_work() as uow:
            meters = uow.repository(METERS)
            old, new = meters.get(MeterId("M-old")).entity, meters.get(MeterId("M-new")).entity
        store.close()

        assert (old.bearing, new.bearing) == (None, Bearing.MAGNETIC)
