"""Idempotency keys belong to their command (R8): equal keys of two commands never meet."""

from __future__ import annotations

from datetime import date

import pytest

from powerretail.adapters.clocks import FixedClock
from powerretail.errors import IdempotencyConflict
from powerretail.ids import AccountId
from powerretail.quantities import Money
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import recorded
from powerretail.repositories.idempotency import IdempotencyRecord, Outcome, fingerprint
from powerretail.repositories.payments import PAYMENTS, RECEIVABLES
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.workflows.billing_cycle import Outcome as Billed
from powerretail.workflows.billing_cycle import cycle_key, run_billing_cycle
from powerretail.workflows.payments import post_payment
from tests.unit.workflows.conftest import JULY, NOW

ISSUED_ON = date(2025, 8, 1)
CYCLE_KEY = cycle_key("A-1", JULY)


def pay(make_unit_of_work: UnitOfWorkFactory, clock: FixedClock, key: str, amount: str) -> Money:
    receipt = post_payment(
        make_unit_of_work,
        clock=clock,
        key=key,
        account_id="A-1",
        amount=Money(amount),
        received_on=date(2025, 8, 10),
    )
    return receipt.balance


class TestOneKeyTwoCommands:
    def test_a_payment_under_the_cycle_key_does_not_skip_the_account(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        pay(book, clock, CYCLE_KEY, "20.00")

        report = run_billing_cycle(book, clock=clock, period=JULY, issued_on=ISSUED_ON)

        (outcome,) = report.outcomes
        assert outcome.outcome is Billed.ISSUED
        with book() as uow:
            receivable = uow.repository(RECEIVABLES).get(AccountId("A-1")).entity
        assert receivable.balance == Money(outcome.total or "0") - Money("20.00")
        assert receivable.reconciles

    def test_a_payment_under_a_used_cycle_key_is_posted(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        report = run_billing_cycle(book, clock=clock, period=JULY, issued_on=ISSUED_ON)

        balance = pay(book, clock, CYCLE_KEY, "20.00")

        assert balance == Money(report.outcomes[0].total or "0") - Money("20.00")
        with book() as uow:
            assert len(uow.repository(PAYMENTS).query(account_id="A-1")) == 1

    def test_each_command_keeps_its_own_record(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        run_billing_cycle(book, clock=clock, period=JULY, issued_on=ISSUED_ON)
        pay(book, clock, CYCLE_KEY, "20.00")

        with book() as uow:
            cycle = recorded(uow.idempotency, "bill_account", CYCLE_KEY)
            payment = recorded(uow.idempotency, "post_payment", CYCLE_KEY)
        assert cycle is not None
        assert payment is not None
        assert (cycle.key, payment.key) == (
            f"bill_account:{CYCLE_KEY}",
            f"post_payment:{CYCLE_KEY}",
        )
        assert "bill_id" in cycle.result
        assert "payment_id" in payment.result

    def test_the_same_command_still_conflicts_on_another_payload(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        pay(book, clock, "gw-1", "20.00")

        with pytest.raises(IdempotencyConflict, match='"gw-1"'):
            pay(book, clock, "gw-1", "21.00")


def _bare(
    command: str, key: str, payload: dict[str, JsonValue], result: dict[str, JsonValue]
) -> IdempotencyRecord:
    return IdempotencyRecord(
        key=key,
        command=command,
        fingerprint=fingerprint(command, payload),
        outcome=Outcome.SUCCEEDED,
        result=result,
        recorded_at=NOW,
    )


class TestRecordsStoredBeforeKeysWereScoped:
    """Records an older powerretail stored under the caller's key alone."""

    def test_are_replayed_for_their_own_command(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        payload: dict[str, JsonValue] = {
            "account_id": "A-1",
            "amount": "20.00",
            "currency": "CNY",
            "received_on": "2025-08-10",
            "order": "principal_first",
        }
        old: dict[str, JsonValue] = {
            "payment_id": "P-gw-1",
            "account_id": "A-1",
            "applied": "0.00",
            "credit": "20.00",
            "balance": "-20.00",
            "currency": "CNY",
        }
        with book() as uow:
            uow.idempotency.put(_bare("post_payment", "gw-1", payload, old))
            uow.commit()

        balance = pay(book, clock, "gw-1", "20.00")

        assert balance == Money("-20.00")
        with book() as uow:  # nothing posted again: the stored receipt was the answer
            assert uow.repository(PAYMENTS).query(account_id="A-1") == ()
        with pytest.raises(IdempotencyConflict):
            pay(book, clock, "gw-1", "21.00")

    def test_are_no_conflict_for_another_command(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        with book() as uow:
            uow.idempotency.put(_bare("post_payment", CYCLE_KEY, {}, {"payment_id": "P-x"}))
            uow.commit()

        report = run_billing_cycle(book, clock=clock, period=JULY, issued_on=ISSUED_ON)

        assert report.outcomes[0].outcome is Billed.ISSUED
