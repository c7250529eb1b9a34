from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from decimal import Decimal

import attrs
import pytest

from powerretail.errors import InvalidInput
from powerretail.metering.rules import CATALOGUE_RULES, SEED_RULES, consecutive_unread, rule_table
from powerretail.metering.vee import (
    Action,
    Finding,
    IntervalSubject,
    ReadSubject,
    Rule,
    RuleSet,
    Severity,
    Subject,
    Threshold,
    VeeResult,
    VeeRule,
    WorkOrderKind,
    check,
)
from powerretail.quantities import Energy
from tests.golden.metering.test_rule_edges import interval_sum
from tests.strategies.metering import a_meter, a_read, a_series, a_subject, an_estimate


@attrs.frozen
class NightUseRule:
    """An embedder's rule: any interval above ``limit`` kWh is flagged."""

    rule_id: str = "ACME-01"
    title: str = "Interval above the contract limit"
    source: str = "ACME supply contract §7"
    thresholds: tuple[Threshold, ...] = (
        Threshold(name="limit", default="10", unit="kWh", source="ACME contract"),
    )

    def check(self, subject: Subject, limits: Mapping[str, Decimal]) -> Iterable[Finding]:
        if not isinstance(subject, IntervalSubject):
            return
        for index, value in enumerate(subject.series.values):
            if value is not None and value > limits["limit"]:
                yield Finding(
                    rule_id=self.rule_id,
                    severity=Severity.WARNING,
                    message=f"interval {index} is {value} kWh, above {limits['limit']} kWh",
                    action=Action.FLAG,
                    work_order=None,
                    subject=subject.label,
                    source=self.source,
                )


class TestRuleSet:
    def test_an_embedder_adds_a_rule_without_touching_the_library(self) -> None:
        rules = CATALOGUE_RULES.with_rule(NightUseRule())

        result = check(IntervalSubject(series=a_series(["1", "11"])), rules)

        assert "ACME-01" in result.rule_ids
        assert isinstance(NightUseRule(), VeeRule)

    def test_thresholds_are_overridden_as_data(self) -> None:
        rules = RuleSet(name="acme", rules=(NightUseRule(),)).with_thresholds("ACME-01", limit=20)

        result = check(IntervalSubject(series=a_series(["1", "11"])), rules)

        assert result.is_clean
        assert rules.limits_for(NightUseRule()) == {"limit": Decimal(20)}

    def test_refuses_an_override_of_an_unknown_threshold(self) -> None:
        with pytest.raises(InvalidInput, match="thresholds"):
            SEED_RULES.with_thresholds("SEED-UNREAD-2", days=3)

    def test_refuses_an_override_of_an_unknown_rule(self) -> None:
        with pytest.raises(InvalidInput, match="rule_id"):
            SEED_RULES.with_thresholds("V99", cycles=3)

    def test_refuses_overrides_for_a_rule_not_in_the_set(self) -> None:
        with pytest.raises(InvalidInput, match="overrides"):
            RuleSet(name="x", rules=(), overrides={"V01": {}})

    def test_refuses_two_rules_with_one_id(self) -> None:
        with pytest.raises(InvalidInput, match="unique"):
            RuleSet(name="x", rules=(NightUseRule(), NightUseRule()))

    def test_refuses_something_that_is_not_a_rule(self) -> None:
        with pytest.raises(InvalidInput, match="rule_id"):
            RuleSet(name="x", rules=("V01",))  # type: ignore[arg-type]

    def test_combines_two_sets_keeping_both_overrides(self) -> None:
        seed = SEED_RULES.with_thresholds("SEED-MONTHLY-CHANGE", max_change="0.25")
        both = seed.combined(CATALOGUE_RULES.with_thresholds("V07", factor=3))

        assert both.name == "seed+catalogue"
        assert len(both.rules) == 22
        assert both.limits_for(both.rule("V07")) == {"factor": Decimal(3)}
        assert both.limits_for(both.rule("SEED-MONTHLY-CHANGE")) == {"max_change": Decimal("0.25")}

    def test_the_seed_threshold_changes_the_verdict(self) -> None:
        subject = a_subject(a_read(60, "224"), a_read(0, "0"), a_read(30, "100"))

        strict = check(subject, SEED_RULES)
        loose = check(subject, SEED_RULES.with_thresholds("SEED-MONTHLY-CHANGE", max_change="0.3"))

        assert (strict.rule_ids, loose.rule_ids) == (("SEED-MONTHLY-CHANGE",), ())


class TestVeeResult:
    def test_reports_the_worst_severity_and_rejection(self) -> None:
        result = check(a_subject(a_read(1, "5", meter_id="M-2")), CATALOGUE_RULES)

        assert result.worst() is Severity.ERROR
        assert result.is_rejected
        assert not result.is_clean

    def test_a_clean_result_has_no_worst(self) -> None:
        assert VeeResult(()).worst() is None

    def test_checking_twice_gives_the_same_findings(self) -> None:
        subject = a_subject(an_estimate(40, "900"), a_read(0, "0"), a_read(30, "100"))
        rules = SEED_RULES.combined(CATALOGUE_RULES)

        assert check(subject, rules) == check(subject, rules)

    def test_findings_serialise_to_strings(self) -> None:
        (finding,) = check(a_subject(a_read(1, "5", meter_id="M-2")), CATALOGUE_RULES).findings

        assert finding.as_dict()["rule_id"] == "V01"
        assert finding.as_dict()["work_order"] is None


class TestReadSubject:
    def test_knows_the_previous_read_and_period(self) -> None:
        subject = a_subject(a_read(30, "150"), a_read(10, "100"), a_read(0, "50"))

        assert subject.previous == a_read(10, "100")
        assert subject.period_consumption() == Energy(50)
        assert subject.period_days() == Decimal(20)
        assert subject.previous_period() == (Energy(50), Decimal(10))

    def test_has_no_period_without_history(self) -> None:
        subject = a_subject(a_read(30, "150"))

        assert (subject.period_consumption(), subject.period_days()) == (None, None)
        assert subject.previous_period() is None

    def test_has_no_consumption_for_another_meter(self) -> None:
        subject = a_subject(a_read(30, "150", meter_id="M-2"), a_read(0, "1", meter_id="M-2"))

        assert subject.period_consumption() is None

    def test_refuses_a_float_for_expected_energy(self) -> None:
        with pytest.raises(InvalidInput):
            ReadSubject(
                meter=a_meter(), read=a_read(1, "1"), as_of=a_read(1, "1").read_at, expected=5
            )  # type: ignore[arg-type]


class TestRules:
    def test_counts_consecutive_unreadable_cycles_from_the_latest(self) -> None:
        reads = (
            an_estimate(1, "1", unreadable=True),
            a_read(2, "2"),
            an_estimate(3, "3", unreadable=True),
            an_estimate(4, "4", unreadable=True),
        )

        assert consecutive_unread(reads) == 2

    def test_the_reference_table_lists_every_rule_with_its_threshold(self) -> None:
        table = rule_table()

        assert table.count("\n") == 2 + 22
        assert "| seed | SEED-MONTHLY-CHANGE |" in table
        assert "max_change = 0.20 ratio" in table
        assert "| catalogue | V18 |" in table

    def test_the_table_shows_overridden_thresholds(self) -> None:
        table = rule_table(CATALOGUE_RULES.with_thresholds("V07", factor="2.5"))

        assert "factor = 2.5 × expected" in table

    def test_zero_reference_consumption_is_not_compared(self) -> None:
        subject = a_subject(a_read(60, "50"), a_read(0, "0"), a_read(30, "0"))

        assert check(subject, SEED_RULES).is_clean

    def test_weekly_check_compares_with_the_same_period_last_month_when_given(self) -> None:
        subject = a_subject(
            a_read(7, "700"), a_read(0, "0"), is_large_customer=True, reference_daily=Energy(50)
        )

        (finding,) = check(subject, SEED_RULES).findings

        assert "the same period last month" in finding.message

    def test_weekly_check_needs_a_reference(self) -> None:
        subject = a_subject(a_read(7, "700"), a_read(0, "0"), is_large_customer=True)

        assert check(subject, SEED_RULES).is_clean

    def test_interval_rules_check_the_channel_and_meter(self) -> None:
        subject = IntervalSubject(series=a_series(["1"] * 96), meter=a_meter("M-2"))

        result = check(subject, CATALOGUE_RULES)

        assert result.rule_ids.count("V01") == 1

    def test_v06_refuses_values_beyond_the_dials(self) -> None:
        subject = a_subject(a_read(30, "5"), a_read(0, "20000"), meter=a_meter(digits=4))

        result = check(subject, RuleSet(name="x", rules=(CATALOGUE_RULES.rule("V06"),)))

        assert "dials" in result.findings[0].message

    def test_v06_a_plausible_roll_over_asks_for_no_work_order(self) -> None:
        history = (a_read(0, "9000"), a_read(30, "9800"))  # 800 units in a month
        subject = a_subject(a_read(60, "500"), *history, meter=a_meter(digits=4))

        (finding,) = check(
            subject, RuleSet(name="x", rules=(CATALOGUE_RULES.rule("V06"),))
        ).findings

        assert "roll-over" in finding.message
        assert (finding.action, finding.work_order) == (Action.FLAG, None)

    def test_v06_an_implausible_roll_over_holds_the_bill_and_asks_for_a_meter_change(
        self,
    ) -> None:
        subject = a_subject(a_read(30, "900"), a_read(0, "1000"))  # 6 dials: 999 900 units

        (finding,) = check(
            subject, RuleSet(name="x", rules=(CATALOGUE_RULES.rule("V06"),))
        ).findings

        assert "needs a meter-change record" in finding.message
        assert finding.action is Action.HOLD_BILL
        assert finding.work_order is WorkOrderKind.METER_CHANGE_RECORD

    def test_v06_a_value_beyond_the_dials_is_rejected(self) -> None:
        subject = a_subject(a_read(30, "5"), a_read(0, "20000"), meter=a_meter(digits=4))

        (finding,) = check(
            subject, RuleSet(name="x", rules=(CATALOGUE_RULES.rule("V06"),))
        ).findings

        assert finding.action is Action.REJECT

    def test_a_finding_told_no_work_order_has_none(self) -> None:
        rule = CATALOGUE_RULES.rule("V06")
        assert isinstance(rule, Rule)
        subject = a_subject(a_read(30, "900"), a_read(0, "1000"))

        assert rule.finding(subject, "x", work_order=None).work_order is None
        assert rule.finding(subject, "x").work_order is WorkOrderKind.METER_CHANGE_RECORD

    def test_v16_scales_estimates_to_the_register(self) -> None:
        result = check(interval_sum("110", estimated=True), CATALOGUE_RULES)

        assert any("scale the estimates by 0.8333" in f.message for f in result.findings)

    def test_v17_protects_a_final_estimate(self) -> None:
        final = a_read(5, "5", source=an_estimate(5, "5").source, is_final=True)
        subject = a_subject(an_estimate(5, "6"), a_read(0, "0"), final)

        result = check(subject, RuleSet(name="x", rules=(CATALOGUE_RULES.rule("V17"),)))

        assert "final estimate" in result.findings[0].message

    def test_v18_needs_an_earlier_actual(self) -> None:
        subject = a_subject(a_read(500, "5"), an_estimate(0, "1"))

        assert "V18" not in check(subject, CATALOGUE_RULES).rule_ids


class TestDeterminism:
    def test_findings_do_not_depend_on_the_machine_time_zone(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        subject = a_subject(a_read(60, "300"), a_read(0, "0"), a_read(30, "100"))
        rules = SEED_RULES.combined(CATALOGUE_RULES)
        here = check(subject, rules)

        monkeypatch.setenv("TZ", "America/New_York")
        time.tzset()
        try:
            there = check(subject, rules)
        finally:
            monkeypatch.undo()
            time.tzset()

        assert there == here
