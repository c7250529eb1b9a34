"""Tariffs in currencies other than CNY: amounts keep the currency, round to its minor unit."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from powerretail.billing.determinants import Determinants
from powerretail.billing.engine import price_bill
from powerretail.errors import InvalidInput, UnitMismatch
from powerretail.quantities import Money
from powerretail.tariffs.model import EnergyCharge, Tariff, TariffVersion
from powerretail.tariffs.parser import loads_toml
from powerretail.timeframe import DateRange
from tests.strategies.tariffs import NAMES


def tariff_in(currency: str, extra: str = "") -> str:
    return f"""
code = "CUR"
name_zh = "币种"
name_en = "currency"
category = "residential"
currency = "{currency}"
{extra}
[[versions]]
label = "1"
effective_from = 2025-01-01
[[versions.charges]]
type = "fixed"
code = "customer"
name_zh = "基本费"
name_en = "customer charge"
source = "demo"
yuan_per_month = 9.99
[[versions.charges]]
type = "energy"
code = "energy"
name_zh = "电度电费"
name_en = "energy"
source = "demo"
yuan_per_kwh = 0.12345
"""


JULY = DateRange.month(2025, 7)


def test_a_usd_bill_rounds_each_line_to_cents() -> None:
    """July, 333 kWh: 333 × 0.12345 = 41.10885 → 41.11 USD; 9.99 USD a month; 51.10 USD."""
    tariff = loads_toml(tariff_in("USD", "minor_unit = 2"))
    bill = price_bill(tariff, Determinants(energy_kwh={"total": "333"}), JULY)
    assert [str(line.amount) for line in bill.lines] == ["9.99 USD", "41.11 USD"]
    assert [line.rate_unit for line in bill.lines] == ["USD/month", "USD/kWh"]
    assert bill.total == Money("51.10", "USD")


def test_a_jpy_bill_rounds_to_whole_yen_without_being_told() -> None:
    """JPY has no minor unit: 333 × 0.12345 = 41.10885 → 41 JPY; 9.99 → 10 JPY."""
    tariff = loads_toml(tariff_in("JPY").replace("9.99", "9.99"))
    assert tariff.rounding.step == 1
    bill = price_bill(tariff, Determinants(energy_kwh={"total": "333"}), JULY)
    assert [str(line.amount.amount) for line in bill.lines] == ["10", "41"]
    assert bill.total == Money("51", "JPY")


def test_a_minor_unit_that_contradicts_the_currency_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        loads_toml(tariff_in("JPY", "minor_unit = 2"))
    assert caught.value.field == "minor_unit"
    assert "0, the decimals of JPY" in str(caught.value)


def test_an_unknown_currency_is_refused() -> None:
    with pytest.raises(InvalidInput, match="currency"):
        loads_toml(tariff_in("XYZ"))


def test_money_in_two_currencies_never_adds() -> None:
    with pytest.raises(UnitMismatch):
        _ = Money("1.00", "USD") + Money("1.00", "CNY")


def test_a_bill_refuses_a_line_in_another_currency() -> None:
    """Before the fix a CNY bill summed a USD line into a CNY total without a word."""
    tariff = loads_toml(tariff_in("USD"))
    bill = price_bill(tariff, Determinants(energy_kwh={"total": "1"}), JULY)
    with pytest.raises(InvalidInput, match="currencies never mix"):
        attrs.evolve(bill, currency="CNY")
    assert attrs.evolve(bill, currency="USD").total == bill.total


def test_amounts_of_a_usd_bill_keep_their_currency_in_its_dict() -> None:
    tariff = loads_toml(tariff_in("USD"))
    bill = price_bill(tariff, Determinants(energy_kwh={"total": "1"}), JULY)
    assert {line.amount.currency for line in bill.lines} == {"USD"}
    assert bill.total.amount == Decimal("10.11")


def test_a_tariff_built_in_python_rounds_to_its_currency_by_default() -> None:
    """JPY: 333 × 0.12345 = 41.10885 → 41 JPY without naming a rounding step."""
    charge = EnergyCharge(code="e", **NAMES, yuan_per_kwh="0.12345")
    version = TariffVersion(label="1", effective_from="2025-01-01", charges=[charge])
    tariff = Tariff(
        code="J",
        name_zh="日元",
        name_en="yen",
        category="other",
        currency="JPY",
        versions=[version],
    )
    assert tariff.rounding.step == 1
    bill = price_bill(tariff, Determinants(energy_kwh={"total": "333"}), JULY)
    assert bill.total == Money("41", "JPY")
    assert attrs.evolve(tariff, currency="CNY").rounding.step == 1  # evolve keeps what was set
