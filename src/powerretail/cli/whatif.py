"""``powerretail whatif``: one usage table under several tariffs, compared (extra ``analysis``).

Writes to ``--out``: ``accounts.csv`` / ``accounts.parquet`` (each account's total under each
tariff and the change from the first), ``summary.csv``, ``revenue.csv``, ``by_class.csv`` and
the PNG plots; prints a short summary table (``--format json`` for scripts).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from powerretail.adapters.tariff_library import load
from powerretail.errors import InvalidInput

__all__ = ["register"]


def _run(args: argparse.Namespace) -> int:
    # Imported here so the rest of the command line works without the analysis extra.
    from powerretail.analysis import compare  # noqa: PLC0415
    from powerretail.analysis.plots import PLOTS  # noqa: PLC0415

    tariffs = {}
    for code in args.tariff:
        tariff = load(code)
        name = tariff.code if tariff.code not in tariffs else code
        if name in tariffs:
            raise InvalidInput("--tariff", code, "each tariff once")
        tariffs[name] = tariff
    progress = None
    if sys.stderr.isatty() and not args.quiet:
        from tqdm import tqdm  # noqa: PLC0415

        def progress(names: Any) -> Any:
            return tqdm(names, desc="pricing", unit="tariff", file=sys.stderr)

    result = compare(args.usage, tariffs, progress=progress)
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        result.accounts.to_csv(out / "accounts.csv", index=False)
        result.accounts.to_parquet(out / "accounts.parquet", index=False)
        result.summary.to_csv(out / "summary.csv", index=False)
        result.revenue.to_csv(out / "revenue.csv", index=False)
        result.by_class.to_csv(out / "by_class.csv", index=False)
        for file_name, plot in PLOTS.items():
            plot(result).savefig(out / file_name, dpi=100)
    except OSError as err:
        raise InvalidInput("--out", str(out), f"a writable directory ({err.strerror})") from None
    records = result.summary.to_dict("records")
    if args.format == "json":
        print(json.dumps({"baseline": result.baseline, "out": str(out), "tariffs": records}))
        return 0
    print(f"{len(result.accounts)} accounts, baseline {result.baseline}; written to {out}")
    print(f"{'tariff':<16} {'revenue [元]':>16} {'change [元]':>14} {'winners':>8} {'losers':>8}")
    for row in records:
        print(
            f"{row['tariff']:<16} {row['revenue_fen'] / 100:>16,.2f} "
            f"{row['change_fen'] / 100:>14,.2f} {row['winners']:>8} {row['losers']:>8}"
        )
    return 0


def register(subparsers: Any) -> None:
    """Add the ``whatif`` command."""
    parser = subparsers.add_parser(
        "whatif",
        help="compare a usage table's bills under several tariffs (needs powerretail[analysis])",
        description="Price every row of a usage table (CSV or Parquet: account_id, period_start, "
        "period_end, kwh_peak/kwh_valley/... or kwh_total ...) under each tariff, exactly as "
        "the bill engine would, and write the comparison and its plots.",
    )
    parser.add_argument("--usage", required=True, help="a usage table (.csv or .parquet)")
    parser.add_argument(
        "--tariff",
        action="append",
        required=True,
        help="a shipped tariff code or a .toml/.json file; repeat it (the first is the baseline)",
    )
    parser.add_argument("--out", required=True, help="directory for the tables and plots")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=_run)
