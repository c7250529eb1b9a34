"""The ``bill`` and ``demo`` commands, through ``powerretail.cli.main``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from powerretail import cli
from powerretail.adapters.tariff_library import sample_text
from powerretail.billing.usage import IntervalSeries
from powerretail.cli.bill import parse_period, usage_from_csv
from powerretail.cli.demo import bill_customers, load_demo_customers
from powerretail.errors import InvalidInput, NotFound
from powerretail.timeframe import DateRange


def a_reads_file(tmp_path: Path, name: str = "two_part_2025_07.csv") -> str:
    path = tmp_path / name
    path.write_text(sample_text(name), encoding="utf-8")
    return str(path)


class TestBillCommand:
    def test_prints_the_explained_bill(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code = cli.main(
            [
                "bill",
                "--tariff",
                "JS-CI-TOU-2P",
                "--reads",
                a_reads_file(tmp_path),
                "--period",
                "2025-07",
                "--capacity-kva",
                "1000",
                "--contract-demand-kw",
                "600",
                "--basis",
                "demand",
                "--pf-standard",
                "0.90",
                "--account",
                "JS-I-0007",
            ]
        )

        out = capsys.readouterr().out
        assert code == 0
        assert "193830.20 CNY" in out
        assert "account JS-I-0007" in out

    def test_prints_json_with_money_as_strings(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code = cli.main(
            [
                "bill",
                "--tariff",
                "JS-RES-TOU",
                "--reads",
                a_reads_file(tmp_path, "residential_2025_07.csv"),
                "--period",
                "2025-07-10..2025-08-01",
                "--residential",
                "--ytd-kwh",
                "2500",
                "--json",
                "--opened-on",
                "2025-07-10",
                "--closed-on",
                "2025-09-01",
            ]
        )

        data = json.loads(capsys.readouterr().out)
        assert code == 0
        assert data["total"] == "360.89"  # tier bounds × 6/12: all 462.6 kWh in tier 3
        assert data["period"] == {
            "start": "2025-07-10",
            "last_day": "2025-07-31",
            "end": "2025-08-01",
        }

    def test_bills_interval_data_in_chinese(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        reads = a_reads_file(tmp_path, "gd_factory_2025_07.csv")

        code = cli.main(
            [
                "bill",
                "--tariff",
                "GD-CI-TOU",
                "--reads",
                reads,
                "--period",
                "2025-07",
                "--lang",
                "zh",
            ]
        )

        assert code == 0
        assert "尖峰" in capsys.readouterr().out

    def test_reports_a_missing_reads_file_with_exit_code_2(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code = cli.main(
            [
                "bill",
                "--tariff",
                "JS-RES-TOU",
                "--reads",
                str(tmp_path / "x.csv"),
                "--period",
                "2025-07",
            ]
        )

        assert code == 2
        assert "no reads file" in capsys.readouterr().err


class TestReadingInputs:
    @pytest.mark.parametrize(
        ("text", "period"),
        [
            ("2025-07", DateRange.month(2025, 7)),
            ("2025-07-10..2025-08-01", DateRange("2025-07-10", "2025-08-01")),
        ],
    )
    def test_reads_a_month_or_a_range(self, text: str, period: DateRange) -> None:
        assert parse_period(text) == period

    def test_refuses_another_period(self) -> None:
        with pytest.raises(InvalidInput, match="period"):
            parse_period("July")

    def test_names_the_csv_line_of_a_bad_read(self) -> None:
        with pytest.raises(InvalidInput, match=r"line 3\.multiplier"):
            usage_from_csv("register,previous,current,multiplier\npeak,0,1,1\npeak,0,1,0\n")

    def test_refuses_unknown_columns(self) -> None:
        with pytest.raises(InvalidInput, match="the columns of powerretail validate"):
            usage_from_csv("when,what\n1,2\n")
        with pytest.raises(InvalidInput, match="nothing"):
            usage_from_csv("")

    def test_reads_a_single_interval_as_a_quarter_hour(self) -> None:
        series = usage_from_csv("meter_id,interval_start,kwh\nM-1,2025-07-01T00:00:00+08:00,1.5\n")

        assert isinstance(series, IntervalSeries)
        assert series.minutes == 15


class TestDemo:
    def test_bills_every_sample_customer(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert cli.main(["demo"]) == 0

        out = capsys.readouterr().out
        assert out.count("=== ") == 4
        assert "193830.20" in out

    def test_prints_json_and_chinese(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert cli.main(["demo", "--json"]) == 0
        assert len(json.loads(capsys.readouterr().out)) == 4
        assert cli.main(["demo", "--lang", "zh"]) == 0
        assert "合计" in capsys.readouterr().out

    def test_the_billing_part_is_a_function(self) -> None:
        bills = bill_customers(load_demo_customers())

        assert [bill.account_id for bill in bills] == [
            "JS-R-0001",
            "JS-C-0042",
            "JS-I-0007",
            "GD-I-0311",
        ]

    def test_refuses_a_customer_without_usage(self) -> None:
        text = (
            'customers = [{account_id = "X", name = "x", tariff = "JS-RES-TOU", '
            'period = ["2025-07-01", "2025-08-01"]}]'
        )

        with pytest.raises(InvalidInput, match="reads, intervals or registers"):
            load_demo_customers(text)

    def test_a_missing_sample_is_not_found(self) -> None:
        with pytest.raises(NotFound):
            sample_text("../demo.toml")


class TestUsageFromCsvRefusesRowsOutOfShape:
    @pytest.mark.parametrize(
        ("text", "field"),
        [
            ("register,previous,current\npeak,1\n", "line 2.current"),
            ("register,current\npeak,1,2,3\n", "line 2"),
            ('register,current\n"' + "a" * 200_000 + '"\n', "reads"),
            ('meter_id,interval_start,kwh\n"' + "a" * 200_000 + '"\n', "line 2"),
        ],
    )
    def test_a_short_or_long_row_or_a_huge_field_is_invalid_input(
        self, text: str, field: str
    ) -> None:
        with pytest.raises(InvalidInput) as caught:
            usage_from_csv(text)

        assert caught.value.field == field


class TestDemoFileRefusesWhatItCannotRead:
    @pytest.mark.parametrize(
        ("text", "field"),
        [
            ("customers = [", "demo"),
            ("customers = 1\n", "customers"),
            ("[[customers]]\naccount_id = 'x'\n", "customers[0].name"),
            (
                (
                    "[[customers]]\naccount_id = 'x'\nname = 'x'\ntariff = 'JS-RES-TOU'\n"
                    "period = '2025-07'\nregisters = []\n"
                ),
                "customers[0]",
            ),
        ],
    )
    def test_names_the_customer_and_the_field(self, text: str, field: str) -> None:
        with pytest.raises(InvalidInput) as caught:
            load_demo_customers(text)

        assert caught.value.field == field
