"""The bill lifecycle: issue or hold, immutability, corrections by new documents."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import attrs
import pytest

from powerretail.billing.bill import Bill, BillKind, BillState
from powerretail.billing.determinants import Determinants
from powerretail.billing.engine import price_bill
from powerretail.billing.lifecycle import (
    BILL_LIFECYCLE,
    BillNotDraft,
    BillTampered,
    CorrectionRefused,
    PlausibilityBounds,
    PlausibilityFacts,
    billed_energy,
    correct,
    credit_note_for,
    difference,
    discard,
    issue,
    release,
    replace_lines,
    verify,
    with_line,
)
from powerretail.errors import InvalidInput
from powerretail.quantities import Money
from powerretail.statemachine import TransitionNotAllowed
from powerretail.timeframe import DateRange

from .builders import energy, fixed, one_version

JULY = DateRange.month(2025, 7)
AT = datetime(2025, 8, 2, 9, tzinfo=UTC)
ON = date(2025, 8, 2)
TARIFF = one_version(energy(), fixed())


def a_draft(kwh: str = "100", bill_id: str = "B-1") -> Bill:
    return price_bill(
        TARIFF, Determinants(energy_kwh={"total": kwh}), JULY, bill_id=bill_id, account_id="A"
    )


def issued(kwh: str = "100") -> Bill:
    bill, _ = issue(a_draft(kwh), on=ON, at=AT, by="clerk")
    return bill


class TestTable:
    def test_every_state_is_reachable_and_finals_are_final(self) -> None:
        assert BILL_LIFECYCLE.reachable_from(BillState.DRAFT) == frozenset(BillState)
        assert BILL_LIFECYCLE.allowed_events(BillState.REVERSED) == frozenset()
        assert "stateDiagram-v2" in BILL_LIFECYCLE.to_mermaid()


class TestIssue:
    def test_issues_a_plausible_draft_with_a_hash_and_a_date(self) -> None:
        bill, record = issue(a_draft(), on=ON, at=AT, by="clerk")

        assert bill.state is BillState.ISSUED
        assert bill.issued_on == ON
        assert bill.content_hash == bill.content_hash_of()
        assert (record.source, record.target) == (BillState.DRAFT, BillState.ISSUED)
        verify(bill)

    def test_holds_a_bill_far_above_typical(self) -> None:
        bill, record = issue(a_draft("100000"), on=ON, at=AT, by="clerk", typical=Money("80.00"))

        assert bill.state is BillState.HELD
        assert bill.content_hash is None
        assert "typical" in bill.findings[0]
        assert "typical" in record.why

    @pytest.mark.parametrize(
        ("bounds", "kwh", "finding"),
        [
            (PlausibilityBounds(max_lines=1), "1", "lines"),
            (PlausibilityBounds(max_total=Money("10.00")), "100", "ceiling"),
        ],
    )
    def test_holds_a_bill_outside_any_bound(
        self, bounds: PlausibilityBounds, kwh: str, finding: str
    ) -> None:
        bill, _ = issue(a_draft(kwh), on=ON, at=AT, by="clerk", bounds=bounds)

        assert bill.state is BillState.HELD
        assert any(finding in text for text in bill.findings)

    def test_holds_a_hand_made_bill_with_negative_lines(self) -> None:
        # The engine refuses negative energy; a bill put together by hand is still checked.
        draft = a_draft("1000")
        negative = replace_lines(draft, [line.negated() for line in draft.lines])

        bill, _ = issue(negative, on=ON, at=AT, by="clerk")

        assert bill.state is BillState.HELD
        assert any("negative" in text for text in bill.findings)

    def test_checks_negative_consumption_in_the_determinants(self) -> None:
        determinants = Determinants(energy_kwh={"peak": "-5", "valley": "500"})

        bill, _ = issue(a_draft(), on=ON, at=AT, by="clerk", determinants=determinants)

        assert bill.findings == ("negative consumption peak: -5 kWh",)

    def test_releases_a_held_bill_only_with_a_reason(self) -> None:
        held, _ = issue(a_draft("100000"), on=ON, at=AT, by="clerk", typical=Money("80.00"))

        with pytest.raises(InvalidInput, match="why"):
            release(held, on=ON, at=AT, by="lead", why=" ")
        released, _ = release(held, on=ON, at=AT, by="lead", why="new factory line, confirmed")
        assert released.state is BillState.ISSUED
        assert released.findings == ()
        verify(released)

    def test_discards_a_draft_but_not_an_issued_bill(self) -> None:
        gone, _ = discard(a_draft(), at=AT, by="clerk", why="duplicate")

        assert gone.state is BillState.DISCARDED
        with pytest.raises(TransitionNotAllowed):
            discard(issued(), at=AT, by="clerk", why="oops")

    def test_needs_a_bill_id(self) -> None:
        with pytest.raises(InvalidInput, match="bill_id"):
            issue(a_draft(bill_id=" "), on=ON, at=AT, by="clerk")

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("max_lines", 0),
            ("max_total", "10"),
            ("max_multiple_of_typical", 0),
            ("max_multiple_of_typical", 1.5),
        ],
    )
    def test_bounds_refuse_nonsense(self, field: str, value: object) -> None:
        with pytest.raises(InvalidInput, match=field):
            PlausibilityBounds(**{field: value})  # type: ignore[arg-type]


class TestDefaultBounds:
    """The bounds that need no typical bill: capacity × hours, the registers, the history."""

    def test_energy_above_capacity_times_hours_is_held(self) -> None:
        facts = PlausibilityFacts(capacity_kva="160")

        bill, _ = issue(a_draft("119041"), on=ON, at=AT, by="clerk", facts=facts)

        assert bill.state is BillState.HELD
        assert bill.findings == (
            (
                "energy 119041 kWh > 160 kVA × 744 h × 1.0 = 119040.0 kWh "
                "(more than the transformer can deliver)"
            ),
        )

    def test_energy_at_capacity_times_hours_is_issued(self) -> None:
        facts = PlausibilityFacts(capacity_kva="160")

        bill, _ = issue(a_draft("119040"), on=ON, at=AT, by="clerk", facts=facts)

        assert bill.state is BillState.ISSUED

    def test_the_load_factor_is_policy_data(self) -> None:
        facts = PlausibilityFacts(capacity_kva="160")
        bounds = PlausibilityBounds(max_load_factor="0.5")

        assert bounds.check(a_draft("60000"), facts=facts) == (
            (
                "energy 60000 kWh > 160 kVA × 744 h × 0.5 = 59520.0 kWh "
                "(more than the transformer can deliver)"
            ),
        )
        assert PlausibilityBounds(max_load_factor=None).check(a_draft("1e9"), facts=facts) == ()

    def test_energy_above_the_register_ceiling_is_held(self) -> None:
        facts = PlausibilityFacts(register_ceiling_kwh="1000000")

        assert PlausibilityBounds().check(a_draft("1000001"), facts=facts) == (
            (
                "energy 1000001 kWh > 1000000 kWh, the most the meters' registers can show in one "
                "read interval (10^digits × multiplier)"
            ),
        )

    def test_energy_far_above_the_history_is_held_and_names_the_bill(self) -> None:
        facts = PlausibilityFacts(recent_max_daily_kwh="10", recent_label="bill B-0")

        held = PlausibilityBounds().check(a_draft("931"), facts=facts)  # 30.03 kWh/day
        within = PlausibilityBounds().check(a_draft("930"), facts=facts)  # 30.00 kWh/day

        assert held == (
            "daily energy 30.03 kWh/day > 3 × the account's 12-month maximum 10 kWh/day, bill B-0",
        )
        assert within == ()

    def test_review_reasons_hold_a_bill_within_every_bound(self) -> None:
        facts = PlausibilityFacts(review=("V06 (M-1/peak): needs a meter-change record",))

        bill, record = issue(a_draft(), on=ON, at=AT, by="clerk", facts=facts)

        assert bill.state is BillState.HELD
        assert bill.findings == ("V06 (M-1/peak): needs a meter-change record",)
        assert record.why == "V06 (M-1/peak): needs a meter-change record"

    def test_the_billed_energy_counts_each_charge_once(self) -> None:
        bill = price_bill(
            one_version(energy(), energy(code="fund", price="0.029"), fixed()),
            Determinants(energy_kwh={"total": "312.4"}),
            JULY,
        )

        assert billed_energy(bill) == Decimal("312.4")

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("max_load_factor", "0"),
            ("max_load_factor", 1.5),
            ("max_multiple_of_history", "-1"),
        ],
    )
    def test_refuses_a_bound_that_is_not_a_positive_number(self, field: str, value: object) -> None:
        with pytest.raises(InvalidInput, match=field):
            PlausibilityBounds(**{field: value})  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("field", "value"),
        [("capacity_kva", "-1"), ("register_ceiling_kwh", "-5"), ("recent_max_daily_kwh", "-1")],
    )
    def test_refuses_negative_facts(self, field: str, value: str) -> None:
        with pytest.raises(InvalidInput, match=field):
            PlausibilityFacts(**{field: value})

    def test_refuses_a_blank_review_reason(self) -> None:
        with pytest.raises(InvalidInput, match="review"):
            PlausibilityFacts(review=(" ",))


class TestImmutability:
    def test_draft_edits_refuse_an_issued_bill(self) -> None:
        bill = issued()

        with pytest.raises(BillNotDraft, match="issued"):
            with_line(bill, bill.lines[0])
        with pytest.raises(BillNotDraft):
            replace_lines(bill, ())
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            bill.lines = ()  # type: ignore[misc]

    def test_drafts_can_be_edited(self) -> None:
        draft = a_draft()

        assert len(with_line(draft, draft.lines[0]).lines) == 3
        assert replace_lines(draft, ()).lines == ()

    def test_verify_notices_changed_content(self) -> None:
        forged = attrs.evolve(issued(), lines=())

        with pytest.raises(BillTampered, match="recorded"):
            verify(forged)


class TestCorrection:
    def test_original_credit_note_and_rebill_net_to_the_fresh_bill(self) -> None:
        original = issued("100")
        fresh = a_draft("120", bill_id="draft")

        result = correct(
            original,
            fresh,
            credit_note_id="CN-1",
            rebill_id="B-1R",
            on=ON,
            at=AT,
            by="clerk",
            why="misread",
        )

        assert result.original.state is BillState.REVERSED
        assert result.original.content_hash == original.content_hash
        assert result.credit_note.kind is BillKind.CREDIT_NOTE
        assert result.credit_note.state is BillState.ISSUED
        assert result.credit_note.total == -original.total
        assert result.rebill.kind is BillKind.REBILL
        assert result.rebill.corrects == "B-1"
        assert result.net == fresh.total
        assert dict(difference(original, result.rebill)) == {"energy": Money("10.00")}
        verify(result.original)

    def test_refuses_to_reverse_twice_or_to_reverse_a_credit_note_or_a_draft(self) -> None:
        result = correct(
            issued(),
            a_draft("1"),
            credit_note_id="CN",
            rebill_id="R",
            on=ON,
            at=AT,
            by="c",
            why="w",
        )

        with pytest.raises(CorrectionRefused, match="reversed"):
            correct(
                result.original,
                a_draft(),
                credit_note_id="X",
                rebill_id="Y",
                on=ON,
                at=AT,
                by="c",
                why="w",
            )
        with pytest.raises(CorrectionRefused, match="credit note"):
            credit_note_for(result.credit_note, bill_id="X")
        with pytest.raises(BillTampered):
            correct(
                a_draft(),
                a_draft(),
                credit_note_id="X",
                rebill_id="Y",
                on=ON,
                at=AT,
                by="c",
                why="w",
            )

    def test_refuses_a_correction_that_is_not_a_draft_of_the_account(self) -> None:
        other = attrs.evolve(a_draft(), account_id="B")

        with pytest.raises(CorrectionRefused, match="draft of its account"):
            correct(
                issued(), other, credit_note_id="X", rebill_id="Y", on=ON, at=AT, by="c", why="w"
            )

    def test_difference_leaves_out_unchanged_lines(self) -> None:
        assert difference(a_draft(), a_draft()) == ()
        assert a_draft().total.amount == Decimal("80.00")
