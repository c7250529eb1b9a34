"""Capacity changes and sub-accounts in the batch engine: the bill engine's lines, in fen."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest

from powerretail.adapters.tariff_library import load_shipped
from powerretail.analysis import NotVectorisable, compare, compile_tariff, read_usage
from powerretail.analysis._engine_rows import renumbered
from powerretail.billing.capacity import CapacityChange, CapacityHistory
from powerretail.billing.sub_accounts import SubAccount
from powerretail.errors import InvalidInput, NotFound
from powerretail.tariffs.losses import FixedPercent
from powerretail.tariffs.model import AnnualTiers, Tariff, TariffVersion, Tier
from tests.analysis_exact import assert_same_notes, exact_bills, line_amounts

_TWO_PART = load_shipped("JS-CI-TOU-2P")
#: 1000 kVA, half of it suspended (sealed) from 16 July 2025.
_HALF_FROM_16_JULY = CapacityHistory(
    installed_kva=1000, changes=[CapacityChange(kind="suspend", on="2025-07-16", kva=500)]
)
_LIGHTING = SubAccount(
    code="lighting",
    name_zh="照明定比",
    name_en="lighting (fixed ratio)",
    source="供用电合同 (illustrative)",
    yuan_per_kwh="0.6",
    ratio="0.05",
)


def _rows(**columns: list[Any]) -> pd.DataFrame:
    count = len(next(iter(columns.values())))
    base: dict[str, list[Any]] = {
        "account_id": [f"A{i}" for i in range(count)],
        "period_start": ["2025-07-01"] * count,
        "period_end": ["2025-08-01"] * count,
        "kwh_critical": [0.0] * count,
        "kwh_peak": [100_000.0] * count,
        "kwh_flat": [50_000.0] * count,
        "kwh_valley": [30_000.0] * count,
        "reactive_kvarh": [40_000.0] * count,
        "max_demand_kw": [500.0] * count,
        "basic_charge_basis": ["capacity"] * count,
        "pf_standard": ["0.90"] * count,
    }
    return pd.DataFrame(base | columns)


def _same_as_engine(tariff: Tariff, frame: pd.DataFrame) -> Any:
    priced = compile_tariff(tariff).price(frame, decimals=True)
    expected = exact_bills(tariff, frame)
    got = [
        [
            (str(r.period_start.date()), str(r.code), int(r.amount_fen))
            for r in priced.lines[priced.lines["row"] == i].itertuples()
        ]
        for i in range(len(frame))
    ]
    assert [sorted(b) for b in got] == [sorted(b) for b in line_amounts(expected)]
    assert priced.bills["total_fen"].tolist() == [int(b.total.amount.scaleb(2)) for b in expected]
    assert_same_notes(priced, expected)
    return priced


def test_a_two_part_account_suspending_half_its_capacity_from_16_july() -> None:
    """1000 kVA × 26 元/kVA·月 × 14/30 = 12 133.33 元, then 500 kVA × 16/30 = 6 933.33 元.

    The bill is cut at 16 July: the energy is shared by days (15 and 16 of 31), each piece
    priced on its own; the second row, on 1000 kVA all month, is vectorised (26 000.00 元).
    """
    frame = _rows(capacity_history=[_HALF_FROM_16_JULY, None], capacity_kva=[None, 1000.0])

    priced = _same_as_engine(_TWO_PART, frame)

    basic = priced.lines[priced.lines["code"] == "basic"]
    assert basic["row"].tolist() == [0, 0, 1]
    assert basic["amount_fen"].tolist() == [1_213_333, 693_333, 2_600_000]
    assert [str(d.date()) for d in basic["period_start"]] == [
        "2025-07-01",
        "2025-07-16",
        "2025-07-01",
    ]
    assert basic["quantity_decimal"].tolist()[:2] == [Decimal(1000), Decimal(500)]
    assert priced.bills["basic_fen"].tolist() == [1_906_666, 2_600_000]
    assert priced.bills["total_fen"].tolist() == [15_892_516, 16_580_650]
    peak = priced.lines[priced.lines["code"] == "energy.peak"]
    assert peak["amount_fen"].tolist() == [3_483_871, 3_716_129, 7_200_000]
    assert peak["bucket"].tolist() == ["peak"] * 3


def test_a_fixed_ratio_sub_account_is_deducted_and_billed_on_the_same_bill() -> None:
    """5 % of 180 000 kWh = 9 000 kWh at 0.6 元 = 5 400.00 元, outside the power-factor base."""
    frame = _rows(sub_accounts=[[_LIGHTING], []], capacity_kva=[1000.0, 1000.0])

    priced = _same_as_engine(_TWO_PART, frame)

    lighting = priced.lines[priced.lines["code"] == "lighting"]
    assert lighting["row"].tolist() == [0]
    assert lighting["amount_fen"].tolist() == [540_000]
    assert lighting["quantity_decimal"].tolist() == [Decimal("9000.000")]
    assert lighting["bucket"].tolist() == [""]
    assert priced.bills["sub_accounts_fen"].tolist() == [540_000, 0]
    assert priced.bills["kwh"].tolist() == [180_000.0, 180_000.0]
    fen = [c for c in priced.bills.columns if c.endswith("_fen") and c != "total_fen"]
    assert priced.bills[fen].sum(axis=1).tolist() == priced.bills["total_fen"].tolist()
    # The meter's energy charges are 95 % of the other row's (deducted by bucket).
    peak = priced.lines[priced.lines["code"] == "energy.peak"]["amount_fen"].tolist()
    assert peak == [6_840_000, 7_200_000]


def test_a_history_without_changes_prices_as_its_capacity_with_losses() -> None:
    """A row billed through the engine's pieces equals the vectorised row of the same facts."""
    loss = FixedPercent(active_percent="2", reactive_percent="3")
    frame = _rows(
        capacity_history=[CapacityHistory(installed_kva=800), None],
        capacity_kva=[None, 800.0],
        loss_model=[loss, loss],
    )

    priced = _same_as_engine(_TWO_PART, frame)

    bills = priced.bills.drop(columns=["account_id"])
    first, second = bills.iloc[0], bills.iloc[1]
    pd.testing.assert_series_equal(first, second, check_names=False)
    assert priced.bills["loss_kwh"].tolist() == [3600.0, 3600.0]
    lines = priced.lines
    columns = ["code", "bucket", "quantity", "rate", "amount_fen", "tariff_version"]

    def of(row: int) -> list[tuple[Any, ...]]:
        part = lines[lines["row"] == row][columns].astype(object)
        return sorted(part.itertuples(index=False, name=None))

    assert of(0) == of(1)


def test_only_engine_rows_without_lines_and_with_notes() -> None:
    """Every row a special one; ``lines=False``; the power-factor note of a row without one."""
    tariff = load_shipped("JS-CI-TOU-1P")
    frame = _rows(
        sub_accounts=[[_LIGHTING], [_LIGHTING]],
        capacity_kva=[315.0, 315.0],
        pf_standard=[None, "0.85"],
    ).drop(columns=["kwh_critical"])

    priced = compile_tariff(tariff).price(frame, lines=False)
    expected = exact_bills(tariff, frame)

    assert priced.lines is None
    assert priced.bills["total_fen"].tolist() == [int(b.total.amount.scaleb(2)) for b in expected]
    assert_same_notes(priced, expected)


def test_a_cell_that_is_no_history_or_no_sub_account_is_refused_by_row() -> None:
    with pytest.raises(InvalidInput, match=r"usage\[1\]\.capacity_history") as caught:
        read_usage(_rows(capacity_history=[None, "1000 kVA"]))
    assert caught.value.expected == "a CapacityHistory or an empty cell"
    with pytest.raises(InvalidInput, match=r"usage\[0\]\.sub_accounts\[0\]"):
        read_usage(_rows(sub_accounts=[["lighting"]]))
    with pytest.raises(InvalidInput, match=r"usage\[0\]\.capacity_kva"):
        read_usage(_rows(capacity_history=[_HALF_FROM_16_JULY], capacity_kva=[1000.0]))


def test_what_the_engine_refuses_is_refused_naming_the_row() -> None:
    """Half the capacity suspended on the demand basis: the engine's refusal, on row 1."""
    frame = _rows(
        capacity_history=[None, _HALF_FROM_16_JULY],
        capacity_kva=[800.0, None],
        basic_charge_basis=["capacity", "demand"],
    )

    with pytest.raises(InvalidInput, match=r"usage\[1\]\.capacity_history") as caught:
        compile_tariff(_TWO_PART).price(frame)
    assert "暂停须全部容量" in caught.value.expected


def test_a_vectorised_row_s_refusal_names_its_row_in_the_whole_table() -> None:
    """Row 2 has no capacity for its capacity-based basic charge (row 0 went to the engine)."""
    frame = _rows(
        sub_accounts=[[_LIGHTING], None, None],
        capacity_kva=[800.0, 800.0, None],
    )

    with pytest.raises(InvalidInput, match=r"usage\[2\]\.capacity_kva"):
        compile_tariff(_TWO_PART).price(frame)


def test_annual_tiers_carried_between_rows_are_refused_for_engine_rows() -> None:
    tariff = compile_tariff(load_shipped("JS-RES-TOU")).tariff
    assert any(isinstance(c, AnnualTiers) for c in tariff.versions[-1].charges)
    frame = pd.DataFrame(
        {
            "account_id": ["H"],
            "period_start": ["2025-07-01"],
            "period_end": ["2025-08-01"],
            "kwh_peak": [200.0],
            "kwh_valley": [100.0],
            "residential": [True],
            "sub_accounts": [[_LIGHTING]],
        }
    )

    with pytest.raises(NotVectorisable, match=r"usage\[0\].*ytd_kwh"):
        compile_tariff(tariff).price(frame)
    frame["ytd_kwh"] = [2500.0]
    _same_as_engine(tariff, frame)


def test_annual_tiers_alone_are_fine_without_engine_rows() -> None:
    tariff = Tariff(
        code="T",
        name_zh="阶梯",
        name_en="tiers",
        category="residential",
        versions=[
            TariffVersion(
                label="1",
                effective_from="2025-01-01",
                charges=[
                    AnnualTiers(
                        code="e",
                        name_zh="电度",
                        name_en="energy",
                        source="x",
                        tiers=[Tier(None, "0.6")],
                    )
                ],
            )
        ],
    )
    frame = pd.DataFrame(
        {
            "account_id": ["H"],
            "period_start": ["2025-07-01"],
            "period_end": ["2025-08-01"],
            "kwh_total": [100.0],
            "sub_accounts": [None],
        }
    )

    assert compile_tariff(tariff).price(frame).bills["total_fen"].tolist() == [6000]


def test_a_day_without_a_version_names_the_row_in_either_part() -> None:
    """JS-CI-TOU-2P has no version in force in 2010: the row is named in the whole table."""
    frame = _rows(sub_accounts=[None, [_LIGHTING]], capacity_kva=[800.0, 800.0])
    frame.loc[1, ["period_start", "period_end"]] = ["2010-07-01", "2010-08-01"]

    with pytest.raises(NotFound, match=r"usage\[1\]"):
        compile_tariff(_TWO_PART).price(frame)
    frame = _rows(sub_accounts=[[_LIGHTING], None], capacity_kva=[800.0, 800.0])
    frame.loc[1, ["period_start", "period_end"]] = ["2010-07-01", "2010-08-01"]
    with pytest.raises(NotFound, match=r"usage\[1\]"):
        compile_tariff(_TWO_PART).price(frame)


def test_refusals_of_the_vectorised_part_are_renumbered() -> None:
    rows = np.asarray([3, 7], dtype=np.int64)

    refused = renumbered(NotVectorisable("usage[1]", "usage[0] and usage[1]"), rows)
    assert isinstance(refused, NotVectorisable)
    assert (refused.what, refused.why) == ("usage[7]", "usage[3] and usage[7]")
    other = ValueError("usage[0]")
    assert renumbered(other, rows) is other


def test_a_sub_accounts_column_gives_every_table_its_bills_column() -> None:
    """Chunks of one row: one with a sub-account, one without; the charge revenue adds both."""
    frame = _rows(
        sub_accounts=[[_LIGHTING], None],
        capacity_kva=[800.0, 800.0],
        kwh_critical=[None, None],
        use_category=["commercial", "commercial"],
    )

    as_array = frame.copy()
    as_array["sub_accounts"] = [np.array([_LIGHTING], dtype=object), None]
    assert read_usage(as_array).sub_accounts.tolist() == [(_LIGHTING,), ()]
    alone = compile_tariff(_TWO_PART).price(frame.iloc[1:].reset_index(drop=True))
    assert alone.bills["sub_accounts_fen"].tolist() == [0]
    assert alone.bills.columns[-2] == "sub_accounts_fen"
    result = compare(frame, {"2P": _TWO_PART}, chunk_rows=1)
    expected = exact_bills(_TWO_PART, frame)
    assert result.summary["revenue_fen"].tolist() == [
        sum(int(b.total.amount.scaleb(2)) for b in expected)
    ]
    revenue = result.revenue.set_index("charge")["revenue_fen"]
    assert revenue["sub_accounts"] == 540_000
