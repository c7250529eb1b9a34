"""Run outages in the store: request, approve, notify, start, progress, restore, call back.

:func:`request_outage` finds the customers behind the service points an outage cuts (service
point → account → customer, as stored) and marks the key and important ones, who must be
notified individually: an important customer by the important-customer policy
(:func:`~powerretail.customers.tiering.classify_important_customer`), a service point with
first- or second-level load (一级/二级负荷), or a customer the caller names as a key account.
:func:`step_outage` takes one step, idempotently (per outage, step, instant and customer); the
approval's grant or refusal is stored in the audit log, a late notice is recorded with an
``OutageNoticeLate`` event, and a start is refused while a key customer is not notified.
:func:`outage_statuses` reports each outage with its notice status and breaches.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

import attrs
import pendulum

from powerretail.access import AccessPolicy, Actor
from powerretail.customers.contacts import Channel
from powerretail.customers.parties import LoadImportance
from powerretail.customers.tiering import (
    SEED_IMPORTANT_CUSTOMERS,
    ImportantCustomerPolicy,
    classify_important_customer,
)
from powerretail.errors import InvalidInput
from powerretail.ids import AccountId, CustomerId, ServicePointId
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import command_payload, run_idempotent
from powerretail.repositories.customers import ACCOUNTS, CUSTOMERS, SERVICE_POINTS
from powerretail.repositories.outages import OUTAGES, StoredOutage
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.service.outages import (
    AffectedCustomer,
    BreachKind,
    Outage,
    OutageBreach,
    OutageEvent,
    OutageKind,
    OutageRefused,
    OutageState,
    OutageStep,
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
)
from powerretail.statemachine import GuardRefused
from powerretail.timeframe import as_instant
from powerretail.workflows._common import announce, run_step

__all__ = [
    "COMMAND",
    "OutageStatus",
    "find_affected",
    "outage_statuses",
    "request_outage",
    "step_outage",
]

#: The command name of outage commands (idempotency keys are scoped by it).
COMMAND = "outage"
_IMPORTANT_LOADS = (LoadImportance.FIRST, LoadImportance.SECOND)


def find_affected(
    uow: UnitOfWork,
    service_points: Iterable[str],
    *,
    important: ImportantCustomerPolicy = SEED_IMPORTANT_CUSTOMERS,
    key_customers: Iterable[str] = (),
) -> tuple[AffectedCustomer, ...]:
    """Return the customers behind ``service_points``, the key and important ones marked.

    Raises:
        NotFound: a service point, its account or its customer is not stored.
    """
    keys = frozenset(key_customers)
    found: list[AffectedCustomer] = []
    for point_id in service_points:
        point = uow.repository(SERVICE_POINTS).get(ServicePointId(point_id)).entity
        account = uow.repository(ACCOUNTS).get(AccountId(point.account_id)).entity
        customer = uow.repository(CUSTOMERS).get(CustomerId(account.customer_id)).entity
        reasons: list[str] = []
        decision = classify_important_customer(customer, important)
        if decision.outcome is not None:
            reasons.append(f"important customer: {decision.outcome.value}")
        if point.load_importance in _IMPORTANT_LOADS:
            reasons.append(f"load {point.load_importance.value}")
        if customer.id in keys:
            reasons.append("key account")
        found.append(
            AffectedCustomer(
                customer_id=str(customer.id),
                account_id=str(account.id),
                service_point_id=str(point.id),
                name=customer.name,
                needs_notice=bool(reasons),
                why="; ".join(reasons),
            )
        )
    return tuple(found)


def _load(make_unit_of_work: UnitOfWorkFactory, outage_id: str) -> Outage:
    with make_unit_of_work() as uow:
        return uow.repository(OUTAGES).get(outage_id).entity.outage_with_history()


def request_outage(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    outage_id: str,
    kind: OutageKind,
    feeder: str,
    area: str,
    service_points: Iterable[str],
    window_start: _dt.datetime,
    window_end: _dt.datetime,
    reason: str,
    actor: Actor,
    rules: str = "SGCC10",
    important: ImportantCustomerPolicy = SEED_IMPORTANT_CUSTOMERS,
    key_customers: Iterable[str] = (),
) -> Outage:
    """Store a requested outage with the customers it affects (once per outage id).

    Raises:
        NotFound: a service point (or its account, customer) is not stored, or ``rules`` is not
            an outage rule set.
        CommandRefused: the window ends before it starts, or no service point is named.
    """
    points = tuple(service_points)
    keys = tuple(sorted(key_customers))
    outage_rules(rules)

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        affected = find_affected(uow, points, important=important, key_customers=keys)
        outage = request(
            id=outage_id,
            kind=kind,
            feeder=feeder,
            area=area,
            service_points=points,
            window_start=window_start,
            window_end=window_end,
            reason=reason,
            at=clock.now(),
            by=actor.id,
            affected=affected,
            rules=rules,
        )
        uow.repository(OUTAGES).add(StoredOutage.of(outage))
        announce(
            uow,
            command=COMMAND,
            key=f"request/{outage_id}",
            kind=OUTAGES.kind,
            aggregate_id=outage_id,
            event_type="OutageRequested",
            payload={
                "outage_id": outage_id,
                "kind": kind.value,
                "window_start": outage.window_start.isoformat(),
                "window_end": outage.window_end.isoformat(),
                "key_customers": [c.customer_id for c in outage.key_customers],
            },
            at=outage.requested_at,
        )
        return {"outage_id": outage_id}

    run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=f"request/{outage_id}",
        command=COMMAND,
        payload=command_payload(
            outage_id=outage_id,
            kind=kind.value,
            feeder=feeder,
            area=area,
            service_points=list(points),
            window_start=as_instant(window_start, "window_start"),
            window_end=as_instant(window_end, "window_end"),
            reason=reason,
            rules=rules,
            key_customers=list(keys),
            actor=actor.id,
        ),
        action=action,
    )
    return _load(make_unit_of_work, outage_id)


def _take(
    outage: Outage,
    step: OutageEvent,
    *,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
    customer_id: str | None,
    channel: Channel | None,
    what: str,
    expected_restoration: _dt.datetime | None,
) -> OutageStep:
    if step is OutageEvent.APPROVE:
        return approve(outage, policy=policy, actor=actor, at=at)
    if step is OutageEvent.NOTIFY:
        if customer_id is None or channel is None:
            raise InvalidInput("customer_id, channel", (customer_id, channel), "both, to notify")
        return notify(
            outage,
            customer_id=customer_id,
            channel=channel,
            what=what,
            policy=policy,
            actor=actor,
            at=at,
        )
    if step is OutageEvent.START:
        return start(outage, policy=policy, actor=actor, at=at)
    if step is OutageEvent.PROGRESS:
        if expected_restoration is None:
            raise InvalidInput("expected_restoration", None, "the restoration time now expected")
        return record_progress(
            outage,
            note=what or "progress",
            expected_restoration=expected_restoration,
            policy=policy,
            actor=actor,
            at=at,
        )
    if step is OutageEvent.RESTORE:
        return restore(outage, policy=policy, actor=actor, at=at)
    if step is OutageEvent.CALL_BACK:
        return call_back(outage, what=what or "supply restored", policy=policy, actor=actor, at=at)
    return cancel(outage, why=what or "cancelled", policy=policy, actor=actor, at=at)


def step_outage(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    outage_id: str,
    step: OutageEvent,
    at: _dt.datetime,
    policy: AccessPolicy,
    actor: Actor,
    customer_id: str | None = None,
    channel: Channel | None = None,
    what: str = "",
    expected_restoration: _dt.datetime | None = None,
) -> Outage:
    """Take ``step`` on outage ``outage_id`` at ``at`` (idempotent per outage, step, instant and
    customer) and return the outage as stored.

    ``customer_id`` and ``channel`` are the notice's (``notify``); ``expected_restoration`` the
    progress update's; ``what`` what was said or done.

    Raises:
        InvalidInput: ``step`` is not an outage event, or a notice or update lacks its details.
        NotFound: no such outage.
        OutageRefused: a start while a key customer is not notified, or before the window
            (not recorded: notify, then start again).
        GuardRefused: a notice to a customer the outage does not affect, or a call-back at
            night or before it is due (not recorded).
        CommandRefused: the step is refused otherwise (no arrow from the state; the approval
            by an actor without ``approve_outage``, whose refusal is audited).
    """
    if not isinstance(step, OutageEvent):
        raise InvalidInput("step", step, f"one of {[e.value for e in OutageEvent]}")
    instant = as_instant(at, "at")
    key = f"{outage_id}/{step.name.lower()}/{instant.in_timezone('UTC').isoformat()}"
    if customer_id is not None:
        key = f"{key}/{customer_id}"

    def take(stored: StoredOutage) -> OutageStep:
        return _take(
            stored.outage_with_history(),
            step,
            policy=policy,
            actor=actor,
            at=instant,
            customer_id=customer_id,
            channel=channel,
            what=what,
            expected_restoration=expected_restoration,
        )

    def late(taken: OutageStep) -> bool:
        return step is OutageEvent.NOTIFY and instant > notice_due(taken.outage)

    moved = run_step(
        make_unit_of_work,
        clock=clock,
        command=COMMAND,
        key=key,
        aggregate=OUTAGES,
        aggregate_id=outage_id,
        id_field="outage_id",
        take=take,
        stored=lambda taken: StoredOutage.of(taken.outage),
        moved="OutageMoved",
        actor=actor,
        at=instant,
        payload=command_payload(
            outage_id=outage_id,
            step=step.value,
            at=instant,
            actor=actor.id,
            customer_id=customer_id,
            channel=None if channel is None else channel.name,
            what=what,
            expected_restoration=None
            if expected_restoration is None
            else as_instant(expected_restoration, "expected_restoration"),
        ),
        details=lambda _taken: {"step": step.value, "customer_id": customer_id},
        also=lambda taken: ("OutageNoticeLate",) if late(taken) else (),
        outcome=lambda taken: {"late": late(taken)},
        unrecorded=(OutageRefused, GuardRefused),
    )
    return moved.outage_with_history()


@attrs.frozen(kw_only=True)
class OutageStatus:
    """An outage as a report shows it: its notice status, breaches and call-back."""

    outage: Outage
    notice_due: pendulum.DateTime
    notified_on_time: tuple[str, ...]
    notified_late: tuple[str, ...]
    not_notified: tuple[str, ...]
    breaches: tuple[OutageBreach, ...]
    call_back_due: pendulum.DateTime | None

    @property
    def notice_status(self) -> str:
        """``"none needed"``, ``"all on time"``, ``"late"``, ``"missing"`` or ``"pending"``."""
        if not self.outage.key_customers:
            return "none needed"
        if any(b.kind is BreachKind.NOT_NOTIFIED for b in self.breaches):
            return "missing"
        if self.not_notified:
            return "pending"
        return "late" if self.notified_late else "all on time"

    def to_dict(self) -> dict[str, JsonValue]:
        """The status as plain data, for JSON."""
        outage = self.outage
        return {
            "outage_id": outage.id,
            "kind": outage.kind.value,
            "state": outage.state.value,
            "rules": outage.rules,
            "feeder": outage.feeder,
            "area": outage.area,
            "window_start": outage.window_start.isoformat(),
            "window_end": outage.window_end.isoformat(),
            "expected_restoration": outage.expected_restoration.isoformat(),
            "notice_due": self.notice_due.isoformat(),
            "notice_status": self.notice_status,
            "notified_on_time": list(self.notified_on_time),
            "notified_late": list(self.notified_late),
            "not_notified": list(self.not_notified),
            "breaches": [b.explain() for b in self.breaches],
            "call_back_due": None if self.call_back_due is None else self.call_back_due.isoformat(),
        }


def _status(outage: Outage, as_of: _dt.datetime) -> OutageStatus:
    due = notice_due(outage)
    on_time: list[str] = []
    late: list[str] = []
    missing: list[str] = []
    for customer in outage.key_customers:
        notice = outage.first_notice(customer.customer_id)
        if notice is None:
            missing.append(customer.customer_id)
        else:
            (on_time if notice.at <= due else late).append(customer.customer_id)
    call_back_due = None
    if outage.restored_at is not None and outage.state is OutageState.RESTORED:
        call_back_due = outage_rules(outage.rules).call_back.due_after(outage.restored_at)
    return OutageStatus(
        outage=outage,
        notice_due=due,
        notified_on_time=tuple(on_time),
        notified_late=tuple(late),
        not_notified=tuple(missing),
        breaches=outage_breaches(outage, as_of=as_of),
        call_back_due=call_back_due,
    )


def outage_statuses(
    make_unit_of_work: UnitOfWorkFactory, *, as_of: _dt.datetime
) -> tuple[OutageStatus, ...]:
    """Return every stored outage with its notice status and breaches as of ``as_of``, by id."""
    moment = as_instant(as_of, "as_of")
    with make_unit_of_work() as uow:
        outages = [s.entity.outage_with_history() for s in uow.repository(OUTAGES).query()]
    return tuple(_status(o, moment) for o in sorted(outages, key=lambda o: o.id))
