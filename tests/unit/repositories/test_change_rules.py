"""Which saves may change a stored document: the rules aggregates declare (R5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pendulum
import pytest

from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.billing.bill import Bill, BillState, LineItem
from powerretail.billing.lifecycle import PlausibilityBounds, discard, issue
from powerretail.errors import InvalidInput
from powerretail.quantities import Money
from powerretail.repositories.aggregates import (
    Aggregate,
    ChangeNotAllowed,
    ChangeRefusal,
    changed_fields,
)
from powerretail.repositories.billing import bill_changes
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import command_payload, run_idempotent
from powerretail.repositories.idempotency import IdempotencyRecord, Outcome
from powerretail.repositories.unit_of_work import UnitOfWork
from powerretail.timeframe import DateRange

AT = pendulum.datetime(2025, 8, 1, 9, tz="Asia/Shanghai")
JULY = DateRange.month(2025, 7)


def a_line(amount: str = "60.00") -> LineItem:
    return LineItem(
        code="energy",
        description_zh="电度电费",
        description_en="energy charge",
        quantity=Decimal("100"),
        unit="kWh",
        rate=Decimal("0.6"),
        rate_unit="元/kWh",
        amount=Money(amount),
        tariff_code="T-1",
        tariff_version="1",
        source="test",
        period=JULY,
    )


def a_draft(lines: int = 1) -> Bill:
    return Bill(
        bill_id="B-1", account_id="A-1", period=JULY, tariff_code="T-1", lines=(a_line(),) * lines
    )


def held() -> Bill:
    bill, _record = issue(
        a_draft(2), on=date(2025, 8, 1), at=AT, by="clerk", bounds=PlausibilityBounds(max_lines=1)
    )
    assert bill.state is BillState.HELD
    return bill


class TestBillChanges:
    def test_a_draft_may_change_its_lines(self) -> None:
        draft = a_draft()

        assert bill_changes(draft, attrs.evolve(draft, lines=(a_line("1.00"),))) is None

    def test_a_held_bill_may_be_discarded_or_held_again_with_other_findings(self) -> None:
        bill = held()
        gone, _record = discard(bill, at=AT, by="reviewer", why="wrong meter")

        assert bill_changes(bill, gone) is None
        assert bill_changes(bill, attrs.evolve(bill, findings=("checked again",))) is None

    def test_a_held_bill_is_not_stamped_unless_issued(self) -> None:
        bill = held()

        refusal = bill_changes(bill, attrs.evolve(bill, issued_on=date(2025, 8, 2)))

        assert refusal == ChangeRefusal("held", ("issued_on",))

    def test_a_discarded_bill_never_changes(self) -> None:
        gone, _record = discard(held(), at=AT, by="reviewer", why="wrong meter")

        refusal = bill_changes(gone, attrs.evolve(gone, state=BillState.ISSUED, lines=()))

        assert refusal == ChangeRefusal(
            "discarded",
            (
                "state discarded → issued (not a transition of the bill lifecycle)",
                "lines",
                "total",
            ),
        )

    def test_a_line_changed_at_the_same_total_changes_only_the_lines(self) -> None:
        bill, _record = issue(a_draft(), on=date(2025, 8, 1), at=AT, by="clerk")

        refusal = bill_changes(bill, attrs.evolve(bill, lines=(attrs.evolve(a_line(), note="x"),)))

        assert refusal == ChangeRefusal("issued", ("lines",))


class TestTheHook:
    def test_an_aggregate_without_a_rule_allows_every_change(self) -> None:
        @attrs.frozen
        class Note:
            note_id: str
            text: str

        notes: Aggregate[str, Note] = Aggregate(kind="note", entity_type=Note, key_field="note_id")

        notes.check_change(Note("n-1", "a"), Note("n-1", "b"))

    def test_the_refusal_names_the_document_its_state_and_what_changed(self) -> None:
        assert str(ChangeNotAllowed("bill", "B-1", "issued", ("lines", "total"))) == (
            'bill "B-1" is issued: a save may not change lines, total; '
            "correct it with a new document"
        )

    def test_changed_fields_skips_the_allowed_ones(self) -> None:
        bill = a_draft()
        other = attrs.evolve(bill, state=BillState.HELD, tariff_code="T-2")

        assert changed_fields(bill, other) == ("state", "tariff_code")
        assert changed_fields(bill, other, allowed=("state",)) == ("tariff_code",)


class TestKeysAndPayloads:
    def test_command_payload_encodes_every_argument(self) -> None:
        payload = command_payload(
            bill_id="B-1",
            on=date(2025, 8, 5),
            amount=Money("1.50"),
            bounds=PlausibilityBounds(max_lines=3),
            facts=None,
        )

        assert payload == {
            "bill_id": "B-1",
            "on": "2025-08-05",
            "amount": {"amount": "1.50", "currency": "CNY"},
            "bounds": {
                "max_lines": 3,
                "max_total": None,
                "max_multiple_of_typical": "5",
                "allow_negative_energy": False,
                "allow_negative_total": False,
                "max_load_factor": "1.0",
                "max_multiple_of_history": "3",
            },
            "facts": None,
        }

    @pytest.mark.parametrize("key", ["", "   ", "x" * 129, "a\nb"])
    def test_an_unusable_key_is_refused_before_anything_runs(self, key: str) -> None:
        ran: list[UnitOfWork] = []

        def action(uow: UnitOfWork) -> dict[str, JsonValue]:
            ran.append(uow)
            return {}

        with pytest.raises(InvalidInput, match="key"):
            run_idempotent(
                MemoryStore().unit_of_work,
                clock=FixedClock(AT),
                key=key,
                command="c",
                payload={},
                action=action,
            )

        assert ran == []

    @pytest.mark.parametrize("key", [7, "", "k" * 258])
    def test_a_record_refuses_an_unusable_stored_key(self, key: object) -> None:
        with pytest.raises(InvalidInput, match="key"):
            IdempotencyRecord(
                key=key,
                command="c",
                fingerprint="f",
                outcome=Outcome.SUCCEEDED,
                result={},
                recorded_at=AT,
            )

    def test_a_record_holds_the_longest_scoped_key(self) -> None:
        key = f"{'c' * 128}:{'k' * 128}"

        record = IdempotencyRecord(
            key=key,
            command="c" * 128,
            fingerprint="f",
            outcome=Outcome.SUCCEEDED,
            result={},
            recorded_at=AT,
        )

        assert record.key == key
