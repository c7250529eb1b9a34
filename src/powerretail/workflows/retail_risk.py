"""Keep the risk register: record the risks measures propose, and take a risk a step on.

:func:`record_risk_proposals` stores what :func:`~powerretail.retail.risk.propose_market_risks`
and :func:`~powerretail.retail.risk.propose_credit_risks` found, in one unit of work under the
idempotency key ``risk-proposals/{source}/{as_of}``: a proposal with no risk yet opens one
(``RiskIdentified``); one whose risk is open updates its measure when the numbers changed
(``RiskMeasureUpdated``); one whose risk is closed opens a new risk ``{id}#2`` (``#3`` …). A
second run of the same day changes nothing.

:func:`step_risk` applies one :class:`RiskStep` (assess, respond, accept, implement, review,
reassess, close) to a stored risk under a caller's key: the actor is authorised where the arrow
needs it, the risk, its audit record and one ``RiskStepped`` event are stored together; a refusal
(a permission denied is audited too) is recorded and raised as
:class:`~powerretail.repositories.commands.CommandRefused`.

:func:`overdue_reviews` lists the monitored risks whose review is overdue; :func:`arrears_facts`
turns the arrears register's accounts into the credit measures the proposals read.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import attrs

from powerretail.access import AccessPolicy, Actor
from powerretail.collections.arrears import AccountArrears
from powerretail.errors import InvalidInput
from powerretail.quantities import Money, sum_money
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import command_payload, run_idempotent
from powerretail.repositories.retail_risk import RISKS, StoredRisk
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.retail.risk import (
    ArrearsFact,
    Response,
    Risk,
    RiskProposal,
    RiskState,
    Stepped,
    accept,
    apply_proposal,
    assess,
    close,
    implement,
    reassess,
    respond,
    review,
    review_overdue,
)
from powerretail.timeframe import as_date, as_instant
from powerretail.workflows._common import announce

__all__ = [
    "PROPOSALS_COMMAND",
    "STEP_ACTIONS",
    "STEP_COMMAND",
    "ProposalsReport",
    "RiskStep",
    "arrears_facts",
    "overdue_reviews",
    "record_risk_proposals",
    "step_risk",
]

#: The command name of recording proposals (idempotency keys are scoped by it).
PROPOSALS_COMMAND = "retail_risk_proposals"
#: The command name of a risk step.
STEP_COMMAND = "retail_risk_step"
#: The steps :class:`RiskStep` may name.
STEP_ACTIONS = ("assess", "respond", "accept", "implement", "review", "reassess", "close")


@attrs.frozen(kw_only=True)
class ProposalsReport:
    """What a run recorded: risk ids opened, updated, and left as they were."""

    opened: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]

    def to_dict(self) -> dict[str, JsonValue]:
        """The report as plain data, for JSON."""
        return {
            "opened": list(self.opened),
            "updated": list(self.updated),
            "unchanged": list(self.unchanged),
        }


def _open_id(uow: UnitOfWork, risk_id: str) -> tuple[str, StoredRisk | None, int]:
    """Return the id the proposal lands on, its stored risk (if open) and version."""
    repo = uow.repository(RISKS)
    candidate, number = risk_id, 1
    while True:
        found = repo.find(candidate)
        if found is None:
            return candidate, None, 0
        if found.entity.risk.state is not RiskState.CLOSED:
            return candidate, found.entity, found.version
        number += 1
        candidate = f"{risk_id}#{number}"


def record_risk_proposals(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    proposals: Sequence[RiskProposal],
    as_of: date,
    clock: Clock,
    source: str = "measures",
) -> ProposalsReport:
    """Store ``proposals`` in the register as of ``as_of`` (idempotent per source and day).

    Raises:
        InvalidInput: ``as_of`` is not a date.
        IdempotencyConflict: the same source and day were recorded with other proposals.
    """
    day = as_date(as_of, "as_of")
    at = as_instant(clock.now(), "now")
    key = f"risk-proposals/{source}/{day.isoformat()}"

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        repo = uow.repository(RISKS)
        opened: list[JsonValue] = []
        updated: list[JsonValue] = []
        unchanged: list[JsonValue] = []
        for proposal in proposals:
            risk_id, stored, version = _open_id(uow, proposal.risk_id)
            if stored is None:
                risk = apply_proposal(attrs.evolve(proposal, risk_id=risk_id), None, at=at)
                repo.add(StoredRisk.of(risk))
                opened.append(risk_id)
                kind = "RiskIdentified"
            elif stored.risk.measured == proposal.measured:
                unchanged.append(risk_id)
                continue
            else:
                existing = stored.risk_with_history()
                risk = apply_proposal(attrs.evolve(proposal, risk_id=risk_id), existing, at=at)
                repo.save(StoredRisk.of(risk), version)
                updated.append(risk_id)
                kind = "RiskMeasureUpdated"
            announce(
                uow,
                command=PROPOSALS_COMMAND,
                key=f"{key}/{risk_id}",
                kind=RISKS.kind,
                aggregate_id=risk_id,
                event_type=kind,
                payload={
                    "risk_id": risk_id,
                    "kind": proposal.kind.value,
                    "rule": proposal.rule,
                    "measured": proposal.measured,
                },
                at=at,
            )
        return {"opened": opened, "updated": updated, "unchanged": unchanged}

    result = run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command=PROPOSALS_COMMAND,
        payload=command_payload(
            as_of=day,
            source=source,
            proposals=[(p.risk_id, p.rule, p.measured) for p in proposals],
        ),
        action=action,
    )

    def ids(name: str) -> tuple[str, ...]:
        listed = result[name]
        assert isinstance(listed, list)
        return tuple(str(item) for item in listed)

    return ProposalsReport(opened=ids("opened"), updated=ids("updated"), unchanged=ids("unchanged"))


def _strip_measures(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class RiskStep:
    """One step on a risk: ``action`` (one of :data:`STEP_ACTIONS`) with what it needs.

    ``assess`` needs ``likelihood`` and ``impact``; ``respond`` a ``response``, ``measures`` and
    ``owner``; ``accept`` an ``owner``; ``review`` a ``note`` (and maybe a new likelihood or
    impact); ``reassess`` and ``close`` a ``note`` (why).

    Raises:
        InvalidInput: an unknown action, or one without what it needs.
    """

    action: str
    likelihood: int | None = None
    impact: int | None = None
    response: Response | None = None
    measures: tuple[str, ...] = attrs.field(default=(), converter=_strip_measures)
    owner: str = ""
    note: str = ""

    def __attrs_post_init__(self) -> None:
        if self.action not in STEP_ACTIONS:
            raise InvalidInput("action", self.action, f"one of {', '.join(STEP_ACTIONS)}")
        if self.action == "assess" and (self.likelihood is None or self.impact is None):
            raise InvalidInput("likelihood", self.likelihood, "a likelihood and an impact")
        if self.action == "respond" and self.response is None:
            raise InvalidInput("response", None, "avoid, reduce or transfer")

    def apply(self, risk: Risk, *, policy: AccessPolicy, actor: Actor, at: _dt.datetime) -> Stepped:
        """Return the step done on ``risk`` (see :mod:`powerretail.retail.risk`)."""
        who: dict[str, Any] = {"policy": policy, "actor": actor, "at": at}
        if self.action == "assess":
            assert self.likelihood is not None  # checked when built
            assert self.impact is not None
            return assess(risk, likelihood=self.likelihood, impact=self.impact, **who)
        if self.action == "respond":
            assert self.response is not None  # checked when built
            return respond(
                risk, response=self.response, measures=self.measures, owner=self.owner, **who
            )
        if self.action == "accept":
            return accept(risk, owner=self.owner, why=self.note or "accepted", **who)
        if self.action == "implement":
            return implement(risk, note=self.note, **who)
        if self.action == "review":
            return review(
                risk, note=self.note, likelihood=self.likelihood, impact=self.impact, **who
            )
        if self.action == "reassess":
            return reassess(risk, why=self.note or "reassess", **who)
        return close(risk, why=self.note or "closed", **who)


def step_risk(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    risk_id: str,
    step: RiskStep,
    key: str,
    clock: Clock,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime | None = None,
) -> Risk:
    """Apply ``step`` to the stored risk ``risk_id`` at ``at`` (default: now), once per ``key``.

    Raises:
        NotFound: no such risk (nothing recorded).
        CommandRefused: the step was refused (not allowed from the risk's state, a guard, a
            permission denied — its audit record is stored — or bad values).
        IdempotencyConflict: ``key`` was used for another step.
    """
    moment = as_instant(at if at is not None else clock.now(), "at")

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        repo = uow.repository(RISKS)
        stored, version = repo.get(risk_id)
        done = step.apply(stored.risk_with_history(), policy=policy, actor=actor, at=moment)
        repo.save(StoredRisk.of(done.risk), version)
        if done.audit is not None:
            uow.audit.append(done.audit)
        announce(
            uow,
            command=STEP_COMMAND,
            key=key,
            kind=RISKS.kind,
            aggregate_id=risk_id,
            event_type="RiskStepped",
            payload={
                "risk_id": risk_id,
                "from": done.record.source.value,
                "to": done.record.target.value,
                "event": done.record.event.value,
                "why": done.record.why,
            },
            at=moment,
        )
        return {"risk_id": risk_id, "state": done.risk.state.value}

    run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command=STEP_COMMAND,
        payload=command_payload(risk_id=risk_id, step=step, at=moment, actor=actor.id),
        action=action,
    )
    with make_unit_of_work() as uow:
        return uow.repository(RISKS).get(risk_id).entity.risk_with_history()


def overdue_reviews(
    make_unit_of_work: UnitOfWorkFactory, *, as_of: _dt.datetime
) -> tuple[str, ...]:
    """Return why each monitored risk's review is overdue as of ``as_of`` (sorted by risk)."""
    with make_unit_of_work() as uow:
        monitored = [
            v.entity.risk for v in uow.repository(RISKS).query(state=RiskState.MONITORING.value)
        ]
    found = (review_overdue(risk, as_of=as_of) for risk in sorted(monitored, key=lambda r: r.id))
    return tuple(text for text in found if text is not None)


def arrears_facts(
    accounts: Iterable[AccountArrears],
    *,
    as_of: date,
    customer_of: Mapping[str, str],
    currency: str = "CNY",
) -> tuple[ArrearsFact, ...]:
    """Return per customer what its accounts owe and the days its oldest item is overdue.

    ``customer_of`` maps account ids to customer ids (accounts not in it stand for themselves).
    Items not yet due count in the amount but not in the days.
    """
    day = as_date(as_of, "as_of")
    owed: dict[str, list[Money]] = {}
    oldest: dict[str, int] = {}
    for account in accounts:
        customer = customer_of.get(account.account_id, account.account_id)
        for item in account.open_items:
            owed.setdefault(customer, []).append(item.amount)
            oldest[customer] = max(oldest.get(customer, 0), (day - item.dated).days)
    return tuple(
        ArrearsFact(
            customer_id=customer,
            amount=sum_money(amounts, currency),
            days_overdue=oldest[customer],
        )
        for customer, amounts in sorted(owed.items())
    )
