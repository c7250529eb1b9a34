"""R9 as a stateful test: every posting balances, the ledger balances, replay gives the cache.

A model receivable (:class:`~powerretail.repositories.payments.Receivable`, the stored figure the
workflows keep) moves through bills, payments, late fees, write-offs, credit notes and deposits
(held, applied to what is owed, moved to the other account, refunded); each move
posts its entries through :func:`~powerretail.repositories.ledger.post`, some twice (a retry).
After every step: Σ debits = Σ credits per posting and in the whole ledger; replaying each
party's postings from zero gives its stored ledger head; and the fold of the postings gives the
model's open items, credit and deposit, with deposits in transfer at zero.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import attrs
import pendulum
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from powerretail.adapters.memory import MemoryStore
from powerretail.collections.allocation import Allocation, AllocationOrder, ItemKind
from powerretail.collections.ledger import (
    DEPOSITS_IN_TRANSFER,
    allocation_applied,
    bill_issued,
    credit_note_posted,
    deposit_applied,
    deposit_held,
    deposit_of,
    deposit_refunded,
    deposit_transferred,
    late_fee_charged,
    payment_received,
    receivable_of,
    trial_balance,
    write_off_posted,
)
from powerretail.quantities import Money, sum_money
from powerretail.repositories.ledger import LEDGER_HEADS, LedgerHead, post, postings_of
from powerretail.repositories.payments import Receivable

AT = pendulum.datetime(2025, 1, 1, 9, tz="Asia/Shanghai")
amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("900"), places=2, allow_nan=False
).map(Money)
components = st.dictionaries(
    st.sampled_from(["energy", "demand", "funds", "discount"]), amounts, min_size=1, max_size=3
)
parties = st.sampled_from(["A-1", "A-2"])


class Books(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.store = MemoryStore()
        self.model = {p: Receivable.open(account_id=p, customer_id="C") for p in ("A-1", "A-2")}
        self.today = date(2025, 1, 1)
        self.count = 0

    def next_id(self, head: str) -> str:
        self.count += 1
        return f"{head}-{self.count}"

    def write(self, *postings: object, retry: bool = False) -> None:
        with self.store.unit_of_work() as uow:
            for posting in postings:
                if posting is not None:
                    post(uow, posting)  # type: ignore[arg-type]
                    if retry:
                        post(uow, posting)  # type: ignore[arg-type]
            uow.commit()

    @rule(party=parties, lines=components, retry=st.booleans())
    def issue_a_bill(self, party: str, lines: dict[str, Money], retry: bool) -> None:
        if "discount" in lines:
            lines["discount"] = -lines["discount"]
        total = sum_money(lines.values())
        if total.amount <= 0:
            return
        bill_id = self.next_id("B")
        due = self.today + timedelta(days=15)
        before = self.model[party]
        after = before.charge(bill_id, total, dated=due)
        self.model[party] = after
        applied = before.credit - after.credit
        self.write(
            bill_issued(bill_id, party=party, lines=lines, due=due, at=AT),
            allocation_applied(
                f"bill/{bill_id}/credit",
                party=party,
                allocations=[
                    Allocation(
                        bill_id=bill_id, kind=ItemKind.PRINCIPAL, amount=applied, settles_item=False
                    )
                ],
                at=AT,
                dated=due,
                memo="credit applied",
            ),
            retry=retry,
        )

    @rule(party=parties, amount=amounts, order=st.sampled_from(AllocationOrder))
    def pay(self, party: str, amount: Money, order: AllocationOrder) -> None:
        payment_id = self.next_id("P")
        changed, allocation = self.model[party].receive(amount, paid_on=self.today, order=order)
        self.model[party] = changed
        self.write(
            payment_received(payment_id, party=party, amount=amount, at=AT, received_on=self.today),
            allocation_applied(
                f"payment/{payment_id}/allocation",
                party=party,
                allocations=allocation.allocations,
                at=AT,
                dated=self.today,
                memo="allocated",
            ),
        )

    @rule(party=parties, amount=amounts, pick=st.integers(0, 10))
    def charge_a_late_fee(self, party: str, amount: Money, pick: int) -> None:
        bills = sorted({i.bill_id for i in self.model[party].open_items})
        if not bills:
            return
        bill_id = bills[pick % len(bills)]
        before = self.model[party]
        after = before.charge(bill_id, amount, dated=self.today, kind=ItemKind.LATE_FEE)
        self.model[party] = after
        posting_id = self.next_id("LF")
        self.write(
            late_fee_charged(
                posting_id,
                party=party,
                bill_id=bill_id,
                amount=amount,
                at=AT,
                dated=self.today,
            ),
            allocation_applied(
                f"{posting_id}/credit",
                party=party,
                allocations=[
                    Allocation(
                        bill_id=bill_id,
                        kind=ItemKind.LATE_FEE,
                        amount=before.credit - after.credit,
                        settles_item=False,
                    )
                ],
                at=AT,
                dated=self.today,
                memo="credit applied",
            ),
        )

    @rule(party=parties, share=st.integers(1, 100), pick=st.integers(0, 10))
    def write_off(self, party: str, share: int, pick: int) -> None:
        owed = [i for i in self.model[party].open_items if i.kind is ItemKind.PRINCIPAL]
        if not owed:
            return
        item = owed[pick % len(owed)]
        amount = Money((item.amount.amount * share / 100).quantize(Decimal("0.01")))
        if amount.is_zero():
            return
        self.model[party] = self.model[party].write_off(item.bill_id, amount)
        self.write(
            write_off_posted(
                self.next_id("WO"),
                party=party,
                bill_id=item.bill_id,
                amount=amount,
                at=AT,
                dated=self.today,
                why="bankrupt",
            )
        )

    @rule(party=parties, amount=amounts, pick=st.integers(0, 10))
    def credit_a_bill(self, party: str, amount: Money, pick: int) -> None:
        bills = sorted({i.bill_id for i in self.model[party].open_items}) or ["B-paid"]
        bill_id = bills[pick % len(bills)]
        before = self.model[party]
        after = before.credit_note(bill_id, amount)
        self.model[party] = after
        owed_before = before.item(bill_id)
        owed_after = after.item(bill_id)
        reduced = (owed_before.amount if owed_before else Money.zero()) - (
            owed_after.amount if owed_after else Money.zero()
        )
        self.write(
            credit_note_posted(
                self.next_id("CN"),
                party=party,
                corrects=bill_id,
                lines={"energy": -amount},
                reduced=reduced,
                at=AT,
                dated=self.today,
            )
        )

    @rule(party=parties, amount=amounts, retry=st.booleans())
    def hold_a_deposit(self, party: str, amount: Money, retry: bool) -> None:
        model = self.model[party]
        self.model[party] = attrs.evolve(model, deposit=model.deposit + amount)
        self.write(
            deposit_held(self.next_id("DH"), party=party, amount=amount, at=AT, dated=self.today),
            retry=retry,
        )

    @rule(party=parties)
    def apply_the_deposit(self, party: str) -> None:
        model = self.model[party]
        used = min(model.deposit, model.owed)
        if used.amount <= 0:
            return
        changed, allocation = attrs.evolve(model, deposit=model.deposit - used).receive(
            used, paid_on=self.today
        )
        self.model[party] = changed
        posting_id = self.next_id("DA")
        self.write(
            deposit_applied(posting_id, party=party, amount=used, at=AT, dated=self.today),
            allocation_applied(
                f"{posting_id}/allocation",
                party=party,
                allocations=allocation.allocations,
                at=AT,
                dated=self.today,
                memo="deposit allocated",
            ),
        )

    @rule(party=parties, retry=st.booleans())
    def move_the_deposit(self, party: str, retry: bool) -> None:
        other = "A-2" if party == "A-1" else "A-1"
        held = self.model[party].deposit
        if held.amount <= 0:
            return
        self.model[party] = attrs.evolve(self.model[party], deposit=held - held)
        self.model[other] = attrs.evolve(
            self.model[other], deposit=self.model[other].deposit + held
        )
        self.write(
            *deposit_transferred(
                self.next_id("DT"),
                from_party=party,
                to_party=other,
                amount=held,
                at=AT,
                dated=self.today,
            ),
            retry=retry,
        )

    @rule(party=parties)
    def refund_the_deposit(self, party: str) -> None:
        held = self.model[party].deposit
        if held.amount <= 0:
            return
        self.model[party] = attrs.evolve(self.model[party], deposit=held - held)
        self.write(
            deposit_refunded(self.next_id("DR"), party=party, amount=held, at=AT, dated=self.today)
        )

    @rule(days=st.integers(1, 40))
    def time_passes(self, days: int) -> None:
        self.today += timedelta(days=days)

    @invariant()
    def every_posting_and_the_ledger_balance(self) -> None:
        with self.store.unit_of_work() as uow:
            postings = postings_of(uow)
        for posting in postings:
            assert posting.debits == posting.credits
        assert sum_money(b.amount for b in trial_balance(postings)).is_zero()
        assert sum_money(p.debits for p in postings) == sum_money(p.credits for p in postings)

    @invariant()
    def replaying_from_zero_gives_the_stored_heads(self) -> None:
        with self.store.unit_of_work() as uow:
            postings = postings_of(uow)
            heads = {v.entity.party: v.entity for v in uow.repository(LEDGER_HEADS).query()}
        for party, head in heads.items():
            replayed = LedgerHead(party=party)
            for posting in (p for p in postings if p.party == party):
                replayed = replayed.after(posting)
            assert replayed == head
            assert [p.sequence for p in postings if p.party == party] == list(
                range(1, head.sequence + 1)
            )

    @invariant()
    def the_fold_is_the_receivable(self) -> None:
        with self.store.unit_of_work() as uow:
            postings = postings_of(uow)
        for party, receivable in self.model.items():
            items, credit = receivable_of(postings, party)
            key = lambda i: (i.bill_id, i.kind.value)  # noqa: E731
            assert sorted(items, key=key) == sorted(receivable.open_items, key=key)
            assert credit == receivable.credit
            owed = sum_money(
                b.amount
                for b in trial_balance(p for p in postings if p.party == party)
                if b.account == "1122"
            )
            assert owed == receivable.owed
            assert deposit_of(postings, party) == receivable.deposit
        in_transfer = [
            b.amount for b in trial_balance(postings) if b.account == DEPOSITS_IN_TRANSFER
        ]
        assert all(amount.is_zero() for amount in in_transfer)


Books.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
TestBooks = Books.TestCase
