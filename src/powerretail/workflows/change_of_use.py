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
  account splits itself there); a change of name (过户) is a transfer: refused while the old
  holder owes (第二十九条: 结清债务), the old account closed with its final bill to the day (the
  move-out's steps, :mod:`powerretail.workflows.moves`), the deposit applied and refunded or
  moved to the new holder (:mod:`powerretail.workflows.collections`), the old contract ended
  and the new one signed, and the new holder's account opened from the day with the same
  billing profile, meters and service points (:class:`TransferTerms`).

Keys name the case (``change-check/{case}``; ``change-done/{case}/{at}/{actor}``, as a case step
is keyed): running a step again replays its outcome and changes nothing, and a carry-out refused
(not approved yet, the old holder still owing, a permission missing) may be tried again later or
by someone else.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Sequence
from datetime import date

import attrs

from powerretail.access import CARRY_OUT_TRANSFER, AccessPolicy, Actor
from powerretail.billing.capacity import ChangeDecision, check_change
from powerretail.collections.deposits import deposit_basis
from powerretail.contracts.lifecycle import Contract, ContractState, sign, terminate
from powerretail.customers.contacts import Channel
from powerretail.customers.parties import Account, Customer
from powerretail.errors import InvalidInput, RuleViolation
from powerretail.ids import AccountId, ContractId
from powerretail.metering.reads import RegisterRead
from powerretail.quantities import Money
from powerretail.repositories.audit import authorize_in
from powerretail.repositories.billing import BILLING_PROFILES, BillingProfile
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import command_payload, run_idempotent
from powerretail.repositories.contracts import CONTRACTS, StoredContract
from powerretail.repositories.customers import ACCOUNTS, SERVICE_POINTS
from powerretail.repositories.payments import RECEIVABLES
from powerretail.repositories.service import SERVICE_CASES, StoredCase
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.service.cases import Case, step
from powerretail.service.changes import (
    ChangeOfUseDetails,
    check_request,
    transfer_settlement_rule,
)
from powerretail.service.kinds import CaseEvent
from powerretail.timeframe import as_date, as_instant, local_date
from powerretail.workflows._common import ReadsMissing, announce
from powerretail.workflows.collections import (
    apply_held_deposit,
    move_held_deposit,
    refund_held_deposit,
)
from powerretail.workflows.moves import (
    close_with_final_bill,
    open_account_records,
    record_move_contact,
)
from powerretail.workflows.service import load_case

__all__ = [
    "ChangeOfUseRefused",
    "DepositAtTransfer",
    "TransferNotSettled",
    "TransferTerms",
    "carry_out_change_of_use",
    "check_change_of_use",
]

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


class TransferNotSettled(RuleViolation):
    """The old holder still owes: a change of name waits until it is settled; names the rule."""

    def __init__(self, account_id: str, owed: Money, on: date) -> None:
        self.account_id = account_id
        self.owed = owed
        self.on = on
        self.rule = transfer_settlement_rule(on)
        super().__init__(account_id, owed, on)

    def __str__(self) -> str:
        return (
            f"过户 of account {self.account_id} on {self.on} refused: {self.owed} is still owed "
            f"(arrears and late fees charged); {self.rule}"
        )


class DepositAtTransfer(enum.Enum):
    """What happens to the old holder's deposit (电费保证金) at a change of name."""

    #: Applied to what the old holder owes (the final bill), the rest refunded to the old holder.
    REFUND = "refund"
    #: Moved to the new holder's account, as the parties agree; from 2024-06-01 only where the
    #: new holder's supply contract agrees a deposit (``deposit_clause``).
    TRANSFER = "transfer"


def _reads(value: Sequence[RegisterRead]) -> tuple[RegisterRead, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class TransferTerms:
    """How a change of name (过户) is carried out: the settlement of the old holder, the new one.

    ``new_account_id`` is the account opened for the new holder (its billing continues from the
    old account's profile, meters and service points); ``final_reads`` are the reads taken on
    the transfer day (the last of the old holder, the first of the new); ``new_customer`` is
    stored when the new holder is not yet a customer. ``deposit`` says where the old holder's
    deposit goes (``deposit_clause``: the new contract's clause agreeing one, needed from
    2024-06-01). ``ends_contract`` is the old holder's contract, terminated on the day;
    ``new_contract`` (reviewed, awaiting signature) is signed as ``contract_number`` by the
    ``signatory`` given to :func:`carry_out_change_of_use`.
    """

    new_account_id: AccountId = attrs.field(converter=AccountId)
    final_reads: tuple[RegisterRead, ...] = attrs.field(converter=_reads)
    new_customer: Customer | None = None
    deposit: DepositAtTransfer = DepositAtTransfer.REFUND
    deposit_clause: str | None = None
    ends_contract: ContractId | None = None
    new_contract: Contract | None = None
    contract_number: str | None = None
    by: str = "counter"
    channel: Channel = Channel.COUNTER

    def __attrs_post_init__(self) -> None:
        if (self.new_contract is None) != (self.contract_number is None):
            raise InvalidInput(
                "contract_number", self.contract_number, "a number exactly with a new contract"
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
    announce(
        uow,
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
    ``ChangeOfUseRefused`` event. A change of name cites the rules in force on the day the case
    was opened (its local day, Asia/Shanghai).

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
            details,
            profile.facts.capacity_history,
            holder=str(profile.customer_id),
            on=local_date(case.opened_at),
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
    assert details.change is not None  # a change of name is carried out by _transfer
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


def _deposit(
    uow: UnitOfWork,
    *,
    key: str,
    terms: TransferTerms,
    old: str,
    on: date,
    at: _dt.datetime,
) -> dict[str, JsonValue]:
    """Settle the old holder's deposit as ``terms`` say; return what moved (amounts, or none)."""
    held = uow.repository(RECEIVABLES).get(AccountId(old)).entity
    found: dict[str, JsonValue] = {"deposit": terms.deposit.value, "held": str(held.deposit.amount)}
    if held.deposit.amount <= 0:
        return found
    if terms.deposit is DepositAtTransfer.TRANSFER:
        basis = deposit_basis(on, contract_clause=terms.deposit_clause)  # 2024: a clause
        moved = move_held_deposit(
            uow,
            key=key,
            from_account=old,
            to_account=terms.new_account_id,
            on=on,
            at=at,
            basis=basis,
        )
        return {**found, "transferred": moved["amount"], "basis": basis}
    if held.owed.amount > 0:
        applied = apply_held_deposit(uow, key=key, account_id=old, on=on, at=at)
        found["applied"] = applied["amount"]
    left = uow.repository(RECEIVABLES).get(AccountId(old)).entity
    if left.deposit.amount > 0 and left.owed.amount <= 0:
        refunded = refund_held_deposit(uow, key=key, account_id=old, on=on, at=at)
        found["refunded"] = refunded["amount"]
    return found


def _contracts(
    uow: UnitOfWork,
    *,
    terms: TransferTerms,
    old_holder: str,
    new_holder: str,
    policy: AccessPolicy,
    signatory: Actor | None,
    at: _dt.datetime,
    by: str,
    why: str,
) -> dict[str, JsonValue]:
    """End the old holder's contract and sign the new holder's (its signature audited)."""
    found: dict[str, JsonValue] = {}
    repository = uow.repository(CONTRACTS)
    if terms.ends_contract is not None:
        stored, version = repository.get(terms.ends_contract)
        if stored.customer_id != old_holder:
            raise InvalidInput("ends_contract", terms.ends_contract, f"a contract of {old_holder}")
        ended = terminate(stored.contract_with_history(), at=at, by=by, why=why)
        repository.save(StoredContract.of(ended), version)
        found["ended_contract"] = str(ended.id)
    if terms.new_contract is not None:
        assert terms.contract_number is not None  # given together, checked on the terms
        if terms.new_contract.buyer.customer_id != new_holder:
            raise InvalidInput(
                "new_contract.buyer.customer_id",
                terms.new_contract.buyer.customer_id,
                f"the new holder {new_holder}",
            )
        if signatory is None:
            raise InvalidInput("signatory", None, "who signs the new holder's contract")
        signed = sign(
            terms.new_contract,
            signatory=signatory,
            policy=policy,
            number=terms.contract_number,
            at=at,
            why=why,
        )
        assert signed.signature is not None  # a signature is a granted permission
        uow.audit.append(signed.signature)
        assert signed.state is ContractState.ACTIVE
        repository.add(StoredContract.of(signed))
        found["new_contract"] = str(signed.id)
    return found


def _transfer(
    uow: UnitOfWork,
    *,
    clock: Clock,
    key: str,
    details: ChangeOfUseDetails,
    terms: TransferTerms,
    on: date,
    policy: AccessPolicy,
    actor: Actor,
    signatory: Actor | None,
    at: _dt.datetime,
) -> tuple[str, dict[str, JsonValue]]:
    """Carry out the change of name of ``details`` in ``uow``; return what and the outcome."""
    assert details.new_customer_id is not None  # a change of name
    old = details.account_id
    new_holder = details.new_customer_id
    profile = uow.repository(BILLING_PROFILES).get(AccountId(old)).entity
    old_holder = str(profile.customer_id)
    why = f"过户 of account {old} from {old_holder} to {new_holder} on {on}"
    authorize_in(uow, policy, actor, CARRY_OUT_TRANSFER, subject=f"account {old}", at=at, why=why)
    receivable = uow.repository(RECEIVABLES).get(AccountId(old)).entity
    if receivable.owed.amount > 0:
        raise TransferNotSettled(old, receivable.owed, on)
    closed, bill = close_with_final_bill(
        uow,
        command=_CARRY_OUT,
        key=key,
        clock=clock,
        account_id=old,
        on=on,
        final_reads=terms.final_reads,
        by=terms.by,
    )
    continuing = uow.repository(BILLING_PROFILES).get(AccountId(old)).entity
    facts = attrs.evolve(continuing.facts, opened_on=on, closed_on=None, ytd_kwh=0)
    open_account_records(
        uow,
        customer=terms.new_customer,
        account=Account(id=terms.new_account_id, customer_id=new_holder, opened_on=on),
        profile=attrs.evolve(continuing, facts=facts),
    )
    points = uow.repository(SERVICE_POINTS)
    for point in points.query(account_id=old):
        points.save(attrs.evolve(point.entity, account_id=terms.new_account_id), point.version)
    deposit = _deposit(uow, key=key, terms=terms, old=old, on=on, at=at)
    contracts = _contracts(
        uow,
        terms=terms,
        old_holder=old_holder,
        new_holder=new_holder,
        policy=policy,
        signatory=signatory,
        at=at,
        by=actor.id,
        why=why,
    )
    owed = uow.repository(RECEIVABLES).get(AccountId(old)).entity.owed
    outcome: dict[str, JsonValue] = {
        "from_customer": old_holder,
        "to_customer": new_holder,
        "new_account_id": terms.new_account_id,
        "final_bill": bill.bill_id,
        "final_total": str(bill.total.amount),
        "old_owes": str(owed.amount),
        **deposit,
        **contracts,
    }
    what = (
        f"{why}: final bill {bill.bill_id} {bill.total} ({bill.state.value}), account "
        f"{terms.new_account_id} opened for {new_holder}"
    )
    for holder in (closed.customer_id, new_holder):
        record_move_contact(
            uow, customer_id=holder, by=terms.by, at=at, channel=terms.channel, what=what
        )
    announce(
        uow,
        command=_CARRY_OUT,
        key=key,
        kind=ACCOUNTS.kind,
        aggregate_id=old,
        event_type="AccountTransferred",
        payload={"account_id": old, "on": on.isoformat(), **outcome},
        at=as_instant(at),
    )
    return what, outcome


def carry_out_change_of_use(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    case_id: str,
    on: date | str,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
    transfer: TransferTerms | None = None,
    signatory: Actor | None = None,
) -> Case:
    """Carry out the approved change of case ``case_id`` on day ``on`` (sealing, swap or 过户 day).

    A capacity change is checked again with the history as it is now and, allowed, appended to
    the billing profile's capacity history with ``on`` as its day: the account's next bill
    splits at ``on``.

    A change of name (过户, 《供电营业规则》 第二十九条) is a transfer on the terms of
    ``transfer``, ``on`` being the new holder's first day. ``actor`` needs
    ``carry_out_transfer`` (audited, granted or refused). The old holder must have settled:
    anything still owed on the account refuses it (:class:`TransferNotSettled`, naming the
    rule). Then, as one unit: the old account is closed with its final bill to ``on`` (the
    move-out's :func:`~powerretail.workflows.moves.close_with_final_bill`, so the month is
    never billed twice); the new holder's account ``transfer.new_account_id`` opens on ``on``
    with the old billing profile (tariff, meters, capacity and its history; a fresh tier year
    position) and the old account's service points; the deposit is applied to the final bill
    and the rest refunded, or moved to the new account (:class:`DepositAtTransfer`, posted to
    the ledger as the collections commands post them); the old holder's contract is terminated
    and the new one signed by ``signatory`` (``sign_contract``, audited); both holders' contact
    records get the entry. What the final bill leaves owed stays with the old holder's account.
    Events: the final bill's ``BillIssued``, each deposit movement, ``AccountTransferred`` and
    the case's ``ChangeOfUseCarriedOut``.

    Raises:
        CommandRefused: the case is not approved, the profile has no capacity history, the
            change is refused on ``on`` (:class:`ChangeOfUseRefused`, naming the rule), a
            transfer without ``transfer`` terms, the old holder still owes
            (:class:`TransferNotSettled`), a permission is missing (audited), a deposit the
            rules in force on ``on`` do not allow the new holder (``DepositRefused``), or the
            account is already closed — each stored, and nothing else changes.
        ReadsMissing: the final reads, or those of the final period's start, are not stored
            (nothing is recorded).
    """
    day = as_date(on, "on")
    key = f"change-done/{case_id}/{as_instant(at).isoformat()}/{actor.id}"

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        cases = uow.repository(SERVICE_CASES)
        stored = cases.get(case_id)
        case = stored.entity.case_with_history()
        details = _details(case)
        outcome: dict[str, JsonValue] = {}
        # The case must be approved before anything is done (this step is taken again below,
        # with what was done as its why).
        step(case, CaseEvent.CARRY_OUT, policy=policy, actor=actor, at=at, why="变更用电")
        if details.is_transfer:
            if transfer is None:
                raise InvalidInput("transfer", None, "the TransferTerms of the 过户")
            what, outcome = _transfer(
                uow,
                clock=clock,
                key=key,
                details=details,
                terms=transfer,
                on=day,
                policy=policy,
                actor=actor,
                signatory=signatory,
                at=at,
            )
            customer = details.new_customer_id
        else:
            profiles = uow.repository(BILLING_PROFILES)
            profile, version = profiles.get(AccountId(details.account_id))
            moved, what = _carried(profile, details, case_id, day)
            profiles.save(moved, version)
            customer = str(moved.customer_id)
        done = step(
            case,
            CaseEvent.CARRY_OUT,
            policy=policy,
            actor=actor,
            at=at,
            why=f"变更用电 carried out: {what}",
            feedback=f"变更用电 carried out: {what}",
        )
        cases.save(StoredCase.of(done.case), stored.version)
        result: dict[str, JsonValue] = {
            "case_id": case_id,
            "state": done.case.state.value,
            "account_id": details.account_id,
            "on": day.isoformat(),
            "customer_id": customer,
            **outcome,
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
        payload=command_payload(case_id=case_id, on=day, actor=actor.id, at=at)
        | (
            {}
            if transfer is None
            else command_payload(
                new_account_id=transfer.new_account_id,
                deposit=transfer.deposit,
                deposit_clause=transfer.deposit_clause,
                ends_contract=transfer.ends_contract,
                contract_number=transfer.contract_number,
                signatory=None if signatory is None else signatory.id,
            )
        ),
        action=action,
        unrecorded=(ReadsMissing,),
    )
    return load_case(make_unit_of_work, case_id)
