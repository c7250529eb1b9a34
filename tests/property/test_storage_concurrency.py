"""Threads and processes posting the same idempotent payments to one SQLite file (R8, bounded)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from powerretail.testing.load import check_payments, open_accounts, payment_plan, post_payments


def test_threads_and_processes_lose_no_payment_and_post_none_twice(tmp_path: Path) -> None:
    path = str(tmp_path / "payments.sqlite")
    plan = payment_plan(60, accounts=4, seed=1)
    open_accounts(path, plan)
    context = multiprocessing.get_context("spawn")

    with context.Pool(2) as pool:
        others = [
            pool.apply_async(post_payments, (path, plan), {"threads": 2, "seed": seed})
            for seed in (1, 2)
        ]
        here = post_payments(path, plan, threads=4, seed=0)
        calls = here + sum(result.get(timeout=120) for result in others)

    check_payments(path, plan)
    assert calls >= 8 * len(plan)  # every payment delivered by each of the 8 threads
