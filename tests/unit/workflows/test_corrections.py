"""Correcting an issued bill: credit note and rebill; the original keeps its content and hash."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pytest

from powerretail.access import CORRECT_BILL, RELEASE_HELD_BILL, SEED_POLICY, Actor, Decision
from powerretail.adapters.clocks import FixedClock
from powerretail.billing.bill import BillKind, BillState
from powerretail.billing.determinants import AccountFacts
from powerretail.billing.lifecycle import PlausibilityBounds, verify
from powerretail.errors import IdempotencyConflict
from powerretail.ids import AccountId, BillId
from powerretail.metering.meters import RegisterKind
from powerretail.metering.reads import ReadSource
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLS
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import CommandRefused
from powerretail.repositories.metering import READS, read_key
from powerretail.repositories.payments import RECEIVABLES
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.workflows.billing_cycle import run_billing_cycle
from powerretail.workflows.corrections import correct_bill, release_held_bill
from powerretail.workflows.payments import post_payment
from tests.unit.workflows.conftest import AUDITOR, CLERK, JULY, midnight

ORIGINAL = "A-1-20250701"


@pytest.fixture
def issued(book: UnitOfWorkFactory, clock: FixedClock) -> UnitOfWorkFactory:
    run_billing_cycle(book, clock=clock, period=JULY, issued_on=date(2025, 8, 1))
    return book


def fix_peak_read(make_unit_of_work: UnitOfWorkFactory, value: str) -> None:
    """Correct the stored end read of the peak register (a misread digit)."""
    key = read_key("M-A-1", RegisterKind.PEAK, midnight(JULY.end))
    with make_unit_of_work() as uow:
        reads = uow.repository(READS)
        stored, version = reads.get(key)
        read = attrs.evolve(stored.read, value=value, source=ReadSource.ACTUAL)
        reads.save(attrs.evolve(stored, read=read), version)
        uow.commit()


def correct(
    make_unit_of_work: UnitOfWorkFactory,
    clock: FixedClock,
    key: str = "fix-1",
    *,
    bill_id: str = ORIGINAL,
    facts: AccountFacts | None = None,
    actor: Actor = AUDITOR,
    why: str = "peak register misread",
) -> dict[str, JsonValue]:
    return correct_bill(
        make_unit_of_work,
        clock=clock,
        key=key,
        bill_id=bill_id,
        on=date(2025, 8, 10),
        actor=actor,
        policy=SEED_POLICY,
        why=why,
        facts=facts,
    )


class TestCorrectBill:
    def test_reverses_the_original_with_a_credit_note_and_rebills_the_corrected_reads(
        self, issued: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        with issued() as uow:
            before = uow.repository(BILLS).get(BillId(ORIGINAL)).entity
        fix_peak_read(issued, "1050")

        result = correct(issued, clock)

        with issued() as uow:
            bills = uow.repository(BILLS)
            original = bills.get(BillId(ORIGINAL)).entity
            note = bills.get(BillId(f"{ORIGINAL}-CN")).entity
            rebill = bills.get(BillId(f"{ORIGINAL}-R")).entity
            receivable = uow.repository(RECEIVABLES).get(AccountId("A-1")).entity
            events = uow.outbox.events_for(BILLS.kind, ORIGINAL)
        assert original.state is BillState.REVERSED
        assert original.content_hash == before.content_hash
        verify(original)
        assert note.kind is BillKind.CREDIT_NOTE
        assert note.total == -before.total
        assert rebill.kind is BillKind.REBILL
        assert rebill.total < before.total
        assert result["net"] == str(rebill.total.amount)
        assert receivable.owed == rebill.total
        assert receivable.reconciles
        assert [e.event_type for e in events] == ["BillIssued", "BillCorrected"]

    def test_a_correction_after_payment_leaves_the_overpayment_as_credit(
        self, issued: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        post_payment(
            issued,
            clock=clock,
            key="gw-1",
            account_id="A-1",
            amount=Money("246.04"),
            received_on=date(2025, 8, 5),
        )

        correct(issued, clock, facts=AccountFacts(capacity_kva=200))

        with issued() as uow:
            receivable = uow.repository(RECEIVABLES).get(AccountId("A-1")).entity
        assert receivable.reconciles
        assert receivable.balance == receivable.owed - receivable.credit

    def test_a_retry_corrects_once_and_a_second_correction_is_refused(
        self, issued: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        first = correct(issued, clock)

        assert correct(issued, clock) == first
        with pytest.raises(CommandRefused, match="reversed"):
            correct(issued, clock, key="fix-2")
        with pytest.raises(CommandRefused, match="credit note"):
            correct(issued, clock, key="fix-3", bill_id=f"{ORIGINAL}-CN")

    def test_a_key_reused_with_other_facts_actor_or_reason_conflicts(
        self, issued: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        # Before the fix the payload held only the bill, the day and the reason: a retry with
        # other facts or by another actor silently returned the first correction.
        first = correct(issued, clock)
        colleague = Actor(id="auditor-2", name="Zhao", roles=frozenset({"billing_auditor"}))

        with pytest.raises(IdempotencyConflict, match="fix-1"):
            correct(issued, clock, facts=AccountFacts(capacity_kva=200))
        with pytest.raises(IdempotencyConflict, match="fix-1"):
            correct(issued, clock, actor=colleague)
        with pytest.raises(IdempotencyConflict, match="fix-1"):
            correct(issued, clock, why="another reason")
        assert correct(issued, clock) == first

    def test_only_an_authorised_actor_corrects_and_each_decision_is_audited(
        self, issued: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        with issued() as uow:
            before = uow.repository(BILLS).get(BillId(ORIGINAL))
        fix_peak_read(issued, "1050")

        with pytest.raises(CommandRefused, match=r"PermissionDenied: .*\"clerk\""):
            correct(issued, clock, key="fix-clerk", actor=CLERK)
        with issued() as uow:  # the refusal changed nothing but is on record
            assert uow.repository(BILLS).get(BillId(ORIGINAL)) == before
            assert uow.repository(BILLS).find(BillId(f"{ORIGINAL}-CN")) is None
        result = correct(issued, clock)

        with issued() as uow:
            audit = uow.audit.records(operation=CORRECT_BILL)
        assert [(r.actor, r.decision) for r in audit] == [
            ("clerk", Decision.REFUSED),
            ("auditor", Decision.GRANTED),
        ]
        assert audit[1].subject == f"bill {ORIGINAL}"
        assert audit[1].magnitude == abs(Decimal(str(result["net"])))

    def test_a_clerk_may_not_release_a_held_bill(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        run_billing_cycle(
            book,
            clock=clock,
            period=JULY,
            issued_on=date(2025, 8, 1),
            bounds=PlausibilityBounds(max_total=Money("1.00")),
        )
        issued = book

        with pytest.raises(CommandRefused, match="PermissionDenied"):
            release_held_bill(
                issued,
                clock=clock,
                key="review-clerk",
                bill_id=ORIGINAL,
                on=date(2025, 8, 2),
                actor=CLERK,
                policy=SEED_POLICY,
                why="looked fine",
            )

        with issued() as uow:
            assert uow.repository(BILLS).get(BillId(ORIGINAL)).entity.state is BillState.HELD
            refusals = uow.audit.records(operation=RELEASE_HELD_BILL)
        assert [(r.actor, r.decision) for r in refusals] == [("clerk", Decision.REFUSED)]

    def test_releasing_a_bill_that_is_not_held_is_refused(
        self, issued: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        with pytest.raises(CommandRefused):
            release_held_bill(
                issued,
                clock=clock,
                key="review-1",
                bill_id=ORIGINAL,
                on=date(2025, 8, 2),
                actor=AUDITOR,
                policy=SEED_POLICY,
                why="looked fine",
            )
