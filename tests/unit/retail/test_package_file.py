from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from powerretail.adapters.retail_library import (
    load_package_file,
    load_shipped_package,
    shipped_packages,
)
from powerretail.errors import InvalidInput, NotFound
from powerretail.retail.package_file import (
    PACKAGE_SPECS,
    format_package_reference,
    loads_package_toml,
    package_from_mapping,
)
from powerretail.retail.packages import PricingKind
from powerretail.retail.reference_prices import REFERENCE_SPECS

_HEAD = """
code = "P"
name_zh = "p"
name_en = "p"
[[versions]]
label = "2025"
effective_from = 2025-01-01
source = "s"
"""


class TestLoadsPackageToml:
    def test_every_shipped_package_loads_and_covers_every_kind(self) -> None:
        kinds = {load_shipped_package(code).versions[0].kind for code in shipped_packages()}

        assert kinds == set(PricingKind)

    def test_reads_every_feature(self) -> None:
        package = load_shipped_package("PKG-MIX")
        version = package.versions[0]

        assert version.share_fixed == Decimal("0.6")
        assert version.excess_profit is not None
        assert version.excess_profit.refund_share == Decimal("0.5")
        assert load_shipped_package("PKG-FIXED-TOU").versions[0].tou.notice == "JS-426"  # type: ignore[union-attr]

    @pytest.mark.parametrize(
        ("tail", "field"),
        [
            ('kind = "fixed"\n', "versions[0].fixed_yuan_per_kwh"),
            ('kind = "nope"\n', "versions[0].kind"),
            ('kind = "fixed"\nfixed_yuan_per_kwh = 0.4\ncolour = "red"\n', "versions[0].colour"),
            (
                'kind = "fixed"\nfixed_yuan_per_kwh = 0.4\nreference = "R"\n',
                "versions[0].reference",
            ),
            (
                'kind = "mix"\nfixed_yuan_per_kwh = 0.4\nreference = "R"\nshare_fixed = 1.2\n',
                "versions[0].share_fixed",
            ),
            (
                'kind = "fixed"\nfixed_yuan_per_kwh = 0.4\n[versions.tou]\nratios = { peak = 0 }\n',
                "versions[0].tou.ratios.peak",
            ),
            (
                'kind = "fixed"\nfixed_yuan_per_kwh = 0.4\n[versions.tou]\nratios = 1\n',
                "versions[0].tou.ratios",
            ),
            (
                (
                    'kind = "fixed"\nfixed_yuan_per_kwh = 0.4\n[versions.tou]\nnotice = "JS-426"\n'
                    "ratios = { peak = 1.6, flat = 1, valley = 0.35 }\n"
                ),
                "versions[0].tou.ratios.peak",
            ),
            (
                (
                    'kind = "fixed"\nfixed_yuan_per_kwh = 0.4\n[versions.excess_profit]\n'
                    "threshold_yuan_per_kwh = 0.02\nrefund_share = 2\n"
                ),
                "versions[0].excess_profit.refund_share",
            ),
            (
                (
                    'kind = "fixed"\nfixed_yuan_per_kwh = 0.4\n[versions.excess_profit]\n'
                    "threshold_yuan_per_kwh = 0.02\n"
                ),
                "versions[0].excess_profit.refund_share",
            ),
            ('kind = "fixed"\nfixed_yuan_per_kwh = 0.4\nstatus = "maybe"\n', "versions[0].status"),
            (
                'kind = "fixed"\nfixed_yuan_per_kwh = 0.4\neffective_to = 2024-01-01\n',
                "versions[0].effective_to",
            ),
        ],
    )
    def test_refuses_a_bad_version_naming_its_path(self, tail: str, field: str) -> None:
        with pytest.raises(InvalidInput) as refused:
            loads_package_toml(_HEAD + tail)

        assert refused.value.field == field

    def test_reads_an_end_date_and_a_confirmed_status(self) -> None:
        package = loads_package_toml(
            _HEAD
            + 'kind = "fixed"\nfixed_yuan_per_kwh = 0.4\neffective_to = 2026-01-01\n'
            + 'status = "confirmed"\nnote = "n"\n'
        )

        assert package.versions[0].effective_to is not None
        assert package.versions[0].status.value == "confirmed"

    def test_refuses_what_is_not_toml(self) -> None:
        with pytest.raises(InvalidInput):
            loads_package_toml("code = ")
        with pytest.raises(InvalidInput):
            loads_package_toml(None)  # type: ignore[arg-type]

    def test_refuses_a_mapping_missing_versions(self) -> None:
        with pytest.raises(InvalidInput, match="versions"):
            package_from_mapping({"code": "P", "name_zh": "p", "name_en": "p"})


class TestFiles:
    def test_loads_a_file_from_disk(self, tmp_path) -> None:  # type: ignore[no-untyped-def]
        path = tmp_path / "p.toml"
        path.write_text(_HEAD + 'kind = "fixed"\nfixed_yuan_per_kwh = 0.4\n', encoding="utf-8")

        assert load_package_file(path).code == "P"

    def test_a_missing_file_or_shipped_code_is_not_found(self, tmp_path) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(NotFound):
            load_package_file(tmp_path / "none.toml")
        with pytest.raises(NotFound):
            load_shipped_package("NOPE")


def test_the_reference_lists_every_field_of_the_format() -> None:
    text = format_package_reference()

    for table, fields in PACKAGE_SPECS.items():
        assert f"### `{table}`" in text
        for field in fields:
            assert f"| `{field.name}` |" in text


def test_the_format_page_shows_the_parsers_fields() -> None:
    page = (Path(__file__).parents[3] / "docs/reference/package-file-format.md").read_text(
        encoding="utf-8"
    )
    start = page.index("<!-- fields:start -->") + len("<!-- fields:start -->")
    end = page.index("<!-- fields:end -->")

    assert page[start:end].strip() == format_package_reference().strip()
    for table, fields in REFERENCE_SPECS.items():
        assert f"### `{table}`" in page
        for field in fields:
            assert f"| `{field.name}` |" in page


def test_deeply_nested_toml_is_invalid_input_not_a_recursion_error() -> None:
    # Failed before the package reader shared the tariff reader's TOML step: RecursionError escaped.
    with pytest.raises(InvalidInput, match='package: expected TOML text, got "nesting too deep"'):
        loads_package_toml("a = " + "[" * 100_000)
