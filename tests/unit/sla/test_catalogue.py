"""The catalogue of rules.md §16 as named, versioned rule sets."""

from __future__ import annotations

from datetime import date

import pytest

from powerretail.errors import InvalidInput, NotFound
from powerretail.sla.catalogue import CATALOGUE, SlaRuleSet, rule_set
from powerretail.sla.policy import NoticeRule, SlaPolicy, SlaUnit


def a_policy(key: str = "x", rules: str = "MINE") -> SlaPolicy:
    return SlaPolicy(key=key, name="x", limit=1, unit=SlaUnit.HOURS, rule_set=rules, source="mine")


class TestCatalogue:
    def test_holds_the_five_rule_sets_of_section_16(self) -> None:
        assert sorted(CATALOGUE) == ["GYGZ1996", "JGBF", "SEED", "SGCC10", "SGCC10_2011"]

    def test_gives_every_limit_a_source_and_a_status(self) -> None:
        items: list[SlaPolicy | NoticeRule] = []
        for rules in CATALOGUE.values():
            items.extend(rules.policies)
            items.extend(rules.notices)

        assert all(item.source and item.status for item in items)
        assert all(item.rule_set in CATALOGUE for item in items)

    @pytest.mark.parametrize(
        ("rules", "key", "limit", "unit"),
        [
            ("SEED", "complaint_reply", 5, SlaUnit.CALENDAR_DAYS),
            ("SEED", "report_reply", 10, SlaUnit.CALENDAR_DAYS),
            ("SEED", "supply_scheme_reply_hv_single", 20, SlaUnit.WORKING_DAYS),
            ("SEED", "supply_scheme_reply_hv_dual", 30, SlaUnit.WORKING_DAYS),
            ("SGCC10", "repair_arrival_urban", 45, SlaUnit.MINUTES),
            ("SGCC10", "repair_arrival_rural", 90, SlaUnit.MINUTES),
            ("SGCC10", "repair_arrival_remote", 2, SlaUnit.HOURS),
            ("SGCC10", "restoration_urban", 3, SlaUnit.HOURS),
            ("SGCC10", "supply_scheme_reply_hv_single", 15, SlaUnit.WORKING_DAYS),
            ("SGCC10", "connection_hv_dual", 32, SlaUnit.WORKING_DAYS),
            ("SGCC10_2011", "complaint_reply", 7, SlaUnit.WORKING_DAYS),
            ("SGCC10_2011", "complaint_contact", 1, SlaUnit.WORKING_DAYS),
            ("JGBF", "complaint_reply", 10, SlaUnit.WORKING_DAYS),
            ("JGBF", "supply_scheme_reply_hv_dual", 45, SlaUnit.WORKING_DAYS),
            ("GYGZ1996", "meter_test_result", 7, SlaUnit.CALENDAR_DAYS),
        ],
    )
    def test_holds_the_numbers_of_section_16(
        self, rules: str, key: str, limit: int, unit: SlaUnit
    ) -> None:
        policy = rule_set(rules).policy(key)

        assert (policy.limit, policy.unit) == (limit, unit)

    def test_tags_the_current_state_grid_complaint_limits_uncertain(self) -> None:
        assert rule_set("SGCC10").policy("complaint_reply").status == "uncertain"

    def test_keeps_the_seed_outage_notice_looser_than_the_national_one(self) -> None:
        seed = rule_set("SEED").notice("planned_outage_notice")
        national = rule_set("JGBF").notice("planned_outage_notice")

        assert (seed.lead, seed.unit) == (24, SlaUnit.HOURS)
        assert (national.lead, national.unit) == (7, SlaUnit.CALENDAR_DAYS)

    def test_refuses_an_unknown_rule_set(self) -> None:
        with pytest.raises(NotFound, match='no SLA rule set "SGCC99"'):
            rule_set("SGCC99")

    def test_refuses_an_unknown_limit(self) -> None:
        with pytest.raises(NotFound, match='no JGBF SLA policy "teleport"'):
            rule_set("JGBF").policy("teleport")

    def test_refuses_an_unknown_notice(self) -> None:
        with pytest.raises(NotFound, match='no JGBF notice rule "teleport"'):
            rule_set("JGBF").notice("teleport")


class TestSlaRuleSet:
    def test_knows_when_it_is_in_force(self) -> None:
        old_rules = rule_set("GYGZ1996")

        assert old_rules.is_in_force_on(date(2024, 5, 31))
        assert not old_rules.is_in_force_on(date(2024, 6, 1))
        assert not old_rules.is_in_force_on(date(1996, 10, 7))
        assert rule_set("SEED").is_in_force_on(date(2026, 1, 1))

    def test_refuses_a_key_used_twice(self) -> None:
        with pytest.raises(InvalidInput, match="a key used once"):
            SlaRuleSet(key="MINE", title="mine", policies=(a_policy(), a_policy()))

    def test_refuses_a_limit_of_another_rule_set(self) -> None:
        with pytest.raises(InvalidInput, match=r"x\.rule_set"):
            SlaRuleSet(key="MINE", title="mine", policies=(a_policy(rules="THEIRS"),))

    def test_refuses_an_end_before_the_start(self) -> None:
        with pytest.raises(InvalidInput, match="effective_to"):
            SlaRuleSet(
                key="MINE",
                title="mine",
                effective_from=date(2025, 1, 1),
                effective_to=date(2024, 1, 1),
            )

    def test_accepts_notice_rules_of_its_own(self) -> None:
        notice = NoticeRule(
            key="n", name="n", lead=1, unit=SlaUnit.HOURS, rule_set="MINE", source="mine"
        )

        assert SlaRuleSet(key="MINE", title="mine", notices=(notice,)).notice("n") is notice
