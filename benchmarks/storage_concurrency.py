"""Many threads and processes posting the same idempotent payments to one SQLite file.

Defaults follow issue 6: 4 processes × 2 threads (8 threads) posting 10 000 payments, each
payment delivered by two processes and by both threads of each (4 deliveries, concurrently).
Prints the time taken and proves none was lost and none applied twice.

    python benchmarks/storage_concurrency.py [--payments 10000] [--processes 4] [--threads 2]
"""

from __future__ import annotations

import argparse
import multiprocessing
import platform
import tempfile
import time
from pathlib import Path

from powerretail.testing.load import check_payments, open_accounts, payment_plan, post_payments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2, help="threads per process")
    arguments = parser.parse_args()
    plan = payment_plan(arguments.payments, accounts=arguments.accounts, seed=1)
    workers = arguments.processes
    shares = [
        [p for n, p in enumerate(plan) if n % workers in (w, (w + 1) % workers)]
        for w in range(workers)
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "payments.sqlite")
        open_accounts(path, plan)
        started = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            calls = sum(
                pool.starmap(
                    _post,
                    [(path, share, arguments.threads, seed) for seed, share in enumerate(shares)],
                )
            )
        elapsed = time.perf_counter() - started
        check_payments(path, plan)
    machine = f"{platform.platform()}, Python {platform.python_version()}"
    print(f"{machine}, {multiprocessing.cpu_count()} CPUs")
    print(
        f"{len(plan)} payments, {calls} deliveries from {workers} processes × "
        f"{arguments.threads} threads in {elapsed:.1f} s: {calls / elapsed:.0f} deliveries/s, "
        f"{len(plan) / elapsed:.0f} payments/s; none lost, none applied twice"
    )


def _post(path: str, share: list, threads: int, seed: int) -> int:  # type: ignore[type-arg]
    return post_payments(path, share, threads=threads, seed=seed)


if __name__ == "__main__":
    main()
