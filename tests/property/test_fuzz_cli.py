"""Fuzz the command line in-process: random argv and random file contents through ``main``.

Whatever the arguments and the files, ``main`` returns 0, 1 or 2 and never raises; nothing it
prints is a traceback. Bounded like the loader fuzz (a few seconds; ``deadline=None`` because a
shared machine makes per-example timings noisy).
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from powerretail import cli
from powerretail.adapters.sqlite import SqliteStore
from powerretail.adapters.tariff_library import sample_text, shipped_codes, shipped_text

FILES = {
    "reads.csv": (
        "meter_id,read_at,value\nM-1,2025-01-01T08:00+08:00,100\nM-1,2025-02-01T08:00+08:00,130\n"
    ),
    "intervals.csv": (
        "meter_id,interval_start,kwh\nM-1,2025-07-01T00:00+08:00,1\nM-1,2025-07-01T00:15+08:00,\n"
    ),
    "registers.csv": sample_text("residential_2025_07.csv"),
    "series.csv": sample_text("gd_factory_2025_07.csv"),
    "tariff.toml": shipped_text("JS-RES-TOU"),
    "tariff.json": '{"code": "X"}',
    "usage.csv": (
        "account_id,period_start,period_end,kwh_peak,kwh_valley,residential\n"
        "H1,2025-07-01,2025-08-01,200,100,true\nH2,2025-07-01,2025-08-01,90,300,true\n"
    ),
    "monthly.csv": "account_id,month,kwh\nA,2025-01,100\nA,2025-02,110\nA,2025-03,95\n",
}


@st.composite
def contents(draw: st.DrawFn, name: str) -> bytes:
    """A sample file's bytes: as shipped, in GBK, truncated, or with bytes broken."""
    text = FILES[name]
    data = text.encode(draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "gbk", "utf-16"])))
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        data = data[: draw(st.integers(min_value=0, max_value=len(data)))]
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at + 1 :]
    return data


WORDS = st.sampled_from(
    [
        "",
        "-",
        "--",
        "x",
        "2025-07",
        "2025-13",
        "2025-07-10..2025-08-01",
        "2025-08-01..2025-07-01",
        "-1",
        "0",
        "160",
        "1e999999",
        "NaN",
        "²",
        "0.90",
        "gbk",
        "klingon",
        "utf-16",
        "Asia/Shanghai",
        "Mars/Olympus",
        "2025-07-01T00:00+08:00",
        "yesterday",
        *shipped_codes(),
    ]
)
FILE_NAMES = st.sampled_from([*FILES, "missing.csv", "folder", "nowhere/out.csv", "store.sqlite3"])

OPTIONS: dict[str, list[str]] = {
    "bill": [
        "--tariff",
        "--reads",
        "--period",
        "--account",
        "--capacity-kva",
        "--contract-demand-kw",
        "--basis",
        "--pf-standard",
        "--residential",
        "--ytd-kwh",
        "--opened-on",
        "--closed-on",
        "--lang",
        "--json",
        "--encoding",
    ],
    "validate": [
        "--json",
        "--write-estimates",
        "--rules",
        "--policy",
        "--as-of",
        "--zone",
        "--encoding",
    ],
    "tariff list": [],
    "tariff show": ["--encoding"],
    "tariff check": ["--encoding", "--strict"],
    "demo": ["--lang", "--json"],
    "arrears": ["--as-of", "--format"],
    "dunning run": ["--as-of", "--rules", "--actor", "--role", "--format"],
    "cases": ["--due-before", "--breached", "--as-of", "--format"],
    "sla report": ["--month", "--as-of", "--format"],
    "outages": ["--as-of", "--format"],
    "work-orders": ["--open", "--as-of", "--format"],
    "retail settle": ["--month", "--actor", "--role", "--format"],
    "retail forecast": ["--month", "--method", "--criterion", "--format"],
    "whatif": ["--usage", "--tariff", "--out", "--format"],
}
#: Commands that work on a store: given one (an empty SQLite store, mostly) before their options.
STORE_COMMANDS = {
    "arrears",
    "dunning run",
    "cases",
    "sla report",
    "outages",
    "work-orders",
    "retail settle",
}
FLAGS = {"--residential", "--json", "--strict", "--breached", "--open"}
#: Values an option takes, drawn more often than nonsense so that commands get past argparse.
GOOD = {
    "--rules": ["all", "seed", "catalogue", "SGCC2011", "CSG"],
    "--format": ["text", "json"],
    "--month": ["2025-07", "2026-03"],
    "--due-before": ["2025-08-01"],
    "--method": ["auto", "moving_average"],
    "--criterion": ["wape"],
    "--role": ["marketing_manager"],
    "--policy": ["national", "seed"],
    "--lang": ["en", "zh"],
    "--basis": ["capacity", "demand"],
    "--pf-standard": ["0.90", "0.85"],
    "--encoding": ["utf-8", "gbk"],
    "--zone": ["Asia/Shanghai", "UTC"],
    "--as-of": ["2025-03-01T00:00+08:00"],
    "--capacity-kva": ["160", "315"],
    "--contract-demand-kw": ["100"],
    "--ytd-kwh": ["0", "2500"],
    "--opened-on": ["2025-07-10"],
    "--closed-on": ["2025-07-20"],
    "--account": ["A-1"],
}
PATH_OPTIONS = {"--tariff", "--reads", "--write-estimates", "--usage", "--out", "--store"}


@st.composite
def command_lines(draw: st.DrawFn, folder: Path) -> list[str]:
    """argv for one command: its options in any order with values, files or nonsense."""
    command = draw(st.sampled_from(sorted(OPTIONS)))
    argv = command.split()
    if command == "validate":
        name = draw(st.sampled_from(["reads.csv", "intervals.csv"]) | FILE_NAMES)
        argv.append(str(folder / name) if draw(st.integers(0, 4)) else draw(WORDS))
    if command in ("tariff show", "tariff check"):
        name = draw(st.sampled_from(["tariff.toml", "tariff.json"]) | FILE_NAMES)
        argv.append(str(folder / name) if draw(st.integers(0, 4)) else draw(WORDS))
    if command == "demo":  # never a whole demo on a new store: a store that cannot be used
        argv += ["--store", str(folder / draw(st.sampled_from(["tariff.toml", "nowhere/s.db"])))]
    if command in STORE_COMMANDS and draw(st.integers(min_value=0, max_value=4)):
        store = draw(st.sampled_from(["store.sqlite3", "store.sqlite3", "tariff.toml", "missing"]))
        argv += ["--store", str(folder / store)]
    if command == "retail forecast" and draw(st.integers(min_value=0, max_value=4)):
        argv += ["--reads", str(folder / "monthly.csv"), "--month", "2025-04"]
    if command == "whatif" and draw(st.integers(min_value=0, max_value=4)):
        argv += ["--usage", str(folder / "usage.csv"), "--tariff", "JS-RES-TOU", "--out", "out"]
    if command == "bill" and draw(
        st.integers(min_value=0, max_value=4)
    ):  # mostly get past argparse
        tariff = draw(st.sampled_from([*shipped_codes(), str(folder / "tariff.toml")]))
        reads = str(folder / draw(st.sampled_from(["registers.csv", "series.csv", "reads.csv"])))
        period = draw(st.sampled_from(["2025-07", "2025-07-10..2025-08-01"]) | WORDS)
        argv += ["--tariff", tariff, "--reads", reads, "--period", period]
    for option in draw(st.lists(st.sampled_from(OPTIONS[command] or ["--help"]), max_size=4)):
        argv.append(option)
        if option in FLAGS or option == "--help":
            continue
        if option in PATH_OPTIONS and draw(st.booleans()):
            argv.append(str(folder / draw(FILE_NAMES)))
        elif option in GOOD and draw(st.integers(0, 2)):
            argv.append(draw(st.sampled_from(GOOD[option])))
        else:
            argv.append(draw(WORDS))
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        argv.insert(draw(st.integers(min_value=0, max_value=len(argv))), draw(WORDS))
    return argv


def run(argv: list[str], folder: Path) -> tuple[int, str]:
    """Run ``argv`` from ``folder``: a relative path an argument names (an --out, a written
    estimates file) lands there, never in the work tree."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(folder), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue() + err.getvalue()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
@example(None)
def test_any_command_line_returns_an_exit_code_and_prints_no_traceback(
    tmp_path_factory: Any, data: st.DataObject | None
) -> None:
    folder: Path = tmp_path_factory.mktemp("cli")
    (folder / "folder").mkdir()
    if data is None:  # the example: the bill of the shipped sample, then everything is wrong
        (folder / "registers.csv").write_text(FILES["registers.csv"], encoding="utf-8")
        argv = [
            "bill",
            "--tariff",
            "JS-RES-TOU",
            "--reads",
            str(folder / "registers.csv"),
            "--period",
            "2025-07",
            "--residential",
        ]
        assert run(argv, folder)[0] == 0
        return
    for name in FILES:
        (folder / name).write_bytes(data.draw(contents(name), label=name))
    SqliteStore(folder / "store.sqlite3").close()  # an empty store, migrated
    argv = data.draw(command_lines(folder), label="argv")

    code, printed = run(argv, folder)

    assert code in (0, 1, 2), argv
    assert "Traceback" not in printed
