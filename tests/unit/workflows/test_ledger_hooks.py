"""Every money-moving workflow posts balanced entries in its own unit of work (R9)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pytest

from powerretail.access import SEED_POLICY, WRITE_OFF_RECEIVABLE, Actor, Permission, Role
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.collections.allocation import ItemKind
from powerretail.collections.arrears import AccountArrears, arrears_register
from powerretail.collections.cash import CashMovement, MovementKind, movement_posting
from powerretail.collections.ledger import (
    BAD_DEBT_EXPENSE,
    BANK,
    CASH,
    CUSTOMER_CREDIT,
    LATE_FEE_INCOME,
    OPENING_BALANCES,
    RECEIVABLE,
    LedgerPosting,
    PostingKind,
    Side,
    arrears_book,
    balances_of,
)
from powerretail.errors import NotFound
from powerretail.ids import AccountId
from powerretail.quantities import Money
from powerretail.repositories.commands import CommandRefused
from powerretail.repositories.ledger import LEDGER_HEADS, LEDGER_POSTINGS, post, postings_of
from powerretail.repositories.payments import RECEIVABLES, Receivable
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.workflows.adjustments import write_off_receivable
from powerretail.workflows.billing_cycle import run_billing_cycle
from powerretail.workflows.corrections import correct_bill
from powerretail.workflows.ledger import (
    ledger_problems,
    open_ledger,
    refund_credit,
    reverse_posting,
    statement_of,
    trial_balance_of,
)
from powerretail.workflows.payments import charge_late_fees, post_payment
from tests.unit.workflows.conftest import AUDITOR, JULY
from tests.unit.workflows.test_adjustments import EVIDENCE

BILL = "A-1-20250701"  # 246.04, due 2025-08-16


def lines(posting: LedgerPosting) -> list[tuple[str, str, str, str]]:
    return [(e.side.value, e.account, str(e.amount.amount), e.document) for e in posting.entries]


def by_id(make_unit_of_work: UnitOfWorkFactory) -> dict[str, LedgerPosting]:
    return {p.posting_id: p for p in statement_of(make_unit_of_work, party="A-1")}


@pytest.fixture
def billed(book: UnitOfWorkFactory, clock: FixedClock) -> UnitOfWorkFactory:
    run_billing_cycle(book, clock=clock, period=JULY, issued_on=date(2025, 8, 1))
    return book


def pay(book: UnitOfWorkFactory, clock: FixedClock, key: str, amount: str, **kw: object) -> None:
    post_payment(
        book,
        clock=clock,
        key=key,
        account_id="A-1",
        amount=Money(amount),
        received_on=date(2025, 8, 10),
        **kw,  # type: ignore[arg-type]
    )


class TestBillIssued:
    def test_debits_the_receivable_and_credits_revenue_per_component(
        self, billed: UnitOfWorkFactory
    ) -> None:
        deposit, posting = statement_of(billed, party="A-1")

        # The move-in's deposit of 300.00 (conftest) is the account's first posting.
        assert (deposit.posting_id, deposit.kind, deposit.sequence) == (
            "deposit/move-in/A-1/held",
            PostingKind.DEPOSIT_HELD,
            1,
        )
        assert lines(deposit) == [("debit", BANK, "300.00", ""), ("credit", "2241", "300.00", "")]
        assert (posting.posting_id, posting.kind, posting.sequence) == (
            f"bill/{BILL}",
            PostingKind.BILL_ISSUED,
            2,
        )
        assert lines(posting) == [
            ("debit", RECEIVABLE, "246.04", BILL),
            ("credit", "6001.energy.flat", "80.00", ""),
            ("credit", "6001.energy.peak", "68.00", ""),
            ("credit", "6001.energy.valley", "8.40", ""),
            ("credit", "6001.funds", "10.44", ""),
            ("credit", "6001.line_loss", "5.40", ""),
            ("credit", "6001.system_operation", "9.00", ""),
            ("credit", "6001.transmission", "64.80", ""),
        ]
        assert posting.entries[0].dated == date(2025, 8, 16)
        assert ledger_problems(billed) == ()

    def test_a_rerun_of_the_cycle_posts_nothing_more(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        run_billing_cycle(billed, clock=clock, period=JULY, issued_on=date(2025, 8, 1))

        assert len(statement_of(billed, party="A-1")) == 2  # the deposit and the bill


class TestPayment:
    def test_credits_the_customer_then_allocates_to_the_bill(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        pay(billed, clock, "gw-1", "300.00")

        postings = by_id(billed)
        assert lines(postings["payment/P-gw-1"]) == [
            ("debit", BANK, "300.00", ""),
            ("credit", CUSTOMER_CREDIT, "300.00", ""),
        ]
        assert lines(postings["payment/P-gw-1/allocation"]) == [
            ("debit", CUSTOMER_CREDIT, "246.04", ""),
            ("credit", RECEIVABLE, "246.04", BILL),
        ]
        assert ledger_problems(billed) == ()

    def test_a_retry_posts_once_and_cash_takings_debit_cash(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        pay(billed, clock, "gw-1", "100.00", into=CASH)
        pay(billed, clock, "gw-1", "100.00", into=CASH)

        postings = by_id(billed)
        assert len(postings) == 4  # the deposit, the bill, the payment and its allocation
        assert postings["payment/P-gw-1"].entries[0].account == CASH
        assert ledger_problems(billed) == ()

    def test_a_bill_issued_on_credit_takes_the_credit_as_an_allocation(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        pay(book, clock, "pre-1", "100.00")
        run_billing_cycle(book, clock=clock, period=JULY, issued_on=date(2025, 8, 1))

        postings = by_id(book)
        assert lines(postings[f"bill/{BILL}/credit"]) == [
            ("debit", CUSTOMER_CREDIT, "100.00", ""),
            ("credit", RECEIVABLE, "100.00", BILL),
        ]
        assert "payment/P-pre-1/allocation" not in postings  # nothing was open to pay
        assert ledger_problems(book) == ()


class TestLateFee:
    def test_debits_the_late_fee_item_and_credits_late_fee_income(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        result = charge_late_fees(billed, clock=clock, account_id="A-1", as_of=date(2025, 9, 15))

        fee = result["charged"][BILL]  # type: ignore[index]
        # A commercial account, within the year: 246.04 × 2‰ a day × 30 days
        # (2025-08-17 .. 2025-09-15) = 14.7624, rounded once: 14.76.
        assert fee == "14.76"
        posting = by_id(billed)[f"late-fee/late-fees/A-1/2025-09-15/{BILL}"]
        assert lines(posting) == [
            ("debit", RECEIVABLE, "14.76", BILL),
            ("credit", LATE_FEE_INCOME, "14.76", ""),
        ]
        assert posting.entries[0].dated == date(2025, 9, 15)
        pay(billed, clock, "gw-1", "300.00")
        assert ledger_problems(billed) == ()

    def test_a_late_fee_on_a_bill_paid_late_is_taken_from_the_credit(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        post_payment(
            billed,
            clock=clock,
            key="late-1",
            account_id="A-1",
            amount=Money("300.00"),
            received_on=date(2025, 9, 15),
        )
        charge_late_fees(billed, clock=clock, account_id="A-1", as_of=date(2025, 9, 15))

        taken = by_id(billed)[f"late-fee/late-fees/A-1/2025-09-15/{BILL}/credit"]
        assert lines(taken) == [
            ("debit", CUSTOMER_CREDIT, "14.76", ""),
            ("credit", RECEIVABLE, "14.76", BILL),
        ]
        assert ledger_problems(billed) == ()


class TestCorrection:
    def test_the_credit_note_debits_revenue_and_the_rebill_is_a_new_bill(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        pay(billed, clock, "gw-1", "246.04")
        correct_bill(
            billed,
            clock=clock,
            key="fix-1",
            bill_id=BILL,
            on=date(2025, 8, 10),
            actor=AUDITOR,
            policy=SEED_POLICY,
            why="re-rated",
        )

        postings = by_id(billed)
        note = postings[f"credit-note/{BILL}-CN"]
        assert note.kind is PostingKind.CREDIT_NOTE
        assert next(e for e in note.entries if e.side is Side.DEBIT).account.startswith("6001.")
        # The bill was paid: the whole credit becomes account credit ...
        assert lines(note)[-1] == ("credit", CUSTOMER_CREDIT, "246.04", "")
        # ... which the rebill then takes.
        assert f"bill/{BILL}-R" in postings
        assert f"bill/{BILL}-R/credit" in postings
        assert ledger_problems(billed) == ()

    def test_an_unpaid_bill_is_credited_on_its_receivable(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        correct_bill(
            billed,
            clock=clock,
            key="fix-1",
            bill_id=BILL,
            on=date(2025, 8, 10),
            actor=AUDITOR,
            policy=SEED_POLICY,
            why="re-rated",
        )

        note = by_id(billed)[f"credit-note/{BILL}-CN"]
        assert lines(note)[-1] == ("credit", RECEIVABLE, "246.04", BILL)
        assert ledger_problems(billed) == ()


COMMITTEE = Actor(id="committee", name="Zhao", roles=frozenset({"bad_debt_committee"}))


class TestWriteOff:
    def test_debits_bad_debt_and_credits_the_receivable(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        policy = SEED_POLICY.with_role(
            Role(
                "bad_debt_committee",
                "坏账核销小组",
                (Permission(WRITE_OFF_RECEIVABLE, limit=Decimal(1000), source="company rule"),),
            )
        )
        write_off_receivable(
            billed,
            clock=clock,
            key="wo-1",
            account_id="A-1",
            bill_id=BILL,
            amount=Money("46.04"),
            actor=COMMITTEE,
            policy=policy,
            why="court ruling 2025-17",
            evidence=EVIDENCE,
        )

        posting = by_id(billed)["write-off/wo-1"]
        assert lines(posting) == [
            ("debit", BAD_DEBT_EXPENSE, "46.04", ""),
            ("credit", RECEIVABLE, "46.04", BILL),
        ]
        assert ledger_problems(billed) == ()


class TestReadersAndReversal:
    def test_the_trial_balance_sums_to_zero(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        pay(billed, clock, "gw-1", "300.00")

        balances = {b.account: b.amount.amount for b in trial_balance_of(billed)}
        assert sum(balances.values()) == 0
        assert str(balances[BANK]) == "600.00"  # the deposit of 300.00 and the payment
        assert str(balances["2241"]) == "-300.00"
        assert str(balances[CUSTOMER_CREDIT]) == "-53.96"
        assert str(balances[RECEIVABLE]) == "0.00"

    def test_a_posting_on_a_receivable_is_not_reversed_by_hand(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        with pytest.raises(CommandRefused, match="correct_bill"):
            reverse_posting(billed, clock=clock, key="r-1", posting_id=f"bill/{BILL}", why="x")
        with pytest.raises(NotFound):
            reverse_posting(billed, clock=clock, key="r-2", posting_id="nope", why="x")

    def test_ledger_problems_names_a_receivable_changed_behind_the_ledger(
        self, billed: UnitOfWorkFactory
    ) -> None:
        with billed() as uow:
            receivables = uow.repository(RECEIVABLES)
            receivable, version = receivables.get(AccountId("A-1"))
            receivables.save(
                receivable.charge("X-1", Money("1.00"), dated=date(2025, 8, 1)), version
            )
            uow.commit()

        assert ledger_problems(billed) == ("A-1: open items differ from the ledger",)
        with billed() as uow:
            assert len(uow.repository(LEDGER_POSTINGS).query(party="A-1")) == 2


class TestProblemsAndReversal:
    def test_a_tampered_head_and_credit_are_named(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        with billed() as uow:
            heads = uow.repository(LEDGER_HEADS)
            head, version = heads.get("A-1")
            heads.save(attrs.evolve(head, sequence=9), version)
            receivables = uow.repository(RECEIVABLES)
            receivable, r_version = receivables.get(AccountId("A-1"))
            receivables.save(attrs.evolve(receivable, credit=Money("1.00")), r_version)
            uow.commit()

        assert ledger_problems(billed) == (
            "A-1: cached balances differ from the replay",
            "A-1: credit 1.00 CNY but the ledger folds to 0.00 CNY",
        )

    def test_a_cash_posting_is_reversed_by_a_compensating_one(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        deposit = movement_posting(
            CashMovement(
                movement_id="D-1",
                office="SO-1",
                kind=MovementKind.DEPOSIT,
                on=date(2025, 8, 2),
                amount=Money("50.00"),
                by="o-1",
            ),
            at=clock.now(),
        )
        with billed() as uow:
            post(uow, deposit)
            uow.commit()

        result = reverse_posting(
            billed, clock=clock, key="r-1", posting_id="cash/D-1", why="wrong account"
        )

        assert result == {"posting_id": "reversal/r-1", "reverses": "cash/D-1"}
        office = statement_of(billed, party="SO-1")
        assert [p.posting_id for p in office] == ["cash/D-1", "reversal/r-1"]
        assert all(b.amount.is_zero() for b in balances_of(office, "SO-1"))


class TestRefund:
    def test_a_refund_pays_back_credit_and_keeps_the_books(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        pay(billed, clock, "gw-1", "300.00")  # 53.96 left as credit

        def refund(key: str, amount: str) -> dict:  # type: ignore[type-arg]
            return refund_credit(
                billed, clock=clock, key=key, account_id="A-1", amount=Money(amount)
            )

        assert refund("rf-1", "50.00") == {
            "account_id": "A-1",
            "refunded": "50.00",
            "credit": "3.96",
        }
        assert refund("rf-1", "50.00")["credit"] == "3.96"  # a retry refunds once
        with pytest.raises(CommandRefused, match=r"holds 3\.96 CNY of credit"):
            refund("rf-2", "4.00")
        with pytest.raises(CommandRefused, match="above zero"):
            refund("rf-3", "0.00")

        assert lines(by_id(billed)["refund/rf-1"]) == [
            ("debit", CUSTOMER_CREDIT, "50.00", ""),
            ("credit", BANK, "50.00", ""),
        ]
        with billed() as uow:
            receivable = uow.repository(RECEIVABLES).get(AccountId("A-1")).entity
        assert receivable.reconciles
        assert receivable.paid == Money("250.00")
        assert ledger_problems(billed) == ()


def test_the_arrears_register_folded_from_the_ledger_is_the_stored_one(
    billed: UnitOfWorkFactory, clock: FixedClock
) -> None:
    pay(billed, clock, "gw-1", "100.00")
    charge_late_fees(billed, clock=clock, account_id="A-1", as_of=date(2025, 9, 15))
    groups = {"classes": {"A-1": "industry"}, "areas": {"A-1": "gusu"}}
    with billed() as uow:
        stored = [
            AccountArrears.of(v.entity, **groups) for v in uow.repository(RECEIVABLES).query()
        ]
        folded = arrears_book(postings_of(uow), **groups)

    as_of = date(2025, 10, 1)
    assert folded == tuple(stored)
    assert arrears_register(folded, as_of=as_of) == arrears_register(stored, as_of=as_of)
    # 146.04 left after 100.00 paid before the due day; its late fee 146.04 × 2‰ × 30 = 8.76.
    assert arrears_register(folded, as_of=as_of).total == Money("154.80")


class TestOpenLedger:
    def test_receivables_loaded_before_the_ledger_are_carried_in_once(
        self, clock: FixedClock
    ) -> None:
        store = MemoryStore()
        owes = Receivable.open(account_id="A-1", customer_id="C-1").charge(
            "B-1", Money("1500.00"), dated=date(2025, 5, 16)
        )
        owes = owes.charge("B-1", Money("12.00"), dated=date(2025, 6, 1), kind=ItemKind.LATE_FEE)
        in_credit = attrs.evolve(
            Receivable.open(account_id="A-2", customer_id="C-2"), credit=Money("30.00")
        )
        empty = Receivable.open(account_id="A-3", customer_id="C-3")
        with store.unit_of_work() as uow:
            for receivable in (owes, in_credit, empty):
                uow.repository(RECEIVABLES).add(receivable)
            uow.commit()
        assert ledger_problems(store.unit_of_work) != ()

        carried = open_ledger(store.unit_of_work, clock=clock, dated=date(2025, 7, 1))

        assert carried == ("A-1", "A-2")
        assert open_ledger(store.unit_of_work, clock=clock, dated=date(2025, 7, 1)) == ()
        assert ledger_problems(store.unit_of_work) == ()
        (opening,) = statement_of(store.unit_of_work, party="A-1")
        assert lines(opening) == [
            ("debit", RECEIVABLE, "1500.00", "B-1"),
            ("debit", RECEIVABLE, "12.00", "B-1"),
            ("credit", OPENING_BALANCES, "1512.00", ""),
        ]
        (credit,) = statement_of(store.unit_of_work, party="A-2")
        assert lines(credit) == [
            ("credit", CUSTOMER_CREDIT, "30.00", ""),
            ("debit", OPENING_BALANCES, "30.00", ""),
        ]
        assert sum(b.amount.amount for b in trial_balance_of(store.unit_of_work)) == 0
