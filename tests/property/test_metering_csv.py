"""Fuzz-style properties of the CSV loader: any input gives a result or a powerretail error, and
garbage lines never cost a good row."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from powerretail.adapters.read_csv import load_reads_text
from powerretail.errors import PowerRetailError

HEADERS = st.sampled_from(
    [
        "meter_id,read_at,value",
        "meter_id,read_at,value,multiplier,source,method,events",
        "meter_id,read_at,value,service,expected_kwh,last_year_kwh,large_customer",
        "meter_id,interval_start,kwh",
        "meter_id,interval_start,kwh,quality,method,step_minutes",
    ]
)
CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", "M-1", "2025-01-01T08:00+08:00", "12.5", "-1", "estimated", "linear", '"', "NaN"]
    ),
    st.sampled_from(["de_energised", "inactive", "yes", "Infinity", "1e5"]),
)
LINES = st.lists(CELLS, min_size=0, max_size=8).map(",".join)


@given(st.text(max_size=300))
@example("meter_id,read_at,value\n\x00\n")
@example('meter_id,read_at,value\n"unclosed,1,2\n')
@settings(max_examples=200)
def test_any_text_gives_a_result_or_a_powerretail_error(text: str) -> None:
    try:
        loaded = load_reads_text(text)
    except PowerRetailError:
        return
    assert loaded.rows >= len(loaded.reads)


@given(HEADERS, st.lists(LINES, max_size=15))
@settings(max_examples=150)
def test_rows_under_a_good_header_are_kept_or_reported(header: str, lines: list[str]) -> None:
    text = "\n".join([header, *lines]) + "\n"

    loaded = load_reads_text(text)

    for problem in loaded.problems:
        assert 2 <= problem.line <= len(text.splitlines())
        assert problem.message


@given(
    st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=10, unique=True),
    st.lists(st.text(max_size=30), max_size=10),
)
@settings(max_examples=100)
def test_garbage_lines_never_cost_a_good_row(days: list[int], garbage: list[str]) -> None:
    good = [f"M-1,{date(2025, 1, 1) + timedelta(days=day)}T08:00+08:00,{day}.5" for day in days]
    lines: list[str] = []
    for index, row in enumerate(good):
        lines.append(row)
        if index < len(garbage):
            lines.append(garbage[index].replace("\n", " ").replace("\r", " "))

    loaded = load_reads_text("meter_id,read_at,value\n" + "\n".join(lines) + "\n")

    kept = {(read.read_at.isoformat(), read.value) for read in loaded.reads}
    for row in good:
        _, instant, value = row.split(",")
        assert (instant.replace("+08:00", ":00+08:00"), Decimal(value)) in kept
