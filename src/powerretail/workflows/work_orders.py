"""Raise and move work orders in the store: from findings, inspections and cases.

:func:`raise_work_orders` stores, inside a caller's unit of work, the work orders a set of
findings calls for (the meter-read workflow calls it for every read it checks): an order is
stored once under its id (:func:`~powerretail.service.work_orders.work_order_id`), and not at all
while an open order of the same kind for the same subject exists (a third unread cycle does not
raise a second exception ticket). :func:`raise_from_inspection` and :func:`raise_from_case` raise
one order each, idempotently; :func:`step_work_order` dispatches, completes, verifies, reopens or
cancels one, its grant or refusal audited.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

from powerretail.access import AccessPolicy, Actor
from powerretail.errors import InvalidInput
from powerretail.metering.vee import WorkOrderKind
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import command_payload, run_idempotent
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.repositories.work_orders import WORK_ORDERS, StoredWorkOrder
from powerretail.service.work_orders import (
    WorkOrder,
    WorkOrderEvent,
    WorkStep,
    cancel,
    complete,
    dispatch,
    from_case,
    from_inspection,
    is_open,
    reopen,
    verify,
)
from powerretail.timeframe import as_instant
from powerretail.workflows._common import announce, run_step

__all__ = [
    "COMMAND",
    "list_work_orders",
    "raise_from_case",
    "raise_from_inspection",
    "raise_work_orders",
    "step_work_order",
]

#: The command name of work-order commands (idempotency keys are scoped by it).
COMMAND = "work_order"


def raise_work_orders(
    uow: UnitOfWork, orders: Iterable[WorkOrder], *, command: str = COMMAND
) -> tuple[str, ...]:
    """Store ``orders`` in ``uow`` (not committed): each once, none beside an open twin.

    An order whose id is stored already, or whose kind has an open order for the same subject,
    is skipped. Returns the ids stored.
    """
    repository = uow.repository(WORK_ORDERS)
    stored: list[str] = []
    for order in orders:
        if repository.find(order.id) is not None:
            continue
        twins = [
            s.entity.order
            for s in repository.query(subject=order.subject)
            if s.entity.order.kind is order.kind and is_open(s.entity.order)
        ]
        if twins:
            continue
        repository.add(StoredWorkOrder.of(order))
        announce(
            uow,
            command=command,
            key=order.id,
            kind=WORK_ORDERS.kind,
            aggregate_id=order.id,
            event_type="WorkOrderRaised",
            payload={
                "order_id": order.id,
                "kind": order.kind.value,
                "origin": order.origin.value,
                "subject": order.subject,
                "detail": order.detail,
            },
            at=order.created_at,
        )
        stored.append(order.id)
    return tuple(stored)


def _raise_one(
    make_unit_of_work: UnitOfWorkFactory, *, clock: Clock, order: WorkOrder, key: str
) -> WorkOrder:
    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        made = raise_work_orders(uow, (order,))
        return {"order_id": order.id, "stored": bool(made)}

    run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command=COMMAND,
        payload=command_payload(
            order_id=order.id, kind=order.kind.value, subject=order.subject, detail=order.detail
        ),
        action=action,
    )
    with make_unit_of_work() as uow:
        found = uow.repository(WORK_ORDERS).find(order.id)
    return order if found is None else found.entity.order_with_history()


def raise_from_inspection(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    inspection_id: str,
    kind: WorkOrderKind,
    subject: str,
    detail: str,
    source: str = "",
) -> WorkOrder:
    """Raise the ``kind`` work order inspection ``inspection_id`` found (once per inspection).

    Returns the stored order (or the new order, not stored, when an open order of the same
    kind for the subject already exists).
    """
    order = from_inspection(
        inspection_id=inspection_id,
        kind=kind,
        subject=subject,
        at=clock.now(),
        detail=detail,
        source=source,
    )
    return _raise_one(make_unit_of_work, clock=clock, order=order, key=f"raise/{order.id}")


def raise_from_case(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    case_id: str,
    kind: WorkOrderKind,
    subject: str,
    detail: str,
    source: str = "",
) -> WorkOrder:
    """Raise the ``kind`` work order of service case ``case_id`` (once per case and kind)."""
    order = from_case(
        case_id=case_id, kind=kind, subject=subject, at=clock.now(), detail=detail, source=source
    )
    return _raise_one(make_unit_of_work, clock=clock, order=order, key=f"raise/{order.id}")


def _step(
    order: WorkOrder,
    step: WorkOrderEvent,
    *,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
    assignee: str | None,
    result: str | None,
    why: str,
) -> WorkStep:
    if step is WorkOrderEvent.DISPATCH:
        return dispatch(order, assignee=assignee or "", policy=policy, actor=actor, at=at)
    if step is WorkOrderEvent.COMPLETE:
        return complete(order, result=result or "", policy=policy, actor=actor, at=at)
    if step is WorkOrderEvent.VERIFY:
        return verify(order, policy=policy, actor=actor, at=at)
    if step is WorkOrderEvent.REOPEN:
        return reopen(order, why=why or "verification failed", policy=policy, actor=actor, at=at)
    return cancel(order, why=why or "cancelled", policy=policy, actor=actor, at=at)


def step_work_order(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    order_id: str,
    step: WorkOrderEvent,
    at: _dt.datetime,
    policy: AccessPolicy,
    actor: Actor,
    assignee: str | None = None,
    result: str | None = None,
    why: str = "",
) -> WorkOrder:
    """Move work order ``order_id`` by ``step`` at ``at`` (idempotent per order, step and
    instant); the grant, or the refusal, is stored in the audit log.

    Raises:
        InvalidInput: ``step`` is not a work-order event.
        NotFound: no such order.
        CommandRefused: the step is refused (no arrow, a guard, or the permission: the refusal
            is audited).
    """
    if not isinstance(step, WorkOrderEvent):
        raise InvalidInput("step", step, f"one of {[e.value for e in WorkOrderEvent]}")
    instant = as_instant(at, "at")
    key = f"{order_id}/{step.value}/{instant.in_timezone('UTC').isoformat()}"

    def take(stored: StoredWorkOrder) -> WorkStep:
        return _step(
            stored.order_with_history(),
            step,
            policy=policy,
            actor=actor,
            at=instant,
            assignee=assignee,
            result=result,
            why=why,
        )

    moved = run_step(
        make_unit_of_work,
        clock=clock,
        command=COMMAND,
        key=key,
        aggregate=WORK_ORDERS,
        aggregate_id=order_id,
        id_field="order_id",
        take=take,
        stored=lambda done: StoredWorkOrder.of(done.order),
        moved="WorkOrderMoved",
        actor=actor,
        at=instant,
        payload=command_payload(
            order_id=order_id,
            step=step.value,
            at=instant,
            actor=actor.id,
            assignee=assignee,
            result=result,
            why=why,
        ),
    )
    return moved.order_with_history()


def list_work_orders(
    make_unit_of_work: UnitOfWorkFactory, *, open_only: bool = False
) -> tuple[WorkOrder, ...]:
    """Return every stored work order (only the open ones with ``open_only``), by id."""
    with make_unit_of_work() as uow:
        orders = [
            stored.entity.order_with_history() for stored in uow.repository(WORK_ORDERS).query()
        ]
    chosen = [order for order in orders if is_open(order) or not open_only]
    return tuple(sorted(chosen, key=lambda order: order.id))
