"""Done means: R5, R8 and R20 hold through injected faults, in a seeded stateful simulation.

A failing run prints ``failing seed N: replay with FaultSchedule(seed=N, …)``; replay it with
``simulate_billing(store.unit_of_work, seed=N)``.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerretail.adapters.memory import MemoryStore
from powerretail.adapters.sqlite import SqliteStore
from powerretail.ids import AccountId
from powerretail.quantities import Money
from powerretail.repositories.payments import RECEIVABLES
from powerretail.testing import billing_sim
from powerretail.testing.billing_sim import simulate_billing
from powerretail.testing.faults import InvariantBroken


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_invariants_hold_on_the_memory_store_whatever_the_seed(seed: int) -> None:
    report = simulate_billing(MemoryStore().unit_of_work, seed=seed, steps=40)

    assert report.seed == seed


@pytest.mark.parametrize("seed", [0, 1])
def test_invariants_hold_on_a_sqlite_file(tmp_path: Path, seed: int) -> None:
    store = SqliteStore(tmp_path / "faults.sqlite3", synchronous="NORMAL")

    report = simulate_billing(store.unit_of_work, seed=seed, steps=40)
    store.close()

    assert report.bills > 0
    assert report.payments > 0


def test_a_broken_invariant_fails_with_its_seed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = MemoryStore()
    checked = billing_sim._check

    def tamper_then_check(make_unit_of_work, world):  # type: ignore[no-untyped-def]
        with store.unit_of_work() as uow:  # a payment "lost" by a broken store
            receivables = uow.repository(RECEIVABLES)
            receivable, version = receivables.get(AccountId(world.accounts[0]))
            receivables.save(
                attrs.evolve(receivable, paid=receivable.paid + Money("0.01")), version
            )
            uow.commit()
        checked(make_unit_of_work, world)

    monkeypatch.setattr(billing_sim, "_check", tamper_then_check)

    with pytest.raises(InvariantBroken, match="R20") as failure:
        simulate_billing(store.unit_of_work, seed=5, steps=3)

    assert "failing seed 5" in capsys.readouterr().out
    assert any("failing seed 5" in note for note in failure.value.__notes__)
