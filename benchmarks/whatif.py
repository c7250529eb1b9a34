"""What-if at scale: the batch engine against a hand-written numpy kernel, then end to end.

Run from the repository root: ``python benchmarks/whatif.py [--rows N] [--book N]``.
Prints, in one run:

1. a hand-written numpy kernel and the batch engine on the same ``--rows`` residential tiered
   customer-months under JS-RES-TOU (peak/valley prices plus annual tiers at each account's
   position), with their ratio; the two must agree to the fen;
2. ``--book`` customer-months under three tariffs end to end from Parquet on disk (read, check,
   price, compare, ``--chunk`` rows at a time), with the peak memory of the process (the file is
   written a million rows at a time, so writing it adds little);
3. the same on a ``distributed.LocalCluster`` of two workers (needs the ``scale`` extra).

Times are wall-clock (``time.perf_counter``), best of ``--runs``.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from powerretail.adapters.tariff_library import load_shipped
from powerretail.analysis import compare, compile_tariff, read_usage
from powerretail.tariffs.model import EnergyCharge, Tariff, TariffVersion


def _households(rows: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "account_id": np.char.add("H", np.arange(rows).astype(str)),
            "period_start": np.full(rows, np.datetime64("2025-07-01")),
            "period_end": np.full(rows, np.datetime64("2025-08-01")),
            "kwh_peak": rng.integers(0, 600_000, rows) / 1000,
            "kwh_valley": rng.integers(0, 400_000, rows) / 1000,
            "ytd_kwh": rng.integers(0, 6000, rows).astype(np.float64),
            "residential": np.ones(rows, dtype=bool),
        }
    )


def _half_up(numerator: Any, denominator: int) -> Any:
    return (numerator + denominator // 2) // denominator


def kernel(peak_milli: Any, valley_milli: Any, ytd_milli: Any) -> Any:
    """JS-RES-TOU by hand: 0.5583 / 0.3583 per kWh, +0.05 over 2760 and +0.30 over 4800 kWh."""
    total = peak_milli + valley_milli
    end = ytd_milli + total
    tier2 = np.clip(end, 2_760_000, 4_800_000) - np.clip(ytd_milli, 2_760_000, 4_800_000)
    tier3 = np.maximum(end, 4_800_000) - np.maximum(ytd_milli, 4_800_000)
    # kWh in 0.001 × price in 0.0001 元 = 10^-7 元; to the fen: / 10^5, half up.
    return (
        _half_up(peak_milli * 5583, 100_000)
        + _half_up(valley_milli * 3583, 100_000)
        + _half_up(tier2 * 500, 100_000)
        + _half_up(tier3 * 3000, 100_000)
    )


def _best(runs: int, work: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def _flat(code: str, price: str) -> Tariff:
    return Tariff(
        code=code,
        name_zh="居民平价",
        name_en="flat",
        category="residential",
        versions=[
            TariffVersion(
                label="1",
                effective_from="2020-01-01",
                charges=[
                    EnergyCharge(
                        code="energy",
                        name_zh="电度电费",
                        name_en="energy",
                        source="benchmark tariff",
                        yuan_per_kwh=price,
                    )
                ],
            )
        ],
    )


def _write_book(path: Path, rows: int, step: int = 1_000_000) -> None:
    """Write ``rows`` households (no ``ytd_kwh``: positions carried) to Parquet, in steps."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    writer = None
    for first in range(0, rows, step):
        part = _households(min(step, rows - first), seed=8 + first).drop(columns="ytd_kwh")
        part["account_id"] = "H" + (part.index + first).astype(str)
        table = pa.Table.from_pandas(part, preserve_index=False)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table, row_group_size=min(step, 1_000_000))
    if writer is not None:
        writer.close()


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--book", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=1_000_000)
    parser.add_argument("--no-cluster", action="store_true")
    args = parser.parse_args(argv)
    print(
        f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, numpy {np.__version__}, "
        f"pandas {pd.__version__}"
    )
    tariff = load_shipped("JS-RES-TOU")
    frame = _households(args.rows)
    usage = read_usage(frame)
    peak = usage.energy["peak"].values
    valley = usage.energy["valley"].values
    ytd = usage.quantities["ytd_kwh"].values
    kernel_s, by_hand = _best(args.runs, lambda: kernel(peak, valley, ytd))
    pricer = compile_tariff(tariff)
    batch_s, priced = _best(args.runs, lambda: pricer.price(usage, lines=False))
    read_s, _ = _best(args.runs, lambda: read_usage(frame))
    agree = bool((priced.bills["total_fen"].to_numpy() == by_hand).all())
    print(f"(1) {args.rows:,} residential tiered customer-months under JS-RES-TOU")
    print(f"    numpy kernel:  {kernel_s:8.3f} s")
    print(f"    batch engine:  {batch_s:8.3f} s  (+ {read_s:.3f} s to check the table)")
    print(f"    ratio:         {batch_s / kernel_s:8.1f} x  (same totals to the fen: {agree})")
    tariffs = {
        "JS-RES-TOU": tariff,
        "FLAT-0.5283": _flat("FLAT-A", "0.5283"),
        "FLAT-0.55": _flat("FLAT-B", "0.55"),
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "usage.parquet"
        _write_book(path, args.book)
        start = time.perf_counter()
        result = compare(path, tariffs, chunk_rows=args.chunk)
        end_to_end = time.perf_counter() - start
        print(
            f"(2) {args.book:,} customer-months, 3 tariffs, from Parquet "
            f"({args.chunk:,} rows at a time): {end_to_end:.1f} s,"
        )
        print(f"    peak memory {_peak_gib():.2f} GiB; revenue [fen]:")
        print("    " + result.summary[["tariff", "revenue_fen"]].to_string(index=False))
        if args.no_cluster:
            return 0
        import dask.dataframe as dd  # noqa: PLC0415
        from distributed import Client, LocalCluster  # noqa: PLC0415

        from powerretail.analysis.scale import compare_partitions  # noqa: PLC0415

        with (
            LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
            Client(cluster),
        ):
            start = time.perf_counter()
            spread = compare_partitions(dd.read_parquet(path, split_row_groups=True), tariffs)
            cluster_s = time.perf_counter() - start
        same = spread.summary.equals(result.summary)
        print(f"(3) the same on a LocalCluster of 2 workers: {cluster_s:.1f} s (same: {same})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
