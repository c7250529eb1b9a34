"""``powerretail bill``: one CSV format and one register vocabulary with ``validate``; HTML."""

from __future__ import annotations

from pathlib import Path

import pytest

from powerretail import cli
from powerretail.adapters.tariff_library import sample_text
from powerretail.billing.usage import IntervalSeries, RegisterRead
from powerretail.cli.bill import usage_from_csv
from powerretail.errors import InvalidInput

_JULY_1 = "2025-07-01T00:00:00+08:00"
_AUG_1 = "2025-08-01T00:00:00+08:00"


def a_file(tmp_path: Path, text: str, name: str = "reads.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def bill_args(path: str, *options: str) -> list[str]:
    """Return ``bill --reads path`` and the options (words split at spaces)."""
    return ["bill", "--reads", path, *" ".join(options).split()]


class TestOneFormat:
    def test_the_file_validate_checks_is_the_file_bill_prices(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = a_file(tmp_path, sample_text("residential_2025_07.csv"))

        validated = cli.main(["validate", path])
        capsys.readouterr()
        billed = cli.main(
            bill_args(path, "--tariff JS-RES-TOU --period 2025-07 --residential", "--ytd-kwh 2500")
        )

        assert validated == 0
        assert billed == 0
        assert "232.24 CNY" in capsys.readouterr().out

    def test_the_first_and_last_read_of_each_register_bound_the_period(self) -> None:
        text = (
            "meter_id,register,read_at,value,multiplier\n"
            f"M-1,critical_peak,{_AUG_1},130.5,40\n"
            f"M-1,critical_peak,{_JULY_1},100.0,40\n"
            f"M-1,critical_peak,2025-07-15T00:00:00+08:00,110.0,40\n"
            f"M-1,max_demand,{_JULY_1},0.5,40\n"
            f"M-1,max_demand,{_AUG_1},0.4,40\n"
        )

        reads = usage_from_csv(text)

        assert reads == [
            RegisterRead(register="critical", previous="100.0", current="130.5", multiplier=40,
                         meter="M-1"),
            RegisterRead(register="demand", kind="demand", current="0.4", multiplier=40,
                         meter="M-1"),
        ]  # fmt: skip
        assert isinstance(reads, list)
        assert reads[0].quantity == 1220

    def test_intervals_of_the_active_and_reactive_channels(self) -> None:
        text = (
            "meter_id,channel,interval_start,kwh\n"
            f"M-1,active_total,{_JULY_1},1.5\n"
            "M-1,active_total,2025-07-01T00:15:00+08:00,2.5\n"
            f"M-1,reactive,{_JULY_1},0.5\n"
            "M-1,reactive,2025-07-01T00:15:00+08:00,0.7\n"
        )

        series = usage_from_csv(text)

        assert isinstance(series, IntervalSeries)
        assert series.minutes == 15
        assert series == IntervalSeries(
            start=_JULY_1, minutes=15, active_kwh=["1.5", "2.5"], reactive_kvarh=["0.5", "0.7"]
        )

    @pytest.mark.parametrize(
        ("text", "match"),
        [
            (
                f"meter_id,read_at,value\nM-1,{_JULY_1},1\nM-1,{_AUG_1},\n",
                r"line 3\.value.*validate --write-estimates",
            ),
            (f"meter_id,read_at,value\nM-1,{_JULY_1},1\nM-1,soon,2\n", r"line 3\.read_at"),
            (f"meter_id,read_at,value\nM-1,{_JULY_1},1\n", "an opening and a closing read"),
            (f"meter_id,interval_start,kwh\nM-1,{_JULY_1},\n", "fill gaps"),
            (
                f"meter_id,interval_start,kwh,channel\nM-1,{_JULY_1},1,peak\n",
                "active_total or reactive",
            ),
            (
                f"meter_id,interval_start,kwh,channel\nM-1,{_JULY_1},1,reactive\n",
                "an active_total channel",
            ),
            (
                f"meter_id,interval_start,kwh\nM-1,{_JULY_1},1\nM-2,{_JULY_1},1\n",
                "one meter's intervals",
            ),
            (
                (
                    "meter_id,interval_start,kwh,channel\n"
                    f"M-1,{_JULY_1},1,active_total\nM-1,2025-07-01T00:15:00+08:00,1,reactive\n"
                ),
                "the active channel's intervals",
            ),
        ],
    )
    def test_refuses_what_cannot_be_billed(self, text: str, match: str) -> None:
        with pytest.raises(InvalidInput, match=match):
            usage_from_csv(text)


class TestOneVocabulary:
    def test_a_summary_names_registers_as_validate_does(self) -> None:
        text = (
            "register,previous,current,multiplier,meter_id\n"
            "critical_peak,0,10,1,M-1\nactive_total,0,5,1,M-1\ndeep_valley,0,2,1,M-1\n"
            "reactive,0,4,1,M-1\nmax_demand,,7,1,M-1\n"
        )

        reads = usage_from_csv(text)

        assert isinstance(reads, list)
        assert [(read.register, read.kind) for read in reads] == [
            ("critical", "active"),
            ("total", "active"),
            ("deep_valley", "active"),
            ("reactive", "reactive"),
            ("demand", "demand"),
        ]

    @pytest.mark.parametrize(
        ("name", "expected"),
        [("critical", "critical_peak"), ("total", "active_total"), ("demand", "max_demand")],
    )
    def test_a_bucket_name_is_refused_with_the_register_name(
        self, name: str, expected: str
    ) -> None:
        with pytest.raises(InvalidInput, match=rf"line 2\.register.*expected {expected}"):
            usage_from_csv(f"register,previous,current\n{name},0,1\n")

    def test_a_row_without_a_register_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match=r"line 2\.register"):
            usage_from_csv("register,previous,current\n,0,1\n")


class TestHtmlNotice:
    def test_prints_a_notice_with_the_reads_the_total_and_the_deadline(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = a_file(tmp_path, sample_text("two_part_2025_07.csv"))

        code = cli.main(
            [
                *bill_args(
                    path,
                    "--tariff JS-CI-TOU-2P --period 2025-07 --capacity-kva 1000",
                    "--contract-demand-kw 600 --basis demand --pf-standard 0.90",
                    "--account JS-I-0007 --lang zh --format html --customer 无锡某铸造厂",
                    "--due-on 2025-08-20",
                ),
                "--pay-to",
                "开户行 工商银行无锡分行",
            ]
        )

        page = capsys.readouterr().out
        assert code == 0
        assert page.startswith("<!DOCTYPE html>")
        assert '<td class="num" id="total">193830.20 元</td>' in page
        assert '<span id="due">2025-08-20</span>' in page
        assert "无锡某铸造厂" in page
        assert "<p>开户行 工商银行无锡分行</p>" in page
        assert "<td>最大需量</td>" in page

    def test_interval_data_has_no_reads_table(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = a_file(tmp_path, sample_text("gd_factory_2025_07.csv"))

        code = cli.main(
            bill_args(path, "--tariff GD-CI-TOU --period 2025-07 --capacity-kva 400 --format html")
        )

        page = capsys.readouterr().out
        assert code == 0
        assert 'class="reads"' not in page
        assert "88440.59 CNY" in page

    def test_a_bad_deadline_exits_2(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = a_file(tmp_path, sample_text("residential_2025_07.csv"))

        code = cli.main(
            bill_args(
                path,
                "--tariff JS-RES-TOU --period 2025-07 --residential --format html",
                "--due-on soon",
            )
        )

        assert code == 2
        assert "--due-on" in capsys.readouterr().err
