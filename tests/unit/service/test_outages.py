"""Outages: the machine, the approval permission, each notice limit at its edge on the 2026
calendar, the night window of the call-back, and the breach records."""

from __future__ import annotations

from datetime import time, timedelta

import pendulum
import pytest

from powerretail.access import SEED_POLICY, Actor, PermissionDenied
from powerretail.customers.contacts import Channel
from powerretail.errors import InvalidInput, NotFound
from powerretail.service.outages import (
    JGBF,
    OUTAGE_MACHINE,
    SEED,
    SEED_CALL_BACK,
    SGCC10,
    AffectedCustomer,
    BreachKind,
    CallBackPolicy,
    Outage,
    OutageKind,
    OutageRefused,
    OutageRules,
    OutageState,
    approve,
    call_back,
    cancel,
    notice_due,
    notify,
    outage_breaches,
    outage_rules,
    record_progress,
    request,
    restore,
    start,
    unnotified,
)
from powerretail.statemachine import GuardRefused, TransitionNotAllowed

TZ = "Asia/Shanghai"
HEAD = Actor(id="head-1", name="Zhang", roles={"supply_office_head"})
CLERK = Actor(id="clerk-1", name="Li", roles={"customer_service"})
HOSPITAL = AffectedCustomer(
    customer_id="C-H",
    account_id="A-H",
    service_point_id="SP-H",
    name="County hospital",
    needs_notice=True,
    why="important customer: 公共服务类",
)
SHOP = AffectedCustomer(
    customer_id="C-S", account_id="A-S", service_point_id="SP-S", name="Shop", needs_notice=False
)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> pendulum.DateTime:
    return pendulum.datetime(year, month, day, hour, minute, tz=TZ)


def an_outage(
    window_start: pendulum.DateTime,
    *,
    rules: str = "SGCC10",
    kind: OutageKind = OutageKind.PLANNED,
    hours: int = 8,
) -> Outage:
    return request(
        id="OUT-1",
        kind=kind,
        feeder="10kV 城东线",
        area="城东 3 号台区",
        service_points=("SP-H", "SP-S"),
        window_start=window_start,
        window_end=window_start.add(hours=hours),
        reason="line maintenance",
        at=window_start.subtract(days=20),
        by="planner",
        affected=(HOSPITAL, SHOP),
        rules=rules,
    )


def approved(outage: Outage) -> Outage:
    return approve(outage, policy=SEED_POLICY, actor=HEAD, at=outage.requested_at).outage


def notified(outage: Outage, when: pendulum.DateTime) -> Outage:
    return notify(
        outage,
        customer_id="C-H",
        channel=Channel.PHONE,
        what="停电通知",
        policy=SEED_POLICY,
        actor=CLERK,
        at=when,
    ).outage


class TestApproval:
    def test_the_supply_office_head_approves_and_the_grant_is_audited(self) -> None:
        step = approve(
            an_outage(at(2026, 10, 8, 9)), policy=SEED_POLICY, actor=HEAD, at=at(2026, 9, 1)
        )
        assert step.outage.state is OutageState.APPROVED
        assert step.outage.approved_by == "head-1"
        assert step.audit is not None
        assert step.audit.operation == "approve_outage"
        assert step.audit.granted_by == "supply_office_head"

    def test_a_clerk_may_not_approve_and_the_refusal_is_audited(self) -> None:
        with pytest.raises(PermissionDenied) as refused:
            approve(
                an_outage(at(2026, 10, 8, 9)), policy=SEED_POLICY, actor=CLERK, at=at(2026, 9, 1)
            )
        assert refused.value.audit is not None
        assert refused.value.audit.operation == "approve_outage"
        assert refused.value.audit.actor == "clerk-1"

    def test_no_notice_before_approval(self) -> None:
        with pytest.raises(TransitionNotAllowed):
            notified(an_outage(at(2026, 10, 8, 9)), at(2026, 9, 1))


class TestNoticeLimitsOn2026Calendar:
    """Each limit at its edge: a notice at the latest moment is on time, a minute later is late."""

    @pytest.mark.parametrize(
        ("rules", "kind", "window_start", "latest"),
        [
            # State Grid: 7 calendar days; the National Day holiday does not stop the count.
            ("SGCC10", OutageKind.PLANNED, at(2026, 10, 8, 9), at(2026, 10, 1, 9)),
            # Supply-supervision measures: 7 days, across the Spring Festival holiday.
            ("JGBF", OutageKind.PLANNED, at(2026, 2, 24, 8), at(2026, 2, 17, 8)),
            # The seed: 24 hours before a planned outage, on the first day of the Spring Festival.
            ("SEED", OutageKind.PLANNED, at(2026, 2, 17, 9), at(2026, 2, 16, 9)),
            # Temporary: 24 hours (State Grid; the seed takes the national number).
            ("SGCC10", OutageKind.TEMPORARY, at(2026, 3, 2, 14), at(2026, 3, 1, 14)),
            ("SEED", OutageKind.TEMPORARY, at(2026, 10, 2, 0), at(2026, 10, 1, 0)),
            ("JGBF", OutageKind.TEMPORARY, at(2026, 10, 2, 0, 30), at(2026, 10, 1, 0, 30)),
        ],
    )
    def test_exactly_due_is_on_time_a_minute_later_is_a_breach(
        self,
        rules: str,
        kind: OutageKind,
        window_start: pendulum.DateTime,
        latest: pendulum.DateTime,
    ) -> None:
        outage = approved(an_outage(window_start, rules=rules, kind=kind))
        assert notice_due(outage) == latest
        assert outage_breaches(notified(outage, latest), as_of=latest) == ()
        (late,) = outage_breaches(notified(outage, latest.add(minutes=1)), as_of=window_start)
        assert late.kind is BreachKind.NOTICE_LATE
        assert late.customer_id == "C-H"
        assert late.late_by == timedelta(minutes=1)
        assert late.rule_set == rules
        assert "第28条" in late.source or "第九条" in late.source

    def test_a_key_customer_not_notified_is_a_breach_once_the_limit_has_passed(self) -> None:
        outage = approved(an_outage(at(2026, 10, 8, 9)))
        due = at(2026, 10, 1, 9)
        assert outage_breaches(outage, as_of=due) == ()
        (missing,) = outage_breaches(outage, as_of=due.add(minutes=1))
        assert missing.kind is BreachKind.NOT_NOTIFIED
        assert missing.done_at is None
        assert "not notified to C-H" in missing.explain()
        assert "not done" in missing.explain()

    def test_the_shipped_rule_sets(self) -> None:
        assert (SEED.planned_notice.lead, SEED.planned_notice.unit.value) == (24, "hours")
        assert (SGCC10.planned_notice.lead, SGCC10.planned_notice.unit.value) == (
            7,
            "calendar_days",
        )
        assert (JGBF.temporary_notice.lead, JGBF.temporary_notice.unit.value) == (24, "hours")
        assert outage_rules("SEED") is SEED
        with pytest.raises(NotFound):
            outage_rules("MARS")


class TestStart:
    def test_refused_while_an_important_customer_is_not_notified(self) -> None:
        outage = approved(an_outage(at(2026, 10, 8, 9)))
        assert unnotified(outage) == (HOSPITAL,)
        with pytest.raises(OutageRefused, match=r"not notified: C-H \(important customer"):
            start(outage, policy=SEED_POLICY, actor=HEAD, at=at(2026, 10, 8, 9))

    def test_refused_before_its_window(self) -> None:
        outage = notified(approved(an_outage(at(2026, 10, 8, 9))), at(2026, 9, 30))
        with pytest.raises(OutageRefused, match="within_window"):
            start(outage, policy=SEED_POLICY, actor=HEAD, at=at(2026, 10, 8, 8, 59))

    def test_a_late_notice_lets_it_start_and_stays_a_breach(self) -> None:
        outage = notified(approved(an_outage(at(2026, 10, 8, 9))), at(2026, 10, 7))
        started = start(outage, policy=SEED_POLICY, actor=HEAD, at=at(2026, 10, 8, 9)).outage
        assert started.state is OutageState.IN_PROGRESS
        assert [b.kind for b in outage_breaches(started, as_of=at(2026, 10, 8, 9))] == [
            BreachKind.NOTICE_LATE
        ]

    def test_a_notice_to_a_customer_not_affected_is_refused(self) -> None:
        outage = approved(an_outage(at(2026, 10, 8, 9)))
        with pytest.raises(GuardRefused, match="is_affected"):
            notify(
                outage,
                customer_id="C-X",
                channel=Channel.SMS,
                what="?",
                policy=SEED_POLICY,
                actor=CLERK,
                at=at(2026, 9, 1),
            )


def running(window_start: pendulum.DateTime) -> Outage:
    outage = notified(approved(an_outage(window_start)), window_start.subtract(days=8))
    return start(outage, policy=SEED_POLICY, actor=HEAD, at=window_start).outage


class TestProgressRestorationAndCallBack:
    def test_progress_records_the_expected_restoration(self) -> None:
        outage = running(at(2026, 10, 8, 9))
        updated = record_progress(
            outage,
            note="pole replaced, stringing",
            expected_restoration=at(2026, 10, 8, 18),
            policy=SEED_POLICY,
            actor=HEAD,
            at=at(2026, 10, 8, 13),
        ).outage
        assert updated.expected_restoration == at(2026, 10, 8, 18)
        assert updated.updates[0].note == "pole replaced, stringing"

    def test_restored_at_the_end_of_the_window_is_on_time_a_minute_later_a_breach(self) -> None:
        outage = running(at(2026, 10, 8, 9))  # window 09:00-17:00
        on_time = restore(outage, policy=SEED_POLICY, actor=HEAD, at=at(2026, 10, 8, 17)).outage
        assert outage_breaches(on_time, as_of=at(2026, 10, 9)) == ()
        late = restore(outage, policy=SEED_POLICY, actor=HEAD, at=at(2026, 10, 8, 17, 1)).outage
        (breach,) = outage_breaches(late, as_of=at(2026, 10, 9))
        assert breach.kind is BreachKind.RESTORATION_LATE
        assert breach.late_by == timedelta(minutes=1)

    def test_still_out_after_the_window_is_a_breach(self) -> None:
        outage = running(at(2026, 10, 8, 9))
        assert outage_breaches(outage, as_of=at(2026, 10, 8, 17)) == ()
        (breach,) = outage_breaches(outage, as_of=at(2026, 10, 8, 17, 1))
        assert breach.kind is BreachKind.RESTORATION_LATE
        assert breach.done_at is None

    @pytest.mark.parametrize(
        ("restored", "due"),
        [
            (at(2026, 10, 1, 20, 59), at(2026, 10, 1, 21, 59)),  # before the night: an hour on
            (at(2026, 10, 1, 21, 0), at(2026, 10, 2, 8, 0)),  # 22:00 is night: next morning
            (at(2026, 10, 2, 3, 0), at(2026, 10, 2, 8, 0)),  # after midnight: that morning
            (at(2026, 10, 2, 7, 0), at(2026, 10, 2, 8, 0)),  # 08:00 is no longer night
        ],
    )
    def test_a_call_back_due_at_night_moves_to_the_next_morning(
        self, restored: pendulum.DateTime, due: pendulum.DateTime
    ) -> None:
        assert SEED_CALL_BACK.due_after(restored) == due

    def test_never_called_back_at_night_nor_before_it_is_due(self) -> None:
        outage = running(at(2026, 10, 1, 13))  # window 13:00-21:00
        restored = restore(outage, policy=SEED_POLICY, actor=HEAD, at=at(2026, 10, 1, 21)).outage
        for too_early in (at(2026, 10, 1, 22), at(2026, 10, 2, 7, 59)):
            with pytest.raises(GuardRefused, match="not_at_night"):
                call_back(restored, what="ok?", policy=SEED_POLICY, actor=CLERK, at=too_early)
        done = call_back(
            restored,
            what="supply back, customer satisfied",
            policy=SEED_POLICY,
            actor=CLERK,
            at=at(2026, 10, 2, 8),
        ).outage
        assert done.state is OutageState.CALLED_BACK
        assert OUTAGE_MACHINE.is_final(done.state)

    def test_a_daytime_night_window_and_bad_policies(self) -> None:
        siesta = CallBackPolicy(night_start=time(12), night_end=time(14), delay=timedelta(0))
        assert siesta.due_after(at(2026, 6, 1, 12, 30)) == at(2026, 6, 1, 14)
        assert siesta.due_after(at(2026, 6, 1, 11)) == at(2026, 6, 1, 11)
        with pytest.raises(InvalidInput):
            CallBackPolicy(night_start=time(8), night_end=time(8))
        with pytest.raises(InvalidInput):
            CallBackPolicy(delay=timedelta(hours=-1))
        with pytest.raises(InvalidInput):
            CallBackPolicy(night_start="22:00")  # type: ignore[arg-type]


class TestRecord:
    def test_a_cancelled_outage_has_no_breach(self) -> None:
        outage = approved(an_outage(at(2026, 10, 8, 9)))
        gone = cancel(
            outage, why="weather", policy=SEED_POLICY, actor=HEAD, at=at(2026, 9, 2)
        ).outage
        assert gone.state is OutageState.CANCELLED
        assert outage_breaches(gone, as_of=at(2026, 12, 1)) == ()

    def test_a_window_that_ends_before_it_starts_is_refused(self) -> None:
        with pytest.raises(InvalidInput):
            an_outage(at(2026, 10, 8, 9), hours=0)

    def test_a_request_without_service_points_or_under_an_unknown_rule_set_is_refused(
        self,
    ) -> None:
        with pytest.raises(NotFound):
            an_outage(at(2026, 10, 8, 9), rules="MARS")
        with pytest.raises(InvalidInput):
            request(
                id="OUT-2",
                kind=OutageKind.PLANNED,
                feeder="f",
                area="a",
                service_points=(),
                window_start=at(2026, 1, 5),
                window_end=at(2026, 1, 6),
                reason="r",
                at=at(2026, 1, 1),
                by="p",
            )

    def test_a_blank_id_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match=r"outage\.id: expected a non-blank text"):
            request(
                id=" ",
                kind=OutageKind.PLANNED,
                feeder="f",
                area="a",
                service_points=("SP-1",),
                window_start=at(2026, 1, 5),
                window_end=at(2026, 1, 6),
                reason="r",
                at=at(2026, 1, 1),
                by="p",
            )

    def test_a_rule_set_of_ones_own(self) -> None:
        mine = OutageRules(
            key="MINE",
            title="48 h everywhere",
            planned_notice=SEED.planned_notice,
            temporary_notice=SGCC10.temporary_notice,
        )
        assert mine.notice_for(OutageKind.TEMPORARY) is SGCC10.temporary_notice
        with pytest.raises(InvalidInput):
            OutageRules(
                key="X", title="x", planned_notice="24h", temporary_notice=SEED.planned_notice
            )  # type: ignore[arg-type]

    def test_the_diagram_is_generated_from_the_machine(self) -> None:
        diagram = OUTAGE_MACHINE.to_mermaid()
        assert "REQUESTED --> APPROVED : approve (approve_outage)" in diagram
        assert "APPROVED --> IN_PROGRESS : start [key_customers_notified, within_window]" in diagram
        assert "RESTORED --> CALLED_BACK : call back [not_at_night]" in diagram
