"""Load profiles: totals split into buckets exactly; profiles derived from metered buckets."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest

from powerretail.adapters.tariff_library import load_shipped
from powerretail.analysis import compile_tariff
from powerretail.analysis.profiles import apply_profile, profile_from_usage
from powerretail.errors import InvalidInput
from tests.analysis_exact import exact_bills


def _totals(*kwh: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": [f"H{i}" for i in range(len(kwh))],
            "period_start": "2025-07-01",
            "period_end": "2025-08-01",
            "kwh_total": list(kwh),
            "residential": True,
        }
    )


def test_a_split_keeps_every_thousandth_of_a_kwh_and_is_marked_profiled() -> None:
    # 100.001 kWh at 1/3 peak, 2/3 valley: 33.333667 and 66.667333 → 33.334 and 66.667
    profiled = apply_profile(_totals(100.001), {"residential": {"peak": "1/3", "valley": "2/3"}})

    assert profiled.loc[0, "kwh_peak"] == Decimal("33.334")
    assert profiled.loc[0, "kwh_valley"] == Decimal("66.667")
    priced = compile_tariff(load_shipped("JS-RES-TOU")).price(profiled)
    assert priced.bills["profiled"].tolist() == [True]
    expected = exact_bills(load_shipped("JS-RES-TOU"), profiled.drop(columns="profiled"))
    assert priced.bills["total_fen"].tolist() == [int(b.total.amount * 100) for b in expected]


def test_an_accounts_own_profile_wins_over_its_class() -> None:
    profiles = {"residential": {"peak": "0.5", "valley": "0.5"}, "H1": {"peak": "1", "valley": 0}}

    profiled = apply_profile(_totals(10.0, 10.0), profiles)

    assert profiled["kwh_peak"].tolist() == [Decimal("5.000"), Decimal("10.000")]


@pytest.mark.parametrize(
    ("profiles", "frame", "expected"),
    [
        ({"residential": {"peak": "0.5", "valley": "0.4"}}, _totals(1.0), "add up to 1"),
        ({"business": {"peak": "1"}}, _totals(1.0), "a class with a profile"),
        ({"residential": {"peak": "1/0"}}, _totals(1.0), "a share such as"),
        (
            {"residential": {"peak": "1"}},
            _totals(1.0).rename(columns={"kwh_total": "kwh_flat"}),
            "a kwh_total column",
        ),
        (
            {"residential": {"peak": "1"}},
            _totals(1.0).assign(kwh_peak=[1.0]),
            "no metered bucket beside kwh_total",
        ),
    ],
)
def test_bad_profiles_are_refused(
    profiles: dict[str, dict[str, object]], frame: pd.DataFrame, expected: str
) -> None:
    with pytest.raises(InvalidInput, match=expected):
        apply_profile(frame, profiles)


def test_a_profile_derived_from_metered_buckets_adds_up_to_one() -> None:
    metered = pd.DataFrame(
        {
            "account_id": ["H1", "H2", "H3"],
            "period_start": "2025-07-01",
            "period_end": "2025-08-01",
            "kwh_peak": [100.0, 200.0, 0.0],
            "kwh_valley": [200.0, 100.0, 0.0],
            "customer_class": ["a", "a", "b"],
        }
    )

    by_class = profile_from_usage(metered.iloc[:2])
    assert by_class == {"a": {"peak": Decimal("0.500000"), "valley": Decimal("0.500000")}}
    own = profile_from_usage(metered.iloc[:2], by="account_id")
    assert own["H1"] == {"peak": Decimal("0.333333"), "valley": Decimal("0.666667")}
    with pytest.raises(InvalidInput, match="metered energy to derive a profile"):
        profile_from_usage(metered)
    with pytest.raises(InvalidInput, match="customer_class or account_id"):
        profile_from_usage(metered, by="tariff")


def test_given_fractions_split_and_the_profile_column_names_the_shares_used() -> None:
    profiles = {"residential": {"peak": Fraction(1, 3), "valley": Fraction(2, 3)}}

    profiled = apply_profile(_totals(1.0), profiles)

    assert profiled.loc[0, ["kwh_peak", "kwh_valley"]].tolist() == [
        Decimal("0.333"),
        Decimal("0.667"),
    ]
    assert profiled.loc[0, "profile"] == "given shares (residential)"


def test_a_derived_profile_leaves_a_total_register_out() -> None:
    metered = pd.DataFrame(
        {
            "account_id": ["H1"],
            "period_start": "2025-07-01",
            "period_end": "2025-08-01",
            "kwh_peak": [30.0],
            "kwh_valley": [10.0],
            "kwh_total": [40.0],
        }
    )

    assert profile_from_usage(metered) == {
        "non-residential": {"peak": Decimal("0.750000"), "valley": Decimal("0.250000")}
    }
