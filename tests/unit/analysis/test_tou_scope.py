"""The batch engine and overlay scopes: a ``use_category`` column, refusals, bucketing.

Jiangsu's critical peak and holiday deep valley apply to industrial users of 315 kVA and more
only (苏发改价格发〔2025〕426号); the batch engine refuses and buckets as the exact engine does.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from powerretail.adapters.tariff_library import load_shipped
from powerretail.analysis import compile_tariff
from powerretail.analysis.intervals import usage_from_intervals
from powerretail.analysis.profiles import typical_profile, typical_profiles
from powerretail.analysis.usage import read_usage
from powerretail.errors import InvalidInput, RuleViolation
from powerretail.timeframe import DateRange
from tests.analysis_exact import exact_bills

TWO_PART = load_shipped("JS-CI-TOU-2P")
ONE_PART = load_shipped("JS-CI-TOU-1P")


def _row(**cells: object) -> dict[str, object]:
    return {
        "account_id": "A",
        "period_start": "2025-07-01",
        "period_end": "2025-08-01",
        "kwh_peak": "80000",
        "kwh_flat": "100000",
        "kwh_valley": "60000",
        "max_demand_kw": "140",
        **cells,
    }


class TestUsageColumn:
    def test_reads_the_kind_and_gives_residential_rows_theirs(self) -> None:
        usage = read_usage(
            pd.DataFrame(
                [
                    _row(use_category="industrial"),
                    _row(use_category=None),
                    _row(residential=True, use_category=None),
                ]
            )
        )

        assert usage.use_category.tolist() == ["industrial", None, "residential"]

    @pytest.mark.parametrize(
        "cells",
        [
            {"use_category": "factory"},
            {"use_category": "residential", "residential": False},
            {"use_category": "commercial", "residential": True},
        ],
    )
    def test_refuses_an_unknown_or_contradictory_kind(self, cells: dict[str, object]) -> None:
        with pytest.raises(InvalidInput) as raised:
            read_usage(pd.DataFrame([_row(), _row(**cells)]))

        assert raised.value.field == "usage[1].use_category"


class TestBatchRefusesAsTheEngine:
    def test_a_commercial_row_without_critical_energy_prices_like_the_engine(self) -> None:
        frame = pd.DataFrame(
            [
                _row(capacity_kva=200, use_category="commercial"),
                _row(capacity_kva=250),  # below 315: out whatever its kind
                _row(capacity_kva=400, use_category="commercial", kwh_critical=None),
                _row(capacity_kva=500, use_category="industrial", kwh_critical="9000"),
            ]
        )

        priced = compile_tariff(TWO_PART).price(frame)

        expected = [int(b.total.amount.scaleb(2)) for b in exact_bills(TWO_PART, frame)]
        assert priced.bills["total_fen"].tolist() == expected

    def test_rows_of_one_window_left_out_for_different_facts_keep_their_own_notes(self) -> None:
        # 2025-06-01 is a Dragon Boat holiday: the deep-valley overlay is left out for each row,
        # and each note quotes that row's own kind and capacity (one shared text was wrong).
        day = {"period_start": "2025-06-01", "period_end": "2025-06-02", "kwh_deep_valley": None}
        frame = pd.DataFrame(
            [
                _row(**day, capacity_kva=1, use_category="industrial"),
                _row(**day, capacity_kva=1, residential=True),
                _row(**day, capacity_kva=200, use_category="commercial"),
                _row(**day, capacity_kva=200, use_category="commercial", account_id="B"),
            ]
        )

        priced = compile_tariff(TWO_PART).price(frame)

        expected = [bill.notes for bill in exact_bills(TWO_PART, frame)]
        assert [priced.notes_of(row) for row in range(4)] == expected
        assert "the account is industrial, 1.000 kVA" in expected[0][0]
        assert "the account is residential, 1.000 kVA" in expected[1][0]
        assert expected[2] == expected[3]

    def test_critical_energy_outside_the_scope_is_a_rule_violation_naming_the_row(self) -> None:
        frame = pd.DataFrame(
            [
                _row(capacity_kva=500, use_category="industrial", kwh_critical="9000"),
                _row(capacity_kva=200, use_category="industrial", kwh_critical="9000"),
            ]
        )

        with pytest.raises(RuleViolation, match=r"usage\[1\]: critical peak \(critical\)"):
            compile_tariff(TWO_PART).price(frame)
        with pytest.raises(RuleViolation):
            exact_bills(TWO_PART, frame)

    @pytest.mark.parametrize(
        ("cells", "field"),
        [
            ({"capacity_kva": 500, "kwh_critical": "9000"}, "usage[1].use_category"),
            ({"use_category": "industrial", "kwh_critical": "9000"}, "usage[1].capacity_kva"),
            ({"kwh_critical": "9000"}, "usage[1]"),
            ({"capacity_kva": 500}, "usage[1].kwh_critical"),
        ],
    )
    def test_a_row_lacking_a_fact_the_scope_tests_is_refused(
        self, cells: dict[str, object], field: str
    ) -> None:
        frame = pd.DataFrame([_row(capacity_kva=200), _row(**cells)])

        with pytest.raises(InvalidInput) as raised:
            compile_tariff(TWO_PART).price(frame)

        assert raised.value.field == field
        assert "industrial users of 315 kVA and more" in raised.value.expected

    def test_an_industrial_row_in_scope_needs_its_critical_energy(self) -> None:
        frame = pd.DataFrame(
            [_row(capacity_kva=200), _row(capacity_kva=400, use_category="industrial")]
        )

        with pytest.raises(InvalidInput) as raised:
            compile_tariff(TWO_PART).price(frame)

        assert raised.value.field == "usage[1].kwh_critical"
        assert "or give" not in raised.value.expected


def _day(account: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": account,
            "start": pd.date_range("2025-07-15", periods=96, freq="15min", tz="+08:00"),
            "kwh": [10 + slot % 4 for slot in range(96)],
        }
    )


class TestIntervalsToUsage:
    def test_each_period_row_is_bucketed_by_its_own_scope(self) -> None:
        periods = pd.DataFrame(
            {
                "account_id": ["shop", "mill"],
                "period_start": ["2025-07-15"] * 2,
                "period_end": ["2025-07-16"] * 2,
                "capacity_kva": [200, 400],
                "use_category": ["commercial", "industrial"],
            }
        )

        usage = usage_from_intervals(pd.concat([_day("shop"), _day("mill")]), periods, TWO_PART)

        shop, mill = usage.iloc[0], usage.iloc[1]
        assert shop["kwh_peak"] == Decimal(368)
        assert pd.isna(shop["kwh_critical"])
        assert (mill["kwh_peak"], mill["kwh_critical"]) == (Decimal(230), Decimal(138))
        assert shop["kwh_flat"] == mill["kwh_flat"] == Decimal(368)
        priced = compile_tariff(TWO_PART).price(usage.assign(basic_charge_basis="capacity"))
        assert priced.bills["total_fen"].tolist() == [91191, 110512]  # the golden bills

    def test_a_period_row_without_the_kind_is_refused(self) -> None:
        periods = pd.DataFrame(
            {
                "account_id": ["mill"],
                "period_start": ["2025-07-15"],
                "period_end": ["2025-07-16"],
                "capacity_kva": [400],
            }
        )

        with pytest.raises(InvalidInput) as raised:
            usage_from_intervals(_day("mill"), periods, TWO_PART)

        assert raised.value.field == "periods[0].use_category"


class TestTypicalProfiles:
    def test_a_commercial_profile_has_no_holiday_deep_valley(self) -> None:
        october = DateRange.month(2025, 10)

        shop = typical_profile("commercial", ONE_PART, october, use_category="commercial")
        mill = typical_profile(
            "commercial", ONE_PART, october, capacity_kva=Decimal(400), use_category="industrial"
        )

        assert "deep_valley" not in shop
        assert mill["deep_valley"] > 0
        assert shop["valley"] == mill["valley"] + mill["deep_valley"]

    def test_profiled_rows_are_split_by_their_own_facts(self) -> None:
        profiles = typical_profiles(ONE_PART)
        shares = [
            profiles.shares("non-residential", DateRange.month(2025, 10), use_category=kind)
            for kind in ("commercial", "commercial", None)
        ]

        assert "deep_valley" not in shares[0]
        assert shares[0] == shares[1]
        assert shares[2]["deep_valley"] > 0  # not given: kept, and the pricer asks for it
