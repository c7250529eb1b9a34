"""Run dunning over the book: the day's reminders, stop notices, stop and restore orders.

:func:`run_dunning` walks every receivable, one
:func:`~powerretail.repositories.commands.run_idempotent` command per account under the key
``dunning/{account}/{as_of}``. In one unit of work it opens a dunning case for each bill
principal past its deadline, takes each case one step on by its rule set
(:mod:`powerretail.collections.dunning`), stores the cases, the orders of the day
(:class:`~powerretail.repositories.dunning.DunningOrder`) and one domain event per step. The day's
work happens at 09:00 local time of ``as_of``. A run stopped half-way is finished by running it
again; a second run of the same day changes nothing (R8).

The step a case takes:

* overdue → a reminder (a recorded contact by ``channel``);
* reminded, more than 30 days overdue → a written stop notice for a stop ``lead`` days later
  (refused and reported for an important customer without a copy to the electricity authority,
  and never served to a moved-out customer, who is reminded again on the shorter interval);
  otherwise another reminder once the interval since the last one has passed;
* stop notice served, on or after the planned stop day → the final notice before the planned
  stop and the stop order (the actor needs ``stop_supply``; a refusal is audited and reported);
* the bill paid → the case is settled, or, when supply was stopped and the payment was not
  posted through :func:`~powerretail.workflows.payments.post_payment` (which issues the restore
  order itself), the restore order is issued with its due moment from this run;
* paid and not restored past the restore limit → a restore breach, recorded once.

A bill under an active payment plan (:mod:`powerretail.collections.payment_plans`) is not dunned
while its instalments are met: the run skips it and says why (``DunningReport.skipped``). When an
instalment's deadline has passed unpaid, the run defaults the plan and dunning resumes, its
overdue days counted from that instalment's deadline.

A payment that clears what a stopped account owes issues the restore order at once
(:func:`restore_after_payment`, called by
:func:`~powerretail.workflows.payments.post_payment` in the payment's unit of work), so the
restore clock starts at the payment, not at the next run; it also completes the payment plans
whose bill it cleared. :func:`record_restoration` records that supply was restored.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping, Sequence
from datetime import date

import attrs
import pendulum

from powerretail.access import SEED_POLICY, AccessPolicy, Actor, PermissionDenied
from powerretail.collections.allocation import ItemKind
from powerretail.collections.dunning import (
    DunningCase,
    DunningRefused,
    DunningState,
    Stepped,
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
    restore_policy,
    serve_stop_notice,
    stop_supply,
)
from powerretail.collections.payment_plans import (
    PaymentPlan,
    PlanState,
    complete_plan,
    default_plan,
    standing,
)
from powerretail.customers.contacts import Channel
from powerretail.errors import NotFound
from powerretail.ids import AccountId
from powerretail.quantities import Money
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.collections import PAYMENT_PLANS, StoredPaymentPlan
from powerretail.repositories.commands import CommandRefused, command_payload, run_idempotent
from powerretail.repositories.dunning import (
    DUNNING_CASES,
    DUNNING_ORDERS,
    DunningOrder,
    OrderKind,
    StoredDunningCase,
)
from powerretail.repositories.payments import RECEIVABLES, Receivable
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.timeframe import DEFAULT_TIMEZONE, as_date, timezone
from powerretail.workflows._common import announce

__all__ = [
    "COMMAND",
    "SYSTEM_ACTOR",
    "AccountDunningFacts",
    "DunningReport",
    "record_restoration",
    "restore_after_payment",
    "run_dunning",
]

#: The command name of a dunning run (idempotency keys are scoped by it).
COMMAND = "dunning_run"
_RESTORE_COMMAND = "dunning_restore"
#: Who records the steps a payment causes (paid, restore due, plan completed): no permission.
SYSTEM_ACTOR = Actor(id="system", name="collections workflow", roles=frozenset())


@attrs.frozen(kw_only=True)
class AccountDunningFacts:
    """What dunning needs to know of an account's customer."""

    is_residential: bool = False
    is_important: bool = False
    is_moved_out: bool = False
    #: The reference of the stop notice's copy to the electricity authority (important
    #: customers; 《供电营业规则》(1996) 第67条).
    authority_copy: str | None = None


@attrs.frozen(kw_only=True)
class DunningReport:
    """What a run did: per account, the orders issued (id and kind), or why it was refused.

    ``skipped`` holds (account, bill, why) for each bill not dunned because a payment plan's
    instalments are met.
    """

    as_of: date
    orders: tuple[tuple[str, str, str], ...]
    refused: tuple[tuple[str, str], ...] = ()
    skipped: tuple[tuple[str, str, str], ...] = ()

    def count(self, kind: OrderKind) -> int:
        """Return how many orders of ``kind`` the run issued."""
        return sum(1 for _account, _order, k in self.orders if k == kind.value)

    def to_dict(self) -> dict[str, JsonValue]:
        """The report as plain data, for JSON."""
        return {
            "as_of": self.as_of.isoformat(),
            "orders": [{"account_id": a, "order_id": o, "kind": k} for a, o, k in self.orders],
            "refused": [{"account_id": a, "reason": r} for a, r in self.refused],
            "skipped": [{"account_id": a, "bill_id": b, "reason": r} for a, b, r in self.skipped],
        }


def _work_time(day: date, zone: str) -> pendulum.DateTime:
    return pendulum.datetime(day.year, day.month, day.day, 9, tz=timezone(zone))


@attrs.define
class _Run:
    uow: UnitOfWork
    key: str
    policy: AccessPolicy
    actor: Actor
    at: pendulum.DateTime
    channel: Channel
    orders: list[DunningOrder] = attrs.field(factory=list)

    def order(
        self, case: DunningCase, kind: OrderKind, due_at: _dt.datetime, detail: str, source: str
    ) -> None:
        order_id = f"{case.id}/{self.at.date().isoformat()}/{kind.value}"
        if kind is OrderKind.RESTORE_BREACH:
            order_id = f"{case.id}/{kind.value}"
            if self.uow.repository(DUNNING_ORDERS).find(order_id) is not None:
                return
        made = DunningOrder(
            order_id=order_id,
            case_id=case.id,
            account_id=case.account_id,
            kind=kind,
            issued_at=self.at,
            due_at=due_at,
            detail=detail,
            source=source,
        )
        self.uow.repository(DUNNING_ORDERS).add(made)
        self.orders.append(made)

    def stepped(self, step: Stepped, event_type: str) -> DunningCase:
        if step.audit is not None:
            self.uow.audit.append(step.audit)
        record = step.record
        announce(
            self.uow,
            command=COMMAND,
            key=f"{self.key}/{step.case.id}/{record.event.name}",
            kind=DUNNING_CASES.kind,
            aggregate_id=step.case.id,
            event_type=event_type,
            payload={
                "case_id": step.case.id,
                "account_id": step.case.account_id,
                "bill_id": step.case.bill_id,
                "from": record.source.value,
                "to": record.target.value,
                "at": record.at.isoformat(),
                "why": record.why,
            },
            at=self.at,
        )
        return step.case

    def advance(self, case: DunningCase, *, paid: bool, authority_copy: str | None) -> DunningCase:
        rules = dunning_rules(case.rules)
        if paid and case.state is not DunningState.RESTORE_DUE:
            was_stopped = case.state is DunningState.SUPPLY_STOPPED
            case = self.stepped(
                pay(case, policy=self.policy, actor=self.actor, at=self.at), "DunningPaid"
            )
            if was_stopped:
                due = restore_clock(case).due_at
                assert due is not None  # a restore clock never pauses
                source = restore_policy(case, rules).source
                self.order(case, OrderKind.RESTORE, due, "恢复供电 (复电)", source)
            return case
        if case.state is DunningState.OVERDUE:
            return self._remind(case)
        if case.state is DunningState.REMINDED:
            if days_overdue(case, self.at) > rules.min_days_overdue and not case.is_moved_out:
                return self._notice(case, authority_copy)
            last = case.reminders[-1].at.date()
            if (self.at.date() - last).days >= rules.interval_for(case):
                return self._remind(case)
            return case
        if case.state is DunningState.STOP_NOTICE_SERVED:
            assert case.planned_stop_at is not None  # served with its planned stop
            if self.at.date() >= case.planned_stop_at.date():
                return self._stop(case)
            return case
        if case.state is DunningState.RESTORE_DUE:
            breach = restore_breach(case, as_of=self.at)
            if breach is not None:
                self.order(
                    case, OrderKind.RESTORE_BREACH, breach.due_at, breach.explain(), breach.source
                )
        return case

    def _remind(self, case: DunningCase) -> DunningCase:
        case = self.stepped(
            remind(
                case,
                channel=self.channel,
                what=f"催交电费 {case.amount.amount} {case.amount.currency} (bill {case.bill_id})",
                policy=self.policy,
                actor=self.actor,
                at=self.at,
            ),
            "DunningReminded",
        )
        self.order(case, OrderKind.REMINDER, self.at, f"催交 by {self.channel.value}", "")
        return case

    def _notice(self, case: DunningCase, authority_copy: str | None) -> DunningCase:
        rules = dunning_rules(case.rules)
        notice = rules.notice_for(case)
        planned = self.at.add(days=notice.lead)
        try:
            step = serve_stop_notice(
                case,
                planned_stop_at=planned,
                authority_copy=authority_copy,
                policy=self.policy,
                actor=self.actor,
                at=self.at,
            )
        except DunningRefused as refused:
            detail = "; ".join(str(r) for r in refused.refusals)
            self.order(case, OrderKind.REFUSED, self.at, detail, notice.source)
            return case
        case = self.stepped(step, "DunningStopNoticeServed")
        self.order(case, OrderKind.STOP_NOTICE, planned, "停电通知书 (stop notice)", notice.source)
        return case

    def _stop(self, case: DunningCase) -> DunningCase:
        rules = dunning_rules(case.rules)
        assert case.planned_stop_at is not None  # served with its planned stop
        before = rules.final_notice.latest_notice_for(case.planned_stop_at)
        stop_at = max(case.planned_stop_at, self.at)
        try:
            noticed = final_notice(case, policy=self.policy, actor=self.actor, at=before)
            stopped = stop_supply(noticed.case, policy=self.policy, actor=self.actor, at=stop_at)
        except PermissionDenied as denied:
            if denied.audit is not None:
                self.uow.audit.append(denied.audit)
            self.order(case, OrderKind.REFUSED, stop_at, str(denied), "")
            return case
        except DunningRefused as refused:
            detail = "; ".join(str(r) for r in refused.refusals)
            self.order(case, OrderKind.REFUSED, stop_at, detail, "")
            return case
        self.stepped(noticed, "DunningFinalNoticeGiven")
        case = self.stepped(stopped, "DunningSupplyStopped")
        self.order(case, OrderKind.STOP, stop_at, "停电 (stop supply)", rules.final_notice.source)
        return case


def _account_ids(make_unit_of_work: UnitOfWorkFactory) -> tuple[str, ...]:
    with make_unit_of_work() as uow:
        return tuple(str(key) for key in uow.repository(RECEIVABLES).keys())  # noqa: SIM118 - a port


def run_dunning(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    as_of: date,
    clock: Clock,
    policy: AccessPolicy,
    actor: Actor,
    rules: str = "GYGZ1996",
    facts: Mapping[str, AccountDunningFacts] | None = None,
    accounts: Sequence[str] | None = None,
    channel: Channel = Channel.SMS,
    zone: str = DEFAULT_TIMEZONE,
    progress: Callable[[str], None] | None = None,
) -> DunningReport:
    """Dun every account with a receivable (or ``accounts``) as of ``as_of``, one unit each.

    ``facts`` says which customers are residential, important (with the reference of the
    authority copy) or moved out; accounts not in it are none of these.

    Raises:
        InvalidInput: ``as_of`` is not a date.
        NotFound: ``rules`` is not a dunning rule set.
    """
    day = as_date(as_of, "as_of")
    dunning_rules(rules)
    at = _work_time(day, zone)
    known = facts or {}
    ids = tuple(accounts) if accounts is not None else _account_ids(make_unit_of_work)
    orders: list[tuple[str, str, str]] = []
    refused: list[tuple[str, str]] = []
    skipped: list[tuple[str, str, str]] = []
    for account_id in ids:
        account_facts = known.get(account_id, AccountDunningFacts())
        key = f"dunning/{account_id}/{day.isoformat()}"

        def action(
            uow: UnitOfWork,
            account_id: str = account_id,
            account_facts: AccountDunningFacts = account_facts,
            key: str = key,
        ) -> dict[str, JsonValue]:
            return _dun_account(
                uow,
                account_id=account_id,
                facts=account_facts,
                rules=rules,
                run=_Run(uow=uow, key=key, policy=policy, actor=actor, at=at, channel=channel),
            )

        try:
            result = run_idempotent(
                make_unit_of_work,
                clock=clock,
                key=key,
                command=COMMAND,
                payload=command_payload(
                    account_id=account_id,
                    as_of=day,
                    rules=rules,
                    facts=account_facts,
                    channel=channel.name,
                    actor=actor.id,
                ),
                action=action,
            )
        except CommandRefused as err:
            refused.append((account_id, f"{err.error}: {err.message}"))
        except NotFound as err:  # no receivable stored: nothing recorded
            refused.append((account_id, str(err)))
        else:
            made = result["orders"]
            assert isinstance(made, list)
            for item in made:
                assert isinstance(item, dict)
                orders.append((account_id, str(item["order_id"]), str(item["kind"])))
            for item in result.get("skipped", []):  # type: ignore[union-attr]
                assert isinstance(item, dict)
                skipped.append((account_id, str(item["bill_id"]), str(item["reason"])))
        if progress is not None:
            progress(account_id)
    return DunningReport(
        as_of=day, orders=tuple(orders), refused=tuple(refused), skipped=tuple(skipped)
    )


def _paid_under(plan: PaymentPlan, receivable: Receivable) -> Money:
    """Return what was paid under ``plan``: its principal less what the bill still owes."""
    item = receivable.item(plan.bill_id)
    owed = item.amount if item is not None else Money.zero(plan.principal.currency)
    paid = plan.principal - owed
    return paid if paid.amount > 0 else Money.zero(plan.principal.currency)


def _plan_event(run: _Run, plan: PaymentPlan, event_type: str) -> None:
    record = plan.history[-1]
    announce(
        run.uow,
        command=COMMAND,
        key=f"{run.key}/{plan.plan_id}/{record.event.name}",
        kind=PAYMENT_PLANS.kind,
        aggregate_id=plan.plan_id,
        event_type=event_type,
        payload={
            "plan_id": plan.plan_id,
            "account_id": plan.account_id,
            "bill_id": plan.bill_id,
            "from": record.source.value,
            "to": record.target.value,
            "why": record.why,
        },
        at=run.at,
    )


def _apply_plans(
    uow: UnitOfWork, receivable: Receivable, run: _Run
) -> tuple[dict[str, str], dict[str, date]]:
    """Move the account's active plans on; return (bills skipped with why, resumed due dates)."""
    skipped: dict[str, str] = {}
    resumed: dict[str, date] = {}
    plans = uow.repository(PAYMENT_PLANS)
    for versioned in plans.query(account_id=str(receivable.account_id)):
        plan = versioned.entity.plan_with_history()
        if plan.state is not PlanState.ACTIVE:
            continue
        paid = _paid_under(plan, receivable)
        if receivable.item(plan.bill_id) is None:
            moved = complete_plan(plan, paid=paid, at=run.at, by=run.actor.id)
            plans.save(StoredPaymentPlan.of(moved), versioned.version)
            _plan_event(run, moved, "PaymentPlanCompleted")
            continue
        now = standing(plan, paid=paid, day=run.at.date())
        if now.missed is None:
            skipped[plan.bill_id] = f"{plan.plan_id}: {now.explain()}; not dunned"
            continue
        moved = default_plan(plan, paid=paid, day=run.at.date(), at=run.at, by=run.actor.id)
        plans.save(StoredPaymentPlan.of(moved), versioned.version)
        _plan_event(run, moved, "PaymentPlanDefaulted")
        resumed[plan.bill_id] = now.missed.due_date
    return skipped, resumed


def _dun_account(
    uow: UnitOfWork, *, account_id: str, facts: AccountDunningFacts, rules: str, run: _Run
) -> dict[str, JsonValue]:
    receivable = uow.repository(RECEIVABLES).get(AccountId(account_id)).entity
    owed = {item.bill_id: item for item in receivable.open_items if item.kind is ItemKind.PRINCIPAL}
    skipped, resumed = _apply_plans(uow, receivable, run)
    cases_repo = uow.repository(DUNNING_CASES)
    stored = {s.entity.case.bill_id: s for s in cases_repo.query(account_id=account_id)}
    for bill_id, item in sorted(owed.items()):
        due_date = resumed.get(bill_id, item.dated)
        if bill_id not in stored and bill_id not in skipped and due_date < run.at.date():
            case = open_case(
                account_id=account_id,
                customer_id=str(receivable.customer_id),
                bill_id=bill_id,
                amount=item.amount,
                due_date=due_date,
                rules=rules,
                is_residential=facts.is_residential,
                is_important=facts.is_important,
                is_moved_out=facts.is_moved_out,
            )
            cases_repo.add(StoredDunningCase.of(case))
    for versioned in cases_repo.query(account_id=account_id):
        case = versioned.entity.case_with_history()
        if case.state in (DunningState.RESTORED, DunningState.SETTLED):
            continue
        if case.bill_id in skipped:
            continue
        if facts.is_moved_out and not case.is_moved_out:
            case = attrs.evolve(case, is_moved_out=True)
        moved = run.advance(
            case, paid=case.bill_id not in owed, authority_copy=facts.authority_copy
        )
        if moved != versioned.entity.case_with_history():
            cases_repo.save(StoredDunningCase.of(moved), versioned.version)
    return {
        "account_id": account_id,
        "orders": [{"order_id": o.order_id, "kind": o.kind.value} for o in run.orders],
        "skipped": [{"bill_id": b, "reason": r} for b, r in sorted(skipped.items())],
    }


def restore_after_payment(
    uow: UnitOfWork, *, account_id: str, at: _dt.datetime, key: str
) -> tuple[str, ...]:
    """Record in ``uow`` what a payment to ``account_id`` just posted settles; return the orders.

    When no stopped case of the account is left with its bill owed, each stopped case is paid
    and its restore order issued, due by its rule set's limit from ``at`` (24 hours under the
    State Grid commitments, 12 under China Southern Grid, 3 days under 《供电营业规则》(1996)
    第69条; 24 hours after a stop for theft). A clock behind the stop never starts the restore
    clock before the stop. Active payment plans whose bill is cleared are completed.
    """
    receivables = uow.repository(RECEIVABLES)
    receivable = receivables.get(AccountId(account_id)).entity
    owed = {i.bill_id for i in receivable.open_items if i.kind is ItemKind.PRINCIPAL}
    when = pendulum.instance(at)
    run = _Run(
        uow=uow,
        key=f"payment/{key}",
        policy=SEED_POLICY,
        actor=SYSTEM_ACTOR,
        at=when,
        channel=Channel.VISIT,
    )
    plans = uow.repository(PAYMENT_PLANS)
    for versioned_plan in plans.query(account_id=account_id):
        plan = versioned_plan.entity.plan_with_history()
        if plan.state is PlanState.ACTIVE and plan.bill_id not in owed:
            moved_plan = complete_plan(
                plan, paid=_paid_under(plan, receivable), at=when, by=SYSTEM_ACTOR.id
            )
            plans.save(StoredPaymentPlan.of(moved_plan), versioned_plan.version)
            _plan_event(run, moved_plan, "PaymentPlanCompleted")
    cases = uow.repository(DUNNING_CASES)
    stopped = [
        v
        for v in cases.query(account_id=account_id)
        if v.entity.case.state is DunningState.SUPPLY_STOPPED
    ]
    if not stopped or any(v.entity.case.bill_id in owed for v in stopped):
        return ()
    for versioned in stopped:
        case = versioned.entity.case_with_history()
        rules = dunning_rules(case.rules)
        assert case.stopped_at is not None  # a stopped case records its stop
        paid_at = max(when, case.stopped_at)  # a clock behind the stop never starts it earlier
        paid = run.stepped(
            pay(case, policy=SEED_POLICY, actor=SYSTEM_ACTOR, at=paid_at), "DunningPaid"
        )
        cases.save(StoredDunningCase.of(paid), versioned.version)
        due = restore_clock(paid).due_at
        assert due is not None  # a restore clock never pauses
        why = (
            "恢复供电 (复电): 窃电费用已结清"
            if case.stop_reason is StopReason.THEFT
            else ("恢复供电 (复电): 欠费已结清")
        )
        run.order(paid, OrderKind.RESTORE, due, why, restore_policy(paid, rules).source)
    return tuple(o.order_id for o in run.orders)


def record_restoration(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    case_id: str,
    at: _dt.datetime,
    clock: Clock,
    policy: AccessPolicy,
    actor: Actor,
) -> DunningCase:
    """Record that supply was restored for ``case_id`` at ``at`` (idempotent per case).

    Raises:
        NotFound: no such case.
        CommandRefused: no restore is due for the case.
    """

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        cases = uow.repository(DUNNING_CASES)
        stored, version = cases.get(case_id)
        step = restore(stored.case_with_history(), policy=policy, actor=actor, at=at)
        run = _Run(
            uow=uow,
            key=f"restore/{case_id}",
            policy=policy,
            actor=actor,
            at=pendulum.instance(step.record.at),
            channel=Channel.VISIT,
        )
        moved = run.stepped(step, "DunningRestored")
        cases.save(StoredDunningCase.of(moved), version)
        breach = restore_breach(moved, as_of=at)
        if breach is not None:
            run.order(
                moved, OrderKind.RESTORE_BREACH, breach.due_at, breach.explain(), breach.source
            )
        return {"case_id": case_id, "late": None if breach is None else str(breach.late_by)}

    run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=f"restore/{case_id}",
        command=_RESTORE_COMMAND,
        payload=command_payload(case_id=case_id, at=at, actor=actor.id),
        action=action,
    )
    with make_unit_of_work() as uow:
        return uow.repository(DUNNING_CASES).get(case_id).entity.case_with_history()
