from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from powerretail.adapters.retail_library import (
    load_reference_file,
    load_shipped_reference,
    shipped_references,
)
from powerretail.errors import FloatNotAllowed, InvalidInput
from powerretail.retail.reference_prices import (
    ReferenceKind,
    ReferencePrice,
    ReferencePriceMissing,
    as_month,
    loads_reference_toml,
    reference_from_mapping,
)

_HEAD = """
code = "S"
name_zh = "s"
name_en = "s"
kind = "spot_average"
source = "trading centre"
"""


class TestAsMonth:
    def test_reads_a_month_text_and_a_first_day(self) -> None:
        assert as_month("2025-07") == date(2025, 7, 1) == as_month(date(2025, 7, 1))

    @pytest.mark.parametrize("value", ["2025-13", "2025/07", date(2025, 7, 2), 202507, "abcdefg"])
    def test_refuses_anything_else(self, value: object) -> None:
        with pytest.raises(InvalidInput):
            as_month(value)


class TestReferenceSeries:
    def test_finds_the_price_of_any_day_of_the_month(self) -> None:
        series = load_shipped_reference("JS-MLT-AVG")

        assert series.price_for(date(2025, 7, 19)).yuan_per_kwh == Decimal("0.3850")

    def test_refuses_a_month_not_published_naming_the_series_and_month(self) -> None:
        series = load_shipped_reference("JS-AGENCY")

        with pytest.raises(ReferencePriceMissing) as refused:
            series.price_for(date(2025, 9, 1))

        assert str(refused.value) == (
            'reference price series "JS-AGENCY" has no price published for 2025-09'
        )

    def test_publishing_a_month_twice_is_refused(self) -> None:
        series = load_shipped_reference("JS-MLT-AVG")

        with pytest.raises(InvalidInput, match="each month published once"):
            series.with_price(ReferencePrice(month="2025-07", yuan_per_kwh="0.4"))

    def test_a_new_month_is_added(self) -> None:
        series = load_shipped_reference("JS-MLT-AVG")

        later = series.with_price(ReferencePrice(month="2025-09", yuan_per_kwh="0.4"))

        assert later.price_for(date(2025, 9, 1)).yuan_per_kwh == Decimal("0.4")

    def test_every_shipped_series_loads(self) -> None:
        kinds = {load_shipped_reference(code).kind for code in shipped_references()}

        assert kinds == set(ReferenceKind)


class TestReferenceFile:
    def test_reads_a_toml_date_as_its_month(self) -> None:
        series = loads_reference_toml(
            _HEAD + "[[prices]]\nmonth = 2025-07-01\nyuan_per_kwh = 0.36\n"
        )

        assert series.prices[0].month == date(2025, 7, 1)

    @pytest.mark.parametrize(
        ("tail", "field"),
        [
            ('[[prices]]\nmonth = "2025-07"\nyuan_per_kwh = -0.1\n', "prices[0].yuan_per_kwh"),
            ('[[prices]]\nmonth = "2025-07"\nyuan_per_kwh = 0.1\nx = 1\n', "prices[0].x"),
            ("[[prices]]\nmonth = 2025-07-02\nyuan_per_kwh = 0.1\n", "prices[0].month"),
            ('[[prices]]\nmonth = "2025-07"\n', "prices[0].yuan_per_kwh"),
        ],
    )
    def test_refuses_a_bad_price_naming_its_path(self, tail: str, field: str) -> None:
        with pytest.raises(InvalidInput) as refused:
            loads_reference_toml(_HEAD + tail)

        assert refused.value.field == field

    def test_refuses_an_unknown_kind_and_status(self) -> None:
        with pytest.raises(InvalidInput, match="kind"):
            loads_reference_toml(_HEAD.replace("spot_average", "x") + "prices = []")
        with pytest.raises(InvalidInput, match="status"):
            loads_reference_toml(_HEAD + 'status = "maybe"\nprices = []')

    def test_refuses_text_that_is_not_toml(self) -> None:
        with pytest.raises(InvalidInput):
            loads_reference_toml("code = ")
        with pytest.raises(InvalidInput):
            loads_reference_toml(b"code")  # type: ignore[arg-type]

    def test_refuses_a_float_in_a_mapping(self) -> None:
        data = {
            "code": "S",
            "name_zh": "s",
            "name_en": "s",
            "kind": "spot_average",
            "source": "x",
            "prices": [{"month": "2025-07", "yuan_per_kwh": 0.1}],
        }
        with pytest.raises(FloatNotAllowed):
            reference_from_mapping(data)

    def test_refuses_a_bad_code(self) -> None:
        with pytest.raises(InvalidInput, match="code"):
            loads_reference_toml(_HEAD.replace('"S"', '"S 1"') + "prices = []")


def test_loads_a_reference_file_from_disk(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.toml"
    path.write_text(_HEAD + 'status = "confirmed"\nprices = []\n', encoding="utf-8")

    assert load_reference_file(path).status.value == "confirmed"


def test_refuses_a_blank_name() -> None:
    with pytest.raises(InvalidInput, match="non-blank"):
        loads_reference_toml(_HEAD.replace('name_zh = "s"', 'name_zh = " "') + "prices = []")


def test_deeply_nested_toml_is_invalid_input_not_a_recursion_error() -> None:
    # Failed before the series reader shared the tariff reader's TOML step: RecursionError escaped.
    with pytest.raises(InvalidInput, match='series: expected TOML text, got "nesting too deep"'):
        loads_reference_toml("a = " + "[" * 100_000)
