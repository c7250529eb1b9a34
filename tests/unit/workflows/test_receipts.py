"""Receipt books and cash end to end: issue, collect, void (a permission), bundle, return,
hand over with over/short, deposit, month-end transfer, and the published receivable list."""

from __future__ import annotations

from datetime import date

import pytest

from powerretail.access import SEED_POLICY, Actor, Decision, Permission, Role
from powerretail.adapters.clocks import FixedClock
from powerretail.collections.ledger import (
    BANK,
    CASH,
    CASH_OVER_SHORT,
    TRANSFERS_TO_HEAD_OFFICE,
)
from powerretail.collections.receipts import VOID_RECEIPT, BookState
from powerretail.errors import IdempotencyConflict
from powerretail.quantities import Energy, Money
from powerretail.repositories.commands import CommandRefused
from powerretail.repositories.receipts import RECEIPT_BOOKS
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.workflows.billing_cycle import run_billing_cycle
from powerretail.workflows.ledger import ledger_problems, statement_of, trial_balance_of
from powerretail.workflows.receipts import (
    collect_payment,
    deposit_takings,
    hand_over_takings,
    issue_receipt_book,
    publish_receivable_list,
    receipt_bundle,
    return_receipt_book,
    transfer_month,
    void_receipt,
)
from tests.unit.workflows.conftest import JULY

OFFICER = Actor(id="o-1", name="Sun", roles=frozenset({"fee_recovery_officer"}))
COLLECTOR = Actor(id="c-1", name="Qian", roles=frozenset({"fee_collector"}))
POLICY = SEED_POLICY.with_role(
    Role(
        "fee_recovery_officer",
        "电费回收专责",
        (Permission(VOID_RECEIPT, source="company rule: 票据视为现金管理"),),
    )
).with_role(Role("fee_collector", "收费员", ()))
DAY = date(2025, 8, 5)


@pytest.fixture
def billed(book: UnitOfWorkFactory, clock: FixedClock) -> UnitOfWorkFactory:
    run_billing_cycle(book, clock=clock, period=JULY, issued_on=date(2025, 8, 1))
    issue_receipt_book(
        book,
        clock=clock,
        key="rb-1",
        book_id="RB-1",
        collector="c-1",
        first=1001,
        last=1004,
        issued_on=date(2025, 8, 1),
    )
    return book


def collect(book: UnitOfWorkFactory, clock: FixedClock, key: str, amount: str) -> int:
    result = collect_payment(
        book,
        clock=clock,
        key=key,
        book_id="RB-1",
        account_id="A-1",
        amount=Money(amount),
        energy=Energy("360"),
        received_on=DAY,
    )
    return int(result["number"])  # type: ignore[arg-type]


def void(book: UnitOfWorkFactory, clock: FixedClock, key: str, number: int, actor: Actor) -> dict:  # type: ignore[type-arg]
    return void_receipt(
        book,
        clock=clock,
        key=key,
        book_id="RB-1",
        number=number,
        actor=actor,
        policy=POLICY,
        why="name misspelt",
    )


def stored_book(book: UnitOfWorkFactory):  # type: ignore[no-untyped-def]
    with book() as uow:
        return uow.repository(RECEIPT_BOOKS).get("RB-1").entity


class TestReceiptBooks:
    def test_each_payment_takes_the_next_number_and_posts_into_cash(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        first = collect(billed, clock, "k-1", "200.00")
        again = collect(billed, clock, "k-1", "200.00")  # a retry
        second = collect(billed, clock, "k-2", "46.04")

        assert (first, again, second) == (1001, 1001, 1002)
        postings = {p.posting_id: p for p in statement_of(billed, party="A-1")}
        assert postings["payment/P-k-1"].entries[0].account == CASH
        assert stored_book(billed).next_number == 1003
        assert ledger_problems(billed) == ()

    def test_a_void_is_kept_marked_and_its_payment_written_again(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        collect(billed, clock, "k-1", "200.00")

        result = void(billed, clock, "v-1", 1001, OFFICER)

        assert result == {"book_id": "RB-1", "voided": 1001, "rewritten": 1002}
        forms = stored_book(billed).receipts
        assert (forms[0].mark, forms[0].voided_by, forms[0].amount) == (
            "废票",
            "o-1",
            Money("200.00"),
        )
        assert (forms[1].number, forms[1].payment_id, forms[1].voided) == (1002, "P-k-1", False)
        with billed() as uow:
            (grant,) = uow.audit.records(operation=VOID_RECEIPT)
        assert grant.decision is Decision.GRANTED

    def test_a_collector_may_not_void_and_the_refusal_is_audited(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        collect(billed, clock, "k-1", "200.00")

        with pytest.raises(CommandRefused, match="void_receipt"):
            void(billed, clock, "v-1", 1001, COLLECTOR)

        assert not stored_book(billed).receipts[0].voided
        with billed() as uow:
            (refusal,) = uow.audit.records(operation=VOID_RECEIPT)
        assert refusal.decision is Decision.REFUSED

    def test_a_blank_form_is_voided_in_order_and_a_number_is_never_skipped(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        void(billed, clock, "v-1", 1001, OFFICER)  # spoiled blank
        with pytest.raises(CommandRefused, match="numbers are used in order"):
            void(billed, clock, "v-2", 1003, OFFICER)

        assert collect(billed, clock, "k-1", "10.00") == 1002

    def test_the_monthly_bundle_cover_counts_voids_and_sums_live_forms(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        collect(billed, clock, "k-1", "200.00")
        void(billed, clock, "v-1", 1001, OFFICER)
        collect(billed, clock, "k-2", "46.04")

        cover = receipt_bundle(billed, book_id="RB-1", year=2025, month=8)

        assert cover is not None
        assert (cover.first_number, cover.last_number, cover.count, cover.voids) == (
            1001,
            1003,
            3,
            (1001,),
        )
        assert (cover.amount, cover.energy, cover.void_count) == (
            Money("246.04"),
            Energy("720"),
            1,
        )
        assert (cover.first_day, cover.last_day) == (DAY, DAY)
        assert receipt_bundle(billed, book_id="RB-1", year=2025, month=9) is None

    def test_a_new_book_only_against_the_returned_stubs_of_the_old(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        def new_book(key: str, first: int, last: int) -> dict:  # type: ignore[type-arg]
            return issue_receipt_book(
                billed,
                clock=clock,
                key=key,
                book_id=f"RB-{key}",
                collector="c-1",
                first=first,
                last=last,
                issued_on=date(2025, 9, 1),
            )

        with pytest.raises(CommandRefused, match='still holds receipt book "RB-1"'):
            new_book("2", 2001, 2100)
        with pytest.raises(CommandRefused, match="numbers 1002, 1004 are missing"):
            return_receipt_book(
                billed,
                clock=clock,
                key="ret-1",
                book_id="RB-1",
                numbers=(1001, 1003),
                to="finance",
                on=date(2025, 8, 31),
            )
        return_receipt_book(
            billed,
            clock=clock,
            key="ret-2",
            book_id="RB-1",
            numbers=(1001, 1002, 1003, 1004),
            to="finance",
            on=date(2025, 8, 31),
        )
        with pytest.raises(CommandRefused, match="a number is issued once"):
            new_book("3", 1004, 1100)

        assert new_book("4", 1005, 1100)["first"] == 1005
        assert stored_book(billed).state is BookState.RETURNED
        with pytest.raises(CommandRefused, match="returned"):
            collect(billed, clock, "k-9", "1.00")

    def test_a_key_reused_for_another_payment_conflicts(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        collect(billed, clock, "k-1", "200.00")
        with pytest.raises(IdempotencyConflict):
            collect(billed, clock, "k-1", "201.00")


class TestCash:
    def test_hand_over_deposit_and_transfer_post_each_step(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        collect(billed, clock, "k-1", "200.00")
        void(billed, clock, "v-1", 1001, OFFICER)
        collect(billed, clock, "k-2", "46.04")

        sheet = hand_over_takings(
            billed,
            clock=clock,
            key="h-1",
            office="SO-1",
            on=DAY,
            giver="c-1",
            giver_role="fee_collector",
            taker="o-1",
            taker_role="fee_recovery_officer",
            counted=Money("246.00"),
            reason="4 jiao short: change for A-1",
        )
        deposit = deposit_takings(billed, clock=clock, key="d-1", office="SO-1", on=DAY, by="o-1")
        transfer = transfer_month(
            billed,
            clock=clock,
            key="t-1",
            office="SO-1",
            year=2025,
            month=8,
            on=date(2025, 8, 31),
            by="o-1",
        )

        assert sheet == {
            "handover_id": "H-h-1",
            "count": 3,
            "ranges": [[1001, 1003]],
            "expected": "246.04",
            "counted": "246.00",
            "over_short": "-0.04",
        }
        assert (deposit["amount"], deposit["covers"]) == ("246.00", ["H-h-1"])
        assert (transfer["amount"], transfer["covers"]) == ("246.00", ["D-d-1"])
        balances = {b.account: str(b.amount.amount) for b in trial_balance_of(billed)}
        # Cash: 246.04 taken, 0.04 short, 246.00 deposited → 0; bank: 246.00 in, 246.00 up,
        # and the 300.00 electricity-charge deposit held since the move-in (conftest).
        assert balances[CASH] == "0.00"
        assert balances[CASH_OVER_SHORT] == "0.04"
        assert balances[BANK] == "300.00"
        assert balances[TRANSFERS_TO_HEAD_OFFICE] == "246.00"
        assert ledger_problems(billed) == ()

    def test_over_or_short_without_a_reason_and_empty_steps_are_refused(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        collect(billed, clock, "k-1", "200.00")

        def hand(key: str, counted: str, reason: str = "") -> dict:  # type: ignore[type-arg]
            return hand_over_takings(
                billed,
                clock=clock,
                key=key,
                office="SO-1",
                on=DAY,
                giver="c-1",
                giver_role="fee_collector",
                taker="o-1",
                taker_role="fee_recovery_officer",
                counted=Money(counted),
                reason=reason,
            )

        with pytest.raises(CommandRefused, match="长短款"):
            hand("h-1", "201.00")
        assert hand("h-2", "201.00", "customer left 1 yuan")["over_short"] == "1.00"
        with pytest.raises(CommandRefused, match="no receipt"):
            hand("h-3", "0.00")
        deposit_takings(billed, clock=clock, key="d-1", office="SO-1", on=DAY, by="o-1")
        with pytest.raises(CommandRefused, match="no cash"):
            deposit_takings(billed, clock=clock, key="d-2", office="SO-1", on=DAY, by="o-1")
        with pytest.raises(CommandRefused, match="no deposit"):
            transfer_month(
                billed,
                clock=clock,
                key="t-1",
                office="SO-1",
                year=2025,
                month=7,
                on=date(2025, 7, 31),
                by="o-1",
            )
        balances = {b.account: str(b.amount.amount) for b in trial_balance_of(billed)}
        assert balances[CASH_OVER_SHORT] == "-1.00"
        assert balances[CASH] == "0.00"


class TestPublishedList:
    def test_the_areas_receivable_list_comes_from_the_store(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        published = publish_receivable_list(
            billed,
            clock=clock,
            key="pub-1",
            area="gusu",
            as_of=date(2025, 8, 2),
            pay_at="供电所营业厅",
            pay_from=date(2025, 8, 3),
            pay_until=date(2025, 8, 28),
        )

        (line,) = published.lines
        assert (line.account_id, line.name, line.amount, line.energy) == (
            "A-1",
            "Customer C-1",
            Money("246.04"),
            Energy("360"),
        )
        assert published.total == Money("246.04")
        assert published.energy == Energy("360")
        empty = publish_receivable_list(
            billed,
            clock=clock,
            key="pub-2",
            area="wuzhong",
            as_of=date(2025, 8, 2),
            pay_at="x",
            pay_from=date(2025, 8, 3),
            pay_until=date(2025, 8, 28),
        )
        assert empty.lines == ()

    def test_collection_may_not_start_before_the_list_is_published(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        with pytest.raises(CommandRefused, match="published before collection"):
            publish_receivable_list(
                billed,
                clock=clock,
                key="pub-1",
                area="gusu",
                as_of=date(2025, 8, 5),
                pay_at="x",
                pay_from=date(2025, 8, 3),
                pay_until=date(2025, 8, 28),
            )


def test_a_paid_form_of_a_used_up_book_cannot_be_voided_without_a_number_to_rewrite_on(
    billed: UnitOfWorkFactory, clock: FixedClock
) -> None:
    for n in range(4):
        collect(billed, clock, f"k-{n}", "1.00")

    with pytest.raises(CommandRefused, match="no number is left"):
        void(billed, clock, "v-1", 1004, OFFICER)

    assert not stored_book(billed).receipts[-1].voided
