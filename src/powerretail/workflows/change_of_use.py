"""Run a change of use (变更用电) case into the account's billing, each step idempotent.

A change-of-use case is opened like any case (:func:`~powerretail.workflows.service.intake_case`
with ``change_of_use=``), approved with :func:`~powerretail.workflows.service.fire_step`
(``CaseEvent.APPROVE``, which needs the ``approve_change_of_use`` permission and is audited
either way) and closed with :func:`~powerretail.workflows.service.close_case`. This module adds
the two steps that read and write billing:

* :func:`check_change_of_use` — the request is checked against the account's billing profile:
  a capacity change with :func:`~powerretail.billing.capacity.check_change` on its capacity
  history, a change of name against 第二十九条. A refusal ends the case as refused, its rule
  and reason on the case and in the event;
* :func:`carry_out_change_of_use` — the change is done on a given day: a capacity change is
  checked again on that day and appended to the profile's capacity history (the next bill of the
  account splits itself there); a change of name moves the billing profile and the account to
  the new holder.

Keys name the case (``change-check/{case}``, ``change-done/{case}``): running a step again
replays its outcome and changes nothing.
"""

from __future__ import annotations

import datetime as _dt
from datetime import date

import attrs

from powerretail.access import AccessPolicy, Actor
from powerretail.billing.capacity import ChangeDecision, check_change
from powerretail.errors import InvalidInput, RuleViolation
from powerretail.ids import AccountId, CustomerId
from powerretail.repositories.billing import BILLING_PROFILES, BillingProfile
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import command_payload, run_idempotent
from powerretail.repositories.customers import ACCOUNTS
from powerretail.repositories.service import SERVICE_CASES, StoredCase
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.service.cases import Case, step
from powerretail.service.changes import ChangeOfUseDetails, check_request
from powerretail.service.kinds import CaseEvent
from powerretail.timeframe import as_date, as_instant
from powerretail.workflows._common import event
from powerretail.workflows.service import load_case

__all__ = ["ChangeOfUseRefused", "carry_out_change_of_use", "check_change_of_use"]

_CHECK = "change_of_use_check"
_CARRY_OUT = "change_of_use_carry_out"


class ChangeOfUseRefused(RuleViolation):
    """An approved change can no longer be carried out on the day given; names the rule."""

    def __init__(self, case_id: str, on: date, decision: ChangeDecision) -> None:
        self.case_id = case_id
        self.on = on
        self.decision = decision
        super().__init__(case_id, on, decision)

    def __str__(self) -> str:
        return (
            f"change of use {self.case_id} on {self.on}: refused by {self.decision.rule}: "
            f"{self.decision.reason}"
        )


def _details(case: Case) -> ChangeOfUseDetails:
    if case.change_of_use is None:
        raise InvalidInput("case.kind", case.kind.value, "a change-of-use case")
    return case.change_of_use


def _emit(
    uow: UnitOfWork,
    *,
    command: str,
    key: str,
    case: Case,
    event_type: str,
    at: _dt.datetime,
    payload: dict[str, JsonValue],
) -> None:
    uow.outbox.append(
        event(
            command=command,
            key=key,
            kind=SERVICE_CASES.kind,
            aggregate_id=case.id,
            event_type=event_type,
            payload={
                "case_id": case.id,
                "customer_id": str(case.customer_id),
                "state": case.state.value,
                **payload,
            },
            at=as_instant(at),
        )
    )


def check_change_of_use(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    case_id: str,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
) -> Case:
    """Check the request of case ``case_id`` against its account's billing profile.

    Allowed: the case is checked (ready for approval). Refused: the case ends as refused, with
    the rule and the reason on its request, in the step's why and in the
    ``ChangeOfUseRefused`` event.

    Raises:
        CommandRefused: no such case or billing profile, or the case is not waiting for its
            check.
    """
    key = f"change-check/{case_id}"

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        cases = uow.repository(SERVICE_CASES)
        stored = cases.get(case_id)
        case = stored.entity.case_with_history()
        details = _details(case)
        profile = uow.repository(BILLING_PROFILES).get(AccountId(details.account_id)).entity
        decision = check_request(
            details, profile.facts.capacity_history, holder=str(profile.customer_id)
        )
        checked = attrs.evolve(details, rule=decision.rule, reason=decision.reason)
        if decision.allowed:
            why = f"变更用电 checked: {details.label} allowed"
            event_name, event_type = CaseEvent.CHECK, "ChangeOfUseChecked"
        else:
            why = f"变更用电 refused: {details.label}: {decision.rule}: {decision.reason}"
            event_name, event_type = CaseEvent.REFUSE, "ChangeOfUseRefused"
        done = step(
            case,
            event_name,
            policy=policy,
            actor=actor,
            at=at,
            why=why,
            context={"decision": decision},
            change_of_use=checked,
            **({} if decision.allowed else {"feedback": why}),
        )
        cases.save(StoredCase.of(done.case), stored.version)
        result: dict[str, JsonValue] = {
            "case_id": case_id,
            "state": done.case.state.value,
            "allowed": decision.allowed,
            "rule": decision.rule,
            "reason": decision.reason,
        }
        _emit(
            uow,
            command=_CHECK,
            key=key,
            case=done.case,
            event_type=event_type,
            at=at,
            payload={k: v for k, v in result.items() if k != "case_id"},
        )
        return result

    run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command=_CHECK,
        payload=command_payload(case_id=case_id, actor=actor.id, at=at),
        action=action,
    )
    return load_case(make_unit_of_work, case_id)


def _carried(
    profile: BillingProfile, details: ChangeOfUseDetails, case_id: str, on: date
) -> tuple[BillingProfile, str]:
    if details.change is None:
        assert details.new_customer_id is not None  # one of the two, checked on the details
        moved = attrs.evolve(profile, customer_id=CustomerId(details.new_customer_id))
        return moved, f"过户 from {profile.customer_id} to {details.new_customer_id} on {on}"
    history = profile.facts.capacity_history
    if history is None:
        raise InvalidInput(
            "capacity_history", None, f"a capacity history on account {profile.account_id}"
        )
    change = attrs.evolve(details.change, on=on, applied_on=None)
    decision = check_change(history, change)
    if not decision.allowed:
        raise ChangeOfUseRefused(case_id, on, decision)
    written = attrs.evolve(history, changes=(*history.changes, change))
    facts = attrs.evolve(profile.facts, capacity_history=written)
    return attrs.evolve(profile, facts=facts), f"{details.label} from {on}"


def carry_out_change_of_use(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    case_id: str,
    on: date | str,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
) -> Case:
    """Carry out the approved change of case ``case_id`` on day ``on`` (sealing, swap or 过户 day).

    A capacity change is checked again with the history as it is now and, allowed, appended to
    the billing profile's capacity history with ``on`` as its day: the account's next bill
    splits at ``on``. A change of name moves the billing profile and the account (when stored)
    to the new holder from that day. Nothing else of the account changes: its final bill,
    deposit and contract are the workflows of a move (:mod:`powerretail.workflows.moves`).

    Raises:
        CommandRefused: the case is not approved, the profile has no capacity history, or the
            change is refused on ``on`` (:class:`ChangeOfUseRefused`, naming the rule).
    """
    day = as_date(on, "on")
    key = f"change-done/{case_id}"

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        cases = uow.repository(SERVICE_CASES)
        stored = cases.get(case_id)
        case = stored.entity.case_with_history()
        details = _details(case)
        profiles = uow.repository(BILLING_PROFILES)
        profile, version = profiles.get(AccountId(details.account_id))
        moved, what = _carried(profile, details, case_id, day)
        done = step(
            case,
            CaseEvent.CARRY_OUT,
            policy=policy,
            actor=actor,
            at=at,
            why=f"变更用电 carried out: {what}",
            feedback=f"变更用电 carried out: {what}",
        )
        profiles.save(moved, version)
        if details.new_customer_id is not None:
            accounts = uow.repository(ACCOUNTS)
            found = accounts.find(AccountId(details.account_id))
            if found is not None:
                holder = CustomerId(details.new_customer_id)
                accounts.save(attrs.evolve(found.entity, customer_id=holder), found.version)
        cases.save(StoredCase.of(done.case), stored.version)
        result: dict[str, JsonValue] = {
            "case_id": case_id,
            "state": done.case.state.value,
            "account_id": details.account_id,
            "on": day.isoformat(),
            "customer_id": str(moved.customer_id),
        }
        _emit(
            uow,
            command=_CARRY_OUT,
            key=key,
            case=done.case,
            event_type="ChangeOfUseCarriedOut",
            at=at,
            payload={"account_id": details.account_id, "on": day.isoformat(), "what": what},
        )
        return result

    run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command=_CARRY_OUT,
        payload=command_payload(case_id=case_id, on=day, actor=actor.id, at=at),
        action=action,
    )
    return load_case(make_unit_of_work, case_id)
