from datetime import UTC, datetime
from decimal import Decimal

import pytest

from powerretail.customers.development import (
    PIPELINE_MACHINE,
    PipelineEvent,
    PipelineStage,
    PriceSensitivity,
    Prospect,
    ProspectFacts,
    ScreeningCriteria,
    ScreeningFailed,
    Segment,
    begin_negotiation,
    begin_promotion,
    confirm_intent,
    mark_contracted,
    mark_lost,
    screen,
    start_screening,
)
from powerretail.errors import InvalidInput
from powerretail.ids import ContractId, DocumentId
from powerretail.quantities import Energy
from powerretail.statemachine import GuardRefused, TransitionNotAllowed

AT = datetime(2025, 2, 1, 2, tzinfo=UTC)
CRITERIA = ScreeningCriteria(
    key="2025",
    segments={Segment.INDUSTRIAL, Segment.COMMERCIAL},
    min_annual_kwh=1_000_000,
    min_load_stability="0.6",
    max_price_sensitivity=PriceSensitivity.MEDIUM,
)


def facts(**changes: object) -> ProspectFacts:
    fields: dict[str, object] = {
        "segment": Segment.INDUSTRIAL,
        "annual_energy": Energy(1_000_000),
        "load_stability": "0.6",
        "price_sensitivity": PriceSensitivity.MEDIUM,
    }
    fields.update(changes)
    return ProspectFacts(**fields)  # type: ignore[arg-type]


def a_prospect(**changes: object) -> Prospect:
    return Prospect(id="P-1", name="Wuzhong Dyeworks", facts=facts(**changes))


class TestScreen:
    def test_passes_a_prospect_exactly_at_every_criterion(self) -> None:
        assert screen(facts(), CRITERIA).passed

    def test_lists_every_criterion_missed(self) -> None:
        result = screen(
            facts(
                segment=Segment.RESIDENTIAL,
                annual_energy=Energy("999999.9"),
                load_stability="0.59",
                price_sensitivity=PriceSensitivity.HIGH,
            ),
            CRITERIA,
        )

        assert [f.rule for f in result.findings] == [
            "segments",
            "min_annual_kwh",
            "min_load_stability",
            "max_price_sensitivity",
        ]
        assert result.findings[0].message == "居民用户 is not among 商业用户, 工业企业"

    def test_refuses_a_stability_above_one(self) -> None:
        with pytest.raises(InvalidInput, match="load_stability"):
            facts(load_stability="1.01")


class TestThePipeline:
    def test_runs_from_research_to_a_contract(self) -> None:
        prospect = start_screening(a_prospect(), at=AT, by="market")
        prospect = begin_promotion(prospect, CRITERIA, at=AT, by="market")
        prospect = begin_negotiation(prospect, at=AT, by="sales")
        prospect = confirm_intent(prospect, DocumentId("IL-1"), at=AT, by="sales")
        prospect = mark_contracted(prospect, ContractId("K-1"), at=AT, by="sales")

        assert prospect.stage is PipelineStage.CONTRACTED
        assert (prospect.intent_letter_id, prospect.contract_id) == ("IL-1", "K-1")
        assert prospect.screening is not None
        assert prospect.screening.passed
        assert [r.target.value for r in prospect.history] == [
            "screening",
            "promotion",
            "negotiation",
            "intent_confirmed",
            "contracted",
        ]

    def test_refuses_to_promote_a_prospect_that_fails_screening(self) -> None:
        prospect = start_screening(a_prospect(load_stability="0.5"), at=AT, by="market")

        with pytest.raises(
            ScreeningFailed, match=r'prospect "P-1" fails screening: stability 0\.5'
        ):
            begin_promotion(prospect, CRITERIA, at=AT, by="market")

    def test_refuses_to_promote_before_screening(self) -> None:
        with pytest.raises(TransitionNotAllowed, match="cannot qualify when research"):
            begin_promotion(a_prospect(), CRITERIA, at=AT, by="market")

    def test_loses_a_prospect_at_any_step_with_its_reason(self) -> None:
        prospect = begin_negotiation(
            begin_promotion(start_screening(a_prospect(), at=AT, by="m"), CRITERIA, at=AT, by="m"),
            at=AT,
            by="s",
        )

        lost = mark_lost(prospect, reason="chose a rival's fixed price", at=AT, by="sales")

        assert lost.stage is PipelineStage.LOST
        assert lost.lost_reason == "chose a rival's fixed price"

    def test_refuses_to_lose_without_a_reason(self) -> None:
        with pytest.raises(GuardRefused, match="reason_given"):
            mark_lost(a_prospect(), reason=" ", at=AT, by="sales")

    def test_never_moves_a_won_prospect(self) -> None:
        won = Prospect(id="P-1", name="x", facts=facts(), stage=PipelineStage.CONTRACTED)

        with pytest.raises(TransitionNotAllowed):
            mark_lost(won, reason="x", at=AT, by="sales")


ALLOWED = {
    ("research", "screen"): "screening",
    ("screening", "qualify"): "promotion",
    ("promotion", "negotiate"): "negotiation",
    ("negotiation", "confirm_intent"): "intent_confirmed",
    ("intent_confirmed", "sign_contract"): "contracted",
    **{
        (s, "lose"): "lost"
        for s in ("research", "screening", "promotion", "negotiation", "intent_confirmed")
    },
}
CONTEXT = {
    "screening": screen(facts(), CRITERIA),
    "intent_letter_id": "IL-1",
    "contract_id": "K-1",
    "reason": "why",
}
PAIRS = [(s, e) for s in PipelineStage for e in PipelineEvent]


@pytest.mark.parametrize(("stage", "event"), PAIRS, ids=[f"{s.value}-{e.value}" for s, e in PAIRS])
def test_every_stage_and_event(stage: PipelineStage, event: PipelineEvent) -> None:
    expected = ALLOWED.get((stage.value, event.value))

    if expected is None:
        with pytest.raises(TransitionNotAllowed):
            PIPELINE_MACHINE.next_state(stage, event, None, CONTEXT)
    else:
        assert PIPELINE_MACHINE.next_state(stage, event, None, CONTEXT).value == expected
        if event is not PipelineEvent.SCREEN and event is not PipelineEvent.NEGOTIATE:
            with pytest.raises(GuardRefused):
                PIPELINE_MACHINE.next_state(stage, event, None, {})


def test_price_sensitivity_ranks_low_to_high() -> None:
    assert [p.rank for p in PriceSensitivity] == [1, 2, 3]
    assert Decimal(1) == facts(load_stability=1).load_stability
