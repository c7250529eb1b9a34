"""Market development: from research to a signed contract, or lost with a reason.

The seed's market-development procedure (售电公司流程管理制度 市場開拓流程) runs: 1 市場調研
(research),
2 目標客戶篩選 (screen targets against criteria such as consumption scale, stability of use and
price sensitivity), 3 營銷推廣 (promotion), 4 客戶洽談 (negotiation), 5 合作意向確認 (an intent
letter is signed), and then the contract (合同簽訂流程). A prospect can be lost at any step; the
reason is kept.

Screening criteria are data (:class:`ScreeningCriteria`); :func:`screen` returns every finding,
not just the first.

>>> from datetime import datetime, timezone
>>> from powerretail.quantities import Energy
>>> criteria = ScreeningCriteria(key="2025", segments={Segment.INDUSTRIAL},
...     min_annual_kwh=1_000_000, min_load_stability="0.6",
...     max_price_sensitivity=PriceSensitivity.MEDIUM)
>>> facts = ProspectFacts(segment=Segment.INDUSTRIAL, annual_energy=Energy(800_000),
...     load_stability="0.7", price_sensitivity=PriceSensitivity.HIGH)
>>> print(", ".join(f.rule for f in screen(facts, criteria).findings))
min_annual_kwh, max_price_sensitivity
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final

import attrs

from powerretail.errors import InvalidInput, RuleViolation, describe_value
from powerretail.ids import ContractId, DocumentId, require_id
from powerretail.quantities import Energy, exact_decimal
from powerretail.statemachine import StateMachine, Transition, TransitionRecord

__all__ = [
    "PIPELINE_MACHINE",
    "Finding",
    "PipelineEvent",
    "PipelineStage",
    "PriceSensitivity",
    "Prospect",
    "ProspectFacts",
    "ScreeningCriteria",
    "ScreeningFailed",
    "ScreeningResult",
    "Segment",
    "begin_negotiation",
    "begin_promotion",
    "confirm_intent",
    "mark_contracted",
    "mark_lost",
    "screen",
    "start_screening",
]


class PipelineStage(enum.Enum):
    """Where a prospect is in market development."""

    RESEARCH = "research"
    SCREENING = "screening"
    PROMOTION = "promotion"
    NEGOTIATION = "negotiation"
    INTENT_CONFIRMED = "intent_confirmed"
    CONTRACTED = "contracted"
    LOST = "lost"


class PipelineEvent(enum.Enum):
    """What moves a prospect."""

    SCREEN = "screen"
    QUALIFY = "qualify"
    NEGOTIATE = "negotiate"
    CONFIRM_INTENT = "confirm_intent"
    SIGN_CONTRACT = "sign_contract"
    LOSE = "lose"


class Segment(enum.Enum):
    """A target-customer group.

    Source: 售电公司流程管理制度 市場開拓流程 2 (工業企業、商業用戶、居民用戶).
    """

    INDUSTRIAL = "工业企业"
    COMMERCIAL = "商业用户"
    RESIDENTIAL = "居民用户"


class PriceSensitivity(enum.Enum):
    """How strongly a prospect reacts to price (价格敏感度); ``rank`` 1 (low) to 3 (high)."""

    LOW = "低"
    MEDIUM = "中"
    HIGH = "高"

    @property
    def rank(self) -> int:
        """Return 1 for low, 2 for medium, 3 for high sensitivity."""
        return {PriceSensitivity.LOW: 1, PriceSensitivity.MEDIUM: 2, PriceSensitivity.HIGH: 3}[self]


def _stability(value: object) -> Decimal:
    share = exact_decimal(value, "load_stability")
    if not Decimal(0) <= share <= Decimal(1):
        raise InvalidInput("load_stability", value, "a share from 0 to 1")
    return share


@attrs.frozen(kw_only=True)
class ProspectFacts:
    """What research found: segment, annual consumption [kWh], stability of use (0–1: the share
    of months within ±20 % of the mean, say) and price sensitivity."""

    segment: Segment
    annual_energy: Energy
    load_stability: Decimal = attrs.field(converter=_stability)
    price_sensitivity: PriceSensitivity


def _segments(value: Iterable[Segment]) -> frozenset[Segment]:
    return frozenset(value)


def _kwh(value: object) -> Decimal:
    return exact_decimal(value, "min_annual_kwh")


@attrs.frozen(kw_only=True)
class ScreeningCriteria:
    """Which prospects are worth pursuing.

    Source: 售电公司流程管理制度 市場開拓流程 2 (客戶篩選標準).
    """

    key: str
    segments: frozenset[Segment] = attrs.field(converter=_segments)
    min_annual_kwh: Decimal = attrs.field(converter=_kwh)
    min_load_stability: Decimal = attrs.field(converter=_stability)
    max_price_sensitivity: PriceSensitivity


@attrs.frozen
class Finding:
    """A criterion a prospect does not meet: the ``rule`` and a ``message`` with the numbers."""

    rule: str
    message: str


def _findings(value: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(value)


@attrs.frozen
class ScreeningResult:
    """Every criterion the prospect misses (none: it passed), under ``criteria_key``."""

    criteria_key: str
    findings: tuple[Finding, ...] = attrs.field(converter=_findings)

    @property
    def passed(self) -> bool:
        """Return whether the prospect met every criterion."""
        return not self.findings


def screen(facts: ProspectFacts, criteria: ScreeningCriteria) -> ScreeningResult:
    """Return every criterion of ``criteria`` that ``facts`` miss."""
    findings: list[Finding] = []
    if facts.segment not in criteria.segments:
        wanted = ", ".join(sorted(s.value for s in criteria.segments))
        findings.append(Finding("segments", f"{facts.segment.value} is not among {wanted}"))
    if facts.annual_energy.kwh < criteria.min_annual_kwh:
        findings.append(
            Finding(
                "min_annual_kwh",
                f"{facts.annual_energy.kwh} kWh a year is below {criteria.min_annual_kwh}",
            )
        )
    if facts.load_stability < criteria.min_load_stability:
        findings.append(
            Finding(
                "min_load_stability",
                f"stability {facts.load_stability} is below {criteria.min_load_stability}",
            )
        )
    if facts.price_sensitivity.rank > criteria.max_price_sensitivity.rank:
        findings.append(
            Finding(
                "max_price_sensitivity",
                f"price sensitivity {facts.price_sensitivity.value} is above "
                f"{criteria.max_price_sensitivity.value}",
            )
        )
    return ScreeningResult(criteria.key, findings)


class ScreeningFailed(RuleViolation):
    """The prospect does not meet the screening criteria; nothing was changed."""

    def __init__(self, prospect_id: str, result: ScreeningResult) -> None:
        self.prospect_id = prospect_id
        self.result = result
        super().__init__(prospect_id, result)

    def __str__(self) -> str:
        misses = "; ".join(f.message for f in self.result.findings)
        return f"prospect {describe_value(self.prospect_id)} fails screening: {misses}"


def _records(value: Iterable[TransitionRecord[Any, Any]]) -> tuple[TransitionRecord[Any, Any], ...]:
    return tuple(value)


def _prospect_id(value: object) -> str:
    return require_id(value, "prospect.id")


@attrs.frozen(kw_only=True)
class Prospect:
    """A potential customer moving through market development."""

    id: str = attrs.field(converter=_prospect_id)
    name: str
    facts: ProspectFacts
    stage: PipelineStage = PipelineStage.RESEARCH
    screening: ScreeningResult | None = None
    intent_letter_id: DocumentId | None = None
    contract_id: ContractId | None = None
    lost_reason: str | None = None
    history: tuple[TransitionRecord[Any, Any], ...] = attrs.field(default=(), converter=_records)


def screening_passed(_entity: Any, context: Mapping[str, Any]) -> bool:
    """A passed screening result is given."""
    result = context.get("screening")
    return isinstance(result, ScreeningResult) and result.passed


def intent_letter_given(_entity: Any, context: Mapping[str, Any]) -> bool:
    """The id of the signed intent letter is given."""
    return bool(context.get("intent_letter_id"))


def contract_given(_entity: Any, context: Mapping[str, Any]) -> bool:
    """The id of the signed contract is given."""
    return bool(context.get("contract_id"))


def reason_given(_entity: Any, context: Mapping[str, Any]) -> bool:
    """A non-blank reason is given."""
    reason = context.get("reason")
    return isinstance(reason, str) and bool(reason.strip())


_P: Final = PipelineStage
_V: Final = PipelineEvent

#: Research → screening → promotion → negotiation → intent confirmed → contracted; lost from any
#: step before. Source: 售电公司流程管理制度 市場開拓流程 1–5, 合同簽訂流程.
PIPELINE_MACHINE: Final = StateMachine[PipelineStage, PipelineEvent](
    "market_development",
    initial=_P.RESEARCH,
    finals={_P.CONTRACTED, _P.LOST},
    transitions=[
        Transition(_P.RESEARCH, _V.SCREEN, _P.SCREENING),
        Transition(_P.SCREENING, _V.QUALIFY, _P.PROMOTION, guard=screening_passed),
        Transition(_P.PROMOTION, _V.NEGOTIATE, _P.NEGOTIATION),
        Transition(
            _P.NEGOTIATION, _V.CONFIRM_INTENT, _P.INTENT_CONFIRMED, guard=intent_letter_given
        ),
        Transition(_P.INTENT_CONFIRMED, _V.SIGN_CONTRACT, _P.CONTRACTED, guard=contract_given),
        *(
            Transition(stage, _V.LOSE, _P.LOST, guard=reason_given)
            for stage in (
                _P.RESEARCH,
                _P.SCREENING,
                _P.PROMOTION,
                _P.NEGOTIATION,
                _P.INTENT_CONFIRMED,
            )
        ),
    ],
)


def _move(
    prospect: Prospect,
    event: PipelineEvent,
    *,
    at: _dt.datetime,
    by: str,
    why: str = "",
    context: Mapping[str, Any] | None = None,
    **changes: Any,
) -> Prospect:
    return PIPELINE_MACHINE.advance(
        prospect, event, at=at, by=by, why=why, context=context, state_field="stage", **changes
    )


def start_screening(prospect: Prospect, *, at: _dt.datetime, by: str) -> Prospect:
    """Move a researched prospect to screening."""
    return _move(prospect, _V.SCREEN, at=at, by=by)


def begin_promotion(
    prospect: Prospect, criteria: ScreeningCriteria, *, at: _dt.datetime, by: str
) -> Prospect:
    """Screen the prospect against ``criteria`` and, if it passes, move it to promotion.

    Raises:
        ScreeningFailed: the prospect misses a criterion (every miss is listed).
        TransitionNotAllowed: the prospect is not in screening.
    """
    result = screen(prospect.facts, criteria)
    if prospect.stage is _P.SCREENING and not result.passed:
        raise ScreeningFailed(prospect.id, result)
    return _move(
        prospect,
        _V.QUALIFY,
        at=at,
        by=by,
        why=f"passed screening {criteria.key}",
        context={"screening": result},
        screening=result,
    )


def begin_negotiation(prospect: Prospect, *, at: _dt.datetime, by: str) -> Prospect:
    """Move a promoted prospect to negotiation (洽谈)."""
    return _move(prospect, _V.NEGOTIATE, at=at, by=by)


def confirm_intent(
    prospect: Prospect, intent_letter_id: DocumentId, *, at: _dt.datetime, by: str
) -> Prospect:
    """Record the signed intent letter; the prospect's intent is confirmed."""
    return _move(
        prospect,
        _V.CONFIRM_INTENT,
        at=at,
        by=by,
        why=f"intent letter {intent_letter_id}",
        context={"intent_letter_id": intent_letter_id},
        intent_letter_id=intent_letter_id,
    )


def mark_contracted(
    prospect: Prospect, contract_id: ContractId, *, at: _dt.datetime, by: str
) -> Prospect:
    """Record the signed contract; the prospect is won."""
    return _move(
        prospect,
        _V.SIGN_CONTRACT,
        at=at,
        by=by,
        why=f"contract {contract_id}",
        context={"contract_id": contract_id},
        contract_id=contract_id,
    )


def mark_lost(prospect: Prospect, *, reason: str, at: _dt.datetime, by: str) -> Prospect:
    """Record that the prospect is lost, and why.

    Raises:
        GuardRefused: the reason is blank.
        TransitionNotAllowed: the prospect is already contracted or lost.
    """
    return _move(
        prospect,
        _V.LOSE,
        at=at,
        by=by,
        why=reason,
        context={"reason": reason},
        lost_reason=reason,
    )
