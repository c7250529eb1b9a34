"""The tariff file fields for any utility: daily charges, minimum bills, tier bounds per day."""

from __future__ import annotations

from decimal import Decimal

import pytest

from powerretail.errors import InvalidInput
from powerretail.tariffs.describe import describe_tariff
from powerretail.tariffs.model import (
    DailyCharge,
    MinimumCharge,
    MonthlyTiers,
    Tier,
    TierBounds,
    TimeOfUseTiers,
)
from powerretail.tariffs.parser import dump_toml, loads_toml

HEAD = """
code = "ANY"
name_zh = "任意"
name_en = "any"
category = "residential"
[[versions]]
label = "1"
effective_from = 2025-01-01
"""

CHARGES = """
[[versions.charges]]
type = "daily"
code = "customer"
name_zh = "基本费"
name_en = "customer charge"
source = "demo"
yuan_per_day = 0.4929
[[versions.charges]]
type = "monthly_tiers"
code = "energy"
name_zh = "电度电费"
name_en = "energy"
source = "demo"
bounds_per = "day"
tiers = [{ upto = 10, yuan_per_kwh = 0.30 }, { upto = 99999, yuan_per_kwh = 0.50 }]
[[versions.charges]]
type = "minimum"
code = "minimum"
name_zh = "最低电费"
name_en = "minimum bill"
source = "demo"
yuan_per_month = 20
"""


def test_the_new_fields_are_read_and_dumped_back() -> None:
    tariff = loads_toml(HEAD + CHARGES)
    daily, tiers, minimum = tariff.versions[0].charges
    assert isinstance(daily, DailyCharge)
    assert daily.yuan_per_day == Decimal("0.4929")
    assert isinstance(tiers, MonthlyTiers)
    assert tiers.bounds_per is TierBounds.DAY
    assert tiers.tiers[-1] == Tier(None, "0.50")  # the open last tier: its bound is dropped
    assert isinstance(minimum, MinimumCharge)
    assert minimum.yuan_per_month == 20
    assert loads_toml(dump_toml(tariff)) == tariff
    text = describe_tariff(tariff)
    assert "0.4929 元/天" in text
    assert "bounds per day" in text
    assert "at least 20 元/月" in text


def test_a_minimum_per_day_round_trips() -> None:
    tariff = loads_toml(HEAD + CHARGES.replace("yuan_per_month = 20", "yuan_per_day = 0.6"))
    assert loads_toml(dump_toml(tariff)) == tariff
    assert "at least 0.6 元/天" in describe_tariff(tariff)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('bounds_per = "day"', 'bounds_per = "week"', "versions[0].charges[1].bounds_per"),
        ("yuan_per_month = 20", "", "versions[0].charges[2].yuan_per_month"),
        ("yuan_per_day = 0.4929", 'yuan_per_day = "x"', "versions[0].charges[0].yuan_per_day"),
    ],
)
def test_bad_values_name_their_path(old: str, new: str, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        loads_toml(HEAD + CHARGES.replace(old, new))
    assert caught.value.field == field


TOU_TIERS = """
[versions.schedules.day_night]
seasons = [{ name = "all", months = [1,2,3,4,5,6,7,8,9,10,11,12], windows = [
    { bucket = "peak", start = "08:00", end = "21:00" },
    { bucket = "valley", start = "21:00", end = "08:00" },
] }]
[[versions.charges]]
type = "tou_tiers"
code = "tou"
name_zh = "分时阶梯"
name_en = "tou tiers"
source = "demo"
schedule = "day_night"
bounds_per = "day"
buckets = [
    { bucket = "peak", tiers = [{ upto = 10, yuan_per_kwh = 0.6 }, { yuan_per_kwh = 0.8 }] },
    { bucket = "valley", tiers = [{ yuan_per_kwh = 0.3 }] },
]
"""


def test_tiers_inside_time_of_use_round_trip() -> None:
    tariff = loads_toml(HEAD + TOU_TIERS)
    charge = tariff.versions[0].charges[0]
    assert isinstance(charge, TimeOfUseTiers)
    assert charge.ladders["peak"] == (Tier(10, "0.6"), Tier(None, "0.8"))
    assert loads_toml(dump_toml(tariff)) == tariff
    assert "peak to 10: 0.6, above: 0.8; valley above: 0.3" in describe_tariff(tariff)


def test_a_bucket_ladder_names_its_path() -> None:
    with pytest.raises(InvalidInput) as caught:
        loads_toml(HEAD + TOU_TIERS.replace('{ bucket = "valley", tiers', '{ bucket = "", tiers'))
    assert caught.value.field == "versions[0].charges[0].buckets[1].bucket"
