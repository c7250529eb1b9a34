"""compare(..., chunk_rows=N): a table priced N rows at a time gives the same comparison."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyarrow")

from powerretail.adapters.tariff_library import load_shipped
from powerretail.analysis import compare
from powerretail.analysis.usage import usage_chunks
from powerretail.errors import InvalidInput

TARIFFS = {"tou": load_shipped("JS-RES-TOU"), "ci": load_shipped("JS-CI-TOU-1P")}


def _book(accounts: int = 7, months: int = 3) -> pd.DataFrame:
    """Households with ``months`` months each, rows sorted by account then month."""
    rng = np.random.default_rng(3)
    rows = []
    for n in range(accounts):
        for month in range(7, 7 + months):
            rows.append(
                {
                    "account_id": f"H{n}",
                    "period_start": f"2025-{month:02}-01",
                    "period_end": f"2025-{month + 1:02}-01",
                    "kwh_peak": float(rng.integers(0, 900_000)) / 1000,
                    "kwh_valley": float(rng.integers(0, 500_000)) / 1000,
                    "residential": bool(n % 2),
                }
            )
    return pd.DataFrame(rows)


def _same(left: object, right: object) -> None:
    for name in ("accounts", "summary", "revenue", "by_class", "energy"):
        pd.testing.assert_frame_equal(getattr(left, name), getattr(right, name))


@pytest.mark.parametrize("suffix", [".parquet", ".csv", None])
def test_chunks_of_a_file_or_frame_compare_as_the_whole_table(tmp_path: Path, suffix: str) -> None:
    book = _book()
    whole = compare(book, TARIFFS)
    source: object = book
    if suffix == ".parquet":
        source = tmp_path / "book.parquet"
        book.to_parquet(source)
    elif suffix == ".csv":
        source = tmp_path / "book.csv"
        book.to_csv(source, index=False)

    chunked = compare(source, TARIFFS, chunk_rows=3)  # each account's 3 months in one chunk

    _same(chunked, whole)
    assert chunked.priced == {}
    assert len(whole.priced) == 2


def test_an_account_split_between_chunks_is_refused_when_its_position_is_carried() -> None:
    with pytest.raises(InvalidInput, match="every row of an account in one chunk") as refused:
        compare(_book(), TARIFFS, chunk_rows=2)  # H0's third month starts the second chunk

    assert refused.value.value == "H0"


def test_with_ytd_kwh_the_chunks_may_split_an_account() -> None:
    book = _book().assign(ytd_kwh=100.0)

    _same(compare(book, TARIFFS, chunk_rows=2), compare(book, TARIFFS))


def test_a_bad_row_is_named_by_its_row_in_the_whole_table() -> None:
    book = _book()
    book.loc[7, "kwh_peak"] = -1.0

    with pytest.raises(InvalidInput) as refused:
        compare(book, TARIFFS, chunk_rows=3)

    assert refused.value.field == "usage[7].kwh_peak"


@pytest.mark.parametrize("rows", [0, -3, True, 2.5])
def test_chunk_rows_must_be_a_positive_whole_number(rows: object) -> None:
    with pytest.raises(InvalidInput, match="a positive whole number of rows"):
        list(usage_chunks(_book(), rows))  # type: ignore[arg-type]


def test_an_unreadable_parquet_file_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "broken.parquet"
    broken.write_text("not parquet", encoding="utf-8")

    with pytest.raises(InvalidInput, match="a readable usage file"):
        compare(broken, TARIFFS, chunk_rows=10)
