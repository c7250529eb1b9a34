"""Run service cases at the edge: intake, routing, hand-offs, steps and closing, each idempotent.

Every function here is one :func:`~powerretail.repositories.commands.run_idempotent` command in
one unit of work: it loads the case, applies the pure step of :mod:`powerretail.service.cases`,
stores the case, appends the audit record of a step that needed a permission (a refusal is
audited too) and one domain event. Keys are namespaced by command and name what the request is
(``intake/{case}``, ``step/{case}/{event}/{at}/{actor}`` …), so running a request again replays its
outcome and changes nothing.

* :func:`intake_case` — open a case and add the intake to the customer's contact record;
* :func:`route_case` — hand the case to the owner the routing policy picks;
* :func:`hand_off_case` / :func:`take_case` — a hand-off between roles, and its receipt;
* :func:`supervise_case` — the supervisor's note;
* :func:`fire_step` — a step of the case's machine (a reply, a scheme, an energisation …);
* :func:`close_case` — the satisfaction follow-up that closes it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from typing import Any

from powerretail.access import AccessPolicy, Actor
from powerretail.customers.parties import KeyAccountManager
from powerretail.customers.tiering import KeyAccountGrade
from powerretail.errors import InvalidInput
from powerretail.ids import CustomerId
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import command_payload, run_idempotent
from powerretail.repositories.customers import CONTACT_RECORDS, CUSTOMERS
from powerretail.repositories.service import SERVICE_CASES, StoredCase
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.service.cases import (
    Case,
    IntakeChannel,
    Satisfaction,
    Stepped,
    energise,
    extend_scheme,
    follow_up,
    hand_off,
    open_case,
    reply,
    reply_scheme,
    step,
    supervise,
    take_over,
)
from powerretail.service.changes import ChangeOfUseDetails
from powerretail.service.connections import ConnectionDetails, SupplyScheme
from powerretail.service.kinds import Area, CaseEvent, CaseKind
from powerretail.service.routing import RoutingPolicy, route
from powerretail.timeframe import as_instant
from powerretail.workflows._common import announce

__all__ = [
    "close_case",
    "fire_step",
    "hand_off_case",
    "intake_case",
    "load_case",
    "route_case",
    "supervise_case",
    "take_case",
]

_INTAKE = "service_intake"
_ROUTE = "service_route"
_HAND_OFF = "service_hand_off"
_TAKE = "service_take"
_SUPERVISE = "service_supervise"
_STEP = "service_step"
_CLOSE = "service_close"


def load_case(make_unit_of_work: UnitOfWorkFactory, case_id: str) -> Case:
    """Return the stored case ``case_id`` with its history.

    Raises:
        NotFound: no such case.
    """
    with make_unit_of_work() as uow:
        return uow.repository(SERVICE_CASES).get(case_id).entity.case_with_history()


def _emit(
    uow: UnitOfWork,
    *,
    command: str,
    key: str,
    case: Case,
    event_type: str,
    at: _dt.datetime,
    detail: str,
) -> None:
    announce(
        uow,
        command=command,
        key=key,
        kind=SERVICE_CASES.kind,
        aggregate_id=case.id,
        event_type=event_type,
        payload={
            "case_id": case.id,
            "kind": case.kind.value,
            "customer_id": str(case.customer_id),
            "state": case.state.value,
            "owner": case.owner,
            "detail": detail,
        },
        at=as_instant(at),
    )


def _update(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    command: str,
    key: str,
    case_id: str,
    payload: dict[str, JsonValue],
    change: Callable[[Case], tuple[Case, Stepped | None]],
    event_type: str,
    at: _dt.datetime,
) -> Case:
    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        cases = uow.repository(SERVICE_CASES)
        stored = cases.get(case_id)
        moved, stepped = change(stored.entity.case_with_history())
        if stepped is not None and stepped.audit is not None:
            uow.audit.append(stepped.audit)
        cases.save(StoredCase.of(moved), stored.version)
        detail = stepped.record.why if stepped is not None else event_type
        _emit(
            uow, command=command, key=key, case=moved, event_type=event_type, at=at, detail=detail
        )
        return {"case_id": case_id, "state": moved.state.value, "owner": moved.owner}

    run_idempotent(
        make_unit_of_work, clock=clock, key=key, command=command, payload=payload, action=action
    )
    return load_case(make_unit_of_work, case_id)


def intake_case(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    case_id: str,
    kind: CaseKind,
    customer_id: str,
    channel: IntakeChannel,
    received_by: str,
    at: _dt.datetime,
    subject: str,
    area: Area = Area.URBAN,
    region: str = "",
    rules: str = "SEED",
    connection: ConnectionDetails | None = None,
    change_of_use: ChangeOfUseDetails | None = None,
) -> Case:
    """Open case ``case_id`` and add the intake to the customer's contact record (idempotent).

    Raises:
        CommandRefused: the case could not be opened (its reason), or ``case_id`` exists.
        IdempotencyConflict: ``case_id`` was opened with other details.
    """
    key = f"intake/{case_id}"

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        records = uow.repository(CONTACT_RECORDS)
        existing = records.find(CustomerId(customer_id))
        opened = open_case(
            case_id=case_id,
            kind=kind,
            customer_id=customer_id,
            channel=channel,
            received_by=received_by,
            at=at,
            subject=subject,
            area=area,
            region=region,
            rules=rules,
            connection=connection,
            contact_record=None if existing is None else existing.entity,
            change_of_use=change_of_use,
        )
        uow.repository(SERVICE_CASES).add(StoredCase.of(opened.case))
        if existing is None:
            records.add(opened.contact_record)
        else:
            records.save(opened.contact_record, existing.version)
        _emit(
            uow,
            command=_INTAKE,
            key=key,
            case=opened.case,
            event_type="CaseOpened",
            at=at,
            detail=subject,
        )
        return {"case_id": case_id}

    run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command=_INTAKE,
        payload=command_payload(
            case_id=case_id,
            kind=kind,
            customer_id=customer_id,
            channel=channel,
            received_by=received_by,
            at=at,
            subject=subject,
            area=area,
            region=region,
            rules=rules,
            connection=connection,
            change_of_use=change_of_use,
        ),
        action=action,
    )
    return load_case(make_unit_of_work, case_id)


def route_case(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    case_id: str,
    policy: RoutingPolicy,
    managers: Sequence[KeyAccountManager],
    grade: KeyAccountGrade | None,
    at: _dt.datetime,
) -> Case:
    """Hand the case to the owner ``policy`` picks for its customer (nothing if it owns it).

    The customer is read from the store; ``grade`` is its key-account grade (None: not one).

    Raises:
        CommandRefused: no such customer, or the case cannot be handed off.
    """
    with make_unit_of_work() as uow:
        stored = uow.repository(SERVICE_CASES).get(case_id).entity
        customer = uow.repository(CUSTOMERS).get(CustomerId(stored.customer_id)).entity
    routing = route(stored.case.kind, customer, grade, managers, policy)

    def change(case: Case) -> tuple[Case, Stepped | None]:
        if routing.owner == case.owner:
            return case, None
        return (
            hand_off(case, to_owner=routing.owner, to_role=routing.role, at=at, why=routing.reason),
            None,
        )

    return _update(
        make_unit_of_work,
        clock=clock,
        command=_ROUTE,
        key=f"route/{case_id}",
        case_id=case_id,
        payload=command_payload(case_id=case_id, owner=routing.owner, role=routing.role, at=at),
        change=change,
        event_type="CaseRouted",
        at=at,
    )


def hand_off_case(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    case_id: str,
    to_owner: str,
    to_role: str,
    at: _dt.datetime,
    why: str,
) -> Case:
    """Hand the case to ``to_owner`` in ``to_role`` (its internal hand-off clock starts).

    Raises:
        CommandRefused: the case cannot be handed off (closed, a hand-off not yet taken …).
    """
    return _update(
        make_unit_of_work,
        clock=clock,
        command=_HAND_OFF,
        key=f"hand-off/{case_id}/{to_owner}/{as_instant(at).isoformat()}",
        case_id=case_id,
        payload=command_payload(
            case_id=case_id, to_owner=to_owner, to_role=to_role, at=at, why=why
        ),
        change=lambda case: (
            hand_off(case, to_owner=to_owner, to_role=to_role, at=at, why=why),
            None,
        ),
        event_type="CaseHandedOff",
        at=at,
    )


def take_case(
    make_unit_of_work: UnitOfWorkFactory, *, clock: Clock, case_id: str, by: str, at: _dt.datetime
) -> Case:
    """Record that ``by`` took the case handed to them (the hand-off clock stops).

    Raises:
        CommandRefused: no hand-off to ``by`` is waiting.
    """
    return _update(
        make_unit_of_work,
        clock=clock,
        command=_TAKE,
        key=f"take/{case_id}/{by}/{as_instant(at).isoformat()}",
        case_id=case_id,
        payload=command_payload(case_id=case_id, by=by, at=at),
        change=lambda case: (take_over(case, by=by, at=at), None),
        event_type="CaseTaken",
        at=at,
    )


def supervise_case(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    case_id: str,
    by: str,
    at: _dt.datetime,
    note: str,
) -> Case:
    """Add the supervisor's note to the case.

    Raises:
        CommandRefused: a blank note.
    """
    return _update(
        make_unit_of_work,
        clock=clock,
        command=_SUPERVISE,
        key=f"supervise/{case_id}/{by}/{as_instant(at).isoformat()}",
        case_id=case_id,
        payload=command_payload(case_id=case_id, by=by, at=at, note=note),
        change=lambda case: (supervise(case, by=by, at=at, note=note), None),
        event_type="CaseSupervised",
        at=at,
    )


def fire_step(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    case_id: str,
    event_name: CaseEvent,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
    why: str = "",
    feedback: str | None = None,
    scheme: SupplyScheme | None = None,
) -> Case:
    """Move the case by ``event_name`` of its machine, as ``actor``.

    A reply needs ``feedback`` (told the customer); a scheme reply needs ``scheme``; an
    energisation may carry ``feedback`` (what the customer is told). A step whose arrow needs a
    permission stores its audit record; a refusal is stored with its audit record and raised.

    Raises:
        CommandRefused: the step was refused (permission, a guard, a connection rule, or an
            event the case's state does not take), its reason in the message.
    """

    def change(case: Case) -> tuple[Case, Stepped]:
        if event_name is CaseEvent.REPLY:
            done = reply(case, feedback=feedback or "", policy=policy, actor=actor, at=at)
        elif event_name is CaseEvent.REPLY_SCHEME:
            if scheme is None:
                raise _missing("scheme")
            done = reply_scheme(case, scheme=scheme, policy=policy, actor=actor, at=at)
        elif event_name is CaseEvent.EXTEND_SCHEME:
            done = extend_scheme(case, policy=policy, actor=actor, at=at)
        elif event_name is CaseEvent.ENERGISE and feedback is not None:
            done = energise(case, feedback=feedback, policy=policy, actor=actor, at=at)
        else:
            changes: dict[str, Any] = {} if feedback is None else {"feedback": feedback}
            done = step(
                case,
                event_name,
                policy=policy,
                actor=actor,
                at=at,
                why=why or event_name.value,
                **changes,
            )
        return done.case, done

    return _update(
        make_unit_of_work,
        clock=clock,
        command=_STEP,
        key=f"step/{case_id}/{event_name.name}/{as_instant(at).isoformat()}/{actor.id}",
        case_id=case_id,
        payload=command_payload(
            case_id=case_id,
            event=event_name,
            actor=actor.id,
            roles=sorted(actor.roles),
            at=at,
            why=why,
            feedback=feedback,
            scheme=scheme,
        ),
        change=change,
        event_type=f"Case{event_name.name.title().replace('_', '')}",
        at=at,
    )


def _missing(field: str) -> InvalidInput:
    return InvalidInput(field, None, f"a {field} for this step")


def close_case(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    case_id: str,
    satisfaction: Satisfaction,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
    note: str = "",
) -> Case:
    """Close the case with the satisfaction follow-up (回访).

    Raises:
        CommandRefused: the customer has had no feedback, or the case is not ready to close.
    """

    def change(case: Case) -> tuple[Case, Stepped]:
        done = follow_up(
            case, satisfaction=satisfaction, policy=policy, actor=actor, at=at, note=note
        )
        return done.case, done

    return _update(
        make_unit_of_work,
        clock=clock,
        command=_CLOSE,
        key=f"close/{case_id}",
        case_id=case_id,
        payload=command_payload(
            case_id=case_id, satisfaction=satisfaction, actor=actor.id, at=at, note=note
        ),
        change=change,
        event_type="CaseClosed",
        at=at,
    )
