"""R5 and R6: issued bills never change; corrections net to a fresh bill."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from powerretail.adapters.tariff_library import load_shipped
from powerretail.billing.bill import Bill, BillKind, BillState
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import BillingEngine
from powerretail.billing.lifecycle import (
    BillNotDraft,
    PlausibilityBounds,
    PlausibilityFacts,
    correct,
    credit_note_for,
    difference,
    discard,
    issue,
    replace_lines,
    verify,
    with_line,
)
from powerretail.errors import InvalidInput, PowerRetailError
from powerretail.quantities import Money
from powerretail.tariffs.model import EnergyCharge, Tariff, TariffVersion
from powerretail.timeframe import DateRange
from tests.strategies.billing import accounts, determinants
from tests.strategies.tariffs import NAMES, tariffs

AT = datetime(2025, 8, 2, 9, tzinfo=UTC)
ON = date(2025, 8, 2)
JULY = DateRange.month(2025, 7)
OPEN = PlausibilityBounds(max_multiple_of_typical=None, allow_negative_total=True)


@given(tariffs(), accounts(), determinants(), determinants())
def test_original_plus_reversal_plus_rebill_nets_to_a_fresh_bill(
    tariff: Tariff, account: AccountFacts, wrong: Determinants, right: Determinants
) -> None:
    engine = BillingEngine(tariff)
    original, _ = issue(
        engine.bill(wrong, JULY, account, bill_id="B", account_id="A"),
        on=ON,
        at=AT,
        by="t",
        bounds=OPEN,
    )
    fresh = engine.bill(right, JULY, account, bill_id="F", account_id="A")

    result = correct(
        original,
        fresh,
        credit_note_id="CN",
        rebill_id="R",
        on=ON,
        at=AT,
        by="t",
        why="w",
        bounds=OPEN,
    )

    assert result.net == fresh.total
    assert result.rebill.lines == fresh.lines
    shown = sum((amount for _, amount in difference(original, result.rebill)), Money.zero())
    assert original.total + shown == fresh.total


class IssuedBillsStayPut(RuleBasedStateMachine):
    """Try every mutator on issued bills; hashes recorded at issue must keep matching."""

    drafts = Bundle("drafts")
    documents = Bundle("documents")

    def __init__(self) -> None:
        super().__init__()
        self.engine = BillingEngine(_TARIFF)
        self.recorded: dict[int, tuple[Bill, str]] = {}
        self.counter = 0

    def _id(self) -> str:
        self.counter += 1
        return f"B{self.counter}"

    @rule(target=drafts, kwh=st.decimals(min_value=Decimal(0), max_value=Decimal(10**6), places=2))
    def price(self, kwh: Decimal) -> Bill:
        return self.engine.bill(
            Determinants(energy_kwh={"total": kwh}), JULY, bill_id=self._id(), account_id="A"
        )

    @rule(target=documents, draft=drafts)
    def issue_it(self, draft: Bill) -> Bill:
        bill, _ = issue(draft, on=ON, at=AT, by="t", bounds=OPEN)
        self._remember(bill)
        return bill

    def _remember(self, bill: Bill) -> None:
        if bill.content_hash is not None:
            self.recorded[id(bill)] = (bill, bill.content_hash)

    @rule(bill=documents, draft=drafts)
    def try_every_mutator(self, bill: Bill, draft: Bill) -> None:
        attempts = [
            lambda: with_line(bill, draft.lines[0]),
            lambda: replace_lines(bill, draft.lines),
            lambda: discard(bill, at=AT, by="t", why="x"),
            lambda: issue(bill, on=ON, at=AT, by="t"),
        ]
        for attempt in attempts:
            with pytest.raises((BillNotDraft, PowerRetailError)):
                attempt()
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            bill.lines = draft.lines  # type: ignore[misc]
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            bill.lines[0].amount = Money("1.00")  # type: ignore[misc]

    @rule(target=documents, bill=documents, draft=drafts)
    def correct_it(self, bill: Bill, draft: Bill) -> Bill:
        if bill.kind is BillKind.CREDIT_NOTE or bill.state is not BillState.ISSUED:
            with pytest.raises(PowerRetailError):
                correct(
                    bill,
                    draft,
                    credit_note_id=self._id(),
                    rebill_id=self._id(),
                    on=ON,
                    at=AT,
                    by="t",
                    why="w",
                )
            return bill
        result = correct(
            bill,
            draft,
            credit_note_id=self._id(),
            rebill_id=self._id(),
            on=ON,
            at=AT,
            by="t",
            why="w",
            bounds=OPEN,
        )
        with pytest.raises(PowerRetailError):
            correct(
                result.original,
                draft,
                credit_note_id="x",
                rebill_id="y",
                on=ON,
                at=AT,
                by="t",
                why="w",
            )
        with pytest.raises(PowerRetailError):
            credit_note_for(result.credit_note, bill_id="x")
        for document in (result.original, result.credit_note, result.rebill):
            self._remember(document)
        assert result.net == draft.total
        return result.rebill

    @invariant()
    def issued_documents_keep_their_recorded_hash(self) -> None:
        for bill, recorded in self.recorded.values():
            assert bill.content_hash == recorded
            verify(bill)


_TARIFF = Tariff(
    code="FLAT",
    name_zh="平",
    name_en="flat",
    category="other",
    versions=(
        TariffVersion(
            label="v",
            effective_from="2020-01-01",
            charges=(EnergyCharge(code="energy", **NAMES, yuan_per_kwh="0.5283"),),
        ),
    ),
)

TestIssuedBillsStayPut = IssuedBillsStayPut.TestCase

_RESIDENTIAL = load_shipped("JS-RES-TOU")


extreme = st.decimals(min_value=Decimal(-(10**9)), max_value=Decimal(10**9), places=3)


@given(
    st.dictionaries(st.sampled_from(["peak", "valley"]), extreme, min_size=1),
    st.none() | st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10**6), places=2),
    st.integers(min_value=1, max_value=12),
    st.none() | st.integers(min_value=1, max_value=5000),
)
def test_no_issued_bill_breaks_a_plausibility_bound(
    energy: dict[str, Decimal], typical: Decimal | None, max_lines: int, capacity: int | None
) -> None:
    bounds = PlausibilityBounds(max_lines=max_lines, max_total=Money("100000000.00"))
    determinants = Determinants(energy_kwh=energy)
    engine = BillingEngine(_RESIDENTIAL)
    if any(kwh < 0 for kwh in energy.values()):  # impossible: refused, never priced (R10)
        with pytest.raises(InvalidInput, match="energy_kwh"):
            engine.bill(determinants, JULY, AccountFacts(residential=True))
        return
    draft = engine.bill(
        determinants, JULY, AccountFacts(residential=True), bill_id="B", account_id="A"
    )
    typical_money = None if typical is None else Money(typical)
    facts = PlausibilityFacts(capacity_kva=capacity)

    bill, _ = issue(
        draft,
        on=ON,
        at=AT,
        by="t",
        bounds=bounds,
        typical=typical_money,
        determinants=determinants,
        facts=facts,
    )

    if bill.state is BillState.ISSUED:
        checked = bounds.check(bill, typical=typical_money, determinants=determinants, facts=facts)
        assert checked == ()
    else:
        assert bill.state is BillState.HELD
        assert bill.findings
