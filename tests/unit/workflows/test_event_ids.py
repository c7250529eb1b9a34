"""Event ids belong to their command and key (R8), and fit an id whatever key is given."""

from __future__ import annotations

from datetime import date

import pytest

from powerretail.access import SEED_POLICY
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLS
from powerretail.repositories.customers import ACCOUNTS
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.workflows._common import event_id
from powerretail.workflows.billing_cycle import Outcome, cycle_key, run_billing_cycle
from powerretail.workflows.corrections import release_held_bill
from powerretail.workflows.moves import move_out
from powerretail.workflows.reads import submit_reads
from tests.unit.workflows.conftest import AUDITOR, JULY, open_account, reads

ISSUED_ON = date(2025, 8, 1)
MOVE_OUT_DAY = date(2025, 7, 21)


@pytest.fixture
def held_and_open(store: MemoryStore, clock: FixedClock) -> UnitOfWorkFactory:
    """A-1's July bill held (typical 10.00); A-2 open with reads of 1 and 21 July."""
    book = store.unit_of_work
    open_account(book, clock, typical=Money("10.00"))
    submit_reads(book, clock=clock, reads=reads("M-A-1", JULY.end, ("1100", "2200", "560")))
    report = run_billing_cycle(book, clock=clock, period=JULY, issued_on=ISSUED_ON)
    assert report.outcomes[0].outcome is Outcome.HELD
    open_account(book, clock, "A-2", customer_id="C-2")
    return book


def release(book: UnitOfWorkFactory, clock: FixedClock, key: str) -> None:
    release_held_bill(
        book,
        clock=clock,
        key=key,
        bill_id="A-1-20250701",
        on=ISSUED_ON,
        actor=AUDITOR,
        policy=SEED_POLICY,
        why="checked",
    )


def leave(book: UnitOfWorkFactory, clock: FixedClock, key: str) -> dict[str, object]:
    return dict(
        move_out(
            book,
            clock=clock,
            key=key,
            account_id="A-2",
            on=MOVE_OUT_DAY,
            final_reads=reads("M-A-2", MOVE_OUT_DAY, ("1060", "2120", "540")),
            by="clerk",
        )
    )


def event_ids(book: UnitOfWorkFactory) -> list[str]:
    with book() as uow:
        return [e.event_id for e in uow.outbox.unpublished(limit=1000)]


class TestOneKeyTwoCommands:
    def test_a_release_and_a_move_out_under_one_key_both_announce_their_bill(
        self, held_and_open: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        """Failed before: both emitted ``E-desk-7-BillIssued``; the move-out's DuplicateEvent."""
        release(held_and_open, clock, "desk-7")

        final = leave(held_and_open, clock, "desk-7")

        assert final["state"] == "issued"
        ids = event_ids(held_and_open)
        assert "E-release_held_bill:desk-7-BillIssued" in ids
        assert "E-move_out:desk-7-BillIssued" in ids
        assert "E-move_out:desk-7-CustomerMovedOut" in ids

    def test_a_release_under_a_cycle_key_leaves_the_cycle_its_event(
        self, held_and_open: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        """Failed before: the cycle's ``BillIssued`` for A-2 took the release's id."""
        key = cycle_key("A-2", JULY)
        release(held_and_open, clock, key)
        submit_reads(
            held_and_open, clock=clock, reads=reads("M-A-2", JULY.end, ("1100", "2200", "560"))
        )

        report = run_billing_cycle(
            held_and_open, clock=clock, period=JULY, issued_on=ISSUED_ON, accounts=["A-2"]
        )

        assert report.outcomes[0].outcome is Outcome.ISSUED
        ids = event_ids(held_and_open)
        assert f"E-release_held_bill:{key}-BillIssued" in ids
        assert f"E-bill_account:{key}-BillIssued" in ids

    def test_the_same_command_key_and_payload_give_one_event(
        self, held_and_open: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        first = leave(held_and_open, clock, "out-1")
        before = event_ids(held_and_open)

        again = leave(held_and_open, clock, "out-1")

        assert again == first
        assert event_ids(held_and_open) == before
        with held_and_open() as uow:
            moved = uow.outbox.events_for(ACCOUNTS.kind, "A-2")
            billed = uow.outbox.events_for(BILLS.kind, "A-2-20250701")
        assert [e.event_id for e in moved] == [
            "E-move_in:move-in/A-2-CustomerMovedIn",
            "E-move_out:out-1-CustomerMovedOut",
        ]
        assert [e.event_id for e in billed] == ["E-move_out:out-1-BillIssued"]


class TestLongKeys:
    def test_a_key_of_128_characters_moves_the_customer_out(
        self, held_and_open: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        """Failed before: ``E-{key}-BillIssued`` (141 characters) was refused inside the action,
        and that refusal was stored as the command's answer."""
        key = "k" * 128

        final = leave(held_and_open, clock, key)

        assert final["state"] == "issued"
        ids = [i for i in event_ids(held_and_open) if i.startswith("EH-")]
        assert ids == [
            "EH-move_out:" + "k" * 72 + "~d9df79c8c55c06988050c0c16fad3622-BillIssued",
            "EH-move_out:" + "k" * 66 + "~d9df79c8c55c06988050c0c16fad3622-CustomerMovedOut",
        ]
        assert {len(i) for i in ids} == {128}

    def test_long_keys_sharing_what_fits_still_differ(self) -> None:
        one = event_id("move_out", "k" * 128, "BillIssued")
        other = event_id("move_out", "k" * 127 + "j", "BillIssued")

        assert one != other
        assert one[:84] == other[:84]  # the readable part is the same; the digest differs

    def test_a_short_id_is_kept_whole(self) -> None:
        fits = event_id("post_payment", "g" * 99, "PaymentPosted")

        assert fits == "E-post_payment:" + "g" * 99 + "-PaymentPosted"
        assert len(fits) == 128
        assert event_id("post_payment", "g" * 100, "PaymentPosted").startswith("EH-")

    def test_the_key_is_stripped_like_the_record_key(self) -> None:
        assert event_id("move_out", " out-1 ", "BillIssued") == "E-move_out:out-1-BillIssued"
