"""The tariff file fields for any utility: daily charges, minimum bills, tier bounds per day."""

from __future__ import annotations

from datetime import date
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


HOLIDAY_RULES = """
[versions.schedules.us]
timezone = "America/New_York"
holiday_rules = [
    { name = "Thanksgiving", month = 11, weekday = "thursday", nth = 4 },
    { name = "Independence Day", month = 7, day = 4, observed = "nearest_weekday" },
]
[[versions.schedules.us.seasons]]
name = "all"
months = [1,2,3,4,5,6,7,8,9,10,11,12]
windows = [
    { bucket = "peak", start = "12:00", end = "20:00" },
    { bucket = "off_peak", start = "20:00", end = "12:00" },
]
day_types.weekend = [{ bucket = "off_peak", start = "00:00", end = "24:00" }]
day_types.holiday = [{ bucket = "off_peak", start = "00:00", end = "24:00" }]
[[versions.charges]]
type = "time_of_use"
code = "energy"
name_zh = "分时"
name_en = "tou"
source = "demo"
schedule = "us"
prices = [{ bucket = "peak", yuan_per_kwh = 0.3 }, { bucket = "off_peak", yuan_per_kwh = 0.1 }]
"""


def test_holiday_rules_make_their_days_holidays_in_any_year() -> None:
    tariff = loads_toml(HEAD + HOLIDAY_RULES)
    schedule = tariff.versions[0].schedules["us"]
    assert schedule.day_type(date(2025, 11, 27)) == "holiday"  # fourth Thursday
    assert schedule.day_type(date(2031, 11, 27)) == "holiday"  # no list runs out
    assert schedule.day_type(date(2026, 7, 3)) == "holiday"  # 4 July 2026 a Saturday
    assert schedule.day_type(date(2025, 11, 20)) == "workday"
    assert set(schedule.slots_on(date(2025, 11, 27))) == {"off_peak"}
    assert loads_toml(dump_toml(tariff)) == tariff
    assert "holidays by rule: Thanksgiving, Independence Day" in describe_tariff(tariff)


@pytest.mark.parametrize(
    ("old", "new", "field", "expected"),
    [
        ("nth = 4 }", "nth = 4, day = 1 }", "holiday_rules[0].weekday", "no weekday rule"),
        ("nth = 4 }", 'nth = 4, observed = "none" }', "holiday_rules[0].observed", "fixed"),
        ("nth = 4 }", "nth = 9 }", "holiday_rules[0].nth", "1-5"),
        ("month = 7, day = 4", "month = 7, day = 32", "holiday_rules[1].day", "a day 1-31"),
    ],
)
def test_bad_holiday_rules_name_their_path(old: str, new: str, field: str, expected: str) -> None:
    with pytest.raises(InvalidInput, match=expected) as caught:
        loads_toml(HEAD + HOLIDAY_RULES.replace(old, new))
    assert caught.value.field == f"versions[0].schedules.us.{field}"


def test_holiday_rules_do_not_mix_with_a_calendar() -> None:
    text = HOLIDAY_RULES.replace('timezone = "America/New_York"', 'holidays = "CN"')
    with pytest.raises(InvalidInput, match="either a holiday calendar or rules"):
        loads_toml(HEAD + text)
