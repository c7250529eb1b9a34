"""The ``tariff`` command and the tariff description, through ``powerretail.cli.main``."""

from __future__ import annotations

from pathlib import Path

import pytest

from powerretail import cli
from powerretail.adapters.tariff_library import shipped_text


class TestTariffCommand:
    def test_lists_the_shipped_tariffs(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert cli.main(["tariff", "list"]) == 0

        assert "JS-CI-TOU-2P" in capsys.readouterr().out

    @pytest.mark.parametrize("code", ["JS-CI-TOU-2P", "JS-RES-TOU", "GD-CI-TOU", "JS-CI-TOU-1P"])
    def test_shows_a_tariff_explained(self, code: str, capsys: pytest.CaptureFixture[str]) -> None:
        assert cli.main(["tariff", "show", code]) == 0

        out = capsys.readouterr().out
        assert out.startswith(code)
        assert "version" in out

    def test_show_names_overlays_and_holidays(self, capsys: pytest.CaptureFixture[str]) -> None:
        cli.main(["tariff", "show", "JS-CI-TOU-2P"])

        out = capsys.readouterr().out
        assert "overlay critical 14:00-15:00, 19:30-21:30 (months [7, 8])" in out
        assert "holidays" in out
        assert "or 38 元/kW·月" in out

    def test_checks_a_good_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        assert cli.main(["tariff", "check", "JS-RES-TOU"]) == 0
        assert capsys.readouterr().out == "ok: JS-RES-TOU, 1 version(s)\n"
        assert cli.main(["tariff", "check", "GD-CI-TOU"]) == 0
        assert "illustrative" in capsys.readouterr().out

    def test_check_names_the_path_of_a_problem_and_exits_2(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        bad = tmp_path / "bad.toml"
        bad.write_text(
            'code = "B"\nname_zh = "b"\nname_en = "b"\ncategory = "other"\n'
            '[[versions]]\nlabel = "1"\neffective_from = 2025-01-01\n'
            '[[versions.charges]]\ntype = "monthly_tiers"\ncode = "t"\nname_zh = "t"\n'
            'name_en = "t"\nsource = "s"\ntiers = [{upto = "abc", yuan_per_kwh = 1}]\n',
            encoding="utf-8",
        )

        assert cli.main(["tariff", "check", str(bad)]) == 2
        assert capsys.readouterr().err == (
            "powerretail: versions[0].charges[0].tiers[0].upto: "
            'expected a number of kWh, got "abc"\n'
        )


class TestCheckPlausibility:
    TYPO = shipped_text("JS-RES-TOU").replace("yuan_per_kwh = 0.5583", "yuan_per_kwh = 55.83")

    def write(self, tmp_path: Path, text: str) -> str:
        path = tmp_path / "tariff.toml"
        path.write_text(text, encoding="utf-8")
        return str(path)

    def test_warns_of_an_implausible_price_and_exits_0(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert cli.main(["tariff", "check", self.write(tmp_path, self.TYPO)]) == 0

        assert capsys.readouterr().out == (
            "warning: versions[0].charges[0].prices[0].yuan_per_kwh: 55.83 元/kWh is above 5 "
            "(the most a price of this kind plausibly is)\n"
            "implausible: JS-RES-TOU, 1 version(s), 1 price(s) outside the plausibility bounds\n"
        )

    def test_strict_exits_1_on_a_warning_and_0_without(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        negative = shipped_text("JS-RES-TOU").replace("= 0.3583", "= -0.3583")

        assert cli.main(["tariff", "check", "--strict", self.write(tmp_path, negative)]) == 1
        assert "-0.3583 元/kWh is below 0 (a negative price" in capsys.readouterr().out
        assert cli.main(["tariff", "check", "--strict", "JS-RES-TOU"]) == 0

    def test_a_rounding_step_the_currency_cannot_take_is_refused_at_load(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        text = "rounding_step = 0.001\n" + shipped_text("JS-RES-TOU")

        assert cli.main(["tariff", "check", self.write(tmp_path, text)]) == 2
        assert capsys.readouterr().err == (
            "powerretail: rounding_step: expected a step no finer than one minor unit of CNY "
            "(0.01), got 0.001\n"
        )
