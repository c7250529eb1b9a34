from __future__ import annotations

import itertools
from datetime import date, timedelta

import attrs
import pendulum
import pytest

from powerretail.access import SEED_POLICY, Actor, PermissionDenied
from powerretail.collections.dunning import (
    CSG,
    DUNNING_MACHINE,
    GYGZ1996,
    PROVINCIAL,
    SGCC2011,
    DunningCase,
    DunningEvent,
    DunningRefused,
    DunningRules,
    DunningState,
    StopReason,
    days_overdue,
    dunning_rules,
    final_notice,
    open_case,
    pay,
    remind,
    restore,
    restore_breach,
    restore_clock,
    serve_stop_notice,
    stop_refusals,
    stop_supply,
)
from powerretail.customers.contacts import Channel
from powerretail.errors import InvalidInput, NotFound
from powerretail.quantities import Money
from powerretail.statemachine import GuardRefused, TransitionNotAllowed

HEAD = Actor(id="h-1", name="Zhang", roles={"supply_office_head"})
CLERK = Actor(id="c-1", name="Li", roles={"customer_service"})
DUE = date(2025, 3, 10)  # the deadline; 2025-03-11 is overdue day 1


def at(day: date, hour: int = 9, minute: int = 0, second: int = 0) -> pendulum.DateTime:
    return pendulum.datetime(day.year, day.month, day.day, hour, minute, second, tz="Asia/Shanghai")


def on_day(n: int) -> date:
    """Overdue day ``n``."""
    return DUE + timedelta(days=n)


def a_case(rules: str = "GYGZ1996", **kw: bool) -> DunningCase:
    return open_case(
        account_id="A-1",
        customer_id="C-1",
        bill_id="B-1",
        amount=Money("500.00"),
        due_date=DUE,
        rules=rules,
        **kw,
    )


def reminded(case: DunningCase, day: int = 5) -> DunningCase:
    return remind(
        case,
        channel=Channel.PHONE,
        what="催交电费",
        policy=SEED_POLICY,
        actor=CLERK,
        at=at(on_day(day)),
    ).case


def noticed(
    case: DunningCase, day: int = 31, lead: int = 3, authority_copy: str | None = None
) -> DunningCase:
    return serve_stop_notice(
        case,
        planned_stop_at=at(on_day(day + lead)),
        policy=SEED_POLICY,
        actor=CLERK,
        at=at(on_day(day)),
        authority_copy=authority_copy,
    ).case


def stopped(case: DunningCase) -> DunningCase:
    stop = case.planned_stop_at
    assert stop is not None
    case = final_notice(case, policy=SEED_POLICY, actor=CLERK, at=stop - timedelta(minutes=30)).case
    return stop_supply(case, policy=SEED_POLICY, actor=HEAD, at=stop).case


class TestRuleSets:
    def test_each_rule_set_carries_its_numbers(self) -> None:
        assert (
            GYGZ1996.stop_notice.lead,
            GYGZ1996.stop_notice_max_days,
            GYGZ1996.final_notice.lead,
            GYGZ1996.restore.limit,
            GYGZ1996.restore.unit.value,
        ) == (3, 7, 30, 3, "calendar_days")
        assert (SGCC2011.stop_notice.lead, SGCC2011.restore.limit, SGCC2011.restore.unit.value) == (
            7,
            24,
            "hours",
        )
        assert (CSG.restore.limit, CSG.restore.unit.value) == (12, "hours")
        assert (PROVINCIAL.final_notice.lead, PROVINCIAL.final_notice.unit.value) == (1, "hours")
        assert "第69条" in GYGZ1996.restore.source

    def test_an_unknown_rule_set_is_not_found(self) -> None:
        with pytest.raises(NotFound):
            dunning_rules("XX")
        with pytest.raises(NotFound):
            a_case(rules="XX")

    def test_moved_out_interval_must_be_shorter(self) -> None:
        with pytest.raises(InvalidInput, match="fewer days"):
            DunningRules(
                key="X",
                title="x",
                stop_notice=GYGZ1996.stop_notice,
                final_notice=GYGZ1996.final_notice,
                restore=GYGZ1996.restore,
                reminder_interval_days=5,
                moved_out_interval_days=5,
            )
        assert GYGZ1996.interval_for(a_case(is_moved_out=True)) < GYGZ1996.interval_for(a_case())

    def test_bad_inputs_are_refused(self) -> None:
        with pytest.raises(InvalidInput, match="Money above zero"):
            open_case(
                account_id="A", customer_id="C", bill_id="B", amount=Money("0.00"), due_date=DUE
            )
        with pytest.raises(InvalidInput, match="a NoticeRule"):
            DunningRules(
                key="X",
                title="x",
                stop_notice="3 days",
                final_notice=GYGZ1996.final_notice,
                restore=GYGZ1996.restore,
            )


class TestReminders:
    def test_a_reminder_is_a_recorded_contact(self) -> None:
        case = reminded(a_case())
        assert case.state is DunningState.REMINDED
        assert case.reminders[0].channel is Channel.PHONE
        assert case.history[-1].event is DunningEvent.REMIND

    def test_no_reminder_before_the_bill_is_overdue(self) -> None:
        with pytest.raises(GuardRefused, match="is_overdue"):
            remind(
                a_case(),
                channel=Channel.SMS,
                what="x",
                policy=SEED_POLICY,
                actor=CLERK,
                at=at(DUE, 23),
            )

    def test_refuses_a_channel_that_is_not_a_reminder(self) -> None:
        with pytest.raises(InvalidInput, match="LETTER"):
            remind(
                a_case(),
                channel=Channel.EMAIL,
                what="x",
                policy=SEED_POLICY,
                actor=CLERK,
                at=at(on_day(1)),
            )

    def test_days_overdue_count_from_the_day_after_the_deadline_in_local_time(self) -> None:
        assert days_overdue(a_case(), at(on_day(1), 0, 0)) == 1
        assert days_overdue(a_case(), pendulum.datetime(2025, 3, 10, 16, tz="UTC")) == 1


class TestStopNotice:
    """《电力供应与使用条例》第39条 and 《供电营业规则》(1996) 第67条."""

    def test_30_days_overdue_is_not_enough_31_is(self) -> None:
        with pytest.raises(DunningRefused, match="more_than_30_days_overdue: the arrears are 30"):
            noticed(reminded(a_case()), day=30)
        assert noticed(reminded(a_case()), day=31).state is DunningState.STOP_NOTICE_SERVED

    def test_no_stop_notice_without_a_reminder(self) -> None:
        case = a_case()
        with pytest.raises(TransitionNotAllowed):
            noticed(case)
        refused = attrs_evolve_state(case, DunningState.REMINDED)
        with pytest.raises(DunningRefused, match="reminder_given"):
            noticed(refused)

    def test_notice_three_days_before_holds_two_does_not(self) -> None:
        assert noticed(reminded(a_case()), lead=3).planned_stop_at == at(on_day(34))
        with pytest.raises(DunningRefused, match=r"notice_period_held: .* less than 3 days"):
            noticed(reminded(a_case()), lead=2)

    def test_notice_more_than_seven_days_before_is_refused_under_gygz1996(self) -> None:
        assert noticed(reminded(a_case()), lead=7).state is DunningState.STOP_NOTICE_SERVED
        with pytest.raises(DunningRefused, match="more than 7 days"):
            noticed(reminded(a_case()), lead=8)

    def test_sgcc_asks_seven_days(self) -> None:
        with pytest.raises(DunningRefused, match="less than 7 days"):
            noticed(reminded(a_case("SGCC2011")), lead=6)
        assert noticed(reminded(a_case("SGCC2011")), lead=20).state is (
            DunningState.STOP_NOTICE_SERVED
        )

    def test_provincial_variant_asks_residential_customers_seven_days(self) -> None:
        with pytest.raises(DunningRefused, match="less than 7 days"):
            noticed(reminded(a_case("PROVINCIAL", is_residential=True)), lead=6)
        assert noticed(reminded(a_case("PROVINCIAL")), lead=3).state is (
            DunningState.STOP_NOTICE_SERVED
        )

    def test_an_important_customer_needs_the_copy_to_the_authority(self) -> None:
        with pytest.raises(DunningRefused, match="authority_copied"):
            noticed(reminded(a_case(is_important=True)))
        case = noticed(reminded(a_case(is_important=True)), authority_copy="经信委 抄送 2025-017")
        assert case.authority_copy == "经信委 抄送 2025-017"

    def test_a_moved_out_customer_never_reaches_the_stop(self) -> None:
        with pytest.raises(DunningRefused, match="not_moved_out"):
            noticed(reminded(a_case(is_moved_out=True)), day=60)

    def test_the_refusal_names_every_failed_guard(self) -> None:
        with pytest.raises(DunningRefused) as caught:
            noticed(reminded(a_case(is_important=True, is_moved_out=True)), day=10, lead=1)
        assert [r.guard for r in caught.value.refusals] == [
            "more_than_30_days_overdue",
            "not_moved_out",
            "notice_period_held",
            "authority_copied",
        ]
        assert "《电力供应与使用条例》第39条" in str(caught.value)


class TestStop:
    def test_final_notice_30_minutes_before_then_stop(self) -> None:
        case = stopped(noticed(reminded(a_case())))
        assert case.state is DunningState.SUPPLY_STOPPED
        assert case.stop_reason is StopReason.ARREARS

    def test_a_final_notice_29_minutes_before_is_refused(self) -> None:
        case = noticed(reminded(a_case()))
        assert case.planned_stop_at is not None
        with pytest.raises(GuardRefused, match="final_notice_given"):
            final_notice(
                case,
                policy=SEED_POLICY,
                actor=CLERK,
                at=case.planned_stop_at - timedelta(minutes=29),
            )

    def test_provincial_final_notice_is_one_hour(self) -> None:
        case = noticed(reminded(a_case("PROVINCIAL")))
        assert case.planned_stop_at is not None
        with pytest.raises(GuardRefused):
            final_notice(
                case,
                policy=SEED_POLICY,
                actor=CLERK,
                at=case.planned_stop_at - timedelta(minutes=59),
            )

    def test_no_stop_before_the_announced_time(self) -> None:
        case = noticed(reminded(a_case()))
        assert case.planned_stop_at is not None
        planned = case.planned_stop_at
        case = final_notice(
            case, policy=SEED_POLICY, actor=CLERK, at=planned - timedelta(hours=2)
        ).case
        with pytest.raises(DunningRefused, match="announced the stop"):
            stop_supply(case, policy=SEED_POLICY, actor=HEAD, at=planned - timedelta(hours=1))

    def test_a_stale_notice_is_refused(self) -> None:
        case = noticed(reminded(a_case()), lead=3)
        assert case.planned_stop_at is not None
        late = case.planned_stop_at + timedelta(days=5)
        case = final_notice(
            case, policy=SEED_POLICY, actor=CLERK, at=case.planned_stop_at - timedelta(hours=1)
        ).case
        with pytest.raises(DunningRefused, match="more than 7 days"):
            stop_supply(case, policy=SEED_POLICY, actor=HEAD, at=late)

    def test_stopping_needs_the_stop_supply_permission(self) -> None:
        case = noticed(reminded(a_case()))
        assert case.planned_stop_at is not None
        planned = case.planned_stop_at
        case = final_notice(
            case, policy=SEED_POLICY, actor=CLERK, at=planned - timedelta(hours=1)
        ).case
        with pytest.raises(PermissionDenied) as caught:
            stop_supply(case, policy=SEED_POLICY, actor=CLERK, at=planned)
        assert caught.value.audit is not None
        assert caught.value.audit.operation == "stop_supply"
        done = stop_supply(case, policy=SEED_POLICY, actor=HEAD, at=planned)
        assert done.audit is not None
        assert done.audit.granted_by == "supply_office_head"

    def test_theft_and_force_majeure_stop_at_once(self) -> None:
        for reason in (StopReason.THEFT, StopReason.FORCE_MAJEURE):
            done = stop_supply(
                a_case(), policy=SEED_POLICY, actor=HEAD, at=at(on_day(1)), reason=reason
            )
            assert done.case.state is DunningState.SUPPLY_STOPPED
            assert done.case.stop_reason is reason

    def test_an_arrears_stop_without_notice_is_not_an_arrow(self) -> None:
        with pytest.raises(TransitionNotAllowed):
            stop_supply(reminded(a_case()), policy=SEED_POLICY, actor=HEAD, at=at(on_day(40)))


class TestPaymentAndRestore:
    def test_payment_before_the_stop_settles_the_case(self) -> None:
        case = pay(reminded(a_case()), policy=SEED_POLICY, actor=CLERK, at=at(on_day(9))).case
        assert case.state is DunningState.SETTLED
        assert restore_breach(case, as_of=at(on_day(90))) is None

    @pytest.mark.parametrize(
        ("rules", "limit"),
        [("SGCC2011", timedelta(hours=24)), ("CSG", timedelta(hours=12))],
    )
    def test_restore_at_the_limit_minus_and_plus_one_second(
        self, rules: str, limit: timedelta
    ) -> None:
        case = stopped(noticed(reminded(a_case(rules)), lead=7))
        paid_at = at(on_day(45), 16, 30)
        case = pay(case, policy=SEED_POLICY, actor=CLERK, at=paid_at).case
        assert case.state is DunningState.RESTORE_DUE
        assert restore_clock(case).due_at == paid_at + limit
        early = restore(
            case, policy=SEED_POLICY, actor=CLERK, at=paid_at + limit - timedelta(seconds=1)
        ).case
        assert early.state is DunningState.RESTORED
        assert restore_breach(early, as_of=paid_at + limit * 3) is None
        late = restore(
            case, policy=SEED_POLICY, actor=CLERK, at=paid_at + limit + timedelta(seconds=1)
        ).case
        breach = restore_breach(late, as_of=paid_at + limit * 3)
        assert breach is not None
        assert breach.late_by == timedelta(seconds=1)
        assert "late by 0:00:01" in breach.explain()

    def test_gygz1996_restores_within_three_calendar_days(self) -> None:
        case = stopped(noticed(reminded(a_case())))
        case = pay(case, policy=SEED_POLICY, actor=CLERK, at=at(date(2025, 4, 20), 15)).case
        assert restore_clock(case).due_at == pendulum.datetime(2025, 4, 24, tz="Asia/Shanghai")
        assert (
            restore_breach(
                case, as_of=pendulum.datetime(2025, 4, 23, 23, 59, 59, tz="Asia/Shanghai")
            )
            is None
        )
        breach = restore_breach(
            case, as_of=pendulum.datetime(2025, 4, 24, 0, 0, 1, tz="Asia/Shanghai")
        )
        assert breach is not None
        assert breach.restored_at is None
        assert "not yet restored" in breach.explain()
        assert "第69条" in breach.explain()

    def test_a_case_not_paid_while_stopped_has_no_restore_clock(self) -> None:
        with pytest.raises(InvalidInput, match="paid while stopped"):
            restore_clock(a_case())


def attrs_evolve_state(case: DunningCase, state: DunningState) -> DunningCase:
    return attrs.evolve(case, state=state)


EXPECTED = {
    (DunningState.OVERDUE, DunningEvent.REMIND): DunningState.REMINDED,
    (DunningState.REMINDED, DunningEvent.REMIND): DunningState.REMINDED,
    (DunningState.REMINDED, DunningEvent.SERVE_STOP_NOTICE): DunningState.STOP_NOTICE_SERVED,
    (DunningState.STOP_NOTICE_SERVED, DunningEvent.FINAL_NOTICE): DunningState.FINAL_NOTICE,
    (DunningState.FINAL_NOTICE, DunningEvent.STOP): DunningState.SUPPLY_STOPPED,
    **{
        (s, DunningEvent.STOP_IMMEDIATELY): DunningState.SUPPLY_STOPPED
        for s in (
            DunningState.OVERDUE,
            DunningState.REMINDED,
            DunningState.STOP_NOTICE_SERVED,
            DunningState.FINAL_NOTICE,
        )
    },
    **{
        (s, DunningEvent.PAY): DunningState.SETTLED
        for s in (
            DunningState.OVERDUE,
            DunningState.REMINDED,
            DunningState.STOP_NOTICE_SERVED,
            DunningState.FINAL_NOTICE,
        )
    },
    (DunningState.SUPPLY_STOPPED, DunningEvent.PAY): DunningState.RESTORE_DUE,
    (DunningState.RESTORE_DUE, DunningEvent.RESTORE): DunningState.RESTORED,
}


@pytest.mark.parametrize(
    ("state", "event"),
    list(itertools.product(DunningState, DunningEvent)),
    ids=lambda v: v.name,
)
def test_every_state_and_event_pair_goes_where_the_table_says(
    state: DunningState, event: DunningEvent
) -> None:
    arrows = [a for a in DUNNING_MACHINE.transitions if (a.source, a.event) == (state, event)]
    expected = EXPECTED.get((state, event))
    if expected is None:
        assert arrows == []
        with pytest.raises(TransitionNotAllowed):
            DUNNING_MACHINE.next_state(state, event)
    else:
        assert [a.target for a in arrows] == [expected]


class TestRefusalsOnStoredCases:
    """A case read back from storage is checked again in full before a stop."""

    def test_a_case_without_notices_names_each_missing_step(self) -> None:
        case = attrs.evolve(reminded(a_case(is_important=True)), state=DunningState.FINAL_NOTICE)
        refusals = stop_refusals(case, at=at(on_day(40)), rules=GYGZ1996)
        assert [r.guard for r in refusals] == [
            "notice_period_held",
            "authority_copied",
            "final_notice_given",
        ]

    def test_a_breach_is_judged_no_earlier_than_the_restoration(self) -> None:
        case = stopped(noticed(reminded(a_case("CSG"))))
        case = pay(case, policy=SEED_POLICY, actor=CLERK, at=at(on_day(40))).case
        case = restore(case, policy=SEED_POLICY, actor=CLERK, at=at(on_day(41))).case
        breach = restore_breach(case, as_of=at(on_day(40), 10))
        assert breach is not None
        assert breach.late_by == timedelta(hours=12)
