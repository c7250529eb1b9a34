from __future__ import annotations

import json
from pathlib import Path

import pytest

from powerretail import cli
from powerretail.adapters.read_csv import load_reads_file

READS = """meter_id,read_at,value,multiplier
M-1,2025-01-01T08:00+08:00,100.0,40
M-1,2025-02-01T08:00+08:00,130.0,40
M-1,2025-03-01T08:00+08:00,160.0,40
M-1,2025-04-01T08:00+08:00,,40
M-1,2025-05-01T08:00+08:00,abc,40
"""

CLEAN = """meter_id,read_at,value
M-1,2025-01-01T08:00+08:00,100.0
M-1,2025-02-01T08:00+08:00,130.0
"""


def write(tmp_path: Path, text: str, name: str = "reads.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


class TestValidateCommand:
    def test_prints_a_table_of_findings_and_left_out_rows(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code = cli.main(["validate", write(tmp_path, READS)])

        out = capsys.readouterr().out
        assert code == 1
        assert "5 reads rows, 1 left out" in out
        assert "line 6, column value" in out
        assert "1 estimates" in out

    def test_a_clean_file_exits_0(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        assert cli.main(["validate", write(tmp_path, CLEAN)]) == 0
        assert "0 findings" in capsys.readouterr().out

    def test_prints_json_with_every_finding(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        cli.main(["validate", write(tmp_path, READS), "--json", "--as-of", "2025-06-01T00:00Z"])

        report = json.loads(capsys.readouterr().out)
        assert (report["kind"], report["rows"], report["estimates"]) == ("reads", 5, 1)
        assert report["findings"][0]["rule_id"] == "CSV"

    def test_writes_estimates_that_load_again(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        out = tmp_path / "estimates.csv"

        cli.main(["validate", write(tmp_path, READS), "--write-estimates", str(out)])

        loaded = load_reads_file(out)
        assert (loaded.rows, loaded.problems) == (1, ())
        assert "previous_period" in out.read_text(encoding="utf-8")

    def test_estimates_load_back_onto_the_same_meter_in_place_of_the_missed_read(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        text = READS.replace(",40\n", ",40,5,2024-12-01\n").replace(
            "value,multiplier", "value,multiplier,digits,installed_on"
        )
        good = [row for row in text.splitlines() if ",abc," not in row]
        out = tmp_path / "estimates.csv"
        cli.main(
            ["validate", write(tmp_path, "\n".join(good) + "\n"), "--write-estimates", str(out)]
        )

        alone = load_reads_file(out)
        estimate = out.read_text(encoding="utf-8").splitlines()[1]
        header = out.read_text(encoding="utf-8").splitlines()[0]
        original = load_reads_file(write(tmp_path, "\n".join(good) + "\n", "original.csv"))
        merged = (
            [header]
            + [
                ",".join(row.get(name, "") for name in header.split(","))
                for row in (
                    dict(zip(good[0].split(","), line.split(","), strict=True))
                    for line in good[1:4]
                )
            ]
            + [estimate]
        )
        both = load_reads_file(write(tmp_path, "\n".join(merged) + "\n", "merged.csv"))

        meter = alone.meters["M-1"]  # type: ignore[index]
        assert (meter.multiplier, meter.register_digits) == (40, 5)
        assert meter.installed_on == original.meters["M-1"].installed_on  # type: ignore[index]
        assert (both.rows, both.problems) == (4, ())

    def test_reports_a_read_it_cannot_estimate(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code = cli.main(["validate", write(tmp_path, READS), "--policy", "seed", "--json"])

        report = json.loads(capsys.readouterr().out)
        assert code == 1
        assert "cannot estimate" in report["findings"][0]["message"]

    def test_validates_and_estimates_intervals(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        rows = ["meter_id,interval_start,kwh"]
        rows += [
            f"M-1,2025-01-06T{h:02d}:{m:02d}+08:00,1" for h in range(24) for m in (0, 15, 30, 45)
        ]
        rows[5] = "M-1,2025-01-06T01:00+08:00,"
        out = tmp_path / "estimates.csv"

        code = cli.main(
            ["validate", write(tmp_path, "\n".join(rows) + "\n"), "--write-estimates", str(out)]
        )

        out_text = capsys.readouterr().out
        assert code == 1
        assert "95 of 96 15-minute intervals received" in out_text
        assert "V14" in out_text
        assert load_reads_file(out).series[0].values == (1,)

    def test_checks_each_read_in_the_context_its_row_gives(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        text = (
            "meter_id,read_at,value,service,last_year_kwh\n"
            "M-1,2025-01-01T08:00+08:00,100.0,,\n"
            "M-1,2025-02-01T08:00+08:00,130.0,,\n"
            "M-1,2025-03-01T08:00+08:00,160.0,de_energised,10\n"
        )

        cli.main(["validate", write(tmp_path, text), "--json"])

        fired = {f["rule_id"] for f in json.loads(capsys.readouterr().out)["findings"]}
        assert {"V09", "SEED-MONTHLY-CHANGE"} <= fired  # supply off; 30 kWh against 10 last year
        cli.main(["validate", write(tmp_path, text.replace("de_energised,10", ","))])
        assert "0 findings" in capsys.readouterr().out

    def test_a_file_it_cannot_read_exits_2(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert cli.main(["validate", str(tmp_path / "none.csv")]) == 2
        assert capsys.readouterr().err == f'powerretail: no file "{tmp_path / "none.csv"}"\n'

    def test_an_unwritable_estimates_file_exits_2(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        target = str(tmp_path / "no" / "such" / "dir.csv")

        assert cli.main(["validate", write(tmp_path, CLEAN), "--write-estimates", target]) == 2

    def test_an_empty_reads_file_has_nothing_to_say(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert cli.main(["validate", write(tmp_path, "meter_id,read_at,value\n")]) == 0


def test_help_lists_the_columns(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate", "--help"]) == 0

    out = capsys.readouterr().out
    assert "interval_start" in out
    assert "multiplier" in out
