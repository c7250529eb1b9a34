"""What only the memory store needs: conflicts found when overlapping units of work commit."""

from __future__ import annotations

import attrs
import pendulum
import pytest

from powerretail.adapters.memory import MemoryStore
from powerretail.errors import ConcurrencyConflict, VersionConflict
from powerretail.ids import AccountId
from powerretail.repositories.events import DomainEvent, DuplicateEvent
from powerretail.repositories.idempotency import IdempotencyRecord, KeyAlreadyRecorded, Outcome
from powerretail.testing.ledger import LEDGER_ACCOUNTS, LedgerAccount, open_ledger_account

AT = pendulum.datetime(2025, 3, 1, tz="UTC")


def a_record(key: str) -> IdempotencyRecord:
    return IdempotencyRecord(
        key=key, command="c", fingerprint="f", outcome=Outcome.SUCCEEDED, result={}, recorded_at=AT
    )


def an_event(event_id: str, aggregate_id: str = "A-1") -> DomainEvent:
    return DomainEvent(
        event_id=event_id,
        aggregate_kind="ledger_account",
        aggregate_id=aggregate_id,
        event_type="Happened",
        schema_major=1,
        payload={},
        occurred_at=AT,
    )


class TestOverlappingUnitsOfWork:
    def test_the_second_save_of_one_version_conflicts_at_commit(self) -> None:
        store = MemoryStore()
        open_ledger_account(store.unit_of_work, "A-1", holder="Wang")
        first, second = store.unit_of_work(), store.unit_of_work()

        with first, second:
            for uow, holder in ((first, "first"), (second, "second")):
                accounts = uow.repository(LEDGER_ACCOUNTS)
                account, version = accounts.get(AccountId("A-1"))
                accounts.save(attrs.evolve(account, holder=holder), version)
            first.commit()
            with pytest.raises(VersionConflict) as raised:
                second.commit()

        assert (raised.value.expected, raised.value.actual) == (1, 2)
        with store.unit_of_work() as uow:
            assert uow.repository(LEDGER_ACCOUNTS).get(AccountId("A-1")).entity.holder == "first"

    def test_two_adds_of_one_key_conflict_at_commit(self) -> None:
        store = MemoryStore()
        first, second = store.unit_of_work(), store.unit_of_work()

        with first, second:
            for uow in (first, second):
                uow.repository(LEDGER_ACCOUNTS).add(LedgerAccount.open("A-1", holder="x"))
                uow.idempotency.put(a_record("k"))
            first.commit()
            with pytest.raises(VersionConflict):
                second.commit()

    @pytest.mark.parametrize(
        ("write", "error"),
        [
            (lambda uow: uow.idempotency.put(a_record("k")), KeyAlreadyRecorded),
            (lambda uow: uow.outbox.append(an_event("E-1", "A-9")), DuplicateEvent),
            (lambda uow: uow.outbox.append(an_event("E-2")), ConcurrencyConflict),
            (
                lambda uow: uow.inbox.record_processed("c", an_event("E-1").at_sequence(1)),
                DuplicateEvent,
            ),
        ],
    )
    def test_a_write_taken_meanwhile_conflicts_and_writes_nothing(
        self, write: object, error: type[Exception]
    ) -> None:
        store = MemoryStore()
        first, second = store.unit_of_work(), store.unit_of_work()

        with first, second:
            for uow in (first, second):
                write(uow)  # type: ignore[operator]
                uow.repository(LEDGER_ACCOUNTS).add(LedgerAccount.open(f"A-{id(uow)}", holder="x"))
            first.commit()
            with pytest.raises(error):
                second.commit()

        with store.unit_of_work() as uow:
            assert len(uow.repository(LEDGER_ACCOUNTS).query()) == 1

    def test_reads_its_own_staged_records_and_events(self) -> None:
        store = MemoryStore()

        with store.unit_of_work() as uow:
            uow.idempotency.put(a_record("k"))
            uow.outbox.append(an_event("E-1"))
            stored = uow.outbox.append(an_event("E-2"))
            uow.inbox.record_processed("c", stored)

            assert uow.idempotency.get("k") == a_record("k")
            assert [e.sequence for e in uow.outbox.unpublished()] == [1, 2]
            assert uow.inbox.has_processed("c", "E-2")
            assert uow.inbox.last_sequence("c", "ledger_account", "A-1") == 2
            with pytest.raises(DuplicateEvent):
                uow.inbox.record_processed("c", stored)
