"""Idempotent payments per second, one thread, on the in-memory and the SQLite store.

python benchmarks/storage_throughput.py [--payments 5000]
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

from powerretail.adapters.clocks import SystemClock
from powerretail.adapters.memory import MemoryStore
from powerretail.adapters.sqlite import SqliteStore
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.testing.ledger import open_ledger_account, post_to_ledger
from powerretail.testing.load import payment_plan


def _run(make_unit_of_work: UnitOfWorkFactory, payments: int) -> tuple[float, float]:
    plan = payment_plan(payments, accounts=100, seed=1)
    for account_id in sorted({payment.account_id for payment in plan}):
        open_ledger_account(make_unit_of_work, account_id, holder=account_id)
    clock = SystemClock()
    rates = []
    for _round in ("first delivery", "retry"):
        started = time.perf_counter()
        for payment in plan:
            post_to_ledger(
                make_unit_of_work,
                clock=clock,
                key=payment.key,
                account_id=payment.account_id,
                amount=payment.amount,
            )
        rates.append(len(plan) / (time.perf_counter() - started))
    return rates[0], rates[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=5_000)
    payments = parser.parse_args().payments
    print(f"{platform.platform()}, Python {platform.python_version()}")
    memory = _run(MemoryStore().unit_of_work, payments)
    print(f"memory:          {memory[0]:8.0f} payments/s posted, {memory[1]:8.0f}/s retried")
    with tempfile.TemporaryDirectory() as folder:
        for synchronous in ("FULL", "NORMAL"):
            store = SqliteStore(Path(folder) / f"{synchronous}.sqlite", synchronous=synchronous)
            sqlite = _run(store.unit_of_work, payments)
            store.close()
            print(
                f"SQLite {synchronous:<6}: {sqlite[0]:8.0f} payments/s posted, "
                f"{sqlite[1]:8.0f}/s retried"
            )


if __name__ == "__main__":
    main()
