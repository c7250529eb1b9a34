"""Work orders (工作单) as a declared state machine: created, dispatched, done, verified.

A work order is raised by a meter-read finding (VEE: the exception ticket after two unread
cycles, the notice of termination after six unread months, a consumption-change investigation,
a meter test or a meter change), by an inspection, or by a service case (named by its id). It
is dispatched to someone, done in the field, and verified by a person holding
``verify_work_order`` (:data:`~powerretail.access.VERIFY_WORK_ORDER`) who is not the one who did
it; a verification that fails reopens it. An order not yet done may be cancelled.

Each kind has its time limit (:class:`WorkOrderLimits`): the clock starts when the order is
created and stops when it is done; a reopened order's clock runs again from creation (a job
redone was not done). :func:`work_order_breach` is the visible record of a late one.

>>> print(WORK_ORDER_MACHINE.to_mermaid().splitlines()[-2])
    CANCELLED --> [*]

Source: 供电所农电营销工作管理制度 四、供电所抄、核、收管理制度 (一)抄表制度 5
(客户异常情况处理单 to the marketing manager; six months: 通知客户终止供电);
苏州供电公司大客户管理 抄表实施 (根据抄表过程中发现的异常情况生成及下传工作单);
国家电网有限公司供电服务“十项承诺” (meter test result in 5 working days).
"""

from __future__ import annotations

import datetime as _dt
import enum
import hashlib
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, Final

import attrs
import pendulum

from powerretail.access import VERIFY_WORK_ORDER, AccessPolicy, Actor, AuditRecord
from powerretail.calendars.base import BusinessCalendar
from powerretail.errors import InvalidInput, NotFound
from powerretail.ids import non_blank
from powerretail.metering.vee import Finding, WorkOrderKind
from powerretail.sla.catalogue import rule_set
from powerretail.sla.clock import SlaClock, SlaEvent
from powerretail.sla.policy import SlaPolicy, SlaUnit
from powerretail.statemachine import StateMachine, Transition, TransitionRecord
from powerretail.timeframe import DEFAULT_TIMEZONE, as_instant

__all__ = [
    "SEED_WORK_ORDER_LIMITS",
    "WORK_ORDER_MACHINE",
    "Origin",
    "WorkOrder",
    "WorkOrderBreach",
    "WorkOrderEvent",
    "WorkOrderKind",
    "WorkOrderLimits",
    "WorkOrderState",
    "WorkStep",
    "cancel",
    "complete",
    "dispatch",
    "from_case",
    "from_finding",
    "from_inspection",
    "is_open",
    "reopen",
    "verify",
    "work_order_breach",
    "work_order_clock",
    "work_order_id",
]


class WorkOrderState(enum.Enum):
    """Where a work order stands."""

    CREATED = "created"
    DISPATCHED = "dispatched"
    DONE = "done"
    VERIFIED = "verified"
    CANCELLED = "cancelled"


class WorkOrderEvent(enum.Enum):
    """What happens to a work order."""

    DISPATCH = "dispatch"
    COMPLETE = "complete"
    VERIFY = "verify"
    REOPEN = "reopen"
    CANCEL = "cancel"


class Origin(enum.Enum):
    """What raised a work order."""

    VEE = "vee"
    INSPECTION = "inspection"
    CASE = "case"


def _history(value: Iterable[TransitionRecord[Any, Any]]) -> tuple[TransitionRecord[Any, Any], ...]:
    return tuple(value)


def _instant(value: object) -> pendulum.DateTime:
    return as_instant(value, "created_at")


@attrs.frozen(kw_only=True)
class WorkOrder:
    """One work order.

    Attributes:
        id: the order's id (:func:`work_order_id`: the same finding, inspection or case item
            always gives the same id, so raising it twice stores it once).
        kind: what is to be done.
        origin: what raised it; ``origin_ref`` names it (the read key and rule id of a VEE
            finding, the inspection id, the case id).
        subject: what the work is on (a meter id, an account or service point id).
        created_at: when it was raised; its clock starts then.
        detail: what was found (the finding's message, the inspector's note).
        source: the rule behind it (the finding's source, or the case kind's).
        source_case_id: the service case it was raised from, if any.
        assignee / result / verified_by: who it was dispatched to, what they did, who verified.
        state: where it stands; ``history``: every transition record.
    """

    id: str = attrs.field(validator=non_blank("work_order.id"))
    kind: WorkOrderKind
    origin: Origin
    origin_ref: str = attrs.field(validator=non_blank("work_order.origin_ref"))
    subject: str = attrs.field(validator=non_blank("work_order.subject"))
    created_at: pendulum.DateTime = attrs.field(converter=_instant)
    detail: str = ""
    source: str = ""
    source_case_id: str | None = None
    assignee: str | None = None
    result: str | None = None
    verified_by: str | None = None
    state: WorkOrderState = WorkOrderState.CREATED
    history: tuple[TransitionRecord[Any, Any], ...] = attrs.field(default=(), converter=_history)


_MAX_ID: Final = 128


def work_order_id(kind: WorkOrderKind, origin: Origin, ref: str) -> str:
    """Return the id of the ``kind`` order raised by ``origin`` item ``ref`` (at most 128 chars).

    >>> work_order_id(WorkOrderKind.METER_TEST, Origin.CASE, "CASE-7")
    'WO/meter_test/case/CASE-7'
    """
    plain = f"WO/{kind.value}/{origin.value}/{ref}"
    if len(plain) <= _MAX_ID:
        return plain
    digest = hashlib.sha256(ref.encode("utf-8")).hexdigest()[:24]
    head = f"WO/{kind.value}/{origin.value}/"
    room = _MAX_ID - len(head) - len(digest) - 1
    return f"{head}{ref[:room]}~{digest}"


def _open(
    *,
    kind: WorkOrderKind,
    origin: Origin,
    ref: str,
    subject: str,
    at: _dt.datetime,
    detail: str,
    source: str,
    source_case_id: str | None = None,
) -> WorkOrder:
    if not isinstance(kind, WorkOrderKind):
        raise InvalidInput("kind", kind, f"one of {[k.value for k in WorkOrderKind]}")
    return WorkOrder(
        id=work_order_id(kind, origin, ref),
        kind=kind,
        origin=origin,
        origin_ref=ref,
        subject=subject,
        created_at=at,
        detail=detail,
        source=source,
        source_case_id=source_case_id,
    )


def from_finding(
    finding: Finding, *, read_key: str, subject: str, at: _dt.datetime
) -> WorkOrder | None:
    """Return the work order ``finding`` (about the read ``read_key``) calls for, or None.

    The order is keyed by the read and the rule: the same finding always gives the same order.
    """
    if finding.work_order is None:
        return None
    return _open(
        kind=finding.work_order,
        origin=Origin.VEE,
        ref=f"{read_key}/{finding.rule_id}",
        subject=subject,
        at=at,
        detail=f"{finding.rule_id}: {finding.message}",
        source=finding.source,
    )


def from_inspection(
    *,
    inspection_id: str,
    kind: WorkOrderKind,
    subject: str,
    at: _dt.datetime,
    detail: str,
    source: str = "",
) -> WorkOrder:
    """Return the ``kind`` work order an inspection (用电检查) ``inspection_id`` raises."""
    return _open(
        kind=kind,
        origin=Origin.INSPECTION,
        ref=inspection_id,
        subject=subject,
        at=at,
        detail=detail,
        source=source,
    )


def from_case(
    *,
    case_id: str,
    kind: WorkOrderKind,
    subject: str,
    at: _dt.datetime,
    detail: str,
    source: str = "",
) -> WorkOrder:
    """Return the ``kind`` work order service case ``case_id`` raises (one per case and kind)."""
    return _open(
        kind=kind,
        origin=Origin.CASE,
        ref=case_id,
        subject=subject,
        at=at,
        detail=detail,
        source=source,
        source_case_id=case_id,
    )


def is_open(order: WorkOrder) -> bool:
    """Whether the order still has work to do (created, dispatched or done but not verified)."""
    return order.state not in (WorkOrderState.VERIFIED, WorkOrderState.CANCELLED)


# ---------------------------------------------------------------------- the machine


def has_assignee(order: WorkOrder, ctx: Mapping[str, Any]) -> bool:
    """The dispatch names someone to do the work."""
    return bool(str(ctx.get("assignee") or "").strip())


def has_result(order: WorkOrder, ctx: Mapping[str, Any]) -> bool:
    """The completion says what was done."""
    return bool(str(ctx.get("result") or "").strip())


def verifier_did_not_do_it(order: WorkOrder, ctx: Mapping[str, Any]) -> bool:
    """The verifier is not the person the order was dispatched to (four eyes)."""
    return ctx.get("by") != order.assignee


_S: Final = WorkOrderState
_E: Final = WorkOrderEvent

#: The work-order process.
WORK_ORDER_MACHINE: Final[StateMachine[WorkOrderState, WorkOrderEvent]] = StateMachine(
    "work order",
    initial=_S.CREATED,
    finals={_S.VERIFIED, _S.CANCELLED},
    transitions=[
        Transition(_S.CREATED, _E.DISPATCH, _S.DISPATCHED, guard=has_assignee),
        Transition(_S.DISPATCHED, _E.COMPLETE, _S.DONE, guard=has_result),
        Transition(
            _S.DONE,
            _E.VERIFY,
            _S.VERIFIED,
            guard=verifier_did_not_do_it,
            permission=VERIFY_WORK_ORDER,
        ),
        Transition(_S.DONE, _E.REOPEN, _S.DISPATCHED, permission=VERIFY_WORK_ORDER),
        Transition(_S.CREATED, _E.CANCEL, _S.CANCELLED),
        Transition(_S.DISPATCHED, _E.CANCEL, _S.CANCELLED),
    ],
)


@attrs.frozen
class WorkStep:
    """A work-order step done: the moved order, its transition record and the grant (if any)."""

    order: WorkOrder
    record: TransitionRecord[WorkOrderState, WorkOrderEvent]
    audit: AuditRecord | None


def _fire(
    order: WorkOrder,
    event: WorkOrderEvent,
    *,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
    why: str,
    context: Mapping[str, Any] | None = None,
    **changes: Any,
) -> WorkStep:
    fired = WORK_ORDER_MACHINE.fire(
        order,
        event,
        policy=policy,
        actor=actor,
        at=at,
        why=why,
        context={"at": at, "by": actor.id, **(context or {})},
        history=True,
        **changes,
    )
    return WorkStep(fired.entity, fired.record, fired.audit)


def dispatch(
    order: WorkOrder, *, assignee: str, policy: AccessPolicy, actor: Actor, at: _dt.datetime
) -> WorkStep:
    """Dispatch the order to ``assignee`` (派工).

    Raises:
        GuardRefused: no assignee named.
        TransitionNotAllowed: the order is not waiting to be dispatched.
    """
    return _fire(
        order,
        WorkOrderEvent.DISPATCH,
        policy=policy,
        actor=actor,
        at=at,
        why=f"dispatched to {assignee}",
        context={"assignee": assignee},
        assignee=assignee,
    )


def complete(
    order: WorkOrder, *, result: str, policy: AccessPolicy, actor: Actor, at: _dt.datetime
) -> WorkStep:
    """Record the work done (``result``): the order's clock stops.

    Raises:
        GuardRefused: no result given.
        TransitionNotAllowed: the order is not dispatched.
    """
    return _fire(
        order,
        WorkOrderEvent.COMPLETE,
        policy=policy,
        actor=actor,
        at=at,
        why=result,
        context={"result": result},
        result=result,
    )


def verify(order: WorkOrder, *, policy: AccessPolicy, actor: Actor, at: _dt.datetime) -> WorkStep:
    """Verify the work done (验收): needs ``verify_work_order``, by someone else than the doer.

    Raises:
        PermissionDenied: the actor may not verify work orders (its ``audit`` records it).
        GuardRefused: the actor is the one who did the work.
        TransitionNotAllowed: the order is not done.
    """
    return _fire(
        order,
        WorkOrderEvent.VERIFY,
        policy=policy,
        actor=actor,
        at=at,
        why="verified",
        verified_by=actor.id,
    )


def reopen(
    order: WorkOrder, *, why: str, policy: AccessPolicy, actor: Actor, at: _dt.datetime
) -> WorkStep:
    """Send a done order back to its assignee (verification failed); its clock runs again.

    Raises:
        PermissionDenied: the actor may not verify work orders.
        TransitionNotAllowed: the order is not done.
    """
    return _fire(
        order, WorkOrderEvent.REOPEN, policy=policy, actor=actor, at=at, why=why, result=None
    )


def cancel(
    order: WorkOrder, *, why: str, policy: AccessPolicy, actor: Actor, at: _dt.datetime
) -> WorkStep:
    """Cancel an order not yet done (raised in error, overtaken by events).

    Raises:
        TransitionNotAllowed: the order is done, verified or cancelled.
    """
    return _fire(order, WorkOrderEvent.CANCEL, policy=policy, actor=actor, at=at, why=why)


# ---------------------------------------------------------------------- time limits

_NO_NUMBER: Final = (
    "no instrument gives a number; powerretail default — set your own (WorkOrderLimits)"
)


def _limit(kind: WorkOrderKind, limit: int, unit: SlaUnit, source: str, status: str) -> SlaPolicy:
    return SlaPolicy(
        key=f"work_order_{kind.value}",
        name=f"Work order done: {kind.value.replace('_', ' ')}",
        limit=limit,
        unit=unit,
        rule_set="SEED",
        source=source,
        status=status,
        start_events={"created"},
        stop_events={"done"},
        pause_events=frozenset(),
        resume_events=frozenset(),
    )


def _policies(value: Mapping[WorkOrderKind, SlaPolicy]) -> Mapping[WorkOrderKind, SlaPolicy]:
    policies = dict(value)
    for kind, policy in policies.items():
        if not isinstance(kind, WorkOrderKind) or not isinstance(policy, SlaPolicy):
            raise InvalidInput("policies", kind, "WorkOrderKind keys with SlaPolicy values")
        if "created" not in policy.start_events or "done" not in policy.stop_events:
            raise InvalidInput(
                f"policies.{kind.value}", policy.key, "a policy started by created, stopped by done"
            )
    return policies


@attrs.frozen(kw_only=True)
class WorkOrderLimits:
    """The time limit of each kind of work order under one rule set (``key``)."""

    key: str
    policies: Mapping[WorkOrderKind, SlaPolicy] = attrs.field(converter=_policies)

    def policy_for(self, kind: WorkOrderKind) -> SlaPolicy:
        """Return the limit of ``kind``.

        Raises:
            NotFound: the rule set has no limit for the kind.
        """
        try:
            return self.policies[kind]
        except KeyError:
            raise NotFound(f"{self.key} work-order limit", kind.value) from None


def _from_catalogue(kind: WorkOrderKind, key: str, catalogue_key: str) -> SlaPolicy:
    found = rule_set(key).policy(catalogue_key)
    return _limit(kind, found.limit, found.unit, found.source, found.status)


_WK: Final = WorkOrderKind
_WD: Final = SlaUnit.WORKING_DAYS

#: The seed's work-order limits: the exception ticket handed to the marketing manager within the
#: internal hand-off day (SEED item 17), the meter test within State Grid's 5 working days; the
#: others carry a powerretail default of 5 working days, marked as such.
SEED_WORK_ORDER_LIMITS: Final = WorkOrderLimits(
    key="SEED",
    policies={
        _WK.EXCEPTION_TICKET: _from_catalogue(_WK.EXCEPTION_TICKET, "SEED", "internal_handover"),
        _WK.METER_TEST: _from_catalogue(_WK.METER_TEST, "SGCC10", "meter_test_result"),
        **{
            kind: _limit(kind, 5, _WD, _NO_NUMBER, "uncertain")
            for kind in WorkOrderKind
            if kind not in (_WK.EXCEPTION_TICKET, _WK.METER_TEST)
        },
    },
)


def _done_at(order: WorkOrder) -> pendulum.DateTime | None:
    if order.state not in (WorkOrderState.DONE, WorkOrderState.VERIFIED):
        return None
    for record in reversed(order.history):
        if record.event is WorkOrderEvent.COMPLETE:
            return as_instant(record.at)
    return None  # pragma: no cover - a done order has a completion record


def work_order_clock(
    order: WorkOrder,
    limits: WorkOrderLimits = SEED_WORK_ORDER_LIMITS,
    *,
    calendar: BusinessCalendar | None = None,
    zone: str = DEFAULT_TIMEZONE,
) -> SlaClock:
    """Return the order's clock: started at creation, stopped by its (last) completion.

    Raises:
        NotFound: ``limits`` has no limit for the order's kind.
    """
    events = [SlaEvent("created", order.created_at)]
    done = _done_at(order)
    if done is not None:
        events.append(SlaEvent("done", done))
    extra: dict[str, Any] = {} if calendar is None else {"calendar": calendar}
    return SlaClock(policy=limits.policy_for(order.kind), events=tuple(events), zone=zone, **extra)


@attrs.frozen(kw_only=True)
class WorkOrderBreach:
    """A work order done later than its limit, or still not done past it."""

    order_id: str
    kind: WorkOrderKind
    subject: str
    due_at: pendulum.DateTime
    done_at: pendulum.DateTime | None
    late_by: timedelta
    rule_set: str
    source: str

    def explain(self) -> str:
        """One line: which order, how late, which rule."""
        done = "not done" if self.done_at is None else f"done {self.done_at}"
        return (
            f"work order {self.order_id} ({self.kind.value}) due {self.due_at}, {done}, late by "
            f"{self.late_by} ({self.rule_set}: {self.source})"
        )


def work_order_breach(
    order: WorkOrder,
    *,
    as_of: _dt.datetime,
    limits: WorkOrderLimits = SEED_WORK_ORDER_LIMITS,
    calendar: BusinessCalendar | None = None,
) -> WorkOrderBreach | None:
    """Return the breach record if the order is (or was) late as of ``as_of``, else None.

    A cancelled order has no breach.
    """
    if order.state is WorkOrderState.CANCELLED:
        return None
    clock = work_order_clock(order, limits, calendar=calendar)
    done = _done_at(order)
    late = clock.overdue_by(max(as_instant(as_of, "as_of"), order.created_at), done_at=done)
    if late is None:
        return None
    assert clock.due_at is not None  # a work-order clock never pauses
    policy = limits.policy_for(order.kind)
    return WorkOrderBreach(
        order_id=order.id,
        kind=order.kind,
        subject=order.subject,
        due_at=clock.due_at,
        done_at=done,
        late_by=late,
        rule_set=limits.key,
        source=policy.source,
    )
