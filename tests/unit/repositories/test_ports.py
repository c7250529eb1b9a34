from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pendulum
import pytest

from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.errors import (
    FloatNotAllowed,
    IdempotencyConflict,
    InvalidInput,
    RuleViolation,
    VersionConflict,
)
from powerretail.ids import AccountId
from powerretail.quantities import Money
from powerretail.repositories.aggregates import Aggregate, OrderedIndex, Versioned
from powerretail.repositories.commands import CommandRefused, replay, run_idempotent
from powerretail.repositories.events import (
    DomainEvent,
    DuplicateEvent,
    EventOutOfOrder,
    OutboxNotAdvancing,
    publish_pending,
)
from powerretail.repositories.idempotency import (
    IdempotencyRecord,
    KeyAlreadyRecorded,
    Outcome,
    fingerprint,
    scoped_key,
)
from powerretail.repositories.imports import ImportReport, import_entities
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkClosed
from powerretail.testing.ledger import LEDGER_ACCOUNTS, LedgerAccount, open_ledger_account

AT = pendulum.datetime(2025, 3, 1, tz="UTC")


@attrs.frozen
class Note:
    note_id: str
    topic: str


def _someday(_note: Note) -> date:
    return date(2025, 1, 1)


def an_event(**changes: object) -> DomainEvent:
    values: dict[str, object] = {
        "event_id": "E-1",
        "aggregate_kind": "note",
        "aggregate_id": "n-1",
        "event_type": "NoteWritten",
        "schema_major": 1,
        "payload": {"text": "hello"},
        "occurred_at": AT,
    }
    values.update(changes)
    return DomainEvent(**values)  # type: ignore[arg-type]


class TestAggregate:
    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"kind": "Bad Kind"}, "kind"),
            ({"entity_type": dict}, "entity_type"),
            ({"key_field": "id"}, "key_field"),
            ({"indexed": ("missing",)}, "indexed"),
            ({"schema_version": 0}, "schema_version"),
            ({"schema_version": True}, "schema_version"),
            ({"schema_version": 3, "upgrades": {1: dict}}, "upgrades"),
            ({"ordered": (OrderedIndex("topic", (), _someday),)}, "ordered"),  # a field's name
            (
                {"ordered": (OrderedIndex("by_topic", ("topic",), _someday),)},
                "ordered",
            ),  # not indexed
        ],
    )
    def test_refuses_a_description_that_does_not_fit_the_entity(
        self, changes: dict[str, object], field: str
    ) -> None:
        values: dict[str, object] = {"kind": "note", "entity_type": Note, "key_field": "note_id"}
        values.update(changes)

        with pytest.raises(InvalidInput, match=f"^{field}:"):
            Aggregate(**values)  # type: ignore[arg-type]

    def test_refuses_to_encode_another_class(self) -> None:
        notes: Aggregate[str, Note] = Aggregate(kind="note", entity_type=Note, key_field="note_id")

        with pytest.raises(InvalidInput, match="a Note"):
            notes.encode(LedgerAccount.open("A-1", holder="x"))  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="a Note"):
            notes.body_of(LedgerAccount.open("A-1", holder="x"))  # type: ignore[arg-type]

    def test_refuses_a_filter_on_a_field_not_indexed(self) -> None:
        notes: Aggregate[str, Note] = Aggregate(kind="note", entity_type=Note, key_field="note_id")

        with pytest.raises(InvalidInput, match="indexed field of note"):
            notes.index_filter({"topic": "x"})

    def test_refuses_to_upgrade_data_that_is_not_an_object(self) -> None:
        notes: Aggregate[str, Note] = Aggregate(
            kind="note", entity_type=Note, key_field="note_id", schema_version=2, upgrades={1: dict}
        )

        with pytest.raises(InvalidInput, match="an object"):
            notes.decode(["n", "t"], schema_version=1)

    def test_upgrades_data_step_by_step(self) -> None:
        notes: Aggregate[str, Note] = Aggregate(
            kind="note",
            entity_type=Note,
            key_field="note_id",
            schema_version=3,
            upgrades={
                1: lambda data: {**data, "topic": "from v1"},
                2: lambda data: {**data, "topic": f"{data['topic']}, then v2"},
            },
        )

        assert notes.decode({"note_id": "n"}, schema_version=1) == Note("n", "from v1, then v2")
        assert notes.decode({"note_id": "n", "topic": "t"}) == Note("n", "t")

    def test_versioned_unpacks_into_entity_and_version(self) -> None:
        entity, version = Versioned(Note("n", "t"), 3)

        assert (entity, version) == (Note("n", "t"), 3)


class TestIdempotencyRecord:
    def test_refuses_a_result_that_is_not_a_json_object(self) -> None:
        with pytest.raises(InvalidInput, match="result"):
            IdempotencyRecord(
                key="k",
                command="c",
                fingerprint="f",
                outcome=Outcome.SUCCEEDED,
                result=["not", "an", "object"],  # type: ignore[arg-type]
                recorded_at=AT,
            )

    def test_fingerprint_refuses_a_float(self) -> None:
        with pytest.raises(FloatNotAllowed):
            fingerprint("c", {"amount": 0.1})  # type: ignore[dict-item]

    def test_a_taken_key_names_the_key(self) -> None:
        assert str(KeyAlreadyRecorded("k-1")) == (
            'idempotency key "k-1" was recorded by another unit of work'
        )


class TestRunIdempotent:
    def test_refuses_fewer_than_one_attempt(self) -> None:
        with pytest.raises(InvalidInput, match="attempts"):
            run_idempotent(
                MemoryStore().unit_of_work,
                clock=FixedClock(AT),
                key="k",
                command="c",
                payload={},
                action=lambda uow: {},
                attempts=0,
            )

    def test_gives_up_after_the_last_attempt_conflicts(self) -> None:
        tries: list[int] = []

        def always_stale(uow: UnitOfWork) -> dict[str, object]:
            tries.append(1)
            raise VersionConflict("note", "n-1", 1, 2)

        with pytest.raises(VersionConflict):
            run_idempotent(
                MemoryStore().unit_of_work,
                clock=FixedClock(AT),
                key="k",
                command="c",
                payload={},
                action=always_stale,  # type: ignore[arg-type]
                attempts=3,
            )

        assert len(tries) == 3

    def test_retries_a_conflict_and_then_succeeds(self) -> None:
        tries: list[int] = []

        def stale_once(uow: UnitOfWork) -> dict[str, object]:
            tries.append(1)
            if len(tries) == 1:
                raise VersionConflict("note", "n-1", 1, 2)
            return {"ok": True}

        result = run_idempotent(
            MemoryStore().unit_of_work,
            clock=FixedClock(AT),
            key="k",
            command="c",
            payload={},
            action=stale_once,  # type: ignore[arg-type]
        )

        assert (result, len(tries)) == ({"ok": True}, 2)

    def test_lets_a_nested_refusal_through_without_storing_it(self) -> None:
        store = MemoryStore()

        def nested(uow: UnitOfWork) -> dict[str, object]:
            raise CommandRefused("inner", "k-0", "RuleViolation", "no")

        with pytest.raises(CommandRefused, match="inner"):
            run_idempotent(
                store.unit_of_work,
                clock=FixedClock(AT),
                key="k",
                command="outer",
                payload={},
                action=nested,  # type: ignore[arg-type]
            )

        with store.unit_of_work() as uow:
            assert uow.idempotency.get("k") is None

    def test_gives_the_outcome_another_writer_stored_during_a_refusal(self) -> None:
        store = MemoryStore()
        clock = FixedClock(AT)
        printed = fingerprint("c", {})

        def refused_while_another_stores(uow: UnitOfWork) -> dict[str, object]:
            with store.unit_of_work() as other:
                other.idempotency.put(
                    IdempotencyRecord(
                        key=scoped_key("c", "k"),
                        command="c",
                        fingerprint=printed,
                        outcome=Outcome.SUCCEEDED,
                        result={"by": "other"},
                        recorded_at=AT,
                    )
                )
                other.commit()
            raise RuleViolation("refused here")

        result = run_idempotent(
            store.unit_of_work,
            clock=clock,
            key="k",
            command="c",
            payload={},
            action=refused_while_another_stores,  # type: ignore[arg-type]
        )

        assert result == {"by": "other"}

    def test_replay_refuses_another_command_under_the_key(self) -> None:
        record = IdempotencyRecord(
            key="k",
            command="refund",
            fingerprint=fingerprint("refund", {}),
            outcome=Outcome.SUCCEEDED,
            result={},
            recorded_at=AT,
        )

        with pytest.raises(IdempotencyConflict, match="refund"):
            replay(record, "post_payment", fingerprint("post_payment", {}))

    def test_a_refusal_names_the_command_the_key_and_the_rule(self) -> None:
        assert str(CommandRefused("post", "k", "AccountClosed", "closed")) == (
            'post "k" was refused: AccountClosed: closed'
        )


class TestDomainEvent:
    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"event_type": "no spaces allowed"}, "event_type"),
            ({"schema_major": 0}, "schema_major"),
            ({"schema_major": True}, "schema_major"),
            ({"payload": ["x"]}, "payload"),
            ({"event_id": " "}, "event_id"),
            ({"occurred_at": "2025-01-01T00:00:00"}, "occurred_at"),
        ],
    )
    def test_refuses_a_malformed_event(self, changes: dict[str, object], field: str) -> None:
        with pytest.raises(InvalidInput, match=f"^{field}"):
            an_event(**changes)

    def test_refuses_a_float_in_the_payload(self) -> None:
        with pytest.raises(FloatNotAllowed):
            an_event(payload={"amount": 1.5})

    def test_errors_say_which_event(self) -> None:
        stored = an_event().at_sequence(3)

        assert str(DuplicateEvent("E-1")) == 'event "E-1" is already in the outbox'
        assert str(EventOutOfOrder("audit", stored, 1)) == (
            'audit: event 3 of note "n-1" arrived but the last one processed is 1; expected 2'
        )


class TestPublishPending:
    def test_hands_nothing_when_nothing_is_pending(self) -> None:
        assert publish_pending(MemoryStore().unit_of_work, lambda event: None) == 0

    def test_marks_nothing_when_the_first_event_fails(self) -> None:
        store = MemoryStore()
        with store.unit_of_work() as uow:
            uow.outbox.append(an_event())
            uow.commit()

        def broken(event: object) -> None:
            raise ConnectionError("down")

        with pytest.raises(ConnectionError):
            publish_pending(store.unit_of_work, broken)

        with store.unit_of_work() as uow:
            assert len(uow.outbox.unpublished()) == 1

    def test_refuses_to_loop_on_a_store_that_forgets_what_was_published(self) -> None:
        store = MemoryStore()
        with store.unit_of_work() as uow:
            uow.outbox.append(an_event())
            uow.commit()

        def forgetful() -> UnitOfWork:
            uow = store.unit_of_work()
            uow.outbox.mark_published = lambda event_ids: None  # type: ignore[method-assign]
            return uow

        with pytest.raises(OutboxNotAdvancing, match="does not keep mark_published"):
            publish_pending(forgetful, lambda event: None)


class TestImportEntities:
    def test_refuses_a_batch_size_below_one(self) -> None:
        with pytest.raises(InvalidInput, match="batch_size"):
            import_entities(MemoryStore().unit_of_work, LEDGER_ACCOUNTS, [], batch_size=0)

    def test_refuses_one_key_twice_in_the_input(self) -> None:
        twice = [LedgerAccount.open("A-1", holder="x"), LedgerAccount.open("A-1", holder="y")]

        with pytest.raises(InvalidInput, match="a key used once"):
            import_entities(MemoryStore().unit_of_work, LEDGER_ACCOUNTS, twice)

    def test_imports_an_exact_multiple_of_the_batch_size(self) -> None:
        store = MemoryStore()
        accounts = [LedgerAccount.open(f"A-{n}", holder="x") for n in range(4)]

        report = import_entities(store.unit_of_work, LEDGER_ACCOUNTS, accounts, batch_size=2)

        assert str(report) == "4 added, 0 unchanged, 0 stored differently (left alone)"
        assert report == ImportReport(added=("A-0", "A-1", "A-2", "A-3"))


class TestUnitOfWorkClosed:
    def test_says_how_to_go_on(self) -> None:
        assert str(UnitOfWorkClosed("committed")) == (
            "the unit of work is committed; open a new one with the factory"
        )

    def test_a_unit_of_work_is_entered_once(self) -> None:
        store = MemoryStore()
        open_ledger_account(store.unit_of_work, "A-1", holder="x")
        uow = store.unit_of_work()

        with uow:
            assert uow.repository(LEDGER_ACCOUNTS).get(AccountId("A-1")).version == 1
        with pytest.raises(UnitOfWorkClosed, match="rolled back"), uow:
            pass


def test_money_payloads_stay_exact_strings() -> None:
    event = an_event(payload={"amount": str(Money("0.10").amount), "d": str(Decimal("1E+2"))})

    assert event.payload == {"amount": "0.10", "d": "1E+2"}
