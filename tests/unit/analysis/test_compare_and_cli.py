"""compare(), its plots and ``powerretail whatif``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from powerretail.adapters.tariff_library import load_file, load_shipped
from powerretail.analysis import compare, compile_tariff
from powerretail.analysis.plots import PLOTS
from powerretail.cli import main
from powerretail.errors import InvalidInput

FLAT = """
code = "RES-FLAT"
name_zh = "居民平价"
name_en = "residential flat"
category = "residential"

[[versions]]
label = "1"
effective_from = 2020-01-01

[[versions.charges]]
type = "energy"
code = "energy"
name_zh = "电度电费"
name_en = "energy"
source = "test tariff"
yuan_per_kwh = 0.5
"""


def _usage() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": ["H1", "H2", "H1"],
            "period_start": ["2025-07-01", "2025-07-01", "2025-08-01"],
            "period_end": ["2025-08-01", "2025-08-01", "2025-09-01"],
            "kwh_peak": [200.0, 90.0, 100.0],
            "kwh_valley": [100.0, 300.0, 0.0],
            "residential": [True, True, True],
        }
    )


def test_compare_counts_winners_and_losers_against_the_baseline(tmp_path: Path) -> None:
    (tmp_path / "flat.toml").write_text(FLAT, encoding="utf-8")
    result = compare(
        _usage(),
        {
            "tou": load_shipped("JS-RES-TOU"),
            "flat": compile_tariff(load_file(tmp_path / "flat.toml")),
        },
        progress=list,
    )

    # H1: TOU 200×0.5583 + 100×0.3583 + 100×0.5583 = 111.66 + 35.83 + 55.83 = 203.32; flat 200.00
    # H2: TOU 90×0.5583 + 300×0.3583 = 50.25 + 107.49 = 157.74; flat 195.00
    accounts = result.accounts.set_index("account_id")
    assert accounts["tou_fen"].to_dict() == {"H1": 20332, "H2": 15774}
    assert accounts["flat_change_fen"].to_dict() == {"H1": -332, "H2": 3726}
    summary = result.summary.set_index("tariff")
    assert summary.loc["flat", ["winners", "losers", "unchanged"]].tolist() == [1, 1, 0]
    assert result.revenue.to_dict("records")[-1] == {
        "tariff": "flat",
        "charge": "energy",
        "revenue_fen": 39500,
    }
    assert result.by_class["customer_class"].tolist() == ["residential", "residential"]
    for plot in PLOTS.values():
        assert plot(result).axes


def test_compare_refuses_no_tariff_and_an_unknown_baseline() -> None:
    with pytest.raises(InvalidInput, match="at least one tariff"):
        compare(_usage(), {})
    with pytest.raises(InvalidInput, match="one of tou"):
        compare(_usage(), {"tou": load_shipped("JS-RES-TOU")}, baseline="x")


def test_whatif_writes_tables_and_plots_and_prints_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "flat.toml").write_text(FLAT, encoding="utf-8")
    _usage().to_csv(tmp_path / "usage.csv", index=False)
    args = ["whatif", "--usage", str(tmp_path / "usage.csv"), "--tariff", "JS-RES-TOU"]
    args += ["--tariff", str(tmp_path / "flat.toml"), "--out", str(tmp_path / "out")]

    assert main(args) == 0
    text = capsys.readouterr().out
    assert "2 accounts, baseline JS-RES-TOU" in text
    assert "RES-FLAT" in text
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == sorted(
        ["accounts.csv", "accounts.parquet", "by_class.csv", "revenue.csv", "summary.csv", *PLOTS]
    )

    assert main([*args, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [t["revenue_fen"] for t in report["tariffs"]] == [36106, 39500]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--tariff", "NO-SUCH"], 'no tariff file "NO-SUCH"'),
        (["--tariff", "JS-RES-TOU"], "each tariff once"),
    ],
)
def test_whatif_bad_input_exits_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    _usage().to_csv(tmp_path / "usage.csv", index=False)
    args = ["whatif", "--usage", str(tmp_path / "usage.csv"), "--tariff", "JS-RES-TOU"]

    assert main([*args, *extra, "--out", str(tmp_path / "out")]) == 2
    assert message in capsys.readouterr().err


def test_whatif_refuses_an_unreadable_usage_file_and_an_unwritable_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.csv").write_text("account_id\nA\n", encoding="utf-8")
    (tmp_path / "file").write_text("", encoding="utf-8")
    _usage().to_csv(tmp_path / "usage.csv", index=False)

    bad = ["whatif", "--usage", str(tmp_path / "bad.csv"), "--tariff", "JS-RES-TOU"]
    assert main([*bad, "--out", str(tmp_path / "o")]) == 2
    assert "a column 'period_start'" in capsys.readouterr().err
    good = ["whatif", "--usage", str(tmp_path / "usage.csv"), "--tariff", "JS-RES-TOU"]
    assert main([*good, "--out", str(tmp_path / "file")]) == 2
    assert "a writable directory" in capsys.readouterr().err


class _Terminal:
    """A standard error that says it is a terminal, so the progress bar shows."""

    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def test_whatif_shows_a_progress_bar_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _usage().to_csv(tmp_path / "usage.csv", index=False)
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    args = ["whatif", "--usage", str(tmp_path / "usage.csv"), "--tariff", "JS-RES-TOU"]

    assert main([*args, "--out", str(tmp_path / "out"), "--format", "json"]) == 0
    assert "pricing" in terminal.text
