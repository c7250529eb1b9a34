"""A polars table is priced through Arrow, as the same pandas table is."""

from __future__ import annotations

import pandas as pd
import pytest

pl = pytest.importorskip("polars", reason="polars is in the test extra")

from powerretail.adapters.tariff_library import load_shipped  # noqa: E402
from powerretail.analysis import compare, compile_tariff  # noqa: E402
from powerretail.errors import InvalidInput  # noqa: E402

ROWS = {
    "account_id": ["A", "B"],
    "period_start": ["2025-07-01", "2025-07-01"],
    "period_end": ["2025-08-01", "2025-08-01"],
    "kwh_peak": [200.0, 90.0],
    "kwh_valley": [112.4, 300.0],
}


def test_a_polars_frame_with_text_or_date_columns_prices_like_pandas() -> None:
    pricer = compile_tariff(load_shipped("JS-RES-TOU"))
    expected = pricer.price(pd.DataFrame(ROWS)).bills["total_fen"].tolist()
    text = pl.DataFrame(ROWS)
    dates = text.with_columns(
        pl.col("period_start").str.to_date(), pl.col("period_end").str.to_date()
    )

    assert expected == [15193, 15774]
    assert pricer.price(text).bills["total_fen"].tolist() == expected
    assert pricer.price(dates).bills["total_fen"].tolist() == expected
    assert pricer.price(dates.to_arrow()).bills["total_fen"].tolist() == expected
    tariffs = {"tou": load_shipped("JS-RES-TOU")}
    assert compare(dates, tariffs).summary.equals(compare(pd.DataFrame(ROWS), tariffs).summary)


def test_a_bad_polars_value_is_named_like_a_pandas_one() -> None:
    with pytest.raises(InvalidInput, match=r"usage\[1\]\.kwh_peak"):
        compile_tariff(load_shipped("JS-RES-TOU")).price(
            pl.DataFrame(ROWS).with_columns(pl.Series("kwh_peak", [1.0, -2.0]))
        )
