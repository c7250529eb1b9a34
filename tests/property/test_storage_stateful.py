"""Stateful model checks of the stores (R11, R8) and seeded fault simulations (R21)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import attrs
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from powerretail.adapters.memory import MemoryStore
from powerretail.adapters.sqlite import SqliteStore
from powerretail.errors import VersionConflict
from powerretail.ids import AccountId
from powerretail.testing.faults import simulate_ledger
from powerretail.testing.ledger import LEDGER_ACCOUNTS, AccountStatus, LedgerAccount

KEYS = st.sampled_from([f"A-{n}" for n in range(4)])


class VersionedStoreMachine(RuleBasedStateMachine):
    """Random adds, saves (fresh and stale) and rolled-back writes against a dict model."""

    def __init__(self) -> None:
        super().__init__()
        self.store: Any = self.make_store()
        self.model: dict[str, tuple[LedgerAccount, int]] = {}

    def make_store(self) -> Any:
        return MemoryStore()

    @rule(key=KEYS, holder=st.text(max_size=5))
    def add(self, key: str, holder: str) -> None:
        account = LedgerAccount.open(key, holder=holder)
        with self.store.unit_of_work() as uow:
            try:
                uow.repository(LEDGER_ACCOUNTS).add(account)
            except VersionConflict as conflict:
                actual = conflict.actual
            else:
                actual = None
            if actual is not None:
                assert actual == self.model.get(key, (None, None))[1]
                return
            uow.commit()
        assert key not in self.model
        self.model[key] = (account, 1)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), stale_by=st.integers(min_value=0, max_value=2))
    def save(self, data: st.DataObject, stale_by: int) -> None:
        key = data.draw(st.sampled_from(sorted(self.model)))
        account, version = self.model[key]
        changed = attrs.evolve(account, postings=account.postings + 1)
        with self.store.unit_of_work() as uow:
            try:
                new_version = uow.repository(LEDGER_ACCOUNTS).save(changed, version - stale_by)
            except VersionConflict:
                assert stale_by > 0 or version - stale_by < 1
                return
            uow.commit()
        assert stale_by == 0
        self.model[key] = (changed, new_version)

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def close_then_roll_back(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.model)))
        account, version = self.model[key]
        with self.store.unit_of_work() as uow:
            uow.repository(LEDGER_ACCOUNTS).save(
                attrs.evolve(account, status=AccountStatus.CLOSED), version
            )
            uow.rollback()

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def toggle_status(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.model)))
        account, version = self.model[key]
        status = (
            AccountStatus.OPEN if account.status is AccountStatus.CLOSED else AccountStatus.CLOSED
        )
        changed = attrs.evolve(account, status=status)
        with self.store.unit_of_work() as uow:
            new_version = uow.repository(LEDGER_ACCOUNTS).save(changed, version)
            uow.commit()
        self.model[key] = (changed, new_version)

    @invariant()
    def the_store_holds_the_model(self) -> None:
        with self.store.unit_of_work() as uow:
            stored = {
                account.account_id: (account, version)
                for account, version in uow.repository(LEDGER_ACCOUNTS).query()
            }
            closed = uow.repository(LEDGER_ACCOUNTS).query(status=AccountStatus.CLOSED)
        assert stored == {AccountId(key): value for key, value in self.model.items()}
        assert closed == tuple(
            value
            for _key, value in sorted(self.model.items())
            if value[0].status is AccountStatus.CLOSED
        )


class SqliteVersionedStoreMachine(VersionedStoreMachine):
    def make_store(self) -> Any:
        self.folder = tempfile.TemporaryDirectory()
        return SqliteStore(Path(self.folder.name) / "machine.sqlite", synchronous="NORMAL")

    def teardown(self) -> None:
        self.store.close()
        self.folder.cleanup()


TestMemoryStoreAgainstModel = VersionedStoreMachine.TestCase
TestMemoryStoreAgainstModel.settings = settings(max_examples=40, stateful_step_count=20)
TestSqliteStoreAgainstModel = SqliteVersionedStoreMachine.TestCase
TestSqliteStoreAgainstModel.settings = settings(
    max_examples=15, stateful_step_count=15, deadline=None
)


def test_seeded_fault_simulations_keep_every_invariant() -> None:
    for seed in range(100, 110):
        report = simulate_ledger(MemoryStore().unit_of_work, seed=seed, steps=30)

        assert report.events_projected == report.commands_applied
