from datetime import date, timedelta

import attrs
import pytest

from powerretail.access import SEED_POLICY, Actor, PermissionDenied
from powerretail.contracts.lifecycle import (
    CONTRACT_MACHINE,
    Contract,
    ContractNotAmendable,
    ContractNotEditable,
    ContractState,
    Department,
    Verdict,
    abandon,
    agree_revisions,
    amend,
    archive,
    complete_department_review,
    contract_number,
    expire,
    record_department_opinion,
    record_legal_opinion,
    renew,
    resubmit,
    resume,
    revise,
    sign,
    submit_for_review,
    supersede,
    suspend,
    terminate,
)
from powerretail.contracts.terms import ContractTerm, Party, PartyRole, PriceTerms
from powerretail.errors import InvalidInput
from powerretail.ids import ActorId, ContractId
from powerretail.statemachine import GuardRefused, TransitionNotAllowed
from tests.strategies.customers import CONTRACT_AT, a_contract, an_opinion

BOSS = Actor(id=ActorId("boss"), name="Chen", roles=frozenset({"legal_representative"}))
CLERK = Actor(id=ActorId("clerk"), name="Li", roles=frozenset({"customer_service"}))
LATER = CONTRACT_AT + timedelta(days=1)


def reviewed(contract: Contract | None = None, verdict: Verdict = Verdict.APPROVE) -> Contract:
    contract = submit_for_review(contract or a_contract(), at=CONTRACT_AT, by="sales")
    for minute, department in enumerate(
        (Department.MARKET, Department.FINANCE, Department.TECHNICAL)
    ):
        contract = record_department_opinion(
            contract, an_opinion(department, verdict, minute=minute)
        )
    contract = complete_department_review(contract, at=CONTRACT_AT, by="sales")
    return record_legal_opinion(contract, an_opinion(Department.LEGAL, minute=5))


def signed(contract: Contract | None = None) -> Contract:
    ready = agree_revisions(reviewed(contract), at=CONTRACT_AT, by="sales", why="customer agreed")
    return sign(
        ready, signatory=BOSS, policy=SEED_POLICY, number="SD-2025-00001", at=LATER, why="ok"
    )


class TestTheSeedProcedure:
    def test_goes_from_draft_through_reviews_and_revision_to_an_active_numbered_contract(
        self,
    ) -> None:
        contract = signed()

        assert contract.state is ContractState.ACTIVE
        assert contract.number == "SD-2025-00001"
        assert contract.label == "SD-2025-00001/v1"
        assert contract.signature is not None
        assert contract.signature.granted_by == "legal_representative"
        assert [r.event.value for r in contract.history] == [
            "submit",
            "record_opinion",
            "record_opinion",
            "record_opinion",
            "complete_department_review",
            "record_legal_opinion",
            "agree_revisions",
            "sign",
        ]
        assert contract.history[-1].by == "boss"

    def test_records_each_departments_opinion(self) -> None:
        contract = reviewed()

        assert contract.opinion_of(Department.FINANCE) == an_opinion(Department.FINANCE, minute=1)
        assert contract.opinion_of(Department.LEGAL) == an_opinion(Department.LEGAL, minute=5)
        assert contract.history[1].why == "市场部门: 同意"

    def test_refuses_a_second_opinion_from_one_department(self) -> None:
        contract = submit_for_review(a_contract(), at=CONTRACT_AT, by="sales")
        contract = record_department_opinion(contract, an_opinion(Department.MARKET))

        with pytest.raises(GuardRefused, match="opinion_from_a_department_not_yet_heard"):
            record_department_opinion(contract, an_opinion(Department.MARKET, Verdict.REJECT))

    def test_refuses_the_legal_review_before_every_department_is_heard(self) -> None:
        contract = submit_for_review(a_contract(), at=CONTRACT_AT, by="sales")

        with pytest.raises(GuardRefused, match="every_department_heard"):
            complete_department_review(contract, at=CONTRACT_AT, by="sales")

    def test_a_rejected_contract_goes_back_to_review_with_the_opinions_cleared(self) -> None:
        rejected = reviewed(verdict=Verdict.REJECT)

        with pytest.raises(GuardRefused, match="no_opinion_rejects"):
            agree_revisions(rejected, at=CONTRACT_AT, by="sales", why="x")
        again = resubmit(rejected, at=CONTRACT_AT, by="sales", why="price lowered")

        assert again.state is ContractState.DEPARTMENT_REVIEW
        assert (again.opinions, again.legal_opinion) == ((), None)


class TestSign:
    def test_refuses_a_signatory_without_authority_and_changes_nothing(self) -> None:
        ready = agree_revisions(reviewed(), at=CONTRACT_AT, by="sales", why="agreed")

        with pytest.raises(PermissionDenied, match=r'actor "clerk" \(roles: customer_service\)'):
            sign(ready, signatory=CLERK, policy=SEED_POLICY, number="SD-1", at=LATER, why="x")

        assert ready.state is ContractState.SIGNING
        assert ready.number is None

    def test_refuses_a_blank_number(self) -> None:
        ready = agree_revisions(reviewed(), at=CONTRACT_AT, by="sales", why="agreed")

        with pytest.raises(GuardRefused, match="signed_with_authority_and_numbered"):
            sign(ready, signatory=BOSS, policy=SEED_POLICY, number=" ", at=LATER, why="x")

    def test_refuses_signing_a_draft(self) -> None:
        with pytest.raises(TransitionNotAllowed, match="cannot sign when draft"):
            sign(a_contract(), signatory=BOSS, policy=SEED_POLICY, number="SD-1", at=LATER, why="x")


class TestAfterSigning:
    def test_suspends_resumes_terminates_and_archives(self) -> None:
        contract = suspend(signed(), at=LATER, by="ops", why="safety inspection")
        contract = resume(contract, at=LATER, by="ops")
        contract = terminate(contract, at=LATER, by="ops", why="customer closed the plant")
        contract = archive(contract, at=LATER, by="clerk")

        assert contract.state is ContractState.ARCHIVED
        assert CONTRACT_MACHINE.allowed_events(contract.state) == frozenset()

    def test_refuses_to_suspend_without_a_reason(self) -> None:
        with pytest.raises(GuardRefused, match="reason_given"):
            suspend(signed(), at=LATER, by="ops", why="")

    def test_renews_by_the_renewal_period(self) -> None:
        contract = renew(signed(), at=LATER, by="ops")

        assert contract.term.end == date(2027, 4, 1)
        assert contract.state is ContractState.ACTIVE

    def test_expires_on_the_end_of_its_term_not_the_day_before(self) -> None:
        contract = signed()

        with pytest.raises(GuardRefused, match="term_has_ended"):
            expire(contract, on=date(2026, 3, 31), at=LATER, by="ops")
        expired = expire(contract, on=date(2026, 4, 1), at=LATER, by="ops")

        assert expired.state is ContractState.EXPIRED
        assert expired.history[-1].why == "term ended 2026-04-01"

    def test_abandons_a_contract_that_will_not_be_signed(self) -> None:
        contract = abandon(reviewed(), at=LATER, by="sales", why="customer chose a rival")

        assert contract.state is ContractState.ARCHIVED


class TestAmend:
    def test_makes_a_new_draft_version_with_the_same_number(self) -> None:
        original = signed()

        amendment = amend(
            original,
            new_id=ContractId("K-1a"),
            at=LATER,
            by="sales",
            price=PriceTerms(retail_package_id="LINKED-2025"),
        )

        assert (amendment.state, amendment.version, amendment.number) == (
            ContractState.DRAFT,
            2,
            "SD-2025-00001",
        )
        assert amendment.amends == "K-1"
        assert amendment.history == ()
        assert original.price == PriceTerms(retail_package_id="FIXED-2025")

    def test_the_signed_amendment_supersedes_the_original(self) -> None:
        original = signed()
        amendment = amend(original, new_id=ContractId("K-1a"), at=LATER, by="sales")
        ready = agree_revisions(reviewed(amendment), at=LATER, by="sales", why="agreed")
        active = sign(
            ready, signatory=BOSS, policy=SEED_POLICY, number="SD-2025-00001", at=LATER, why="ok"
        )

        old = supersede(original, active, at=LATER, by="clerk")

        assert active.label == "SD-2025-00001/v2"
        assert old.state is ContractState.ARCHIVED
        assert old.history[-1].why == "superseded by SD-2025-00001/v2"

    def test_an_amendment_keeps_its_number_at_signing(self) -> None:
        amendment = amend(signed(), new_id=ContractId("K-1a"), at=LATER, by="sales")
        ready = agree_revisions(reviewed(amendment), at=LATER, by="sales", why="agreed")

        with pytest.raises(InvalidInput, match="SD-2025-00001"):
            sign(
                ready,
                signatory=BOSS,
                policy=SEED_POLICY,
                number="SD-2025-00002",
                at=LATER,
                why="ok",
            )

    def test_refuses_to_amend_a_draft(self) -> None:
        with pytest.raises(ContractNotAmendable, match="only an active or suspended"):
            amend(a_contract(), new_id=ContractId("K-2"), at=LATER, by="sales")


class TestRevise:
    def test_changes_terms_in_revision(self) -> None:
        term = ContractTerm(start="2025-05-01", end="2026-05-01")

        revised = revise(reviewed(), term=term)

        assert revised.term == term

    def test_refuses_to_change_a_signed_contract(self) -> None:
        with pytest.raises(ContractNotEditable, match="is active: its terms change only"):
            revise(signed(), price=PriceTerms(tariff_code="T"))

    def test_refuses_a_change_that_is_not_a_term(self) -> None:
        with pytest.raises(InvalidInput, match="state"):
            revise(a_contract(), state=ContractState.ACTIVE)


class TestContract:
    def test_refuses_a_seller_in_the_buyers_place(self) -> None:
        seller = Party(role=PartyRole.SELLER, name="X", representative="Y")

        with pytest.raises(InvalidInput, match=r"buyer\.role"):
            a_contract(buyer=seller)

    def test_refuses_a_buyer_in_the_sellers_place(self) -> None:
        buyer = Party(role=PartyRole.BUYER, name="X", representative="Y")

        with pytest.raises(InvalidInput, match=r"seller\.role"):
            a_contract(seller=buyer)

    def test_refuses_an_empty_scope(self) -> None:
        with pytest.raises(InvalidInput, match="scope"):
            a_contract(scope=())

    def test_refuses_version_zero(self) -> None:
        with pytest.raises(InvalidInput, match="version"):
            a_contract(version=0)

    def test_is_labelled_by_its_id_before_signing(self) -> None:
        assert a_contract().label == "K-1/v1"

    def test_refuses_an_opinion_without_reasons(self) -> None:
        with pytest.raises(InvalidInput, match=r"opinion\.text"):
            attrs.evolve(an_opinion(Department.MARKET), text=" ")


class TestContractNumber:
    def test_pads_the_sequence(self) -> None:
        assert contract_number("PSC", 2026, 7) == "PSC-2026-00007"

    @pytest.mark.parametrize("sequence", [0, True])
    def test_refuses_a_sequence_below_one(self, sequence: int) -> None:
        with pytest.raises(InvalidInput, match="sequence"):
            contract_number("SD", 2025, sequence)
