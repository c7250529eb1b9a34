"""The repository contract suite: run it against your own adapter to prove it behaves.

Subclass :class:`StorageContract` in a test module of yours and override the
``make_unit_of_work`` fixture to return a factory of units of work on a fresh, empty store:

.. code-block:: python

    import pytest
    from powerretail.testing.contract import StorageContract

    class TestMyStore(StorageContract):
        @pytest.fixture
        def make_unit_of_work(self, tmp_path):
            store = MyStore(tmp_path / "store.db")
            yield store.unit_of_work
            store.close()

pytest then runs every ``test_`` method below on your store: round trips of every entity,
upgrades of data stored by an older schema, versions and two-writer conflicts (R11), issued
documents that no save may change but along their declared transitions (R5), rollback,
idempotency (R8), the outbox and inbox (R19), the append-only audit log (R12), idempotent
imports (R22) and a seeded simulation under injected faults (R21). Each test checks rules of the
written port specification (``docs/reference/ports.md``): its docstring starts with their ids
(:func:`checks`), and its failure with ``rule P-UOW-4 broken:``. The round trips cover every
aggregate of :mod:`powerretail.repositories` (:data:`powerretail.testing.entities.ENTITY_CASES`);
to round-trip your own entities too, extend :attr:`StorageContract.round_trip_cases`.
"""

from __future__ import annotations

import functools
import itertools
import threading
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

import attrs
import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from powerretail.access import (
    ADJUST_CREDIT_SCORE,
    SEED_POLICY,
    Actor,
    AuditRecord,
    Decision,
    authorize,
)
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.tariff_library import load_shipped
from powerretail.billing.bill import Bill, BillState, LineItem
from powerretail.billing.lifecycle import BILL_LIFECYCLE, PlausibilityBounds, issue, release
from powerretail.errors import (
    ConcurrencyConflict,
    IdempotencyConflict,
    InvalidInput,
    NotFound,
    VersionConflict,
)
from powerretail.ids import AccountId, BillId, PaymentId
from powerretail.quantities import Energy, Money
from powerretail.repositories.aggregates import Aggregate, ChangeNotAllowed, OrderedIndex
from powerretail.repositories.audit import AuditLog, authorize_in
from powerretail.repositories.billing import BILLS
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import CommandRefused, recorded, run_idempotent
from powerretail.repositories.events import (
    DomainEvent,
    DuplicateEvent,
    EventOutOfOrder,
    OutboxEvent,
    consume_once,
    publish_pending,
)
from powerretail.repositories.idempotency import (
    IdempotencyRecord,
    KeyAlreadyRecorded,
    Outcome,
    fingerprint,
    scoped_key,
)
from powerretail.repositories.imports import import_entities
from powerretail.repositories.payments import PAYMENTS, Payment
from powerretail.repositories.tariffs import TARIFF_DOCUMENTS, TariffDocument
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkClosed, UnitOfWorkFactory
from powerretail.testing.billing_sim import simulate_billing
from powerretail.testing.entities import ENTITY_CASES
from powerretail.testing.faults import simulate_ledger
from powerretail.testing.ledger import (
    LEDGER_ACCOUNTS,
    LEDGER_POSTINGS,
    LEDGER_PROJECTIONS,
    AccountStatus,
    LedgerAccount,
    LedgerPosting,
    PostingKind,
    close_ledger_account,
    open_ledger_account,
    post_to_ledger,
    project_ledger_event,
)
from powerretail.testing.strategies import ledger_accounts, ledger_postings
from powerretail.timeframe import DateRange

__all__ = ["RULES_OF", "StorageContract", "checks"]

E = TypeVar("E")
T = TypeVar("T", bound=Callable[..., Any])

#: The port rules (``docs/reference/ports.md``) each contract test checks, by test name.
RULES_OF: dict[str, tuple[str, ...]] = {}


def checks(*rules: str) -> Callable[[T], T]:
    """Mark a contract test as checking ``rules`` of the port specification.

    The test's docstring then starts with the rule ids, and any failure of it is reported as
    ``rule P-UOW-4 broken: …`` with the original message after it.
    """

    def decorate(test: T) -> T:
        named = ", ".join(rules)

        @functools.wraps(test)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return test(*args, **kwargs)
            except (Exception, pytest.fail.Exception) as broken:
                message = f"rule {named} broken: {type(broken).__name__}: {broken}"
                raise AssertionError(message) from broken

        run.__doc__ = f"{named}: {test.__doc__ or 'see docs/reference/ports.md.'}"
        RULES_OF[test.__name__] = rules
        return run  # type: ignore[return-value]

    return decorate


_EXAMPLE_KEYS = itertools.count()
_START = pendulum.datetime(2025, 3, 1, 9, tz="Asia/Shanghai")


def _posting(posting_id: str, account_id: str = "A-1", amount: str = "10.00") -> LedgerPosting:
    return LedgerPosting(
        posting_id=PaymentId(posting_id),
        account_id=AccountId(account_id),
        kind=PostingKind.PAYMENT,
        amount=Money(amount),
        energy=Energy("12.5"),
        posted_at=_START,
    )


def _event(event_id: str, aggregate_id: str = "A-1") -> DomainEvent:
    return DomainEvent(
        event_id=event_id,
        aggregate_kind=LEDGER_ACCOUNTS.kind,
        aggregate_id=aggregate_id,
        event_type="LedgerPosted",
        schema_major=1,
        payload={"amount": "1.00", "energy_kwh": "0"},
        occurred_at=_START,
    )


@attrs.frozen
class _NoteBefore:
    """An entity as an older program stored it."""

    note_id: str
    text: str


@attrs.frozen
class _NoteAfter:
    """The same entity after a field was renamed and another added."""

    note_id: str
    body: str
    words: int


def _upgrade_note(data: dict[str, JsonValue]) -> dict[str, JsonValue]:
    text = str(data["text"])
    return {"note_id": data["note_id"], "body": text, "words": len(text.split())}


@attrs.frozen
class _Reading:
    """An entity with an ordered index: readings of a series, by day."""

    reading_id: str
    series: str
    day: date


def _reading_day(reading: _Reading) -> date:
    return reading.day


_READINGS_UNORDERED: Aggregate[str, _Reading] = Aggregate(
    kind="contract_reading",
    entity_type=_Reading,
    key_field="reading_id",
    indexed=("series",),
    backfilled=("series",),
)
#: The same kind before its ``series`` field was indexed (P-AGG-8).
_READINGS_BY_KEY = attrs.evolve(_READINGS_UNORDERED, indexed=(), backfilled=())
_READINGS = attrs.evolve(
    _READINGS_UNORDERED, ordered=(OrderedIndex("series_day", ("series",), _reading_day),)
)


def _readings() -> list[_Reading]:
    """Readings of two series, days out of key order and one day shared by two keys."""
    days = [date(2025, 1, 1) + timedelta(days=(7 * n) % 40) for n in range(12)]
    return [_Reading(f"R-{n:02}", "ab"[n % 2], day) for n, day in enumerate(days)]


def _scan(readings: list[_Reading], start: date | None, end: date | None) -> list[str]:
    """What a range query must return: the full scan, filtered, in (day, key) order."""
    inside = [
        r
        for r in readings
        if r.series == "a" and (start is None or start <= r.day) and (end is None or r.day < end)
    ]
    return [r.reading_id for r in sorted(inside, key=lambda r: (r.day, r.reading_id))]


_NOTES_BEFORE: Aggregate[str, _NoteBefore] = Aggregate(
    kind="contract_note", entity_type=_NoteBefore, key_field="note_id"
)
_NOTES_AFTER: Aggregate[str, _NoteAfter] = Aggregate(
    kind="contract_note",
    entity_type=_NoteAfter,
    key_field="note_id",
    schema_version=2,
    upgrades={1: _upgrade_note},
)


def _grants(clock: FixedClock) -> tuple[AuditRecord, AuditRecord, AuditRecord]:
    """Return two grants to one manager (customers C-1, then C-2 a day later) and one to another."""
    manager = Actor(id="m-1", name="Zhou", roles=frozenset({"regional_key_account_manager"}))
    colleague = Actor(id="m-2", name="Qian", roles=frozenset({"company_key_account_manager"}))
    at = clock.now()

    def grant(actor: Actor, customer: str, when: pendulum.DateTime) -> AuditRecord:
        return authorize(
            SEED_POLICY,
            actor,
            ADJUST_CREDIT_SCORE,
            subject=f"customer {customer}",
            at=when,
            why="paid early",
            magnitude=Decimal("2.5"),
        )

    return (
        grant(manager, "C-1", at),
        grant(manager, "C-2", at.add(days=1)),
        grant(colleague, "C-1", at),
    )


def _in_threads(count: int, work: Callable[[int], None]) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            start.wait()
            work(index)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


_DAY = date(2025, 8, 1)


def _issued_bill(*, bounds: PlausibilityBounds | None = None, lines: int = 1) -> Bill:
    """Return bill ``B-1`` of July with ``lines`` energy lines, issued (or held by ``bounds``)."""
    july = DateRange.month(2025, 7)
    line = LineItem(
        code="energy",
        description_zh="电度电费",
        description_en="energy charge",
        quantity=Decimal("100"),
        unit="kWh",
        rate=Decimal("0.6"),
        rate_unit="元/kWh",
        amount=Money("60.00"),
        tariff_code="T-1",
        tariff_version="1",
        source="test",
        period=july,
    )
    draft = Bill(
        bill_id="B-1", account_id="A-1", period=july, tariff_code="T-1", lines=(line,) * lines
    )
    bill, _record = issue(draft, on=_DAY, at=_START, by="clerk", bounds=bounds)
    return bill


class StorageContract:
    """What every storage adapter promises. Subclass it and override ``make_unit_of_work``."""

    #: (aggregate, strategy of its entities) pairs round-tripped by the suite; add your own.
    round_trip_cases: ClassVar[Sequence[tuple[Aggregate[Any, Any], st.SearchStrategy[Any]]]] = (
        (LEDGER_ACCOUNTS, ledger_accounts()),
        (LEDGER_POSTINGS, ledger_postings()),
        *ENTITY_CASES,
    )

    @pytest.fixture
    def make_unit_of_work(self) -> UnitOfWorkFactory:
        """Return a factory of units of work on a fresh, empty store (override this)."""
        raise NotImplementedError("override the make_unit_of_work fixture with your store")

    @pytest.fixture
    def clock(self) -> FixedClock:
        """Return a fixed clock at 2025-03-01 09:00 Asia/Shanghai."""
        return FixedClock(_START)

    # ------------------------------------------------------------------ round trips

    @checks("P-AGG-2", "P-AGG-4")
    @settings(
        max_examples=40,
        deadline=None,  # every aggregate of the library is round-tripped in each example
        # One store serves every example (keys are made unique), and each adapter's subclass
        # runs the same test: both are intended.
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
        ],
    )
    @given(data=st.data())
    def test_every_entity_is_read_back_equal_at_version_1(
        self, make_unit_of_work: UnitOfWorkFactory, data: st.DataObject
    ) -> None:
        for aggregate, entities in self.round_trip_cases:
            entity = data.draw(entities)
            key = f"{aggregate.key_of(entity)}-{next(_EXAMPLE_KEYS)}"
            entity = attrs.evolve(entity, **{aggregate.key_field: key})
            with make_unit_of_work() as uow:
                added = uow.repository(aggregate).add(entity)
                uow.commit()

            with make_unit_of_work() as uow:
                stored = uow.repository(aggregate).get(key)

            assert added == 1
            assert stored == (entity, 1)
            assert aggregate.encode(stored.entity) == aggregate.encode(entity)

    @checks("P-AGG-4")
    def test_money_and_energy_keep_every_decimal(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        posting = attrs.evolve(_posting("P-exact", amount="0.10"), energy=Energy("1234567.891234"))
        with make_unit_of_work() as uow:
            uow.repository(LEDGER_POSTINGS).add(posting)
            uow.commit()

        with make_unit_of_work() as uow:
            stored = uow.repository(LEDGER_POSTINGS).get(PaymentId("P-exact")).entity

        assert str(stored.amount.amount) == "0.10"
        assert str(stored.energy.kwh) == "1234567.891234"

    @checks("P-AGG-5")
    def test_data_stored_by_an_older_schema_is_upgraded_when_read(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        with make_unit_of_work() as uow:
            uow.repository(_NOTES_BEFORE).add(_NoteBefore("n-1", "pay by the 15th"))
            uow.commit()

        with make_unit_of_work() as uow:
            notes = uow.repository(_NOTES_AFTER)
            upgraded, version = notes.get("n-1")
            notes.save(attrs.evolve(upgraded, words=4), version)
            uow.commit()

        assert upgraded == _NoteAfter("n-1", "pay by the 15th", 4)
        with make_unit_of_work() as uow:  # stored in the new shape: the old program must refuse
            assert uow.repository(_NOTES_AFTER).get("n-1") == (upgraded, 2)
            with pytest.raises(InvalidInput, match="newer program"):
                uow.repository(_NOTES_BEFORE).get("n-1")

    # ------------------------------------------------------------------ versions (R11)

    @checks("P-AGG-1")
    def test_get_of_a_missing_key_raises_not_found(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        with make_unit_of_work() as uow, pytest.raises(NotFound, match="ledger_account"):
            uow.repository(LEDGER_ACCOUNTS).get(AccountId("nobody"))

    @checks("P-AGG-1")
    def test_find_of_a_missing_key_returns_none(self, make_unit_of_work: UnitOfWorkFactory) -> None:
        with make_unit_of_work() as uow:
            assert uow.repository(LEDGER_ACCOUNTS).find(AccountId("nobody")) is None

    @checks("P-AGG-3")
    def test_each_save_adds_one_to_the_version(self, make_unit_of_work: UnitOfWorkFactory) -> None:
        account = LedgerAccount.open("A-1", holder="Wang")
        with make_unit_of_work() as uow:
            accounts = uow.repository(LEDGER_ACCOUNTS)
            versions = [accounts.add(account)]
            versions.append(accounts.save(attrs.evolve(account, holder="Li"), 1))
            uow.commit()
        with make_unit_of_work() as uow:
            versions.append(uow.repository(LEDGER_ACCOUNTS).save(account, 2))
            uow.commit()

        with make_unit_of_work() as uow:
            stored = uow.repository(LEDGER_ACCOUNTS).get(AccountId("A-1"))

        assert versions == [1, 2, 3]
        assert stored == (account, 3)

    @checks("P-AGG-2")
    def test_adding_a_stored_key_conflicts_and_keeps_the_first(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        open_ledger_account(make_unit_of_work, "A-1", holder="first")

        with make_unit_of_work() as uow, pytest.raises(VersionConflict) as raised:
            uow.repository(LEDGER_ACCOUNTS).add(LedgerAccount.open("A-1", holder="second"))

        assert (raised.value.expected, raised.value.actual) == (0, 1)
        with make_unit_of_work() as uow:
            assert uow.repository(LEDGER_ACCOUNTS).get(AccountId("A-1")).entity.holder == "first"

    @checks("P-AGG-3", "P-UOW-4")
    def test_a_stale_save_conflicts_and_changes_nothing(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        open_ledger_account(make_unit_of_work, "A-1", holder="Wang")
        with make_unit_of_work() as uow:  # writer A reads version 1 …
            seen_by_a, version_a = uow.repository(LEDGER_ACCOUNTS).get(AccountId("A-1"))
        with make_unit_of_work() as uow:  # … writer B saves version 2 …
            accounts = uow.repository(LEDGER_ACCOUNTS)
            seen_by_b, version_b = accounts.get(AccountId("A-1"))
            accounts.save(attrs.evolve(seen_by_b, holder="B"), version_b)
            uow.commit()

        with make_unit_of_work() as uow:  # … and A's save, based on version 1, is refused.
            with pytest.raises(VersionConflict) as raised:
                uow.repository(LEDGER_ACCOUNTS).save(attrs.evolve(seen_by_a, holder="A"), version_a)
            uow.commit()

        assert (raised.value.expected, raised.value.actual) == (1, 2)
        with make_unit_of_work() as uow:
            assert uow.repository(LEDGER_ACCOUNTS).get(AccountId("A-1")) == (
                attrs.evolve(seen_by_a, holder="B"),
                2,
            )

    @checks("P-AGG-3")
    def test_saving_an_entity_never_added_conflicts(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        with make_unit_of_work() as uow, pytest.raises(VersionConflict) as raised:
            uow.repository(LEDGER_ACCOUNTS).save(LedgerAccount.open("A-9", holder="x"), 1)

        assert raised.value.actual is None

    @checks("P-UOW-4")
    def test_racing_writers_lose_no_update(self, make_unit_of_work: UnitOfWorkFactory) -> None:
        open_ledger_account(make_unit_of_work, "A-1", holder="Wang")
        writers, rounds = 4, 10

        def write(_index: int) -> None:
            for _ in range(rounds):
                while True:
                    try:
                        with make_unit_of_work() as uow:
                            accounts = uow.repository(LEDGER_ACCOUNTS)
                            account, version = accounts.get(AccountId("A-1"))
                            bumped = attrs.evolve(account, postings=account.postings + 1)
                            accounts.save(bumped, version)
                            uow.commit()
                        break
                    except ConcurrencyConflict:
                        continue

        _in_threads(writers, write)

        with make_unit_of_work() as uow:
            account, version = uow.repository(LEDGER_ACCOUNTS).get(AccountId("A-1"))
        assert account.postings == writers * rounds
        assert version == 1 + writers * rounds

    @checks("P-UOW-4")
    def test_racing_adds_of_one_key_let_exactly_one_win(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        winners: list[int] = []

        def add(index: int) -> None:
            try:
                with make_unit_of_work() as uow:
                    uow.repository(LEDGER_ACCOUNTS).add(
                        LedgerAccount.open("A-1", holder=f"writer {index}")
                    )
                    uow.commit()
                winners.append(index)
            except ConcurrencyConflict:
                pass

        _in_threads(4, add)

        with make_unit_of_work() as uow:
            stored = uow.repository(LEDGER_ACCOUNTS).get(AccountId("A-1"))
        assert len(winners) == 1
        assert stored == (LedgerAccount.open("A-1", holder=f"writer {winners[0]}"), 1)

    # ------------------------------------------------------------------ units of work

    @checks("P-UOW-3")
    def test_leaving_without_commit_leaves_nothing(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        open_ledger_account(make_unit_of_work, "A-1", holder="Wang")
        with make_unit_of_work() as uow:
            self._write_everything(uow, clock)

        self._assert_nothing_written(make_unit_of_work)

    @checks("P-UOW-3")
    def test_an_exception_rolls_everything_back(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        open_ledger_account(make_unit_of_work, "A-1", holder="Wang")

        def crash() -> None:
            with make_unit_of_work() as uow:
                self._write_everything(uow, clock)
                raise RuntimeError("crash before commit")

        with pytest.raises(RuntimeError, match="crash"):
            crash()

        self._assert_nothing_written(make_unit_of_work)

    @checks("P-UOW-3")
    def test_an_explicit_rollback_leaves_nothing(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        open_ledger_account(make_unit_of_work, "A-1", holder="Wang")
        with make_unit_of_work() as uow:
            self._write_everything(uow, clock)
            uow.rollback()
            uow.rollback()  # twice is harmless

        self._assert_nothing_written(make_unit_of_work)

    @checks("P-UOW-2", "P-AGG-6")
    def test_a_unit_of_work_sees_its_own_writes(self, make_unit_of_work: UnitOfWorkFactory) -> None:
        with make_unit_of_work() as uow:
            uow.repository(LEDGER_POSTINGS).add(_posting("P-1"))
            seen = uow.repository(LEDGER_POSTINGS).query(account_id="A-1")
            keys = uow.repository(LEDGER_POSTINGS).keys(account_id="A-1")

        assert [posting.entity.posting_id for posting in seen] == ["P-1"]
        assert keys == ("P-1",)

    @checks("P-AGG-7")
    def test_a_range_query_equals_a_full_scan_filtered_in_date_order(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        readings = _readings()
        ranges = [
            (None, None),
            (date(2025, 1, 8), date(2025, 1, 29)),
            (None, date(2025, 1, 15)),
            (date(2025, 1, 15), None),
            (date(2025, 2, 1), date(2025, 2, 1)),
        ]
        with make_unit_of_work() as uow:
            for reading in readings[:6]:
                uow.repository(_READINGS).add(reading)
            uow.commit()
        with make_unit_of_work() as uow:
            repository = uow.repository(_READINGS)
            for reading in readings[6:]:  # the unit's own writes count
                repository.add(reading)
            moved = attrs.evolve(readings[0], day=date(2025, 1, 20))
            repository.save(moved, 1)  # and a saved change of the date moves the entity
            readings[0] = moved
            seen = {
                (start, end): [
                    r.entity.reading_id
                    for r in repository.query_range("series_day", start, end, series="a")
                ]
                for start, end in ranges
            }
            first = repository.query_range("series_day", None, None, limit=2, series="a")
            uow.commit()
        with make_unit_of_work() as uow:
            committed = [
                r.entity
                for r in uow.repository(_READINGS).query_range("series_day", None, None, series="a")
            ]

        assert seen == {(start, end): _scan(readings, start, end) for start, end in ranges}
        assert [r.entity.reading_id for r in first] == _scan(readings, None, None)[:2]
        assert [r.reading_id for r in committed] == _scan(readings, None, None)

    @checks("P-AGG-7")
    def test_a_range_query_finds_entities_stored_before_the_index_was_declared(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        readings = _readings()
        with make_unit_of_work() as uow:
            for reading in readings:
                uow.repository(_READINGS_UNORDERED).add(reading)
            uow.commit()

        with make_unit_of_work() as uow:
            found = uow.repository(_READINGS).query_range(
                "series_day", date(2025, 1, 8), None, series="a"
            )
            again = uow.repository(_READINGS).query_range(
                "series_day", date(2025, 1, 8), None, series="a"
            )

        assert [r.entity.reading_id for r in found] == _scan(readings, date(2025, 1, 8), None)
        assert again == found

    @checks("P-AGG-8")
    def test_a_backfilled_field_finds_entities_stored_before_it_was_indexed(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        readings = _readings()
        with make_unit_of_work() as uow:
            for reading in readings:
                uow.repository(_READINGS_BY_KEY).add(reading)
            uow.commit()
        with make_unit_of_work() as uow:  # one more, stored once the field is indexed
            uow.repository(_READINGS_UNORDERED).add(_Reading("R-99", "a", date(2025, 3, 1)))
            uow.commit()

        with make_unit_of_work() as uow:
            found = uow.repository(_READINGS_UNORDERED).keys(series="a")
            again = uow.repository(_READINGS_UNORDERED).query(series="a")

        expected = sorted([r.reading_id for r in readings if r.series == "a"] + ["R-99"])
        assert list(found) == expected
        assert [v.entity.reading_id for v in again] == expected

    @checks("P-AGG-7")
    def test_a_range_query_refuses_an_unknown_index_or_fields(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        with make_unit_of_work() as uow:
            repository = uow.repository(_READINGS)
            with pytest.raises(InvalidInput, match="series_week"):
                repository.query_range("series_week", None, None, series="a")
            with pytest.raises(InvalidInput, match="exactly series"):
                repository.query_range("series_day", None, None)

    @checks("P-UOW-1")
    def test_a_finished_unit_of_work_refuses_use(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        with make_unit_of_work() as uow:
            uow.commit()

        with pytest.raises(UnitOfWorkClosed):
            uow.repository(LEDGER_ACCOUNTS).find(AccountId("A-1"))
        with pytest.raises(UnitOfWorkClosed):
            uow.commit()
        with pytest.raises(UnitOfWorkClosed), uow:
            pass

    @checks("P-UOW-1")
    def test_a_unit_not_yet_entered_refuses_use(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        uow = make_unit_of_work()
        uses: list[Callable[[], object]] = [
            lambda: uow.repository(LEDGER_ACCOUNTS).find(AccountId("A-1")),
            lambda: uow.idempotency.get("K-1"),
            lambda: uow.outbox.unpublished(1),
            lambda: uow.inbox.has_processed("consumer", "E-1"),
            lambda: uow.audit.records(actor="m-1"),
            uow.commit,
        ]
        for use in uses:
            with pytest.raises(UnitOfWorkClosed, match="not started"):
                use()

        uow.rollback()  # closes it without ever starting it
        with pytest.raises(UnitOfWorkClosed, match="rolled back"), uow:
            pass

    @checks("P-UOW-5")
    def test_a_unit_whose_commit_raised_is_closed_and_wrote_nothing(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        first_added, second_done = threading.Event(), threading.Event()
        failed: list[UnitOfWork] = []

        def add(index: int) -> None:
            if index == 1:
                first_added.wait(timeout=5)
            uow = make_unit_of_work()
            try:
                with uow:
                    try:
                        uow.repository(LEDGER_ACCOUNTS).add(
                            LedgerAccount.open("A-1", holder=f"writer {index}")
                        )
                        uow.outbox.append(_event(f"E-{index}"))
                    except ConcurrencyConflict:
                        return  # refused before commit: allowed by P-UOW-4
                    finally:
                        first_added.set()
                    if index == 0:  # a store checking at commit lets the second one win first
                        second_done.wait(timeout=1)
                    try:
                        uow.commit()
                    except ConcurrencyConflict:
                        failed.append(uow)
            finally:
                if index == 1:
                    second_done.set()

        _in_threads(2, add)
        for uow in failed:
            with pytest.raises(UnitOfWorkClosed):
                uow.repository(LEDGER_ACCOUNTS).find(AccountId("A-1"))
            uow.rollback()  # harmless once closed

        with make_unit_of_work() as uow:
            stored, version = uow.repository(LEDGER_ACCOUNTS).get(AccountId("A-1"))
            events = uow.outbox.events_for(LEDGER_ACCOUNTS.kind, "A-1")
        winner = stored.holder.removeprefix("writer ")
        assert version == 1
        assert [event.event_id for event in events] == [f"E-{winner}"]

    def _write_everything(self, uow: UnitOfWork, clock: FixedClock) -> None:
        accounts = uow.repository(LEDGER_ACCOUNTS)
        account, version = accounts.get(AccountId("A-1"))
        accounts.save(attrs.evolve(account, holder="changed"), version)
        uow.repository(LEDGER_POSTINGS).add(_posting("P-1"))
        uow.idempotency.put(
            IdempotencyRecord(
                key="K-1",
                command="test",
                fingerprint="f",
                outcome=Outcome.SUCCEEDED,
                result={},
                recorded_at=clock.now(),
            )
        )
        stored = uow.outbox.append(_event("E-1"))
        uow.inbox.record_processed("consumer", stored)

    def _assert_nothing_written(self, make_unit_of_work: UnitOfWorkFactory) -> None:
        with make_unit_of_work() as uow:
            assert uow.repository(LEDGER_ACCOUNTS).get(AccountId("A-1")) == (
                LedgerAccount.open("A-1", holder="Wang"),
                1,
            )
            assert uow.repository(LEDGER_POSTINGS).find(PaymentId("P-1")) is None
            assert uow.repository(LEDGER_POSTINGS).query(account_id="A-1") == ()
            assert uow.repository(LEDGER_POSTINGS).keys() == ()
            assert uow.idempotency.get("K-1") is None
            assert uow.outbox.unpublished() == ()
            assert uow.outbox.events_for(LEDGER_ACCOUNTS.kind, "A-1") == ()
            assert not uow.inbox.has_processed("consumer", "E-1")
            assert uow.inbox.last_sequence("consumer", LEDGER_ACCOUNTS.kind, "A-1") == 0

    # ------------------------------------------------------------------ issued documents (R5)

    def _store(
        self, make_unit_of_work: UnitOfWorkFactory, aggregate: Aggregate[Any, E], entity: E
    ) -> None:
        with make_unit_of_work() as uow:
            uow.repository(aggregate).add(entity)
            uow.commit()

    def _refused(
        self,
        make_unit_of_work: UnitOfWorkFactory,
        aggregate: Aggregate[Any, E],
        stored: E,
        changed: E,
        version: int = 1,
    ) -> ChangeNotAllowed:
        with make_unit_of_work() as uow, pytest.raises(ChangeNotAllowed) as refused:
            uow.repository(aggregate).save(changed, version)
        with make_unit_of_work() as uow:  # the store kept the document as it was
            assert uow.repository(aggregate).get(aggregate.key_of(stored)) == (stored, version)
        return refused.value

    @checks("P-CHG-1")
    def test_an_issued_bills_lines_cannot_be_changed(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        bill = _issued_bill()
        self._store(make_unit_of_work, BILLS, bill)
        lines = (attrs.evolve(bill.lines[0], amount=Money("6.00")),)

        refused = self._refused(make_unit_of_work, BILLS, bill, attrs.evolve(bill, lines=lines))

        assert (refused.kind, refused.key, refused.state) == ("bill", "B-1", "issued")
        assert "lines" in refused.changed

    @checks("P-CHG-1")
    def test_an_issued_bill_with_a_recomputed_hash_cannot_be_saved(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        bill = _issued_bill()
        self._store(make_unit_of_work, BILLS, bill)
        changed = attrs.evolve(bill, lines=(attrs.evolve(bill.lines[0], amount=Money("6.00")),))
        rehashed = attrs.evolve(changed, content_hash=changed.content_hash_of())

        refused = self._refused(make_unit_of_work, BILLS, bill, rehashed)

        assert {"lines", "content_hash"} <= set(refused.changed)

    @checks("P-CHG-1")
    def test_an_issued_bill_cannot_be_set_back_to_draft(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        bill = _issued_bill()
        self._store(make_unit_of_work, BILLS, bill)

        refused = self._refused(
            make_unit_of_work, BILLS, bill, attrs.evolve(bill, state=BillState.DRAFT)
        )

        assert refused.changed == ("state issued → draft (not a transition of the bill lifecycle)",)

    @checks("P-CHG-1")
    def test_an_issued_bill_may_be_reversed_and_then_never_changes(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        bill = _issued_bill()
        self._store(make_unit_of_work, BILLS, bill)
        reversed_bill, _record = BILL_LIFECYCLE.apply(bill, "reverse", at=_START, by="clerk")

        with make_unit_of_work() as uow:
            assert uow.repository(BILLS).save(reversed_bill, 1) == 2
            uow.commit()

        self._refused(make_unit_of_work, BILLS, reversed_bill, bill, version=2)

    @checks("P-CHG-1")
    def test_a_held_bill_may_be_released_with_its_hash(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        held = _issued_bill(bounds=PlausibilityBounds(max_lines=1), lines=2)
        self._store(make_unit_of_work, BILLS, held)
        released, _record = release(held, on=_DAY, at=_START, by="reviewer", why="checked")

        refused = self._refused(
            make_unit_of_work, BILLS, held, attrs.evolve(released, content_hash="0" * 64)
        )
        with make_unit_of_work() as uow:
            assert uow.repository(BILLS).save(released, 1) == 2
            uow.commit()

        assert (held.state, refused.state, refused.changed) == (
            BillState.HELD,
            "held",
            ("content_hash",),
        )

    @checks("P-CHG-1")
    def test_a_held_bills_lines_cannot_be_changed(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        held = _issued_bill(bounds=PlausibilityBounds(max_lines=1), lines=2)
        self._store(make_unit_of_work, BILLS, held)

        refused = self._refused(
            make_unit_of_work, BILLS, held, attrs.evolve(held, lines=held.lines[:1])
        )

        assert refused.changed == ("lines", "total")

    @checks("P-CHG-2")
    def test_a_stale_save_of_an_issued_bill_conflicts_and_changes_nothing(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        bill = _issued_bill()
        self._store(make_unit_of_work, BILLS, bill)
        reversed_bill, _record = BILL_LIFECYCLE.apply(bill, "reverse", at=_START, by="clerk")

        with make_unit_of_work() as uow, pytest.raises(VersionConflict):
            uow.repository(BILLS).save(reversed_bill, 2)
        with make_unit_of_work() as uow, pytest.raises(VersionConflict):
            uow.repository(BILLS).save(attrs.evolve(bill, bill_id="B-2"), 1)
        with make_unit_of_work() as uow:
            assert uow.repository(BILLS).get(BillId("B-1")) == (bill, 1)

    @checks("P-CHG-1")
    def test_a_posted_payment_and_a_tariff_revision_never_change(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        payment = Payment(
            payment_id=PaymentId("P-1"),
            account_id=AccountId("A-1"),
            amount=Money("50.00"),
            received_on=_DAY,
            credit=Money("50.00"),
        )
        tariff = TariffDocument.of(load_shipped("JS-CI-TOU-1P"))
        self._store(make_unit_of_work, PAYMENTS, payment)
        self._store(make_unit_of_work, TARIFF_DOCUMENTS, tariff)

        paid = self._refused(
            make_unit_of_work, PAYMENTS, payment, attrs.evolve(payment, amount=Money("5.00"))
        )
        edited = self._refused(
            make_unit_of_work,
            TARIFF_DOCUMENTS,
            tariff,
            attrs.evolve(tariff, text=tariff.text + "\n", sha256="0" * 64),
        )

        assert (paid.state, paid.changed) == ("posted", ("amount",))
        assert (edited.state, edited.changed) == ("published", ("text", "sha256"))

    # ------------------------------------------------------------------ queries

    @checks("P-AGG-6")
    def test_query_filters_on_indexed_fields_in_key_order(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        postings = [
            _posting("P-3", "A-1"),
            _posting("P-1", "A-1"),
            attrs.evolve(_posting("P-2", "A-1"), kind=PostingKind.REFUND),
            _posting("P-4", "A-2"),
        ]
        with make_unit_of_work() as uow:
            for posting in postings:
                uow.repository(LEDGER_POSTINGS).add(posting)
            uow.commit()

        with make_unit_of_work() as uow:
            repository = uow.repository(LEDGER_POSTINGS)
            of_a1 = repository.query(account_id="A-1")
            payments_of_a1 = repository.query(account_id="A-1", kind=PostingKind.PAYMENT)
            everything = repository.query()
            keys_of_a1 = repository.keys(account_id="A-1")
            all_keys = repository.keys()

        assert [p.entity.posting_id for p in of_a1] == ["P-1", "P-2", "P-3"]
        assert keys_of_a1 == ("P-1", "P-2", "P-3")
        assert all_keys == ("P-1", "P-2", "P-3", "P-4")
        assert [p.entity.posting_id for p in payments_of_a1] == ["P-1", "P-3"]
        assert [p.entity.posting_id for p in everything] == ["P-1", "P-2", "P-3", "P-4"]

    @checks("P-AGG-6")
    def test_query_follows_a_saved_change_of_an_indexed_field(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        open_ledger_account(make_unit_of_work, "A-1", holder="Wang")
        close_ledger_account(make_unit_of_work, "A-1")

        with make_unit_of_work() as uow:
            open_ones = uow.repository(LEDGER_ACCOUNTS).query(status=AccountStatus.OPEN)
            closed = uow.repository(LEDGER_ACCOUNTS).query(status=AccountStatus.CLOSED)

        assert open_ones == ()
        assert [account.entity.account_id for account in closed] == ["A-1"]

    @checks("P-AGG-6")
    def test_query_on_a_field_not_indexed_is_refused(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        with make_unit_of_work() as uow, pytest.raises(InvalidInput, match="indexed"):
            uow.repository(LEDGER_ACCOUNTS).query(holder="Wang")

    # ------------------------------------------------------------------ idempotency (R8)

    @checks("P-IDEM-2")
    def test_a_retried_command_returns_the_stored_result_and_posts_once(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        open_ledger_account(make_unit_of_work, "A-1", holder="Wang")

        first = post_to_ledger(
            make_unit_of_work, clock=clock, key="pay-1", account_id="A-1", amount=Money("50.00")
        )
        clock.advance(pendulum.duration(minutes=5))
        again = post_to_ledger(
            make_unit_of_work, clock=clock, key="pay-1", account_id="A-1", amount=Money("50.00")
        )

        assert first == again == {"posting_id": "P-pay-1", "balance": "50.00"}
        with make_unit_of_work() as uow:
            assert uow.repository(LEDGER_ACCOUNTS).get(AccountId("A-1")).entity.balance == Money(
                "50.00"
            )
            assert len(uow.repository(LEDGER_POSTINGS).query(account_id="A-1")) == 1

    @checks("P-IDEM-3")
    def test_a_key_reused_with_another_payload_is_refused(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        open_ledger_account(make_unit_of_work, "A-1", holder="Wang")
        post_to_ledger(
            make_unit_of_work, clock=clock, key="pay-1", account_id="A-1", amount=Money("50.00")
        )

        with pytest.raises(IdempotencyConflict, match="pay-1"):
            post_to_ledger(
                make_unit_of_work, clock=clock, key="pay-1", account_id="A-1", amount=Money("5.00")
            )

        with make_unit_of_work() as uow:
            account = uow.repository(LEDGER_ACCOUNTS).get(AccountId("A-1")).entity
        assert account.balance == Money("50.00")

    @checks("P-IDEM-2")
    def test_a_refusal_is_stored_and_given_again(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        open_ledger_account(make_unit_of_work, "A-1", holder="Wang")
        close_ledger_account(make_unit_of_work, "A-1")
        with pytest.raises(CommandRefused, match="closed") as first:
            post_to_ledger(
                make_unit_of_work, clock=clock, key="pay-1", account_id="A-1", amount=Money("1.00")
            )
        with make_unit_of_work() as uow:  # the account is reopened …
            accounts = uow.repository(LEDGER_ACCOUNTS)
            account, version = accounts.get(AccountId("A-1"))
            accounts.save(attrs.evolve(account, status=AccountStatus.OPEN), version)
            uow.commit()

        with pytest.raises(CommandRefused, match="closed") as again:  # … but the answer stands
            post_to_ledger(
                make_unit_of_work, clock=clock, key="pay-1", account_id="A-1", amount=Money("1.00")
            )
        fresh = post_to_ledger(
            make_unit_of_work, clock=clock, key="pay-2", account_id="A-1", amount=Money("1.00")
        )

        assert str(first.value) == str(again.value)
        assert fresh["balance"] == "1.00"
        with make_unit_of_work() as uow:
            record = recorded(uow.idempotency, "post_to_ledger", "pay-1")
        assert record is not None
        assert record.outcome is Outcome.REFUSED

    @checks("P-IDEM-4")
    def test_keys_are_per_command_and_old_bare_keys_still_answer_their_command(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        open_ledger_account(make_unit_of_work, "A-1", holder="Wang")
        payload: dict[str, JsonValue] = {
            "account_id": "A-1",
            "amount": "50.00",
            "currency": "CNY",
            "energy_kwh": "0",
            "kind": PostingKind.PAYMENT.value,
        }
        with make_unit_of_work() as uow:  # as an older powerretail stored it: the bare key
            uow.idempotency.put(
                IdempotencyRecord(
                    key="pay-1",
                    command="post_to_ledger",
                    fingerprint=fingerprint("post_to_ledger", payload),
                    outcome=Outcome.SUCCEEDED,
                    result={"posting_id": "P-pay-1", "balance": "50.00"},
                    recorded_at=clock.now(),
                )
            )
            uow.commit()

        again = post_to_ledger(
            make_unit_of_work, clock=clock, key="pay-1", account_id="A-1", amount=Money("50.00")
        )
        other = run_idempotent(
            make_unit_of_work,
            clock=clock,
            key="pay-1",
            command="another_command",
            payload={},
            action=lambda uow: {"ran": True},
        )

        assert again == {"posting_id": "P-pay-1", "balance": "50.00"}
        assert other == {"ran": True}
        with make_unit_of_work() as uow:
            assert uow.repository(LEDGER_ACCOUNTS).get(AccountId("A-1")).entity.balance.is_zero()
            assert recorded(uow.idempotency, "another_command", "pay-1") is not None
            assert uow.idempotency.get(scoped_key("another_command", "pay-1")) is not None

    @checks("P-IDEM-1")
    def test_a_key_is_recorded_once(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        record = IdempotencyRecord(
            key="K-1",
            command="test",
            fingerprint="f",
            outcome=Outcome.SUCCEEDED,
            result={"n": 1},
            recorded_at=clock.now(),
        )
        with make_unit_of_work() as uow:
            uow.idempotency.put(record)
            uow.commit()

        with make_unit_of_work() as uow, pytest.raises(KeyAlreadyRecorded):
            uow.idempotency.put(attrs.evolve(record, result={"n": 2}))
        with make_unit_of_work() as uow:
            assert uow.idempotency.get("K-1") == record

    @checks("P-IDEM-2", "P-UOW-4")
    def test_concurrent_retries_of_one_command_post_once(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        open_ledger_account(make_unit_of_work, "A-1", holder="Wang")
        results: list[dict[str, Any]] = []

        def retry(_index: int) -> None:
            results.append(
                post_to_ledger(
                    make_unit_of_work,
                    clock=clock,
                    key="pay-1",
                    account_id="A-1",
                    amount=Money("7.00"),
                    attempts=20,
                )
            )

        _in_threads(4, retry)

        assert results == [{"posting_id": "P-pay-1", "balance": "7.00"}] * 4
        with make_unit_of_work() as uow:
            account = uow.repository(LEDGER_ACCOUNTS).get(AccountId("A-1")).entity
            events = uow.outbox.events_for(LEDGER_ACCOUNTS.kind, "A-1")
        assert (account.balance, account.postings, len(events)) == (Money("7.00"), 1, 1)

    # ------------------------------------------------------------------ outbox (R19)

    @checks("P-OUT-1")
    def test_events_are_numbered_per_aggregate_and_kept_with_the_state(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        for account_id in ("A-1", "A-2"):
            open_ledger_account(make_unit_of_work, account_id, holder="Wang")
        for key, account_id in (("k1", "A-1"), ("k2", "A-2"), ("k3", "A-1")):
            post_to_ledger(
                make_unit_of_work, clock=clock, key=key, account_id=account_id, amount=Money(1)
            )

        with make_unit_of_work() as uow:
            pending = uow.outbox.unpublished()
            of_a1 = uow.outbox.events_for(LEDGER_ACCOUNTS.kind, "A-1")

        assert [(e.event_id, e.sequence) for e in pending] == [
            ("E-k1", 1),
            ("E-k2", 1),
            ("E-k3", 2),
        ]
        assert [e.payload["balance"] for e in of_a1] == ["1.00", "2.00"]
        assert {(e.event_type, e.schema_major) for e in pending} == {("LedgerPosted", 1)}
        assert pending[0].occurred_at == clock.now()

    @checks("P-OUT-2")
    def test_an_event_id_is_stored_once(self, make_unit_of_work: UnitOfWorkFactory) -> None:
        with make_unit_of_work() as uow:
            uow.outbox.append(_event("E-1"))
            uow.commit()

        with make_unit_of_work() as uow, pytest.raises(DuplicateEvent):
            uow.outbox.append(_event("E-1", aggregate_id="A-2"))
        with make_unit_of_work() as uow:
            uow.outbox.append(_event("E-2"))
            with pytest.raises(DuplicateEvent):
                uow.outbox.append(_event("E-2"))

    @checks("P-OUT-3")
    def test_published_events_are_handed_once_in_order(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        with make_unit_of_work() as uow:
            for number in range(5):
                uow.outbox.append(_event(f"E-{number}"))
            uow.commit()
        handed: list[OutboxEvent] = []

        count = publish_pending(make_unit_of_work, handed.append, batch_size=2)
        again = publish_pending(make_unit_of_work, handed.append)

        assert (count, again) == (5, 0)
        assert [event.sequence for event in handed] == [1, 2, 3, 4, 5]

    @checks("P-OUT-4")
    def test_an_event_whose_publishing_failed_is_handed_again(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        with make_unit_of_work() as uow:
            for number in range(3):
                uow.outbox.append(_event(f"E-{number}"))
            uow.commit()
        handed: list[str] = []

        def flaky(event: OutboxEvent) -> None:
            if event.event_id == "E-1" and "E-1" not in handed:
                handed.append("E-1")
                raise ConnectionError("broker down")
            handed.append(event.event_id)

        with pytest.raises(ConnectionError):
            publish_pending(make_unit_of_work, flaky)
        publish_pending(make_unit_of_work, flaky)

        assert handed == ["E-0", "E-1", "E-1", "E-2"]

    @checks("P-IN-1")
    def test_a_consumer_processes_a_redelivered_event_once(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        open_ledger_account(make_unit_of_work, "A-1", holder="Wang")
        post_to_ledger(
            make_unit_of_work, clock=clock, key="k1", account_id="A-1", amount=Money("3.00")
        )
        with make_unit_of_work() as uow:
            (event,) = uow.outbox.unpublished()

        ran = [
            consume_once(make_unit_of_work, "projection", event, project_ledger_event)
            for _ in range(3)
        ]

        assert ran == [True, False, False]
        with make_unit_of_work() as uow:
            projected = uow.repository(LEDGER_PROJECTIONS).get(AccountId("A-1")).entity
        assert (projected.balance, projected.postings) == (Money("3.00"), 1)

    @checks("P-IN-2")
    def test_a_consumer_refuses_an_event_before_its_predecessor(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        open_ledger_account(make_unit_of_work, "A-1", holder="Wang")
        for key in ("k1", "k2"):
            post_to_ledger(
                make_unit_of_work, clock=clock, key=key, account_id="A-1", amount=Money(1)
            )
        with make_unit_of_work() as uow:
            first, second = uow.outbox.unpublished()

        with pytest.raises(EventOutOfOrder, match="expected 1"):
            consume_once(make_unit_of_work, "projection", second, project_ledger_event)
        ran = [
            consume_once(make_unit_of_work, "projection", event, project_ledger_event)
            for event in (first, second, first)
        ]
        unordered = consume_once(
            make_unit_of_work, "audit", second, lambda uow, event: None, in_order=False
        )

        assert ran == [True, True, False]
        assert unordered is True

    @checks("P-OUT-3")
    def test_unpublished_gives_the_oldest_first_up_to_the_limit(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        with make_unit_of_work() as uow:
            for number in range(3):
                uow.outbox.append(_event(f"E-{number}"))
            uow.commit()
        with make_unit_of_work() as uow:
            uow.outbox.append(_event("E-other", aggregate_id="A-2"))
            uow.commit()

        with make_unit_of_work() as uow:
            first_two = uow.outbox.unpublished(limit=2)
            uow.outbox.mark_published(["E-0", "E-unknown"])
            uow.commit()
        with make_unit_of_work() as uow:
            rest = uow.outbox.unpublished()
            of_a1 = uow.outbox.events_for(LEDGER_ACCOUNTS.kind, "A-1")

        assert [event.event_id for event in first_two] == ["E-0", "E-1"]
        assert [event.event_id for event in rest] == ["E-1", "E-2", "E-other"]
        assert [event.sequence for event in of_a1] == [1, 2, 3]  # published ones stay listed

    @checks("P-IN-1", "P-IN-2")
    def test_the_inbox_remembers_each_consumer_apart(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        with make_unit_of_work() as uow:
            first, second = (uow.outbox.append(_event(f"E-{n}")) for n in (1, 2))
            other = uow.outbox.append(_event("E-3", aggregate_id="A-2"))
            uow.inbox.record_processed("projection", second)
            uow.inbox.record_processed("projection", first)
            uow.inbox.record_processed("projection", other)
            with pytest.raises(DuplicateEvent):  # within the unit …
                uow.inbox.record_processed("projection", first)
            uow.commit()

        with make_unit_of_work() as uow, pytest.raises(DuplicateEvent):  # … and once committed
            uow.inbox.record_processed("projection", second)
        with make_unit_of_work() as uow:
            inbox = uow.inbox
            seen = [inbox.has_processed(c, "E-1") for c in ("projection", "audit")]
            last = [
                inbox.last_sequence(c, LEDGER_ACCOUNTS.kind, a)
                for c, a in (("projection", "A-1"), ("projection", "A-2"), ("audit", "A-1"))
            ]
            inbox.record_processed("audit", first)  # another consumer is not a duplicate

        assert seen == [True, False]
        assert last == [2, 1, 0]  # the highest sequence, whatever the order processed

    # ------------------------------------------------------------------ audit log (R12)

    @checks("P-AUD-1")
    def test_appended_audit_records_are_read_back_in_order(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        first, second, other = _grants(clock)
        with make_unit_of_work() as uow:
            uow.audit.append(first)
            uow.audit.append(other)
            assert uow.audit.records() == (first, other)  # the unit sees its own records
            uow.commit()
        with make_unit_of_work() as uow:
            uow.audit.append(second)
            uow.commit()

        with make_unit_of_work() as uow:
            assert uow.audit.records() == (first, other, second)
            assert uow.audit.records(actor="m-1") == (first, second)
            assert uow.audit.records(actor="m-1", subject="customer C-2") == (second,)
            assert uow.audit.records(operation=ADJUST_CREDIT_SCORE) == (first, other, second)
            assert uow.audit.records(since=second.at) == (second,)

    @checks("P-AUD-1")
    def test_the_audit_log_is_append_only(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        first, _, _ = _grants(clock)
        with make_unit_of_work() as uow:
            uow.audit.append(first)
            uow.commit()
        with make_unit_of_work() as uow:  # an equal record again is a second entry, not a change
            uow.audit.append(attrs.evolve(first))
            uow.commit()

        with make_unit_of_work() as uow:
            assert uow.audit.records() == (first, first)
        assert {"remove", "replace", "update", "delete"}.isdisjoint(dir(AuditLog))

    @checks("P-AUD-2")
    def test_audit_records_roll_back_with_their_unit(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        first, second, _ = _grants(clock)
        with make_unit_of_work() as uow:
            uow.audit.append(first)

        def fail() -> None:
            with make_unit_of_work() as uow:
                uow.audit.append(second)
                raise RuntimeError("the command failed")

        with pytest.raises(RuntimeError, match="failed"):
            fail()

        with make_unit_of_work() as uow:
            assert uow.audit.records() == ()

    @checks("P-AUD-2", "P-IDEM-2")
    def test_a_refused_command_stores_its_refusal_record_once(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        clerk = Actor(id="clerk", name="Li", roles=frozenset({"customer_service"}))

        def action(uow: UnitOfWork) -> dict[str, JsonValue]:
            uow.repository(LEDGER_ACCOUNTS).add(LedgerAccount.open("A-9", holder="Wang"))
            authorize_in(
                uow,
                SEED_POLICY,
                clerk,
                ADJUST_CREDIT_SCORE,
                subject="customer C-1",
                at=clock.now(),
                why="asked nicely",
                magnitude=1,
            )
            return {}

        for _ in range(2):  # the retry replays the refusal without a second record
            with pytest.raises(CommandRefused, match="PermissionDenied"):
                run_idempotent(
                    make_unit_of_work,
                    clock=clock,
                    key="adjust-1",
                    command="adjust",
                    payload={},
                    action=action,
                )

        with make_unit_of_work() as uow:
            refusals = uow.audit.records(actor="clerk")
            assert uow.repository(LEDGER_ACCOUNTS).find(AccountId("A-9")) is None
        assert [(r.decision, r.reason) for r in refusals] == [
            (Decision.REFUSED, "no role grants it")
        ]

    # ------------------------------------------------------------------ clock

    @checks("P-CLK-1")
    def test_the_clock_tells_an_aware_instant(self, clock: FixedClock) -> None:
        now = clock.now()

        assert now.tzinfo is not None
        assert now.utcoffset() is not None

    # ------------------------------------------------------------------ imports (R22)

    @checks("P-IMP-1")
    def test_running_an_import_twice_adds_nothing_the_second_time(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        accounts = [LedgerAccount.open(f"A-{n}", holder=f"holder {n}") for n in range(5)]

        first = import_entities(make_unit_of_work, LEDGER_ACCOUNTS, accounts, batch_size=2)
        changed = [*accounts[:4], attrs.evolve(accounts[4], holder="someone else")]
        second = import_entities(make_unit_of_work, LEDGER_ACCOUNTS, changed)

        assert len(first.added) == 5
        assert (second.added, len(second.unchanged), second.different) == ((), 4, ("A-4",))
        with make_unit_of_work() as uow:
            stored = uow.repository(LEDGER_ACCOUNTS).query()
        assert [account for account, _ in stored] == accounts

    # ------------------------------------------------------------------ faults (R21)

    @checks("P-FLT-1")
    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_ledger_invariants_hold_under_injected_faults(
        self, make_unit_of_work: UnitOfWorkFactory, seed: int
    ) -> None:
        report = simulate_ledger(make_unit_of_work, seed=seed, steps=40)

        assert report.faults_injected > 0
        assert report.commands_applied > 0

    @checks("P-FLT-1")
    def test_billing_invariants_hold_under_injected_faults(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        report = simulate_billing(make_unit_of_work, seed=11, steps=30)

        assert report.bills > 0
        assert report.faults_injected > 0
