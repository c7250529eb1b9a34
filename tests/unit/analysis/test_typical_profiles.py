"""Typical load profiles (BDEW 2025): bucket shares per class, tariff and period, exactly.

The golden shares are recomputed here from the shipped data file with the tariffs' windows
written out by hand and the days of the month listed from the State Council's holiday notice,
so the module's calendar walk, day types and H25 daily factor are checked against an
independent sum.
"""

from __future__ import annotations

import csv
import hashlib
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from powerretail.adapters.tariff_library import load_shipped
from powerretail.analysis import compile_tariff
from powerretail.analysis.profiles import (
    PROFILE_CLASSES,
    TypicalProfiles,
    apply_profile,
    profile_day_type,
    shipped_profiles,
    typical_profile,
    typical_profiles,
)
from powerretail.calendars.base import CalendarYearNotCovered
from powerretail.errors import InvalidInput, NotFound
from powerretail.tariffs.model import EnergyCharge, Tariff, TariffVersion
from powerretail.tariffs.tou import TouSchedule
from powerretail.timeframe import DateRange
from tests.analysis_exact import exact_bills

DATA = Path(str(resources.files("powerretail.analysis").joinpath("data", "typical_profiles.csv")))
#: sha256 of the shipped file: a change to a value or to the header is a deliberate edit.
DATA_SHA256 = "8b01fa6e3d8d2b41702aa45073ef7ddaec5014c32822d2740e1920fa67125b6f"


def _table() -> dict[tuple[str, int, str], list[int]]:
    lines = [ln for ln in DATA.read_text(encoding="utf-8").splitlines() if ln[:1] != "#"]
    rows = list(csv.reader(lines))
    assert rows[0][:4] == ["profile", "class", "month", "day_type"]
    assert rows[0][4:] == [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 15, 30, 45)]
    return {(r[1], int(r[2]), r[3]): [int(v) for v in r[4:]] for r in rows[1:]}


def _slots(*windows: tuple[str, str, str]) -> list[str]:
    """The bucket of each quarter hour from hand-written windows (end before start wraps)."""
    day = [""] * 96
    for bucket, start, end in windows:
        first = int(start[:2]) * 4 + int(start[3:]) // 15
        last = int(end[:2]) * 4 + int(end[3:]) // 15
        for slot in range(first, last if first < last else last + 96):
            day[slot % 96] = bucket
    assert "" not in day
    return day


def _h25_factor(day: date) -> Fraction:
    d = Fraction(day.timetuple().tm_yday)
    return (
        Fraction("-3.92e-10") * d**4
        + Fraction("3.2e-7") * d**3
        - Fraction("7.02e-5") * d**2
        + Fraction("0.0021") * d
        + Fraction("1.24")
    )


def test_the_data_file_is_the_shipped_bdew_tables_with_their_source() -> None:
    text = DATA.read_text(encoding="utf-8")
    assert hashlib.sha256(DATA.read_bytes()).hexdigest() == DATA_SHA256
    header = "\n".join(ln for ln in text.splitlines() if ln.startswith("#"))
    for needed in ("BDEW", "Standardlastprofile Strom", "2025", "demandlib 0.2.2", "MIT", "[Wh]"):
        assert needed in header
    table = _table()
    assert len(table) == 3 * 12 * 3
    assert {k[0] for k in table} == set(PROFILE_CLASSES)
    assert all(len(v) == 96 and min(v) > 0 for v in table.values())
    # Totals over every typical day of each class [Wh], summed from the source tables.
    assert {c: sum(sum(v) for k, v in table.items() if k[0] == c) for c in PROFILE_CLASSES} == {
        "household": 104_186_435,
        "commercial": 80_708_744,
        "agricultural": 98_227_596,
    }


@pytest.mark.parametrize("profile_class", PROFILE_CLASSES)
def test_a_year_of_typical_days_is_about_one_million_kwh(profile_class: str) -> None:
    # BDEW normalises each profile to about 1,000,000 kWh a year: the values are Wh a quarter
    # hour. German weekdays without holidays, 2025; H25 with its daily factor.
    table = _table()
    total = Fraction(0)
    day = date(2025, 1, 1)
    while day.year == 2025:
        kind = {5: "saturday", 6: "sunday_holiday"}.get(day.weekday(), "workday")
        factor = _h25_factor(day) if profile_class == "household" else 1
        total += factor * sum(table[profile_class, day.month, kind])
        day += timedelta(days=1)
    assert Fraction(985, 1000) * 10**9 < total < Fraction(1025, 1000) * 10**9
    assert shipped_profiles()[profile_class].days[7, "workday"] == tuple(
        table[profile_class, 7, "workday"]
    )


def _by_hand(
    profile_class: str, month: int, days: dict[int, tuple[str, list[str]]]
) -> dict[str, Fraction]:
    """Bucket shares of ``month`` of 2025: ``days`` gives each day's (day type, slot buckets)."""
    table = _table()
    energy: dict[str, Fraction] = {}
    for number, (kind, buckets) in days.items():
        day = date(2025, month, number)
        factor = _h25_factor(day) if profile_class == "household" else Fraction(1)
        for bucket, wh in zip(buckets, table[profile_class, month, kind], strict=True):
            energy[bucket] = energy.get(bucket, Fraction(0)) + factor * wh
    total = sum(energy.values())
    return {bucket: energy[bucket] / total for bucket in sorted(energy)}


def _six(shares: dict[str, Fraction]) -> dict[str, Decimal]:
    return {
        b: (Decimal(v.numerator) / v.denominator).quantize(Decimal("0.000001"))
        for b, v in shares.items()
    }


def test_golden_household_july_2025_on_the_jiangsu_residential_tou() -> None:
    # JS-RES-TOU: peak 08:00-21:00, valley 21:00-08:00 every day. July 2025 starts on a
    # Tuesday and has no public holiday: Saturdays 5, 12, 19, 26; Sundays 6, 13, 20, 27.
    day = _slots(("peak", "08:00", "21:00"), ("valley", "21:00", "08:00"))
    kinds = {5: "saturday", 12: "saturday", 19: "saturday", 26: "saturday"}
    kinds |= {6: "sunday_holiday", 13: "sunday_holiday", 20: "sunday_holiday", 27: "sunday_holiday"}
    expected = _by_hand("household", 7, {n: (kinds.get(n, "workday"), day) for n in range(1, 32)})

    shares = typical_profile("household", load_shipped("JS-RES-TOU"), DateRange.month(2025, 7))

    assert shares == expected
    assert _six(shares) == {"peak": Decimal("0.617906"), "valley": Decimal("0.382094")}


def test_golden_commercial_october_2025_on_jiangsu_ci_tou_over_national_day() -> None:
    # JS-CI-TOU-1P, spring and autumn windows; deep valley 10:00-14:00 on holidays.
    # 国办发明电〔2024〕12号: National Day and Mid-Autumn off 1-8 October 2025, Saturday
    # 11 October worked. October 2025 starts on a Wednesday.
    base = (
        ("valley", "02:00", "06:00"),
        ("flat", "06:00", "10:00"),
        ("flat", "14:00", "15:00"),
        ("peak", "15:00", "22:00"),
        ("flat", "22:00", "02:00"),
    )
    ordinary = _slots(*base, ("valley", "10:00", "14:00"))
    holiday = _slots(*base, ("deep_valley", "10:00", "14:00"))
    days = dict.fromkeys(range(1, 9), ("sunday_holiday", holiday))
    days |= dict.fromkeys((18, 25), ("saturday", ordinary))
    days |= dict.fromkeys((12, 19, 26), ("sunday_holiday", ordinary))
    days |= {n: ("workday", ordinary) for n in range(9, 32) if n not in days}
    expected = _by_hand("commercial", 10, dict(sorted(days.items())))

    shares = typical_profile("commercial", load_shipped("JS-CI-TOU-1P"), DateRange.month(2025, 10))

    assert shares == expected
    assert sum(shares.values()) == 1
    assert _six(shares) == {
        "deep_valley": Decimal("0.029374"),
        "flat": Decimal("0.356220"),
        "peak": Decimal("0.293183"),
        "valley": Decimal("0.321223"),
    }


def _schedule(tariff: str) -> TouSchedule:
    version = load_shipped(tariff).version_on(date(2025, 10, 1))
    return next(iter(version.schedules.values()))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 9, 28), "workday"),  # Sunday worked for National Day (调休)
        (date(2025, 10, 1), "sunday_holiday"),  # National Day, a Wednesday
        (date(2025, 10, 4), "sunday_holiday"),  # a Saturday inside the holiday
        (date(2025, 10, 10), "workday"),
        (date(2025, 10, 11), "workday"),  # Saturday worked (调休)
        (date(2025, 10, 18), "saturday"),
        (date(2025, 10, 19), "sunday_holiday"),
    ],
)
@pytest.mark.parametrize("tariff", ["JS-CI-TOU-1P", "JS-RES-TOU"])
def test_day_types_follow_the_chinese_calendar_with_make_up_days(
    tariff: str, day: date, expected: str
) -> None:
    # JS-CI-TOU-1P names the CN calendar; JS-RES-TOU names none, so the CN calendar is used.
    assert profile_day_type(day, _schedule(tariff)) == expected


class _NoHolidays:
    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5

    def holiday_name(self, day: date) -> str | None:
        return None


def test_a_given_calendar_or_the_schedules_own_dates_decide_the_day_type() -> None:
    assert profile_day_type(date(2025, 10, 1), _schedule("JS-CI-TOU-1P"), _NoHolidays()) == (
        "workday"
    )
    assert profile_day_type(date(2025, 10, 4), _schedule("JS-CI-TOU-1P"), _NoHolidays()) == (
        "saturday"
    )
    listed = TouSchedule(
        name="listed",
        seasons=_schedule("JS-RES-TOU").seasons,
        holidays={date(2025, 7, 2)},
        workdays={date(2025, 7, 6)},
    )
    assert profile_day_type(date(2025, 7, 2), listed) == "sunday_holiday"
    assert profile_day_type(date(2025, 7, 6), listed) == "workday"  # a Sunday listed as worked
    assert profile_day_type(date(2025, 10, 1), listed) == "workday"  # not in its own list
    # A calendar without holidays makes 1-8 October workdays of the profile; the tariff's
    # buckets keep their own calendar (deep valley on its holidays).
    tariff = load_shipped("JS-CI-TOU-1P")
    october = DateRange.month(2025, 10)
    plain = typical_profile("commercial", tariff, october, calendar=_NoHolidays())
    assert plain["deep_valley"] > 0
    assert plain != typical_profile("commercial", tariff, october)


def _usage(**columns: object) -> pd.DataFrame:
    return pd.DataFrame(
        {"account_id": ["A"], "period_start": ["2025-07-01"], "period_end": ["2025-08-01"]}
        | columns
    )


def test_typical_profiles_split_each_row_by_its_class_and_period() -> None:
    tariff = load_shipped("JS-CI-TOU-1P")
    usage = pd.DataFrame(
        {
            "account_id": ["C1", "C2", "F1", "M1"],
            "period_start": ["2025-10-01", "2025-07-01", "2025-07-01", "2025-07-01"],
            "period_end": ["2025-11-01", "2025-08-01", "2025-08-01", "2025-08-01"],
            "kwh_total": [10000.0, 2345.678, 500.0, None],
            "kwh_other": [None, None, None, 12.0],
            "customer_class": ["commercial", "commercial", "farm", "commercial"],
        }
    )
    profiles = typical_profiles(tariff, classes={"commercial": "commercial", "F1": "agricultural"})

    profiled = apply_profile(usage, profiles)

    # 10,000 kWh of October at the golden shares, largest remainder at 0.001 kWh.
    assert profiled.loc[0, ["kwh_deep_valley", "kwh_flat", "kwh_peak", "kwh_valley"]].tolist() == [
        Decimal("293.737"),
        Decimal("3562.204"),
        Decimal("2931.833"),
        Decimal("3212.226"),
    ]
    # July has no holiday: the deep valley bucket is there, with nothing in it.
    assert profiled.loc[1, "kwh_deep_valley"] == Decimal("0.000")
    # M1 has no total to split: its metered bucket stays, it is not profiled.
    assert profiled.loc[3, "kwh_other"] == 12.0
    assert pd.isna(profiled.loc[3, "kwh_peak"])
    assert profiled["profiled"].tolist() == [True, True, True, False]
    assert profiled["profile"].tolist()[:3] == [
        "BDEW G25 standard load profile (commercial), Standardlastprofil Strom 2025",
        "BDEW G25 standard load profile (commercial), Standardlastprofil Strom 2025",
        "BDEW L25 standard load profile (agricultural), Standardlastprofil Strom 2025",
    ]
    buckets = ["kwh_deep_valley", "kwh_flat", "kwh_peak", "kwh_valley"]
    assert [sum(profiled.loc[r, buckets]) for r in range(3)] == [
        Decimal("10000.000"),
        Decimal("2345.678"),
        Decimal("500.000"),
    ]


def test_monthly_kwh_priced_under_tou_with_typical_profiles_matches_the_exact_engine() -> None:
    # A household a month through 2025 (one account each, so no tier position is carried)
    # on JS-RES-TOU; commercial accounts from June 2025 on JS-CI-TOU-1P.
    cases = {
        "JS-RES-TOU": (
            "household",
            [(date(2025, m, 1), Decimal(180 + 37 * m)) for m in range(1, 13)],
        ),
        "JS-CI-TOU-1P": (
            "commercial",
            [(date(2025, m, 1), Decimal(9000 + 713 * m)) for m in range(6, 13)],
        ),
    }
    for code, (label, months) in cases.items():
        tariff = load_shipped(code)
        usage = pd.DataFrame(
            {
                "account_id": [f"{label[0].upper()}{start.month:02d}" for start, _ in months],
                "period_start": [start.isoformat() for start, _ in months],
                "period_end": [
                    (
                        start.replace(
                            month=start.month % 12 + 1, year=start.year + start.month // 12
                        )
                    ).isoformat()
                    for start, _ in months
                ],
                "kwh_total": [float(kwh) for _, kwh in months],
                "customer_class": label,
                "residential": label == "household",
                # Commercial: no holiday deep valley (苏发改价格发〔2025〕426号: industrial only).
                "use_category": "residential" if label == "household" else "commercial",
            }
        )
        profiled = apply_profile(usage, typical_profiles(tariff))
        priced = compile_tariff(tariff).price(profiled)

        assert priced.bills["profiled"].all()
        expected = exact_bills(tariff, profiled.drop(columns=["profiled", "profile"]))
        assert priced.bills["total_fen"].tolist() == [int(b.total.amount * 100) for b in expected]
        assert priced.bills["kwh"].tolist() == [float(kwh) for _, kwh in months]


def _flat() -> Tariff:
    names = {"name_zh": "电度电费", "name_en": "energy"}
    return Tariff(
        code="FLAT",
        name_zh="单一电价",
        name_en="flat",
        category="residential",
        versions=(
            TariffVersion(
                label="v1",
                effective_from=date(2025, 1, 1),
                charges=(EnergyCharge(code="e", yuan_per_kwh="0.5", source="test", **names),),
            ),
        ),
    )


def test_what_a_typical_profile_refuses() -> None:
    july = DateRange.month(2025, 7)
    tariff = load_shipped("JS-RES-TOU")
    with pytest.raises(InvalidInput, match="one of household, commercial, agricultural"):
        typical_profile("industrial", tariff, july)
    with pytest.raises(InvalidInput, match="a DateRange"):
        typical_profile("household", tariff, "2025-07")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="a tariff with a time-of-use charge"):
        typical_profile("household", _flat(), july)
    with pytest.raises(NotFound):  # JS-CI-TOU-1P starts on 1 June 2025
        typical_profile("commercial", load_shipped("JS-CI-TOU-1P"), DateRange.month(2025, 5))
    with pytest.raises(CalendarYearNotCovered):
        typical_profile("household", tariff, DateRange.month(2031, 7))
    with pytest.raises(InvalidInput, match=r"classes\.factory"):
        typical_profiles(tariff, classes={"factory": "industrial"})
    with pytest.raises(InvalidInput, match="a class with a profile"):
        apply_profile(_usage(kwh_total=[1.0], customer_class=["factory"]), typical_profiles(tariff))


def test_typical_profiles_share_per_class_and_period_and_hand_out_copies() -> None:
    profiles = typical_profiles(load_shipped("JS-RES-TOU"))
    july = DateRange.month(2025, 7)

    first = profiles.shares("residential", july)

    assert profiles.shares("household", july) == first
    first["peak"] = Fraction(0)  # a caller's copy: the profiles' own shares stay
    assert profiles.shares("residential", july)["peak"] > 0
    assert "residential" in profiles
    assert "factory" not in profiles
    assert isinstance(profiles, TypicalProfiles)
