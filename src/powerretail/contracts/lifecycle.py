"""A contract's life: drafting, reviews, signing, performance, its end and the archive.

The seed's contract procedure (售电公司流程管理制度 合同簽訂流程) is:

1. 合同起草 — the contract is drafted (:class:`Contract`, state ``draft``);
2. 合同審核 — the market, finance and technical departments each give an opinion, then the legal
   department reviews legality and compliance (``department_review``, ``legal_review``);
3. 合同修改與完善 — the contract is revised on those opinions and agreed with the customer
   (``revision``; a substantial change goes back to review);
4. 合同簽訂 — the legal representative or an authorised representative signs
   (``signing`` → ``active``; :func:`sign` checks the signatory's permission), and the original is
   numbered and archived (:func:`contract_number`).

After signing a contract may be suspended and resumed, renewed, terminated, or expire at the end
of its term; ended contracts are archived. A change to a signed contract is an amendment
(:func:`amend`): a new version with the same number that goes through the same review, and
supersedes the old version when it is signed.

Every function is pure: it returns the new contract (whose ``history`` holds every
:class:`~powerretail.statemachine.TransitionRecord`) and changes nothing, or raises.

>>> CONTRACT_MACHINE.next_state(ContractState.REVISION, ContractEvent.RESUBMIT)
<ContractState.DEPARTMENT_REVIEW: 'department_review'>
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, ClassVar, Final

import attrs
import pendulum

from powerretail.access import SIGN_CONTRACT, AccessPolicy, Actor, AuditRecord, is_granted
from powerretail.contracts.terms import (
    ContractKind,
    ContractTerm,
    Liability,
    MeteringTerms,
    Party,
    PartyRole,
    PriceTerms,
    SettlementTerms,
)
from powerretail.errors import InvalidInput, RuleViolation, describe_value
from powerretail.ids import ContractId, DocumentId, ServicePointId, require_id
from powerretail.statemachine import StateMachine, Transition, TransitionRecord
from powerretail.timeframe import as_instant

__all__ = [
    "CONTRACT_MACHINE",
    "REVIEWING_DEPARTMENTS",
    "Contract",
    "ContractEvent",
    "ContractNotAmendable",
    "ContractNotEditable",
    "ContractState",
    "Department",
    "ReviewOpinion",
    "Verdict",
    "abandon",
    "agree_revisions",
    "amend",
    "archive",
    "complete_department_review",
    "contract_number",
    "expire",
    "record_department_opinion",
    "record_legal_opinion",
    "renew",
    "resubmit",
    "resume",
    "revise",
    "sign",
    "submit_for_review",
    "supersede",
    "suspend",
    "terminate",
]


class ContractState(enum.Enum):
    """Where a contract is in its life."""

    DRAFT = "draft"
    DEPARTMENT_REVIEW = "department_review"
    LEGAL_REVIEW = "legal_review"
    REVISION = "revision"
    SIGNING = "signing"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    EXPIRED = "expired"
    ARCHIVED = "archived"


class ContractEvent(enum.Enum):
    """What can happen to a contract."""

    SUBMIT = "submit"
    RECORD_OPINION = "record_opinion"
    COMPLETE_DEPARTMENT_REVIEW = "complete_department_review"
    RECORD_LEGAL_OPINION = "record_legal_opinion"
    AGREE_REVISIONS = "agree_revisions"
    RESUBMIT = "resubmit"
    SIGN = "sign"
    SUSPEND = "suspend"
    RESUME = "resume"
    RENEW = "renew"
    TERMINATE = "terminate"
    EXPIRE = "expire"
    SUPERSEDE = "supersede"
    ARCHIVE = "archive"
    ABANDON = "abandon"


class Department(enum.Enum):
    """A reviewing department (售电公司流程管理制度 合同簽訂流程 2.合同審核)."""

    MARKET = "市场部门"
    FINANCE = "财务部门"
    TECHNICAL = "技术部门"
    LEGAL = "法务部门"


#: The departments whose opinions must all be in before the legal review.
REVIEWING_DEPARTMENTS: Final = frozenset(
    {Department.MARKET, Department.FINANCE, Department.TECHNICAL}
)


class Verdict(enum.Enum):
    """A reviewer's conclusion."""

    APPROVE = "同意"
    APPROVE_WITH_CHANGES = "修改后同意"
    REJECT = "不同意"


def _at(value: object) -> pendulum.DateTime:
    return as_instant(value, "opinion.at")


def _by(value: object) -> str:
    return require_id(value, "opinion.by")


@attrs.frozen(kw_only=True)
class ReviewOpinion:
    """A department's opinion on a contract: the verdict and its reasons, who gave it and when.

    The market department judges business feasibility, finance the financial risk, technical the
    technical soundness, legal the legality and compliance (售电公司流程管理制度 合同簽訂流程 2).
    """

    department: Department
    verdict: Verdict
    text: str
    by: str = attrs.field(converter=_by)
    at: pendulum.DateTime = attrs.field(converter=_at)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text.strip():
            raise InvalidInput("opinion.text", self.text, "the opinion's reasons")


def _opinions(value: Iterable[ReviewOpinion]) -> tuple[ReviewOpinion, ...]:
    return tuple(value)


def _records(value: Iterable[TransitionRecord[Any, Any]]) -> tuple[TransitionRecord[Any, Any], ...]:
    return tuple(value)


def _scope(value: Iterable[ServicePointId]) -> tuple[ServicePointId, ...]:
    return tuple(value)


def _liabilities(value: Iterable[Liability]) -> tuple[Liability, ...]:
    return tuple(value)


def _contract_id(value: object) -> ContractId:
    return ContractId(require_id(value, "contract.id"))


@attrs.frozen(kw_only=True)
class Contract:
    """A supply or retail contract, one version of it.

    ``number`` is given at signing and kept by amendments; ``version`` counts amendments and
    ``amends`` names the version this one replaces. ``opinions`` are the departments' opinions
    of the current review round, ``legal_opinion`` the legal department's; ``signature`` the
    audit record of the signing; ``history`` every transition so far.
    """

    id: ContractId = attrs.field(converter=_contract_id)
    kind: ContractKind
    seller: Party
    buyer: Party
    scope: tuple[ServicePointId, ...] = attrs.field(converter=_scope)
    price: PriceTerms
    settlement: SettlementTerms
    metering: MeteringTerms
    liabilities: tuple[Liability, ...] = attrs.field(converter=_liabilities)
    term: ContractTerm
    intent_letter_id: DocumentId | None = None
    state: ContractState = ContractState.DRAFT
    version: int = 1
    number: str | None = None
    amends: ContractId | None = None
    opinions: tuple[ReviewOpinion, ...] = attrs.field(default=(), converter=_opinions)
    legal_opinion: ReviewOpinion | None = None
    signature: AuditRecord | None = None
    history: tuple[TransitionRecord[Any, Any], ...] = attrs.field(default=(), converter=_records)

    def __attrs_post_init__(self) -> None:
        if self.seller.role is not PartyRole.SELLER:
            raise InvalidInput("seller.role", self.seller.role.name, "SELLER")
        if self.buyer.role is not PartyRole.BUYER:
            raise InvalidInput("buyer.role", self.buyer.role.name, "BUYER")
        if not self.scope:
            raise InvalidInput("scope", (), "at least one service point")
        if self.version < 1:
            raise InvalidInput("version", self.version, "1 or more")

    @property
    def label(self) -> str:
        """The contract's number and version (``SD-2025-00042/v2``), or its id before signing."""
        return f"{self.number or self.id}/v{self.version}"

    def opinion_of(self, department: Department) -> ReviewOpinion | None:
        """Return ``department``'s opinion in the current round, or None."""
        if department is Department.LEGAL:
            return self.legal_opinion
        return next((o for o in self.opinions if o.department is department), None)


class _ContractInWrongState(RuleViolation):
    """The contract's state does not allow the operation; nothing was changed."""

    #: What the state would have to be, said after "contract … is <state>: ".
    requirement: ClassVar[str]

    def __init__(self, contract_id: ContractId, state: ContractState) -> None:
        self.contract_id = contract_id
        self.state = state
        super().__init__(contract_id, state)

    def __str__(self) -> str:
        return (
            f"contract {describe_value(self.contract_id)} is {self.state.value}: {self.requirement}"
        )


class ContractNotEditable(_ContractInWrongState):
    """The contract's terms can only change in draft or revision; nothing was changed."""

    requirement = "its terms change only in draft or revision (amend a signed contract instead)"


class ContractNotAmendable(_ContractInWrongState):
    """Only an active or suspended contract can be amended; nothing was changed."""

    requirement = "only an active or suspended contract can be amended"


# ---------------------------------------------------------------- guards


def opinion_from_a_department_not_yet_heard(entity: Any, context: Mapping[str, Any]) -> bool:
    """The opinion is from a reviewing department that has not given one this round."""
    opinion = context.get("opinion")
    return (
        isinstance(opinion, ReviewOpinion)
        and opinion.department in REVIEWING_DEPARTMENTS
        and entity.opinion_of(opinion.department) is None
    )


def every_department_heard(entity: Any, _context: Mapping[str, Any]) -> bool:
    """Market, finance and technical have each given an opinion."""
    return all(entity.opinion_of(d) is not None for d in REVIEWING_DEPARTMENTS)


def opinion_from_legal(_entity: Any, context: Mapping[str, Any]) -> bool:
    """The opinion is the legal department's."""
    opinion = context.get("opinion")
    return isinstance(opinion, ReviewOpinion) and opinion.department is Department.LEGAL


def no_opinion_rejects(entity: Any, _context: Mapping[str, Any]) -> bool:
    """No department and not legal rejected the contract (otherwise it goes back to review)."""
    opinions = (*entity.opinions, entity.legal_opinion)
    return all(o is not None and o.verdict is not Verdict.REJECT for o in opinions)


def signed_with_authority_and_numbered(_entity: Any, context: Mapping[str, Any]) -> bool:
    """A grant to sign from ``authorize`` (not a record built by hand) and a number are given.

    The machine passes the grant as ``context["grant"]``; an audit record put in the context
    any other way, or forged, does not count.
    """
    number = context.get("number")
    return (
        is_granted(context.get("grant"), SIGN_CONTRACT)
        and isinstance(number, str)
        and bool(number.strip())
    )


def term_is_renewable(entity: Any, _context: Mapping[str, Any]) -> bool:
    """The contract's term provides for renewal."""
    return bool(entity.term.is_renewable)


def term_has_ended(entity: Any, context: Mapping[str, Any]) -> bool:
    """The given day (``on``) is on or after the end of the term."""
    on = context.get("on")
    return isinstance(on, date) and bool(entity.term.has_ended_by(on))


def reason_given(_entity: Any, context: Mapping[str, Any]) -> bool:
    """A non-blank reason is given."""
    reason = context.get("reason")
    return isinstance(reason, str) and bool(reason.strip())


def successor_signed(entity: Any, context: Mapping[str, Any]) -> bool:
    """An active amendment of this contract (same number, later version) is given."""
    successor = context.get("successor")
    return (
        isinstance(successor, Contract)
        and successor.amends == entity.id
        and successor.state is ContractState.ACTIVE
        and successor.number == entity.number
    )


_S: Final = ContractState
_E: Final = ContractEvent

#: The contract lifecycle. Source: 售电公司流程管理制度 合同簽訂流程 1–4; R12 (RELIABILITY.md).
CONTRACT_MACHINE: Final = StateMachine[ContractState, ContractEvent](
    "contract",
    initial=_S.DRAFT,
    finals={_S.ARCHIVED},
    transitions=[
        Transition(_S.DRAFT, _E.SUBMIT, _S.DEPARTMENT_REVIEW),
        Transition(
            _S.DEPARTMENT_REVIEW,
            _E.RECORD_OPINION,
            _S.DEPARTMENT_REVIEW,
            guard=opinion_from_a_department_not_yet_heard,
        ),
        Transition(
            _S.DEPARTMENT_REVIEW,
            _E.COMPLETE_DEPARTMENT_REVIEW,
            _S.LEGAL_REVIEW,
            guard=every_department_heard,
        ),
        Transition(_S.LEGAL_REVIEW, _E.RECORD_LEGAL_OPINION, _S.REVISION, guard=opinion_from_legal),
        Transition(_S.REVISION, _E.AGREE_REVISIONS, _S.SIGNING, guard=no_opinion_rejects),
        Transition(_S.REVISION, _E.RESUBMIT, _S.DEPARTMENT_REVIEW),
        Transition(
            _S.SIGNING,
            _E.SIGN,
            _S.ACTIVE,
            guard=signed_with_authority_and_numbered,
            permission=SIGN_CONTRACT,
        ),
        Transition(_S.ACTIVE, _E.SUSPEND, _S.SUSPENDED, guard=reason_given),
        Transition(_S.SUSPENDED, _E.RESUME, _S.ACTIVE),
        Transition(_S.ACTIVE, _E.RENEW, _S.ACTIVE, guard=term_is_renewable),
        Transition(_S.ACTIVE, _E.TERMINATE, _S.TERMINATED, guard=reason_given),
        Transition(_S.SUSPENDED, _E.TERMINATE, _S.TERMINATED, guard=reason_given),
        Transition(_S.ACTIVE, _E.EXPIRE, _S.EXPIRED, guard=term_has_ended),
        Transition(_S.ACTIVE, _E.SUPERSEDE, _S.ARCHIVED, guard=successor_signed),
        Transition(_S.TERMINATED, _E.ARCHIVE, _S.ARCHIVED),
        Transition(_S.EXPIRED, _E.ARCHIVE, _S.ARCHIVED),
        *(
            Transition(state, _E.ABANDON, _S.ARCHIVED, guard=reason_given)
            for state in (
                _S.DRAFT,
                _S.DEPARTMENT_REVIEW,
                _S.LEGAL_REVIEW,
                _S.REVISION,
                _S.SIGNING,
            )
        ),
    ],
)


# ---------------------------------------------------------------- operations


def _move(
    contract: Contract,
    event: ContractEvent,
    *,
    at: _dt.datetime,
    by: str,
    why: str = "",
    context: Mapping[str, Any] | None = None,
    **changes: Any,
) -> Contract:
    return CONTRACT_MACHINE.advance(
        contract, event, at=at, by=by, why=why, context=context, subject=contract.label, **changes
    )


def submit_for_review(contract: Contract, *, at: _dt.datetime, by: str) -> Contract:
    """Send a draft to the departments for review.

    Raises:
        TransitionNotAllowed: the contract is not a draft.
    """
    return _move(contract, _E.SUBMIT, at=at, by=by)


def record_department_opinion(contract: Contract, opinion: ReviewOpinion) -> Contract:
    """Record a market, finance or technical department's opinion.

    Raises:
        TransitionNotAllowed: the contract is not in department review.
        GuardRefused: the opinion is the legal department's, or its department was already heard.
    """
    return _move(
        contract,
        _E.RECORD_OPINION,
        at=opinion.at,
        by=opinion.by,
        why=f"{opinion.department.value}: {opinion.verdict.value}",
        context={"opinion": opinion},
        opinions=(*contract.opinions, opinion),
    )


def complete_department_review(contract: Contract, *, at: _dt.datetime, by: str) -> Contract:
    """Pass the contract to the legal department once every department has given its opinion.

    Raises:
        GuardRefused: a department has not given its opinion.
    """
    return _move(contract, _E.COMPLETE_DEPARTMENT_REVIEW, at=at, by=by)


def record_legal_opinion(contract: Contract, opinion: ReviewOpinion) -> Contract:
    """Record the legal department's opinion; the contract goes to revision.

    Raises:
        GuardRefused: the opinion is not the legal department's.
    """
    return _move(
        contract,
        _E.RECORD_LEGAL_OPINION,
        at=opinion.at,
        by=opinion.by,
        why=f"{opinion.department.value}: {opinion.verdict.value}",
        context={"opinion": opinion},
        legal_opinion=opinion,
    )


def revise(contract: Contract, **changes: Any) -> Contract:
    """Return the contract with some terms changed; allowed only in draft and revision.

    Raises:
        ContractNotEditable: the contract is in any other state.
        InvalidInput: a change names something that is not a term.
    """
    if contract.state not in (_S.DRAFT, _S.REVISION):
        raise ContractNotEditable(contract.id, contract.state)
    terms = {"seller", "buyer", "scope", "price", "settlement", "metering", "liabilities", "term"}
    unknown = sorted(set(changes) - terms)
    if unknown:
        raise InvalidInput("changes", unknown, f"terms among {', '.join(sorted(terms))}")
    return attrs.evolve(contract, **changes)


def agree_revisions(contract: Contract, *, at: _dt.datetime, by: str, why: str) -> Contract:
    """Record that the revisions are agreed with the customer; the contract goes to signing.

    Raises:
        GuardRefused: a department or legal rejected it (resubmit it for review instead).
    """
    return _move(contract, _E.AGREE_REVISIONS, at=at, by=by, why=why)


def resubmit(contract: Contract, *, at: _dt.datetime, by: str, why: str) -> Contract:
    """Send a revised contract back to review; the previous round's opinions are cleared."""
    return _move(contract, _E.RESUBMIT, at=at, by=by, why=why, opinions=(), legal_opinion=None)


def contract_number(prefix: str, year: int, sequence: int) -> str:
    """Return the contract number for the ``sequence``-th contract of ``year``.

    >>> contract_number("SD", 2025, 42)
    'SD-2025-00042'

    Raises:
        InvalidInput: a blank prefix or a sequence below 1.
    """
    text = require_id(prefix, "prefix")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 1:
        raise InvalidInput("sequence", sequence, "a whole number of 1 or more")
    return f"{text}-{year:04d}-{sequence:05d}"


def sign(
    contract: Contract,
    *,
    signatory: Actor,
    policy: AccessPolicy,
    number: str,
    at: _dt.datetime,
    why: str,
) -> Contract:
    """Sign the contract for the company and give it its number; it becomes active.

    An amendment keeps its predecessor's number, so ``number`` must equal it.

    Raises:
        PermissionDenied: the signatory may not sign contracts (nothing changes).
        TransitionNotAllowed: the contract is not awaiting signature.
        InvalidInput: an amendment signed under another number.

    Source: 售电公司流程管理制度 合同簽訂流程 4 (法定代表人或授權代表 signs; the original is
    numbered).
    """
    if contract.number is not None and number != contract.number:
        raise InvalidInput("number", number, f"the amended contract's number {contract.number}")
    fired = CONTRACT_MACHINE.fire(
        contract,
        _E.SIGN,
        policy=policy,
        actor=signatory,
        at=at,
        why=why,
        context={"number": number},
        subject=contract.label,
        history=True,
        number=number,
    )
    return attrs.evolve(fired.entity, signature=fired.audit)


def suspend(contract: Contract, *, at: _dt.datetime, by: str, why: str) -> Contract:
    """Suspend an active contract, for the reason ``why``."""
    return _move(contract, _E.SUSPEND, at=at, by=by, why=why, context={"reason": why})


def resume(contract: Contract, *, at: _dt.datetime, by: str, why: str = "") -> Contract:
    """Resume a suspended contract."""
    return _move(contract, _E.RESUME, at=at, by=by, why=why)


def renew(contract: Contract, *, at: _dt.datetime, by: str, why: str = "") -> Contract:
    """Renew an active contract by one renewal period of its term.

    Raises:
        GuardRefused: the term has no renewal.
    """
    moved = _move(contract, _E.RENEW, at=at, by=by, why=why)
    return attrs.evolve(moved, term=contract.term.renewed())


def terminate(contract: Contract, *, at: _dt.datetime, by: str, why: str) -> Contract:
    """End an active or suspended contract before its term, for the reason ``why``."""
    return _move(contract, _E.TERMINATE, at=at, by=by, why=why, context={"reason": why})


def expire(contract: Contract, *, on: date, at: _dt.datetime, by: str) -> Contract:
    """Let an active contract expire: ``on`` must be on or after the end of its term.

    Raises:
        GuardRefused: the term has not ended on ``on``.
    """
    return _move(
        contract, _E.EXPIRE, at=at, by=by, why=f"term ended {contract.term.end}", context={"on": on}
    )


def supersede(contract: Contract, successor: Contract, *, at: _dt.datetime, by: str) -> Contract:
    """Archive an active contract whose signed amendment ``successor`` now applies.

    Raises:
        GuardRefused: ``successor`` is not an active amendment of this contract.
    """
    return _move(
        contract,
        _E.SUPERSEDE,
        at=at,
        by=by,
        why=f"superseded by {successor.label}",
        context={"successor": successor},
    )


def archive(contract: Contract, *, at: _dt.datetime, by: str) -> Contract:
    """Archive a terminated or expired contract."""
    return _move(contract, _E.ARCHIVE, at=at, by=by)


def abandon(contract: Contract, *, at: _dt.datetime, by: str, why: str) -> Contract:
    """Archive a contract that will not be signed, for the reason ``why``."""
    return _move(contract, _E.ABANDON, at=at, by=by, why=why, context={"reason": why})


def amend(
    contract: Contract, *, new_id: ContractId, at: _dt.datetime, by: str, **changes: Any
) -> Contract:
    """Return a draft amendment of a signed contract: the next version, same number.

    The amendment goes through review and signing like any contract; once it is signed,
    :func:`supersede` archives the old version. ``at`` and ``by`` are not recorded as a
    transition (the amendment starts as a draft) but are checked.

    Raises:
        ContractNotAmendable: the contract is not active or suspended.
        InvalidInput: a change names something that is not a term.
    """
    as_instant(at, "at")
    require_id(by, "by")
    if contract.state not in (_S.ACTIVE, _S.SUSPENDED):
        raise ContractNotAmendable(contract.id, contract.state)
    draft = attrs.evolve(
        contract,
        id=new_id,
        state=_S.DRAFT,
        version=contract.version + 1,
        amends=contract.id,
        opinions=(),
        legal_opinion=None,
        signature=None,
        history=(),
    )
    return revise(draft, **changes)
