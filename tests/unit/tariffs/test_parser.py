"""Tariff files: strict reading with paths in errors, dumping back to TOML."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from powerretail.adapters.tariff_library import load_shipped, shipped_codes
from powerretail.errors import InvalidInput, PowerRetailError
from powerretail.tariffs.model import VersionStatus
from powerretail.tariffs.parser import (
    dump_toml,
    format_reference,
    from_mapping,
    loads_json,
    loads_toml,
    to_mapping,
)

DOCS = Path(__file__).parents[3] / "docs" / "reference" / "tariff-file-format.md"


def a_mapping() -> dict[str, Any]:
    return copy.deepcopy(to_mapping(load_shipped("JS-CI-TOU-2P")))


def residential() -> dict[str, Any]:
    return copy.deepcopy(to_mapping(load_shipped("JS-RES-TOU")))


class TestFromMapping:
    def test_names_the_path_of_a_bad_tier_bound(self) -> None:
        data = residential()
        data["versions"].insert(0, copy.deepcopy(data["versions"][0]))
        data["versions"][0]["effective_to"] = data["versions"][1]["effective_from"]
        data["versions"][0]["effective_from"] = "2010-01-01"
        data["versions"][1]["charges"][1]["tiers"][0]["upto"] = "abc"

        with pytest.raises(InvalidInput) as caught:
            from_mapping(data)

        assert str(caught.value) == (
            'versions[1].charges[1].tiers[0].upto: expected a number of kWh, got "abc"'
        )
        assert caught.value.field == "versions[1].charges[1].tiers[0].upto"

    def test_refuses_an_unknown_field(self) -> None:
        data = a_mapping()
        data["versions"][0]["charges"][0]["colour"] = "red"

        with pytest.raises(
            InvalidInput, match=r"versions\[0\].charges\[0\].colour: .*no such field"
        ):
            from_mapping(data)

    def test_refuses_a_missing_required_field(self) -> None:
        data = a_mapping()
        del data["versions"][0]["label"]

        with pytest.raises(InvalidInput, match=r"versions\[0\].label"):
            from_mapping(data)

    def test_refuses_overlapping_versions(self) -> None:
        data = residential()
        data["versions"].append(copy.deepcopy(data["versions"][0]))
        data["versions"][1]["label"] = "2020"
        data["versions"][1]["effective_from"] = "2020-01-01"

        with pytest.raises(InvalidInput, match=r"versions\[1\].effective_from.*overlap"):
            from_mapping(data)

    def test_puts_the_path_in_front_of_model_errors(self) -> None:
        data = a_mapping()
        data["versions"][0]["schedules"]["js426"]["seasons"][0]["windows"][0]["start"] = "00:10"

        with pytest.raises(InvalidInput, match=r"seasons\[0\].windows\[0\].start"):
            from_mapping(data)

    def test_refuses_a_python_float(self) -> None:
        data = residential()
        data["versions"][0]["charges"][0]["prices"][0]["yuan_per_kwh"] = 0.5583

        with pytest.raises(InvalidInput, match=r"prices\[0\].yuan_per_kwh"):
            from_mapping(data)

    @pytest.mark.parametrize(
        ("path", "value", "match"),
        [
            (("versions", 0, "charges", 0, "type"), "bogus", "type"),
            (("versions", 0, "charges", 0), "not a table", r"charges\[0\]"),
            (("versions", 0, "effective_from"), "2025-13-01", "effective_from"),
            (("versions", 0, "schedules"), [], "schedules"),
            (("versions", 0, "schedules", "js426", "holidays"), ["x"], r"holidays\[0\]"),
            (("versions", 0, "schedules", "js426", "seasons", 0, "months"), [1.5], r"months\[0\]"),
            (("versions", 0, "schedules", "js426", "seasons", 0, "day_types"), 3, "day_types"),
            (
                ("versions", 0, "schedules", "js426", "overlays", 0, "day_types"),
                [1],
                r"day_types\[0\]",
            ),
            (("versions", 0, "charges", 0, "part_month_days"), "30", "part_month_days"),
            (("versions", 0, "charges", 0, "code"), 7, "code"),
            (("versions", 0, "status"), "draft", "status"),
            (("versions",), {}, "versions"),
            (("rounding_mode",), "ROUND_NICELY", "rounding.mode"),
        ],
    )
    def test_names_the_path_of_each_problem(
        self, path: tuple[Any, ...], value: object, match: str
    ) -> None:
        data = a_mapping()
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

        with pytest.raises(InvalidInput, match=match):
            from_mapping(data)

    def test_reads_day_types_and_every_charge_type(self) -> None:
        data = residential()
        season = data["versions"][0]["schedules"]["residential"]["seasons"][0]
        season["day_types"] = {"weekend": [{"bucket": "valley", "start": "00:00", "end": "24:00"}]}
        data["versions"][0]["charges"].extend(
            [
                {
                    "type": "fixed",
                    "code": "meter",
                    "name_zh": "表",
                    "name_en": "meter",
                    "source": "s",
                    "yuan_per_month": "2",
                },
                {
                    "type": "monthly_tiers",
                    "code": "m",
                    "name_zh": "月",
                    "name_en": "month",
                    "source": "s",
                    "tiers": [{"upto": 200, "yuan_per_kwh": 0}, {"yuan_per_kwh": "0.1"}],
                },
                {
                    "type": "power_factor",
                    "code": "pf",
                    "name_zh": "力调",
                    "name_en": "pf",
                    "source": "s",
                    "base_codes": ["energy"],
                    "default_standard": "0.85",
                },
            ]
        )

        tariff = from_mapping(data)

        assert loads_toml(dump_toml(tariff)) == tariff
        assert [c.kind for c in tariff.versions[0].charges][2:] == [
            "fixed",
            "monthly_tiers",
            "power_factor",
        ]

    def test_refuses_something_that_is_not_a_table(self) -> None:
        with pytest.raises(InvalidInput, match="tariff: expected a table"):
            from_mapping([1, 2])


class TestTextFormats:
    @pytest.mark.parametrize("code", shipped_codes())
    def test_shipped_tariffs_round_trip_through_toml_and_json(self, code: str) -> None:
        tariff = load_shipped(code)

        assert loads_toml(dump_toml(tariff)) == tariff
        assert loads_json(json.dumps(to_mapping(tariff), default=str)) == tariff

    def test_marks_uncertain_prices_illustrative_in_the_file(self) -> None:
        for code in ("JS-CI-TOU-2P", "JS-CI-TOU-1P", "GD-CI-TOU"):
            version = load_shipped(code).versions[0]
            assert version.status is VersionStatus.ILLUSTRATIVE
            assert "ILLUSTRATIVE" in version.note

    @pytest.mark.parametrize(
        ("loader", "text"),
        [
            (loads_toml, "code = "),
            (loads_json, "{"),
            (loads_json, '{"code": NaN}'),
            (loads_toml, b"code = 1"),
            (loads_json, None),
        ],
    )
    def test_bad_text_is_invalid_input(self, loader: Any, text: Any) -> None:
        with pytest.raises(InvalidInput):
            loader(text)

    def test_deep_nesting_is_invalid_input(self) -> None:
        with pytest.raises(PowerRetailError):
            loads_json("[" * 100_000 + "]" * 100_000)

    def test_dump_quotes_keys_and_escapes_text(self) -> None:
        tariff = load_shipped("JS-RES-TOU")
        data = to_mapping(tariff)
        data["note"] = 'a "quoted"\\ note\nwith a line break\x7f'
        again = from_mapping(data)

        assert loads_toml(dump_toml(again)).note == data["note"]


class TestFormatReference:
    def test_the_reference_page_shows_the_parser_s_fields(self) -> None:
        page = DOCS.read_text(encoding="utf-8")
        start = page.index("<!-- fields:start -->") + len("<!-- fields:start -->")
        end = page.index("<!-- fields:end -->")

        assert page[start:end].strip() == format_reference().strip()
