"""The fault-injecting wrapper, and the simulation catching adapters that break their promises."""

from __future__ import annotations

from typing import Any

import pytest

from powerretail.adapters.memory import MemoryStore
from powerretail.ids import AccountId
from powerretail.repositories.aggregates import Aggregate, AggregateRepository
from powerretail.repositories.events import DomainEvent, Outbox, OutboxEvent
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.testing.faults import (
    DelegatingUnitOfWork,
    FaultPoint,
    FaultSchedule,
    InjectedFault,
    InvariantBroken,
    reporting_seed,
    simulate_ledger,
)
from powerretail.testing.ledger import LEDGER_ACCOUNTS, LedgerAccount, open_ledger_account


class TestFaultSchedule:
    def test_gives_the_same_decisions_for_the_same_seed(self) -> None:
        first, second = FaultSchedule(42), FaultSchedule(42)

        decisions = [first.strikes(FaultPoint.BEFORE_COMMIT) for _ in range(200)]

        assert decisions == [second.strikes(FaultPoint.BEFORE_COMMIT) for _ in range(200)]
        assert 0 < sum(decisions) < 200
        assert len(first.injected) == sum(decisions)

    def test_never_strikes_at_rate_zero_and_always_at_rate_one(self) -> None:
        schedule = FaultSchedule(1, before_commit="0", after_commit="1")

        assert not any(schedule.strikes(FaultPoint.BEFORE_COMMIT) for _ in range(50))
        assert all(schedule.strikes(FaultPoint.AFTER_COMMIT) for _ in range(50))

    def test_names_everything_needed_to_replay_it(self) -> None:
        assert repr(FaultSchedule(9, duplicate="1/3")) == (
            "FaultSchedule(seed=9, before_commit='1/10', after_commit='1/10', duplicate='1/3', "
            "reorder='1/2')"
        )

    def test_delivers_twice_when_a_duplicate_strikes(self) -> None:
        calls: list[int] = []
        schedule = FaultSchedule(1, duplicate="1")

        result = schedule.deliver(lambda n: calls.append(n) or len(calls), 7)

        assert (calls, result) == ([7, 7], 2)

    def test_shuffles_a_batch_when_a_reordering_strikes(self) -> None:
        always, never = FaultSchedule(3, reorder="1"), FaultSchedule(3, reorder="0")

        shuffled = always.reordered(range(20))

        assert sorted(shuffled) == list(range(20)) != shuffled
        assert never.reordered(range(20)) == list(range(20))


class TestFaultyUnitOfWork:
    def test_a_fault_before_commit_writes_nothing(self) -> None:
        store = MemoryStore()
        faulty = FaultSchedule(1, before_commit="1", after_commit="0").wrap(store.unit_of_work)

        with pytest.raises(InjectedFault, match="#1: before commit"):
            open_ledger_account(faulty, "A-1", holder="Wang")

        with store.unit_of_work() as uow:
            assert uow.repository(LEDGER_ACCOUNTS).find(AccountId("A-1")) is None

    def test_a_fault_after_commit_loses_only_the_reply(self) -> None:
        store = MemoryStore()
        faulty = FaultSchedule(1, before_commit="0", after_commit="1").wrap(store.unit_of_work)

        with pytest.raises(InjectedFault, match="after commit, before the reply"):
            open_ledger_account(faulty, "A-1", holder="Wang")

        with store.unit_of_work() as uow:
            assert uow.repository(LEDGER_ACCOUNTS).get(AccountId("A-1")).version == 1

    def test_passes_everything_else_through(self) -> None:
        store = MemoryStore()
        faulty = FaultSchedule(1, before_commit="0", after_commit="0").wrap(store.unit_of_work)

        with faulty() as uow:
            uow.repository(LEDGER_ACCOUNTS).add(LedgerAccount.open("A-1", holder="Wang"))
            assert uow.idempotency.get("k") is None
            assert uow.inbox.last_sequence("c", "ledger_account", "A-1") == 0
            assert uow.outbox.unpublished() == ()
            uow.rollback()

        with store.unit_of_work() as uow:
            assert uow.repository(LEDGER_ACCOUNTS).find(AccountId("A-1")) is None


class TestReportingSeed:
    def test_adds_the_seed_to_a_failure_and_prints_it(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        schedule = FaultSchedule(1234)

        with pytest.raises(ValueError, match="boom") as raised, reporting_seed(schedule):
            raise ValueError("boom")

        assert "failing seed 1234: replay with FaultSchedule(seed=1234" in raised.value.__notes__[0]
        assert "failing seed 1234" in capsys.readouterr().out


class _Tampered(DelegatingUnitOfWork):
    """A unit of work that breaks one promise, to prove the simulation notices."""

    def __init__(self, inner: UnitOfWork, *, drop_events: bool, skip_account_saves: bool) -> None:
        super().__init__(inner)
        self._drop_events = drop_events
        self._skip_account_saves = skip_account_saves

    @property
    def outbox(self) -> Outbox:
        if not self._drop_events:
            return self._inner.outbox
        inner = self._inner.outbox

        class Dropping:
            def append(self, event: DomainEvent) -> OutboxEvent:
                return event.at_sequence(1)

            def __getattr__(self, name: str) -> Any:
                return getattr(inner, name)

        return Dropping()  # type: ignore[return-value]

    def repository(self, aggregate: Aggregate[Any, Any]) -> AggregateRepository[Any, Any]:
        inner = self._inner.repository(aggregate)
        if not (self._skip_account_saves and aggregate is LEDGER_ACCOUNTS):
            return inner

        class Forgetful:
            def save(self, entity: Any, expected_version: int) -> int:
                return expected_version + 1

            def __getattr__(self, name: str) -> Any:
                return getattr(inner, name)

        return Forgetful()  # type: ignore[return-value]


def _tampered(*, drop_events: bool = False, skip_account_saves: bool = False) -> UnitOfWorkFactory:
    store = MemoryStore()

    def make() -> UnitOfWork:
        return _Tampered(
            store.unit_of_work(), drop_events=drop_events, skip_account_saves=skip_account_saves
        )

    return make


class TestSimulation:
    def test_reports_what_it_did(self) -> None:
        report = simulate_ledger(MemoryStore().unit_of_work, seed=11, steps=30)

        assert report.seed == 11
        assert report.steps == 30
        assert report.events_projected == report.commands_applied

    def test_is_repeatable_for_a_seed(self) -> None:
        first = simulate_ledger(MemoryStore().unit_of_work, seed=5, steps=30)

        assert simulate_ledger(MemoryStore().unit_of_work, seed=5, steps=30) == first

    def test_catches_a_store_that_loses_events(self, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(InvariantBroken, match="do not match") as raised:
            simulate_ledger(_tampered(drop_events=True), seed=3, steps=30)

        assert "failing seed 3" in raised.value.__notes__[0]
        assert "failing seed 3" in capsys.readouterr().out

    def test_catches_a_store_that_loses_saves(self) -> None:
        with pytest.raises(InvariantBroken, match="is not the sum"):
            simulate_ledger(_tampered(skip_account_saves=True), seed=3, steps=30)
