"""Overlay scopes (``applies_to``): who a critical-peak or deep-valley overlay applies to."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pytest

from powerretail.adapters.tariff_library import load_shipped, shipped_text
from powerretail.errors import InvalidInput
from powerretail.tariffs.parser import dump_toml, loads_toml
from powerretail.tariffs.tou import (
    Overlay,
    OverlayScope,
    Season,
    TouSchedule,
    TouWindow,
    scope_schedule,
)

JS426 = "苏发改价格发〔2025〕426号"
SCOPE = OverlayScope(min_capacity_kva=315, use_categories=["industrial"], source=JS426)
SCHEDULE = TouSchedule(
    name="demo",
    seasons=(
        Season(
            name="all",
            months=tuple(range(1, 13)),
            windows=(TouWindow("valley", "00:00", "08:00"), TouWindow("peak", "08:00", "24:00")),
        ),
    ),
    overlays=(
        Overlay(
            name="critical",
            bucket="critical",
            months=(7,),
            windows=(TouWindow("critical", "19:00", "20:00"),),
            applies_to=SCOPE,
        ),
        Overlay(name="everyone", bucket="super", windows=(TouWindow("x", "07:00", "08:00"),)),
    ),
)
JULY_1, JUNE_1 = date(2025, 7, 1), date(2025, 6, 1)


class TestOverlayScope:
    @pytest.mark.parametrize(
        ("capacity", "kind", "verdict"),
        [
            (Decimal(315), "industrial", True),  # 315 and more
            (Decimal("314.9"), "industrial", False),
            (Decimal(400), "commercial", False),
            (Decimal(400), None, None),
            (None, "industrial", None),
            (None, "commercial", False),  # the kind decides alone
            (Decimal(200), None, False),  # the capacity decides alone
            (None, None, None),
        ],
    )
    def test_admits_decides_only_on_what_is_given(
        self, capacity: Decimal | None, kind: str | None, verdict: bool | None
    ) -> None:
        assert SCOPE.admits(capacity_kva=capacity, use_category=kind) is verdict

    def test_names_the_facts_it_tests_and_those_missing(self) -> None:
        assert SCOPE.needs == ("capacity_kva", "use_category")
        assert SCOPE.missing(capacity_kva=Decimal(400), use_category=None) == ("use_category",)
        assert OverlayScope(use_categories=["industrial"]).needs == ("use_category",)

    def test_describes_itself_with_its_rule(self) -> None:
        assert SCOPE.describe() == f"industrial users of 315 kVA and more ({JS426})"
        assert OverlayScope(min_capacity_kva=100).describe() == "all users of 100 kVA and more"

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({}, "applies_to"),
            ({"min_capacity_kva": 0}, "min_capacity_kva"),
            ({"use_categories": ["factory"]}, "use_categories"),
        ],
    )
    def test_refuses_an_empty_or_bad_scope(self, fields: dict[str, object], field: str) -> None:
        with pytest.raises(InvalidInput) as raised:
            OverlayScope(**fields)  # type: ignore[arg-type]
        assert raised.value.field == field

    def test_an_overlay_refuses_a_scope_that_is_not_one(self) -> None:
        with pytest.raises(InvalidInput, match="applies_to"):
            Overlay(
                name="x",
                bucket="critical",
                windows=(TouWindow("x", "19:00", "20:00"),),
                applies_to={"min_capacity_kva": 315},  # type: ignore[arg-type]
            )


class TestScopeSchedule:
    def test_outside_the_scope_the_hours_stay_in_the_season_bucket(self) -> None:
        scoped = scope_schedule(
            SCHEDULE, [JULY_1], capacity_kva=Decimal(200), use_category="commercial"
        )

        assert scoped.schedule.bucket_at(JULY_1, 19 * 60) == "peak"
        assert scoped.schedule.bucket_at(JULY_1, 7 * 60) == "super"  # unscoped: kept
        assert [o.name for o in scoped.left_out] == ["critical"]
        assert scoped.notes() == (
            (
                "critical (critical peak) not applied: it applies to industrial users of 315 "
                f"kVA and more ({JS426}) only and the account is commercial, 200 kVA; its hours "
                "are billed in the season's bucket"
            ),
        )
        scoped.require_facts()  # nothing unknown

    def test_inside_the_scope_the_schedule_is_the_same(self) -> None:
        scoped = scope_schedule(
            SCHEDULE, [JULY_1], capacity_kva=Decimal(400), use_category="industrial"
        )

        assert scoped.schedule is SCHEDULE
        assert scoped.left_out == scoped.unknown == ()

    def test_an_overlay_not_applying_on_the_days_is_neither_noted_nor_needed(self) -> None:
        out = scope_schedule(SCHEDULE, [JUNE_1], capacity_kva=Decimal(200), use_category=None)
        unknown = scope_schedule(SCHEDULE, [JUNE_1], capacity_kva=None, use_category=None)

        assert out.notes() == ()
        assert out.schedule.bucket_at(JULY_1, 19 * 60) == "peak"
        unknown.require_facts()  # June has no critical hours: nothing to ask

    def test_unknown_facts_are_refused_naming_what_is_needed(self) -> None:
        scoped = scope_schedule(SCHEDULE, [JULY_1], capacity_kva=Decimal(400), use_category=None)

        with pytest.raises(InvalidInput) as raised:
            scoped.require_facts("periods[3]")

        assert raised.value.field == "periods[3].use_category"
        assert "industrial users of 315 kVA and more" in raised.value.expected

    def test_the_schedule_without_an_overlay_is_made_once(self) -> None:
        assert SCHEDULE.without([0]) is SCHEDULE.without((0,))
        assert SCHEDULE.without([]) is SCHEDULE
        assert SCHEDULE.season_buckets == frozenset({"peak", "valley"})


class TestTariffFiles:
    def test_the_shipped_jiangsu_overlays_are_scoped_with_their_source(self) -> None:
        for code, count in (("JS-CI-TOU-2P", 3), ("JS-CI-TOU-1P", 1)):
            schedule = load_shipped(code).versions[0].schedules["js426"]
            scopes = [o.applies_to for o in schedule.overlays]
            assert scopes == [SCOPE] * count

    def test_a_scope_survives_dump_and_load(self) -> None:
        tariff = load_shipped("JS-CI-TOU-2P")

        assert loads_toml(dump_toml(tariff)) == tariff
        assert 'applies_to = { min_capacity_kva = 315, use_categories = ["industrial"]' in (
            dump_toml(tariff)
        )

    @pytest.mark.parametrize(
        "scope",
        [OverlayScope(min_capacity_kva="99.5"), OverlayScope(use_categories=["agricultural"])],
    )
    def test_a_scope_of_one_condition_without_a_source_survives_too(
        self, scope: OverlayScope
    ) -> None:
        tariff = load_shipped("JS-CI-TOU-1P")
        version = tariff.versions[0]
        schedule = version.schedules["js426"]
        overlays = tuple(attrs.evolve(o, applies_to=scope) for o in schedule.overlays)
        changed = attrs.evolve(
            tariff,
            versions=(
                attrs.evolve(
                    version, schedules={"js426": attrs.evolve(schedule, overlays=overlays)}
                ),
            ),
        )

        assert loads_toml(dump_toml(changed)) == changed

    @pytest.mark.parametrize(
        ("scope", "field", "expected"),
        [
            ("{ min_capacity_kva = 315, industrial = true }", "applies_to.industrial", "no such"),
            ('{ use_categories = ["factory"] }', "applies_to.use_categories", "one of"),
            ("{ min_capacity_kva = -1 }", "applies_to.min_capacity_kva", "above zero"),
            ('{ min_capacity_kva = "big" }', "applies_to.min_capacity_kva", "a capacity"),
            ("{}", "applies_to", "min_capacity_kva or use_categories"),
            ('"industrial"', "applies_to", "a table"),
        ],
    )
    def test_the_strict_reader_refuses_a_bad_scope(
        self, scope: str, field: str, expected: str
    ) -> None:
        text = shipped_text("JS-CI-TOU-1P")
        line = next(row for row in text.splitlines() if row.startswith("applies_to = "))
        with pytest.raises(InvalidInput) as raised:
            loads_toml(text.replace(line, f"applies_to = {scope}"))

        assert raised.value.field.endswith(field)
        assert expected in raised.value.expected
