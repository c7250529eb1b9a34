"""The risk register (风险管理): identify, assess, respond, monitor and close a retailer's risks.

A :class:`Risk` is one of the four kinds the retail company's rules name — market, credit,
legal and operational (市场风险、信用风险、法律风险、操作风险) — identified with its cause and
its impact. It is **assessed** by likelihood × impact on an :class:`AssessmentPolicy` (policy
data: the scales, the score bands that give the level, the review interval of each level and the
highest level that may be accepted). A **response** — avoid, reduce, transfer or accept (风险规避、
降低、转移、接受) — names the measures and an owner; once the measures are in place the risk is
**monitored**: each review is due on the SLA clock of its level (working days on the business
calendar), and a review may re-score it. A changed risk goes back to assessment; a risk no longer
present is **closed**.

The lifecycle is :data:`RISK_MACHINE`. Two arrows need a permission, granted by
:func:`~powerretail.access.authorize` and audited: accepting a risk (:data:`ACCEPT_RISK`, and
only up to the policy's highest acceptable level: guard ``level_acceptable``) and closing one
(:data:`CLOSE_RISK`). :data:`RISK_MANAGER` is a role holding both; add it to an access policy
with :meth:`~powerretail.access.AccessPolicy.with_role` (:data:`RISK_POLICY` is the seed policy
with it).

Measures the library computes propose risks (:func:`propose_market_risks`,
:func:`propose_credit_risks`), each proposal naming the rule that fired and the numbers: a month
whose hedge ratio is outside the policy's range (market), a customer whose credit score is below
the threshold, or whose arrears are overdue beyond the limit (credit). :func:`apply_proposal`
opens a risk from a proposal or updates the open risk it matches.

>>> print(RISK_MACHINE.to_mermaid().splitlines()[1])
    state "assessed" as ASSESSED

Source: 售电公司流程管理制度, 风险管理流程 1.风险识别 – 4.风险监控.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final

import attrs
import pendulum

from powerretail.access import SEED_POLICY, AccessPolicy, Actor, AuditRecord, Permission, Role
from powerretail.customers.credit import CreditScore
from powerretail.errors import InvalidInput, NotFound
from powerretail.quantities import Money
from powerretail.retail.plans import PositionReport
from powerretail.sla.clock import SlaClock, SlaEvent
from powerretail.sla.policy import SlaPolicy, SlaUnit
from powerretail.statemachine import StateMachine, Transition, TransitionRecord
from powerretail.timeframe import as_instant

__all__ = [
    "ACCEPT_RISK",
    "ASSESSMENT_POLICIES",
    "CLOSE_RISK",
    "DEFAULT_ASSESSMENT",
    "DEFAULT_MEASURE_RULES",
    "RISK_MACHINE",
    "RISK_MANAGER",
    "RISK_POLICY",
    "ArrearsFact",
    "AssessmentPolicy",
    "LevelBand",
    "MeasureRules",
    "Response",
    "Risk",
    "RiskEvent",
    "RiskKind",
    "RiskLevel",
    "RiskProposal",
    "RiskState",
    "Stepped",
    "accept",
    "apply_proposal",
    "assess",
    "assessment_policy",
    "close",
    "identify",
    "implement",
    "propose_credit_risks",
    "propose_market_risks",
    "reassess",
    "respond",
    "review",
    "review_clock",
    "review_overdue",
]

_SEED: Final = "售电公司流程管理制度 风险管理流程"
#: The operation of accepting a risk (风险接受) instead of acting on it.
ACCEPT_RISK: Final = "accept_risk"
#: The operation of closing a risk.
CLOSE_RISK: Final = "close_risk"

#: A role that may accept and close risks (风险管理专责).
RISK_MANAGER: Final = Role(
    "risk_manager",
    "风险管理专责",
    (
        Permission(ACCEPT_RISK, source=f"{_SEED} 3.风险应对"),
        Permission(CLOSE_RISK, source=f"{_SEED} 4.风险监控"),
    ),
)
#: The seed access policy with :data:`RISK_MANAGER` added.
RISK_POLICY: Final = SEED_POLICY.with_role(RISK_MANAGER)


class RiskKind(enum.Enum):
    """The four kinds of risk of a retail company."""

    MARKET = "market"  # 市场风险
    CREDIT = "credit"  # 信用风险
    LEGAL = "legal"  # 法律风险
    OPERATIONAL = "operational"  # 操作风险


class Response(enum.Enum):
    """How a risk is answered."""

    AVOID = "avoid"  # 风险规避
    REDUCE = "reduce"  # 风险降低
    TRANSFER = "transfer"  # 风险转移
    ACCEPT = "accept"  # 风险接受


class RiskLevel(enum.Enum):
    """A risk's level, from the lowest."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for low up to 3 for critical."""
        return list(RiskLevel).index(self)


class RiskState(enum.Enum):
    """Where a risk stands."""

    IDENTIFIED = "identified"
    ASSESSED = "assessed"
    RESPONDING = "responding"
    MONITORING = "monitoring"
    CLOSED = "closed"


class RiskEvent(enum.Enum):
    """What happens to a risk."""

    ASSESS = "assess"
    RESPOND = "respond"
    ACCEPT = "accept"
    IMPLEMENT = "implement"
    REVIEW = "review"
    REASSESS = "reassess"
    CLOSE = "close"


def _review_policy(key: str, level: RiskLevel, limit: int, unit: SlaUnit) -> SlaPolicy:
    return SlaPolicy(
        key=f"risk_review_{level.value}",
        name=f"Review of a {level.value} risk",
        limit=limit,
        unit=unit,
        rule_set=key,
        source=f"{_SEED} 4.风险监控 (定期评估风险状况); intervals are the company's policy",
        status="company policy",
        start_events={"reviewed"},
        stop_events={"review_done"},
        pause_events=frozenset(),
        resume_events=frozenset(),
    )


@attrs.frozen
class LevelBand:
    """Scores from ``min_score`` up give ``level``; its reviews are due by ``review``."""

    level: RiskLevel
    min_score: int
    review: SlaPolicy


def _bands(value: Iterable[LevelBand]) -> tuple[LevelBand, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class AssessmentPolicy:
    """How risks are scored: likelihood 1..``max_likelihood`` × impact 1..``max_impact``.

    ``bands`` ascend by ``min_score`` (the first from 1) and by level; ``max_acceptable`` is the
    highest level a risk may be accepted at.

    Raises:
        InvalidInput: bands that do not start at 1, or that do not ascend in score and level.
    """

    key: str
    title: str
    max_likelihood: int = 5
    max_impact: int = 5
    bands: tuple[LevelBand, ...] = attrs.field(converter=_bands)
    max_acceptable: RiskLevel = RiskLevel.MEDIUM

    def __attrs_post_init__(self) -> None:
        if not self.bands or self.bands[0].min_score != 1:
            raise InvalidInput(f"{self.key}.bands", len(self.bands), "bands from score 1")
        for lower, upper in zip(self.bands, self.bands[1:], strict=False):
            if upper.min_score <= lower.min_score or upper.level.rank <= lower.level.rank:
                raise InvalidInput(
                    f"{self.key}.bands", upper.level.value, "bands ascending in score and level"
                )

    def score(self, likelihood: int, impact: int) -> int:
        """Return likelihood × impact.

        Raises:
            InvalidInput: a likelihood or impact outside its scale.
        """
        for name, value, top in (
            ("likelihood", likelihood, self.max_likelihood),
            ("impact", impact, self.max_impact),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
                raise InvalidInput(name, value, f"a whole number from 1 to {top}")
        return likelihood * impact

    def band_of(self, likelihood: int, impact: int) -> LevelBand:
        """Return the band a likelihood and impact fall in."""
        score = self.score(likelihood, impact)
        return [band for band in self.bands if band.min_score <= score][-1]

    def level_of(self, likelihood: int, impact: int) -> RiskLevel:
        """Return the level of a likelihood and impact."""
        return self.band_of(likelihood, impact).level

    def review_for(self, level: RiskLevel) -> SlaPolicy:
        """Return the review time limit of ``level``.

        Raises:
            NotFound: the policy has no band of that level.
        """
        for band in self.bands:
            if band.level is level:
                return band.review
        raise NotFound(f"risk level in {self.key}", level.value)


_KEY: Final = "RISK-5x5"
#: A 5 × 5 matrix: 1–4 low (review within 60 days), 5–9 medium (20 working days), 10–14 high
#: (10 working days), 15–25 critical (5 working days); up to medium may be accepted.
DEFAULT_ASSESSMENT: Final = AssessmentPolicy(
    key=_KEY,
    title="5 × 5 likelihood-impact matrix (company policy)",
    bands=(
        LevelBand(RiskLevel.LOW, 1, _review_policy(_KEY, RiskLevel.LOW, 60, SlaUnit.CALENDAR_DAYS)),
        LevelBand(
            RiskLevel.MEDIUM, 5, _review_policy(_KEY, RiskLevel.MEDIUM, 20, SlaUnit.WORKING_DAYS)
        ),
        LevelBand(
            RiskLevel.HIGH, 10, _review_policy(_KEY, RiskLevel.HIGH, 10, SlaUnit.WORKING_DAYS)
        ),
        LevelBand(
            RiskLevel.CRITICAL,
            15,
            _review_policy(_KEY, RiskLevel.CRITICAL, 5, SlaUnit.WORKING_DAYS),
        ),
    ),
)
#: The assessment policies by key.
ASSESSMENT_POLICIES: Final[Mapping[str, AssessmentPolicy]] = {_KEY: DEFAULT_ASSESSMENT}


def assessment_policy(key: str) -> AssessmentPolicy:
    """Return the assessment policy ``key``.

    Raises:
        NotFound: no such policy.
    """
    try:
        return ASSESSMENT_POLICIES[key]
    except KeyError:
        raise NotFound("risk assessment policy", key) from None


def _instant_or_none(value: object) -> pendulum.DateTime | None:
    return None if value is None else as_instant(value, "at")


def _texts(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _history(value: Iterable[TransitionRecord[Any, Any]]) -> tuple[TransitionRecord[Any, Any], ...]:
    return tuple(value)


def _identified_at(value: object) -> pendulum.DateTime:
    return as_instant(value, "identified_at")


@attrs.frozen(kw_only=True)
class Risk:
    """One risk of the register.

    Attributes:
        id: the risk id (a proposal's id is ``kind/rule/subject``).
        kind: market, credit, legal or operational.
        title: a short name.
        cause / impact: why it arises (风险产生的原因) and what it would do (可能造成的影响).
        subject: what it is about (a month, an account, a contract, "portfolio").
        rule: the rule that proposed it ("" for one identified by hand).
        measured: the last measure behind it ("hedge ratio 0.6500 below 0.8000").
        assessment: the key of the :class:`AssessmentPolicy`.
        likelihood / impact_score / level: the assessment (None until assessed).
        response / measures / owner: the response (None until responded).
        state: where it stands.
        identified_at / last_review_at: when it was identified, last assessed or reviewed.
        notes: review notes, in order.
        history: every transition record.
    """

    id: str
    kind: RiskKind
    title: str
    cause: str
    impact: str
    subject: str = "portfolio"
    rule: str = ""
    measured: str = ""
    assessment: str = _KEY
    likelihood: int | None = None
    impact_score: int | None = None
    level: RiskLevel | None = None
    response: Response | None = None
    measures: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    owner: str | None = None
    state: RiskState = RiskState.IDENTIFIED
    identified_at: pendulum.DateTime = attrs.field(converter=_identified_at)
    last_review_at: pendulum.DateTime | None = attrs.field(default=None, converter=_instant_or_none)
    notes: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    history: tuple[TransitionRecord[Any, Any], ...] = attrs.field(default=(), converter=_history)


def identify(
    *,
    risk_id: str,
    kind: RiskKind,
    title: str,
    cause: str,
    impact: str,
    at: _dt.datetime,
    subject: str = "portfolio",
    rule: str = "",
    measured: str = "",
    assessment: str = _KEY,
) -> Risk:
    """Return a newly identified risk (state ``identified``).

    Raises:
        InvalidInput: a blank id, title, cause or impact.
        NotFound: ``assessment`` is not an assessment policy.
    """
    for name, text in (
        ("risk_id", risk_id),
        ("title", title),
        ("cause", cause),
        ("impact", impact),
    ):
        if not text.strip():
            raise InvalidInput(name, text, "a non-blank text")
    assessment_policy(assessment)
    return Risk(
        id=risk_id,
        kind=kind,
        title=title,
        cause=cause,
        impact=impact,
        subject=subject,
        rule=rule,
        measured=measured,
        assessment=assessment,
        identified_at=at,
    )


def level_acceptable(risk: Risk, ctx: Mapping[str, Any]) -> bool:
    """The risk's level is at most the policy's highest acceptable level."""
    policy = assessment_policy(risk.assessment)
    return risk.level is not None and risk.level.rank <= policy.max_acceptable.rank


_S: Final = RiskState
_E: Final = RiskEvent

#: The risk lifecycle. Accepting needs :data:`ACCEPT_RISK` (and an acceptable level); closing
#: needs :data:`CLOSE_RISK`.
RISK_MACHINE: Final[StateMachine[RiskState, RiskEvent]] = StateMachine(
    "risk",
    initial=RiskState.IDENTIFIED,
    finals={RiskState.CLOSED},
    transitions=[
        Transition(_S.IDENTIFIED, _E.ASSESS, _S.ASSESSED),
        Transition(_S.ASSESSED, _E.ASSESS, _S.ASSESSED),
        Transition(_S.ASSESSED, _E.RESPOND, _S.RESPONDING),
        Transition(
            _S.ASSESSED,
            _E.ACCEPT,
            _S.MONITORING,
            guard=level_acceptable,
            permission=ACCEPT_RISK,
        ),
        Transition(_S.RESPONDING, _E.IMPLEMENT, _S.MONITORING),
        Transition(_S.MONITORING, _E.REVIEW, _S.MONITORING),
        Transition(_S.MONITORING, _E.REASSESS, _S.ASSESSED),
        Transition(_S.MONITORING, _E.CLOSE, _S.CLOSED, permission=CLOSE_RISK),
        Transition(_S.IDENTIFIED, _E.CLOSE, _S.CLOSED, permission=CLOSE_RISK),
    ],
)


@attrs.frozen
class Stepped:
    """A risk step done: the moved risk, its transition record and the grant (if any)."""

    risk: Risk
    record: TransitionRecord[RiskState, RiskEvent]
    audit: AuditRecord | None


def _fire(
    risk: Risk,
    event: RiskEvent,
    *,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
    why: str,
    **changes: Any,
) -> Stepped:
    fired = RISK_MACHINE.fire(
        risk,
        event,
        policy=policy,
        actor=actor,
        at=at,
        why=why,
        context={"at": at},
        history=True,
        **changes,
    )
    return Stepped(fired.entity, fired.record, fired.audit)


def assess(
    risk: Risk,
    *,
    likelihood: int,
    impact: int,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
) -> Stepped:
    """Score ``risk`` (likelihood × impact → level on its assessment policy).

    Raises:
        InvalidInput: a likelihood or impact outside the policy's scale.
        TransitionNotAllowed: the risk is not identified or assessed.
    """
    matrix = assessment_policy(risk.assessment)
    band = matrix.band_of(likelihood, impact)
    return _fire(
        risk,
        RiskEvent.ASSESS,
        policy=policy,
        actor=actor,
        at=at,
        why=f"{likelihood} × {impact} = {likelihood * impact}: {band.level.value} ({matrix.key})",
        likelihood=likelihood,
        impact_score=impact,
        level=band.level,
        last_review_at=at,
    )


def _owner(owner: str) -> str:
    if not owner.strip():
        raise InvalidInput("owner", owner, "a named owner")
    return owner


def respond(
    risk: Risk,
    *,
    response: Response,
    measures: Iterable[str],
    owner: str,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
) -> Stepped:
    """Plan the response (avoid, reduce or transfer) with its measures and owner.

    Raises:
        InvalidInput: ``accept`` (use :func:`accept`), no measures or no owner.
        TransitionNotAllowed: the risk is not assessed.
    """
    if response is Response.ACCEPT:
        raise InvalidInput("response", response.value, "avoid, reduce or transfer (accept: accept)")
    listed = tuple(m for m in measures if m.strip())
    if not listed:
        raise InvalidInput("measures", [], "at least one measure")
    return _fire(
        risk,
        RiskEvent.RESPOND,
        policy=policy,
        actor=actor,
        at=at,
        why=f"{response.value}: {'; '.join(listed)} (owner {owner})",
        response=response,
        measures=listed,
        owner=_owner(owner),
    )


def accept(
    risk: Risk, *, owner: str, why: str, policy: AccessPolicy, actor: Actor, at: _dt.datetime
) -> Stepped:
    """Accept the risk as it is and monitor it (needs :data:`ACCEPT_RISK`).

    Raises:
        PermissionDenied: ``actor`` may not accept risks (its ``audit`` records the refusal).
        GuardRefused: the risk's level is above the policy's highest acceptable level.
        TransitionNotAllowed: the risk is not assessed.
    """
    return _fire(
        risk,
        RiskEvent.ACCEPT,
        policy=policy,
        actor=actor,
        at=at,
        why=f"accept: {why}",
        response=Response.ACCEPT,
        owner=_owner(owner),
        last_review_at=at,
    )


def implement(
    risk: Risk, *, policy: AccessPolicy, actor: Actor, at: _dt.datetime, note: str = ""
) -> Stepped:
    """Record that the response's measures are in place; monitoring (and its clock) starts.

    Raises:
        TransitionNotAllowed: no response is being carried out.
    """
    return _fire(
        risk,
        RiskEvent.IMPLEMENT,
        policy=policy,
        actor=actor,
        at=at,
        why=note or "measures in place",
        last_review_at=at,
    )


def review(
    risk: Risk,
    *,
    note: str,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
    likelihood: int | None = None,
    impact: int | None = None,
) -> Stepped:
    """Review a monitored risk; the next review is due from ``at``. A new likelihood or impact
    re-scores it (and may change its review interval).

    Raises:
        InvalidInput: a likelihood or impact outside the policy's scale.
        TransitionNotAllowed: the risk is not monitored.
    """
    changes: dict[str, Any] = {}
    rescored = likelihood is not None or impact is not None
    if rescored and risk.state is RiskState.MONITORING:  # other states: the machine refuses
        matrix = assessment_policy(risk.assessment)
        new_l = risk.likelihood if likelihood is None else likelihood
        new_i = risk.impact_score if impact is None else impact
        assert new_l is not None  # a monitored risk is assessed
        assert new_i is not None
        changes = {
            "likelihood": new_l,
            "impact_score": new_i,
            "level": matrix.level_of(new_l, new_i),
        }
    return _fire(
        risk,
        RiskEvent.REVIEW,
        policy=policy,
        actor=actor,
        at=at,
        why=f"review: {note}",
        last_review_at=at,
        notes=(*risk.notes, f"{as_instant(at).date().isoformat()}: {note}"),
        **changes,
    )


def reassess(
    risk: Risk, *, why: str, policy: AccessPolicy, actor: Actor, at: _dt.datetime
) -> Stepped:
    """Send a monitored risk back to assessment (its situation changed).

    Raises:
        TransitionNotAllowed: the risk is not monitored.
    """
    return _fire(risk, RiskEvent.REASSESS, policy=policy, actor=actor, at=at, why=why)


def close(risk: Risk, *, why: str, policy: AccessPolicy, actor: Actor, at: _dt.datetime) -> Stepped:
    """Close a risk that is no longer present (needs :data:`CLOSE_RISK`).

    Raises:
        PermissionDenied: ``actor`` may not close risks (its ``audit`` records the refusal).
        TransitionNotAllowed: the risk is being assessed or responded to, or closed.
    """
    return _fire(risk, RiskEvent.CLOSE, policy=policy, actor=actor, at=at, why=why)


def review_clock(risk: Risk) -> SlaClock:
    """Return the clock of the risk's next review, started at its last assessment or review.

    Raises:
        InvalidInput: the risk is not monitored.
    """
    if risk.state is not RiskState.MONITORING or risk.level is None:
        raise InvalidInput("risk.state", risk.state.value, "a monitored risk")
    assert risk.last_review_at is not None  # set by every arrow into monitoring
    policy = assessment_policy(risk.assessment).review_for(risk.level)
    return SlaClock(policy=policy, events=(SlaEvent("reviewed", risk.last_review_at),))


def review_overdue(risk: Risk, *, as_of: _dt.datetime) -> str | None:
    """Return why the risk's review is overdue as of ``as_of``, or None (not monitored, or in
    time)."""
    if risk.state is not RiskState.MONITORING:
        return None
    clock = review_clock(risk)
    moment = as_instant(as_of, "as_of")
    if moment < clock.started_at or not clock.is_breached(moment):
        return None
    return (
        f"risk {risk.id}: review due {clock.due_date} ({clock.policy.limit} "
        f"{clock.policy.unit.value} for a {clock.policy.key.removeprefix('risk_review_')} risk "
        f"from {clock.started_at.date()}), not reviewed by {moment.date()}"
    )


# --------------------------------------------------------------------------- proposals


@attrs.frozen(kw_only=True)
class MeasureRules:
    """The thresholds at which computed measures propose a risk (company policy).

    Attributes:
        key: the rule set's key.
        min_hedge_ratio / max_hedge_ratio: a month's hedge ratio outside this range is a market
            risk (under-hedged: exposed to spot prices; over-hedged: must sell back).
        min_credit_points: a credit score below this is a credit risk.
        max_days_overdue: arrears overdue more days than this are a credit risk.
    """

    key: str
    min_hedge_ratio: Decimal = Decimal("0.8")
    max_hedge_ratio: Decimal = Decimal("1.1")
    min_credit_points: Decimal = Decimal(60)
    max_days_overdue: int = 30


#: The default thresholds (illustrative company policy).
DEFAULT_MEASURE_RULES: Final = MeasureRules(key="RISK-MEASURES")


@attrs.frozen(kw_only=True)
class ArrearsFact:
    """What a customer owes and how long its oldest item is overdue (from the arrears register,
    :mod:`powerretail.collections.arrears`)."""

    customer_id: str
    amount: Money
    days_overdue: int


@attrs.frozen(kw_only=True)
class RiskProposal:
    """A risk a measure proposes: its id, kind, subject, the rule that fired and the numbers."""

    risk_id: str
    kind: RiskKind
    title: str
    subject: str
    rule: str
    cause: str
    impact: str
    measured: str


def _ratio(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.0001"), rounding=decimal.ROUND_HALF_UP))


def propose_market_risks(
    position: PositionReport, *, rules: MeasureRules = DEFAULT_MEASURE_RULES
) -> tuple[RiskProposal, ...]:
    """Propose a market risk for each month whose hedge ratio is outside the rules' range.

    A month with nothing planned is not scored.
    """
    found: list[RiskProposal] = []
    for month, line in position.month_totals().items():
        ratio = line.hedge_ratio
        if ratio is None:
            continue
        numbers = (
            f"hedge ratio {ratio} ({line.purchased_kwh} kWh bought of {line.planned_kwh} kWh "
            f"planned, open {line.open_kwh} kWh)"
        )
        if ratio < rules.min_hedge_ratio:
            rule, bound = "hedge_ratio_below_minimum", f"below {_ratio(rules.min_hedge_ratio)}"
            impact = "the open energy is bought at spot or deviation prices"
        elif ratio > rules.max_hedge_ratio:
            rule, bound = "hedge_ratio_above_maximum", f"above {_ratio(rules.max_hedge_ratio)}"
            impact = "the energy bought beyond the plan is sold back or assessed as deviation"
        else:
            continue
        found.append(
            RiskProposal(
                risk_id=f"market/{rule}/{month}",
                kind=RiskKind.MARKET,
                title=f"{month} hedge ratio {bound}",
                subject=str(month),
                rule=f"{rules.key}.{rule}",
                cause=f"{numbers} {bound}",
                impact=impact,
                measured=f"{numbers}",
            )
        )
    return tuple(found)


def propose_credit_risks(
    scores: Iterable[CreditScore],
    arrears: Iterable[ArrearsFact] = (),
    *,
    rules: MeasureRules = DEFAULT_MEASURE_RULES,
) -> tuple[RiskProposal, ...]:
    """Propose a credit risk for each customer whose score is below the threshold or whose
    arrears are overdue beyond the limit (sorted by risk id)."""
    found: list[RiskProposal] = []
    for score in scores:
        if score.points < rules.min_credit_points:
            rule = "credit_score_below_minimum"
            numbers = f"credit score {score.points} below {rules.min_credit_points}"
            found.append(
                RiskProposal(
                    risk_id=f"credit/{rule}/{score.customer_id}",
                    kind=RiskKind.CREDIT,
                    title=f"customer {score.customer_id} {numbers}",
                    subject=str(score.customer_id),
                    rule=f"{rules.key}.{rule}",
                    cause=numbers,
                    impact="bills may not be paid; deposits or guarantees may be needed",
                    measured=numbers,
                )
            )
    for fact in arrears:
        if fact.days_overdue > rules.max_days_overdue and fact.amount.amount > 0:
            rule = "arrears_overdue_beyond_limit"
            numbers = (
                f"{fact.amount.amount} {fact.amount.currency} owed, {fact.days_overdue} days "
                f"overdue (limit {rules.max_days_overdue})"
            )
            found.append(
                RiskProposal(
                    risk_id=f"credit/{rule}/{fact.customer_id}",
                    kind=RiskKind.CREDIT,
                    title=f"customer {fact.customer_id} in arrears",
                    subject=fact.customer_id,
                    rule=f"{rules.key}.{rule}",
                    cause=numbers,
                    impact="the retailer carries the unpaid energy; it may have to be written off",
                    measured=numbers,
                )
            )
    return tuple(sorted(found, key=lambda p: p.risk_id))


def apply_proposal(proposal: RiskProposal, existing: Risk | None, *, at: _dt.datetime) -> Risk:
    """Return the risk a proposal opens, or ``existing`` (open) with the new measure.

    Raises:
        InvalidInput: ``existing`` is closed or is another risk.
    """
    if existing is None:
        return identify(
            risk_id=proposal.risk_id,
            kind=proposal.kind,
            title=proposal.title,
            cause=proposal.cause,
            impact=proposal.impact,
            at=at,
            subject=proposal.subject,
            rule=proposal.rule,
            measured=proposal.measured,
        )
    if existing.id != proposal.risk_id or existing.state is RiskState.CLOSED:
        raise InvalidInput("existing", existing.id, f"the open risk {proposal.risk_id}")
    stamp = as_instant(at).date().isoformat()
    return attrs.evolve(
        existing,
        measured=proposal.measured,
        notes=(*existing.notes, f"{stamp}: {proposal.rule} fired again: {proposal.measured}"),
    )
