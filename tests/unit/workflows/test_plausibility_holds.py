"""Bills that must be held: backward registers, energy no transformer can deliver, hold findings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal

import pendulum

from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.billing.bill import BillState
from powerretail.ids import BillId
from powerretail.metering.reads import IntervalQuality, IntervalSeries
from powerretail.metering.rules import CATALOGUE_RULES
from powerretail.metering.vee import (
    Action,
    Finding,
    IntervalSubject,
    ReadSubject,
    Rule,
    RuleSet,
    Severity,
    Subject,
    WorkOrderKind,
)
from powerretail.repositories.billing import BILLS
from powerretail.repositories.metering import READS
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.workflows.billing_cycle import Outcome, run_billing_cycle
from powerretail.workflows.reads import submit_reads, submit_series
from tests.unit.workflows.conftest import AUGUST, JULY, open_account, reads

ISSUED_ON = date(2025, 8, 1)


def held_bill(make_unit_of_work: UnitOfWorkFactory, bill_id: str = "A-1-20250701") -> object:
    with make_unit_of_work() as uow:
        return uow.repository(BILLS).get(BillId(bill_id)).entity


class TestBackwardRegister:
    def test_a_backward_read_on_a_160_kva_shop_is_held_naming_v06_never_issued(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        open_account(store.unit_of_work, clock)  # 160 kVA, start reads 1000 / 2000 / 500
        submission = submit_reads(
            store.unit_of_work,
            clock=clock,
            reads=reads("M-A-1", JULY.end, ("900", "2200", "560")),  # peak went backwards
        )

        report = run_billing_cycle(
            store.unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON
        )

        assert "V06" in {finding.rule_id for finding in submission.findings}
        (outcome,) = report.outcomes
        assert outcome.outcome is Outcome.HELD
        assert "V06" in outcome.reason
        bill = held_bill(store.unit_of_work)
        assert bill.state is BillState.HELD  # type: ignore[attr-defined]
        assert any("V06" in f for f in bill.findings)  # type: ignore[attr-defined]


class TestDefaultBounds:
    def test_2_7_gwh_in_a_month_on_160_kva_without_a_typical_bill_is_held(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        open_account(store.unit_of_work, clock)  # no typical bill on the profile
        submit_reads(
            store.unit_of_work,
            clock=clock,
            reads=reads("M-A-1", JULY.end, ("901000", "902000", "900500")),  # 2 700 000 kWh
        )

        report = run_billing_cycle(
            store.unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON
        )

        (outcome,) = report.outcomes
        assert outcome.outcome is Outcome.HELD
        # 160 kVA × 744 h (31 days) × 1.0 = 119 040 kWh
        assert "2700000 kWh > 160 kVA × 744 h × 1.0 = 119040.0 kWh" in outcome.reason
        bill = held_bill(store.unit_of_work)
        assert bill.state is BillState.HELD  # type: ignore[attr-defined]

    def test_a_plausible_month_on_160_kva_is_issued(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        open_account(store.unit_of_work, clock)
        submit_reads(
            store.unit_of_work,
            clock=clock,
            reads=reads("M-A-1", JULY.end, ("31000", "42000", "20500")),  # 90 000 kWh
        )

        report = run_billing_cycle(
            store.unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON
        )

        assert [o.outcome for o in report.outcomes] == [Outcome.ISSUED]

    def test_a_month_far_above_the_accounts_own_history_is_held(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        without_v07 = RuleSet(
            name="no V07", rules=[r for r in CATALOGUE_RULES.rules if r.rule_id != "V07"]
        )
        open_account(store.unit_of_work, clock)
        submit_reads(
            store.unit_of_work, clock=clock, reads=reads("M-A-1", JULY.end, ("1100", "2200", "560"))
        )  # July: 360 kWh, 11.61 kWh/day
        run_billing_cycle(store.unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON)
        clock.advance(timedelta(days=31))
        submit_reads(
            store.unit_of_work,
            clock=clock,
            reads=reads("M-A-1", AUGUST.end, ("11100", "12200", "10560")),  # August: 30 000 kWh
            rule_set=without_v07,
        )

        report = run_billing_cycle(
            store.unit_of_work, clock=clock, period=AUGUST, issued_on=date(2025, 9, 1)
        )

        (outcome,) = report.outcomes
        assert outcome.outcome is Outcome.HELD
        assert outcome.reason == (
            "daily energy 967.74 kWh/day > 3 × the account's 12-month maximum 11.61 kWh/day, "
            "bill A-1-20250701"
        )


def _always_hold(rule: Rule, subject: Subject, limits: Mapping[str, Decimal]) -> Iterable[Finding]:
    if isinstance(subject, ReadSubject) and subject.previous is not None:
        yield rule.finding(subject, "reader's note: meter cover broken")


def _series_hold(rule: Rule, subject: Subject, limits: Mapping[str, Decimal]) -> Iterable[Finding]:
    if isinstance(subject, IntervalSubject):
        yield rule.finding(subject, "CT secondary found shorted")


def _always_estimate(
    rule: Rule, subject: Subject, limits: Mapping[str, Decimal]
) -> Iterable[Finding]:
    if isinstance(subject, ReadSubject) and subject.read.value == Decimal("2150"):
        yield rule.finding(subject, "reader keyed the value by hand")


class TestActionsAreHonoured:
    def test_a_hold_bill_finding_on_a_read_holds_the_bill_that_uses_it(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        rule = Rule(
            rule_id="ACME-HOLD",
            title="hold",
            source="ACME manual 3.1",
            severity=Severity.WARNING,
            action=Action.HOLD_BILL,
            work_order=WorkOrderKind.BILL_REVIEW,
            checker=_always_hold,
        )
        open_account(store.unit_of_work, clock)
        submit_reads(
            store.unit_of_work,
            clock=clock,
            reads=reads("M-A-1", JULY.end, ("1100", "2200", "560")),
            rule_set=CATALOGUE_RULES.with_rule(rule),
        )

        report = run_billing_cycle(
            store.unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON
        )

        (outcome,) = report.outcomes
        assert outcome.outcome is Outcome.HELD
        assert "ACME-HOLD" in outcome.reason
        assert "meter cover broken" in outcome.reason

    def test_a_hold_bill_finding_on_an_interval_series_holds_the_bill_built_on_it(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        rule = Rule(
            rule_id="ACME-CT",
            title="CT check",
            source="ACME manual 4.1",
            severity=Severity.ERROR,
            action=Action.HOLD_BILL,
            checker=_series_hold,
        )
        rules = RuleSet(
            name="no V01", rules=[r for r in CATALOGUE_RULES.rules if r.rule_id != "V01"]
        ).with_rule(rule)
        open_account(store.unit_of_work, clock)
        earlier = IntervalSeries(  # June: not under the July bill
            meter_id="M-A-1",
            start=pendulum.datetime(2025, 6, 1, tz="Asia/Shanghai"),
            step_minutes=60,
            values=["1"] * 24,
            quality=[IntervalQuality.ACTUAL] * 24,
        )
        july = IntervalSeries(
            meter_id="M-A-1",
            start=pendulum.datetime(2025, 7, 1, tz="Asia/Shanghai"),
            step_minutes=60,
            values=["1"] * 744,
            quality=[IntervalQuality.ACTUAL] * 744,
        )
        submit_series(store.unit_of_work, series=[earlier], rule_set=CATALOGUE_RULES)
        submit_series(store.unit_of_work, series=[july], rule_set=rules)

        report = run_billing_cycle(
            store.unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON
        )

        (outcome,) = report.outcomes
        assert outcome.outcome is Outcome.HELD
        assert outcome.reason.startswith("ACME-CT (M-A-1/active_total from 2025-07-01")
        assert outcome.reason.endswith("CT secondary found shorted")

    def test_an_estimate_finding_keeps_the_read_out_of_billing(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        rule = Rule(
            rule_id="ACME-EST",
            title="estimate",
            source="ACME manual 3.2",
            severity=Severity.WARNING,
            action=Action.ESTIMATE,
            checker=_always_estimate,
        )
        open_account(store.unit_of_work, clock)

        submission = submit_reads(
            store.unit_of_work,
            clock=clock,
            reads=reads("M-A-1", JULY.end, ("1100", "2150", "560")),
            rule_set=CATALOGUE_RULES.with_rule(rule),
        )

        assert len(submission.rejected) == 1
        with store.unit_of_work() as uow:
            flat = [
                s.entity
                for s in uow.repository(READS).query(meter_id="M-A-1")
                if s.entity.read.value == Decimal("2150")
            ]
        assert [s.billable for s in flat] == [False]
