"""Fuzz every loader: any input gives a result or a ``powerretail.errors`` exception (R16, R21).

The inputs are valid files with cells, values or bytes replaced by what exports get wrong: exotic
digits, huge exponents, impossible dates, years typed wrong, stray quotes, wrong encodings. Each
test runs a bounded number of examples (a few seconds); ``deadline=None`` because a shared CI
machine makes per-example timings noisy (a deadline would make the test flaky, not stricter):
the work is bounded by the data instead, and asserted where it matters (a series is never longer
than its rows allow).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from powerretail.adapters.read_csv import load_reads_file, load_reads_text
from powerretail.adapters.tariff_library import (
    load_file,
    load_shipped,
    sample_text,
    shipped_codes,
    shipped_text,
)
from powerretail.cli.bill import usage_from_csv
from powerretail.cli.demo import load_demo_customers
from powerretail.errors import PowerRetailError
from powerretail.metering.rows import INTERVAL_COLUMNS, READ_COLUMNS, SPARE_MONTH_INTERVALS
from powerretail.quantities import Energy, EnergyPrice, Money, Rounding, exact_decimal
from powerretail.tariffs.parser import loads_json, loads_toml, to_mapping

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: What exports get wrong, cell by cell.
NASTY = st.sampled_from(
    [
        "",
        " ",
        "-0",
        "1e999999",
        "1e-999999",
        "NaN",
        "-Infinity",
        "²",
        "١٢",
        "１２",
        "_1",
        "1_000",
        "0",
        "-1",
        "9" * 40,
        "0.0001",
        "1.5",
        "100/5",
        "0/0",
        "5/0",
        "-5/1",
        "a/b",
        "2025-07-01T00:00+08:00",
        "2025-07-01T00:15+08:00",
        "2025-07-01T00:07+08:00",
        "2025-07-01",
        "2025-07-01T00:00",
        "7025-07-01T00:00+08:00",
        "1995-07-01T00:00+08:00",
        "0001-01-01T00:00+00:00",
        "9999-12-31T23:59-14:00",
        "2024-02-30",
        "true",
        "yes",
        "\x00",
        '"',
        "'",
        ";",
        "outage;;reset",
        "15",
        "16",
        "60",
        "estimated",
        "final_estimate",
        "missing",
        "reactive",
        "max_demand",
        "de_energised",
        "电表",
        "\u200b",
        "M-1",
        "M-2",
    ]
)
CELLS = NASTY | st.text(max_size=10)


def _instants() -> st.SearchStrategy[str]:
    offsets = st.integers(min_value=-14 * 4, max_value=14 * 4).map(
        lambda quarters: dt.timezone(dt.timedelta(minutes=15 * quarters))
    )
    return st.builds(
        lambda moment, zone: moment.replace(tzinfo=zone).isoformat(),
        st.datetimes(
            min_value=dt.datetime(1, 1, 2),  # noqa: DTZ001 - the offset is drawn separately
            max_value=dt.datetime(9999, 12, 30),  # noqa: DTZ001
        ),
        offsets,
    )


def _csv(header: list[str], rows: list[list[str]]) -> str:
    return "\n".join(",".join(row) for row in [header, *rows]) + "\n"


@st.composite
def read_files(draw: st.DrawFn) -> str:
    """A reads or intervals CSV whose cells are drawn from what goes wrong."""
    columns = draw(st.sampled_from([list(READ_COLUMNS), list(INTERVAL_COLUMNS)]))
    header = columns[:3] + draw(st.lists(st.sampled_from(columns[3:]), unique=True, max_size=6))
    cell = CELLS | _instants()
    rows = draw(
        st.lists(
            st.lists(cell, min_size=len(header) - 1, max_size=len(header) + 1),
            max_size=8,
        )
    )
    return _csv(header, rows)


@FUZZ
@given(read_files())
@example(
    _csv(
        ["meter_id", "interval_start", "kwh"],
        [["M-1", "1995-07-01T00:00+08:00", "1"], ["M-1", "2025-07-01T00:00+08:00", "1"]],
    )
)
@example(
    _csv(
        ["meter_id", "interval_start", "kwh"],
        [["M-1", "2025-07-01T00:00+08:00", "1"], ["M-1", "7025-07-01T00:00+08:00", "1"]],
    )
)
@example(
    _csv(["meter_id", "read_at", "value", "digits"], [["M-1", "2025-07-01T00:00+08:00", "1", "²"]])
)
def test_a_reads_or_intervals_csv_loads_or_raises_our_error(text: str) -> None:
    try:
        loaded = load_reads_text(text)
    except PowerRetailError:
        return
    assert loaded.rows >= len(loaded.reads)
    for series in loaded.series:  # the work stays bounded by the rows the file holds
        assert len(series.values) <= 2 * loaded.rows + SPARE_MONTH_INTERVALS


@st.composite
def bill_files(draw: st.DrawFn) -> str:
    """A register or interval CSV of ``powerretail bill``, with cells drawn from what goes wrong."""
    header = draw(
        st.sampled_from(
            [
                ["register", "kind", "previous", "current", "multiplier", "meter"],
                ["register", "current"],
                ["start", "kwh", "kvarh"],
                ["start", "kwh"],
            ]
        )
    )
    rows = draw(
        st.lists(
            st.lists(CELLS | _instants(), min_size=len(header) - 1, max_size=len(header) + 1),
            max_size=6,
        )
    )
    return _csv(header, rows)


@FUZZ
@given(bill_files())
@example("register,kind,previous,current\npeak,active,1\n")
@example('start,kwh\n"' + "a" * 200_000 + '"\n')
@example("register,current\npeak,1,2,3\n")
def test_a_bill_csv_reads_or_raises_our_error(text: str) -> None:
    with contextlib.suppress(PowerRetailError):
        usage_from_csv(text)


#: Values a tariff file may hold wrong, as TOML source.
TOML_VALUES = st.sampled_from(
    [
        "0",
        "-1",
        "1e999999",
        "1e-999999",
        "nan",
        "inf",
        "-0.0",
        "55.83",
        "0001-01-01",
        "9999-12-31",
        "2025-02-29",
        "1979-05-27T07:32:00Z",
        "07:32:00",
        "[]",
        "{}",
        '""',
        '"²"',
        '"24:00"',
        '"00:00"',
        '"23:59"',
        "99999999999999999999999",
        "true",
        '"x"',
        "[1, 13]",
        "[0]",
        '"Mars/Phobos"',
        '"Etc/GMT+14"',
        "0.001",
        '"JPY"',
        '"ROUND_UP"',
    ]
)
SHIPPED = st.sampled_from(shipped_codes())


@st.composite
def tariff_texts(draw: st.DrawFn) -> str:
    """A shipped tariff's TOML with one to three values replaced."""
    text = shipped_text(draw(SHIPPED))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        spots = [i for i, char in enumerate(text) if char == "="]
        at = draw(st.sampled_from(spots)) + 1
        end = min((text.find(c, at) for c in "\n,}]" if text.find(c, at) != -1), default=len(text))
        text = text[:at] + " " + draw(TOML_VALUES) + text[end:]
    return text


@FUZZ
@given(tariff_texts())
@example("rounding_step = 1e999999\n" + shipped_text("JS-RES-TOU"))
@example(shipped_text("GD-CI-TOU").replace("ratio = 1.7", "ratio = 1e999999"))
def test_a_tariff_toml_loads_or_raises_our_error(text: str) -> None:
    with contextlib.suppress(PowerRetailError):
        loads_toml(text)


JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from(["", "x", "²", "1e999999", "00:00", "24:00", "2025-13-01", "peak", "CNY"]),
    st.lists(st.integers(min_value=-2, max_value=14), max_size=3),
    st.just({}),
)


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    children = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for key, value in children:
        found += _leaves(value, (*path, key))
    return found


@st.composite
def tariff_jsons(draw: st.DrawFn) -> str:
    """A shipped tariff as JSON with one to three values (or whole tables) replaced."""
    data = json.loads(json.dumps(to_mapping(load_shipped(draw(SHIPPED))), default=str))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(_leaves(data)))
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = draw(JSON_VALUES)
    return json.dumps(data)


@FUZZ
@given(tariff_jsons())
def test_a_tariff_json_loads_or_raises_our_error(text: str) -> None:
    with contextlib.suppress(PowerRetailError):
        loads_json(text)


@st.composite
def file_bytes(draw: st.DrawFn) -> bytes:
    """The bytes of a sample file, in another encoding or with bytes broken."""
    text = draw(st.sampled_from([shipped_text("JS-RES-TOU"), "meter_id,read_at,value\n电表,x,1\n"]))
    data = text.encode(draw(st.sampled_from(["utf-8", "gbk", "gb18030", "utf-16"])))
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=3)) + data[at + 1 :]
    return data


@FUZZ
@given(file_bytes(), st.sampled_from(["utf-8", "gbk", "gb18030", "utf-16", "ascii", "nope"]))
def test_a_file_in_any_encoding_loads_or_raises_our_error(
    tmp_path_factory: Any, data: bytes, encoding: str
) -> None:
    folder: Path = tmp_path_factory.mktemp("encodings")
    for name, load in (("t.toml", load_file), ("r.csv", load_reads_file)):
        (folder / name).write_bytes(data)
        with contextlib.suppress(PowerRetailError):
            load(folder / name, encoding=encoding)


@st.composite
def demo_texts(draw: st.DrawFn) -> str:
    """The shipped demo file with values replaced (TOML source, like a tariff's)."""
    text = sample_text("demo.toml")
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        spots = [i for i, char in enumerate(text) if char == "="]
        at = draw(st.sampled_from(spots)) + 1
        end = text.find("\n", at)
        value = draw(TOML_VALUES | st.sampled_from(['"../x"', '"demo.toml"', '["2025-07-01"]']))
        text = text[:at] + " " + value + text[end:]
    return text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(demo_texts())
@example("customers = 1\n")
@example("[[customers]]\naccount_id = 'x'\n")
def test_the_demo_sample_file_loads_or_raises_our_error(text: str) -> None:
    with contextlib.suppress(PowerRetailError):
        load_demo_customers(text)


NUMBERS = st.one_of(
    st.text(max_size=20),
    CELLS,
    st.decimals(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.builds(lambda d, e: Decimal(d).scaleb(e), st.integers(-99, 99), st.integers(-99999, 99999)),
)


@FUZZ
@given(NUMBERS, NUMBERS)
@example("1", "0")
@example("1e30", "1e-30")
def test_quantities_from_anything_and_their_arithmetic_raise_only_our_errors(
    left: object, right: object
) -> None:
    with contextlib.suppress(PowerRetailError):
        a, b = Energy(left), Energy(right)
        for operation in (
            lambda: a + b,
            lambda: a - b,
            lambda: a * EnergyPrice(right),
            lambda: a / b,
            lambda: a.ratio_to(b),
            lambda: a / right,
            lambda: Rounding().to_money(a * EnergyPrice(right)),
        ):
            with contextlib.suppress(PowerRetailError):
                operation()
    with contextlib.suppress(PowerRetailError):
        Money(left) / Money(right)
    with contextlib.suppress(PowerRetailError):
        Rounding(step=left).round(exact_decimal(right))
