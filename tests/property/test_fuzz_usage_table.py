"""Fuzz the what-if usage table: any CSV gives priced bills or a ``powerretail.errors`` exception.

The table an analyst brings (``powerretail.analysis.read_usage``) is external data like a reads
file: a valid table with some cells replaced by what exports get wrong, some columns dropped
and some renamed, is read and priced under shipped tariffs (flat, tiered, two-part with losses
and scoped critical peak). Bounded: at most a few rows, a fixed number of examples.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from powerretail.adapters.tariff_library import load_shipped
from powerretail.analysis import compile_tariff, read_usage
from powerretail.analysis.intervals import intervals_from_wide, usage_from_intervals
from powerretail.errors import PowerRetailError
from tests.property.test_fuzz_loaders import CELLS

#: A good row: every documented kind of column, with a value the reader takes.
GOOD_ROW: dict[str, str] = {
    "account_id": "A-1",
    "period_start": "2025-07-01",
    "period_end": "2025-08-01",
    "kwh_peak": "1200.5",
    "kwh_flat": "800",
    "kwh_valley": "600.125",
    "kwh_critical": "50",
    "kwh_deep_valley": "",
    "max_demand_kw": "140",
    "reactive_kvarh": "900",
    "capacity_kva": "400",
    "contract_demand_kw": "150",
    "basic_charge_basis": "demand",
    "pf_standard": "0.90",
    "residential": "false",
    "use_category": "industrial",
    "ytd_kwh": "100",
    "opened_on": "",
    "closed_on": "",
    "loss_active_percent": "2",
    "loss_reactive_percent": "5",
    "customer_class": "factory",
}
TARIFFS = {code: load_shipped(code) for code in ("JS-RES-TOU", "JS-CI-TOU-2P", "JS-CI-TOU-1P")}
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def usage_files(draw: st.DrawFn) -> str:
    """A usage CSV: good rows with cells replaced, columns dropped, renamed or repeated."""
    header = [name for name in GOOD_ROW if draw(st.integers(min_value=0, max_value=9))]
    if draw(st.integers(min_value=0, max_value=5)) == 0 and header:
        place = draw(st.integers(min_value=0, max_value=len(header) - 1))
        header[place] = draw(st.sampled_from(["kwh_", "kwh_night", "Account_ID", "电量", ""]))
    rows = []
    for index in range(draw(st.integers(min_value=0, max_value=4))):
        row = []
        for name in header:
            good = GOOD_ROW.get(name, "1")
            if name == "account_id":
                good = f"A-{index % 2}"
            row.append(draw(CELLS) if draw(st.integers(min_value=0, max_value=5)) == 0 else good)
        rows.append(row)
    return "\n".join(",".join(cells) for cells in [header, *rows]) + "\n"


@pytest.mark.parametrize("code", ["JS-CI-TOU-2P", "JS-CI-TOU-1P"])
def test_the_good_table_the_fuzz_starts_from_prices(tmp_path: Path, code: str) -> None:
    """The fuzz spoils a table that prices (single-part has no critical bucket to give)."""
    row = {k: v for k, v in GOOD_ROW.items() if code != "JS-CI-TOU-1P" or k != "kwh_critical"}
    path = tmp_path / "usage.csv"
    path.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n", encoding="utf-8")

    priced = compile_tariff(TARIFFS[code]).price(read_usage(path))

    assert int(priced.bills["total_fen"].iloc[0]) == int(priced.lines["amount_fen"].sum()) > 0


@FUZZ
@given(usage_files(), st.sampled_from(sorted(TARIFFS)))
def test_a_usage_table_prices_or_raises_our_error(
    tmp_path_factory: pytest.TempPathFactory, text: str, code: str
) -> None:
    path = Path(tmp_path_factory.mktemp("usage")) / "usage.csv"
    path.write_text(text, encoding="utf-8")
    try:
        priced = compile_tariff(TARIFFS[code]).price(read_usage(path))
    except PowerRetailError as err:
        event(f"refused: {type(err).__name__}")
        return
    event("priced")
    bills = priced.bills
    assert len(bills) == len(read_usage(path))
    # Every bill is its lines, to the fen.
    by_row = priced.lines.groupby("row")["amount_fen"].sum() if len(priced.lines) else None
    for row, total in enumerate(bills["total_fen"].tolist()):
        lines_total = 0 if by_row is None or row not in by_row.index else int(by_row[row])
        assert total == lines_total


HOURS = [f"{hour:02d}:00" for hour in range(24)]


def _mostly(good: str, other: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``good`` three times in four, else ``other``."""
    return st.integers(min_value=0, max_value=3).flatmap(
        lambda pick: other if pick == 0 else st.just(good)
    )


@st.composite
def wide_days(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hourly wide exports (a row per account, day and channel) and the periods to bill."""
    rows = []
    for day in ("2025-07-01", "2025-07-02"):
        for channel in ("kwh", "kvarh"):
            row = {"account_id": "A-1", "date": day, "channel": channel}
            for hour in HOURS:
                good = f"{10 + (int(hour[:2]) % 7) * 3.25}"
                row[hour] = draw(CELLS) if draw(st.integers(0, 30)) == 0 else good
            if draw(st.integers(0, 12)) == 0:
                row[draw(st.sampled_from(["account_id", "date", "channel"]))] = draw(CELLS)
            rows.append(row)
    wide = pd.DataFrame(rows)
    if draw(st.integers(0, 8)) == 0:
        wide = wide.drop(columns=draw(st.sampled_from(["channel", "12:00", "date"])))
    periods = pd.DataFrame(
        [
            {
                "account_id": "A-1",
                "period_start": "2025-07-01",
                "period_end": draw(_mostly("2025-07-03", st.sampled_from(["2025-07-02", "07-04"]))),
                "capacity_kva": draw(_mostly("400", st.sampled_from(["200", "", "-1"]) | CELLS)),
                "use_category": draw(_mostly("industrial", st.just("commercial") | CELLS)),
            }
        ]
    )
    return wide, periods


@FUZZ
@given(wide_days(), st.sampled_from(["JS-CI-TOU-2P", "JS-CI-TOU-1P"]))
def test_wide_interval_exports_bucket_and_price_or_raise_our_error(
    drawn: tuple[pd.DataFrame, pd.DataFrame], code: str
) -> None:
    wide, periods = drawn
    tariff = TARIFFS[code]
    try:
        usage = usage_from_intervals(intervals_from_wide(wide), periods, tariff)
        priced = compile_tariff(tariff).price(usage)
    except PowerRetailError as err:
        event(f"refused: {type(err).__name__}")
        return
    event("priced")
    assert len(priced.bills) == 1
    assert int(priced.bills["total_fen"].iloc[0]) == int(priced.lines["amount_fen"].sum())
