"""Deposits, prepayment and a payment plan's late fee post balanced entries (R9).

Each movement's entries are golden (fen exact); after each, the ledger finds nothing wrong
(:func:`ledger_problems`: the stored receivable — open items, credit and deposit — is the fold
of the postings), and a retried command posts nothing twice.
"""

from __future__ import annotations

from datetime import date

import attrs
import pytest

from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.collections.allocation import Allocation, ItemKind
from powerretail.collections.ledger import (
    BANK,
    CASH,
    CUSTOMER_CREDIT,
    DEPOSITS_HELD,
    DEPOSITS_IN_TRANSFER,
    LATE_FEE_INCOME,
    OPENING_BALANCES,
    RECEIVABLE,
    LedgerPosting,
    PostingKind,
    allocation_applied,
    deposit_of,
    deposit_transferred,
    receivable_of,
)
from powerretail.errors import InvalidInput
from powerretail.ids import AccountId
from powerretail.quantities import Money
from powerretail.repositories.collections import DEPOSIT_MOVEMENTS
from powerretail.repositories.commands import CommandRefused
from powerretail.repositories.ledger import post, postings_of
from powerretail.repositories.payments import RECEIVABLES, Receivable
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.workflows.billing_cycle import run_billing_cycle
from powerretail.workflows.collections import (
    apply_deposit,
    hold_deposit,
    prepay,
    refund_deposit,
    transfer_deposit,
)
from powerretail.workflows.ledger import (
    ledger_problems,
    open_ledger,
    statement_of,
    trial_balance_of,
)
from powerretail.workflows.payments import charge_late_fees
from tests.unit.workflows.conftest import JULY, NOW, open_account
from tests.unit.workflows.test_moves import MOVE_DAY, leave
from tests.unit.workflows.test_payment_plans import grant

BILL = "A-1-20250701"  # 246.04, issued 2025-08-01, due 2025-08-16
DAY = date(2025, 8, 20)
Line = tuple[str, str, str, str]


def lines(posting: LedgerPosting) -> list[Line]:
    return [(e.side.value, e.account, str(e.amount.amount), e.document) for e in posting.entries]


def posted(book: UnitOfWorkFactory, party: str = "A-1") -> dict[str, LedgerPosting]:
    return {p.posting_id: p for p in statement_of(book, party=party)}


def assert_books_agree(book: UnitOfWorkFactory, *parties: str) -> None:
    """Nothing is wrong, and each receivable is the fold of its account's postings."""
    assert ledger_problems(book) == ()
    with book() as uow:
        postings = postings_of(uow)
        for party in parties:
            stored = uow.repository(RECEIVABLES).get(AccountId(party)).entity
            items, credit = receivable_of(postings, party)
            assert (sorted(items, key=str), credit) == (
                sorted(stored.open_items, key=str),
                stored.credit,
            )
            assert deposit_of(postings, party) == stored.deposit
    assert sum(b.amount.amount for b in trial_balance_of(book)) == 0


@pytest.fixture
def billed(book: UnitOfWorkFactory, clock: FixedClock) -> UnitOfWorkFactory:
    """A-1 holds the move-in's 300.00 deposit and owes July's bill of 246.04."""
    run_billing_cycle(book, clock=clock, period=JULY, issued_on=date(2025, 8, 1))
    return book


class TestMoveIn:
    def test_the_move_in_deposit_is_held_by_the_rules_and_posted(
        self, billed: UnitOfWorkFactory
    ) -> None:
        deposit = posted(billed)["deposit/move-in/A-1/held"]
        assert deposit.kind is PostingKind.DEPOSIT_HELD
        assert lines(deposit) == [
            ("debit", BANK, "300.00", ""),
            ("credit", DEPOSITS_HELD, "300.00", ""),
        ]
        with billed() as uow:
            (movement,) = uow.repository(DEPOSIT_MOVEMENTS).query(account_id="A-1")
        # opened 2024-01-01, under the 1996 rules: the contract clause is not needed then
        assert movement.entity.basis == "《供电营业规则》(1996, 电力工业部令第8号): 电费保证金"
        assert_books_agree(billed, "A-1")

    def test_a_deposit_after_2024_without_a_contract_clause_is_refused(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        with pytest.raises(CommandRefused, match=r"2024 revision.*no contract clause"):
            open_account(book, clock, "A-2", opened_on=date(2025, 7, 1), deposit_clause=None)
        with book() as uow:
            assert uow.repository(RECEIVABLES).find(AccountId("A-2")) is None
        assert statement_of(book, party="A-2") == ()

    def test_a_deposit_below_zero_is_refused(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        with pytest.raises(InvalidInput, match="deposit"):
            open_account(book, clock, "A-2", deposit=Money("-1.00"))
        assert statement_of(book, party="A-2") == ()

    def test_a_carried_deposit_is_posted_as_a_transfer(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        leave(book, clock)
        open_account(
            book,
            clock,
            "A-3",
            opened_on=MOVE_DAY,
            start_day=MOVE_DAY,
            carry_deposit_from="A-1",
            deposit=Money("0.01"),
        )

        out = posted(book, "A-1")["deposit/move-in/A-3/transfer/out"]
        into = posted(book, "A-3")
        assert lines(out) == [
            ("debit", DEPOSITS_HELD, "300.00", ""),
            ("credit", DEPOSITS_IN_TRANSFER, "300.00", ""),
        ]
        assert lines(into["deposit/move-in/A-3/transfer/in"]) == [
            ("debit", DEPOSITS_IN_TRANSFER, "300.00", ""),
            ("credit", DEPOSITS_HELD, "300.00", ""),
        ]
        assert lines(into["deposit/move-in/A-3/held"]) == [
            ("debit", BANK, "0.01", ""),
            ("credit", DEPOSITS_HELD, "0.01", ""),
        ]
        assert_books_agree(book, "A-1", "A-3")


class TestDeposits:
    def test_a_deposit_held_into_cash_debits_cash_once(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        def hold() -> None:
            hold_deposit(
                billed,
                clock=clock,
                key="d-1",
                account_id="A-1",
                amount=Money("200.00"),
                on=DAY,
                contract_clause="供用电合同 第12条",
                into=CASH,
            )

        hold()
        hold()  # a retry

        deposits = [p for p in statement_of(billed, party="A-1") if p.kind.value == "deposit_held"]
        assert [(p.posting_id, lines(p)) for p in deposits][1:] == [
            (
                "deposit/d-1/held",
                [("debit", CASH, "200.00", ""), ("credit", DEPOSITS_HELD, "200.00", "")],
            )
        ]
        assert_books_agree(billed, "A-1")

    def test_applied_like_a_payment_then_the_rest_refunded(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        for _ in range(2):  # the second run of each is a retry
            applied = apply_deposit(billed, clock=clock, key="a-1", account_id="A-1", on=DAY)
        assert (applied["amount"], applied["left"]) == ("246.04", "53.96")
        postings = posted(billed)
        assert postings["deposit/a-1/applied"].kind is PostingKind.DEPOSIT_APPLIED
        assert lines(postings["deposit/a-1/applied"]) == [
            ("debit", DEPOSITS_HELD, "246.04", ""),
            ("credit", CUSTOMER_CREDIT, "246.04", ""),
        ]
        assert lines(postings["deposit/a-1/applied/allocation"]) == [
            ("debit", CUSTOMER_CREDIT, "246.04", ""),
            ("credit", RECEIVABLE, "246.04", BILL),
        ]
        assert_books_agree(billed, "A-1")

        for _ in range(2):
            refund_deposit(billed, clock=clock, key="r-1", account_id="A-1", on=DAY)
        refund = posted(billed)["deposit/r-1/refunded"]
        assert (refund.kind, lines(refund)) == (
            PostingKind.DEPOSIT_REFUNDED,
            [("debit", DEPOSITS_HELD, "53.96", ""), ("credit", BANK, "53.96", "")],
        )
        # 300.00 in, 53.96 back; 246.04 paid the bill
        assert len(statement_of(billed, party="A-1")) == 5
        balances = {b.account: str(b.amount.amount) for b in trial_balance_of(billed)}
        assert (balances[BANK], balances[DEPOSITS_HELD], balances[RECEIVABLE]) == (
            "246.04",
            "0.00",
            "0.00",
        )
        assert_books_agree(billed, "A-1")

    def test_a_deposit_refunded_in_cash_credits_cash(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        for _ in range(2):
            refund_deposit(book, clock=clock, key="r-1", account_id="A-1", on=DAY, out_of=CASH)

        assert lines(posted(book)["deposit/r-1/refunded"]) == [
            ("debit", DEPOSITS_HELD, "300.00", ""),
            ("credit", CASH, "300.00", ""),
        ]
        assert len(statement_of(book, party="A-1")) == 2
        assert_books_agree(book, "A-1")

    def test_a_transfer_moves_the_deposit_between_the_two_accounts_books(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        open_account(billed, clock, "A-2", deposit=Money("50.00"))

        for _ in range(2):
            transfer_deposit(
                billed, clock=clock, key="t-1", from_account="A-1", to_account="A-2", on=DAY
            )

        out = posted(billed, "A-1")["deposit/t-1/transfer/out"]
        into = posted(billed, "A-2")["deposit/t-1/transfer/in"]
        assert (out.kind, lines(out)) == (
            PostingKind.DEPOSIT_TRANSFERRED,
            [
                ("debit", DEPOSITS_HELD, "300.00", ""),
                ("credit", DEPOSITS_IN_TRANSFER, "300.00", ""),
            ],
        )
        assert lines(into) == [
            ("debit", DEPOSITS_IN_TRANSFER, "300.00", ""),
            ("credit", DEPOSITS_HELD, "300.00", ""),
        ]
        assert len(statement_of(billed, party="A-2")) == 2  # its own deposit and the transfer
        with billed() as uow:
            assert deposit_of(postings_of(uow), "A-2") == Money("350.00")
        balances = {b.account: str(b.amount.amount) for b in trial_balance_of(billed)}
        assert (balances[DEPOSITS_HELD], balances[DEPOSITS_IN_TRANSFER]) == ("-350.00", "0.00")
        assert_books_agree(billed, "A-1", "A-2")


class TestPrepayment:
    def test_a_prepayment_is_a_payment_and_the_bill_draws_it_down_as_an_allocation(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        prepay(
            book,
            clock=clock,
            key="pre-1",
            account_id="A-1",
            amount=Money("300.00"),
            received_on=date(2025, 7, 25),
        )
        run_billing_cycle(book, clock=clock, period=JULY, issued_on=date(2025, 8, 1))

        postings = posted(book)
        assert lines(postings["payment/P-pre-1"]) == [
            ("debit", BANK, "300.00", ""),
            ("credit", CUSTOMER_CREDIT, "300.00", ""),
        ]
        assert "payment/P-pre-1/allocation" not in postings  # nothing was owed yet
        assert lines(postings[f"bill/{BILL}/credit"]) == [
            ("debit", CUSTOMER_CREDIT, "246.04", ""),
            ("credit", RECEIVABLE, "246.04", BILL),
        ]
        assert_books_agree(book, "A-1")


class TestPaymentPlan:
    def test_the_late_fee_charged_at_the_grant_is_posted_once(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        # 17–26 August on 246.04: 246.04 × 0.002 × 10 = 4.9208 → 4.92 (《供电营业规则》第98条)
        result = grant(billed, clock, date(2025, 8, 26))
        assert result["late_fee_charged"] == "4.92"
        grant(billed, clock, date(2025, 8, 26))  # a retry

        fee = posted(billed)[f"late-fee/plan/plan-1/{BILL}"]
        assert fee.kind is PostingKind.LATE_FEE
        assert lines(fee) == [
            ("debit", RECEIVABLE, "4.92", BILL),
            ("credit", LATE_FEE_INCOME, "4.92", ""),
        ]
        assert [p.kind for p in statement_of(billed, party="A-1")].count(PostingKind.LATE_FEE) == 1
        charge_late_fees(billed, clock=clock, account_id="A-1", as_of=date(2025, 8, 27))
        assert_books_agree(billed, "A-1")


class TestProblems:
    def test_a_deposit_changed_behind_the_ledger_is_named(self, billed: UnitOfWorkFactory) -> None:
        with billed() as uow:
            receivables = uow.repository(RECEIVABLES)
            receivable, version = receivables.get(AccountId("A-1"))
            receivables.save(attrs.evolve(receivable, deposit=Money("301.00")), version)
            uow.commit()

        assert ledger_problems(billed) == (
            "A-1: deposit 301.00 CNY but the ledger folds to 300.00 CNY",
        )

    def test_a_bill_settled_but_never_charged_is_named(self, billed: UnitOfWorkFactory) -> None:
        # The demo once paid a receivable whose bill was never posted: the open items agreed
        # (none on either side), but the receivable account folded below zero.
        settled = allocation_applied(
            "allocation/never-billed",
            party="A-1",
            allocations=[
                Allocation(
                    bill_id="A-1-NEVER",
                    kind=ItemKind.PRINCIPAL,
                    amount=Money("500.00"),
                    settles_item=True,
                )
            ],
            at=NOW,
            dated=DAY,
            memo="settles a bill the ledger never saw",
        )
        assert settled is not None
        with billed() as uow:
            post(uow, settled)
            uow.commit()

        assert ledger_problems(billed) == (
            (
                "A-1: bill A-1-NEVER principal is credited beyond its charge "
                "(the receivable folds to -500.00 CNY)"
            ),
            "A-1: credit 0.00 CNY but the ledger folds to -500.00 CNY",
        )

    def test_half_a_transfer_is_named(self, billed: UnitOfWorkFactory) -> None:
        out, _ = deposit_transferred(
            "deposit/x/transfer",
            from_party="X-1",
            to_party="X-2",
            amount=Money("5.00"),
            at=NOW,
            dated=DAY,
        )
        with billed() as uow:
            post(uow, out)
            uow.commit()

        assert ledger_problems(billed) == ("deposits in transfer do not net to zero: -5.00 CNY",)

    def test_a_deposit_held_before_the_ledger_is_carried_in(self, clock: FixedClock) -> None:
        store = MemoryStore()
        with store.unit_of_work() as uow:
            uow.repository(RECEIVABLES).add(
                Receivable.open(account_id="A-9", customer_id="C-9", deposit=Money("500.00"))
            )
            uow.commit()
        assert ledger_problems(store.unit_of_work) == (
            "A-9: deposit 500.00 CNY but the ledger folds to 0.00 CNY",
        )

        assert open_ledger(store.unit_of_work, clock=clock, dated=date(2025, 7, 1)) == ("A-9",)

        (opening,) = statement_of(store.unit_of_work, party="A-9")
        assert lines(opening) == [
            ("credit", DEPOSITS_HELD, "500.00", ""),
            ("debit", OPENING_BALANCES, "500.00", ""),
        ]
        assert_books_agree(store.unit_of_work, "A-9")
