"""Loss models and bill notes in the batch engine: hand-worked fen, refusals, the engine's notes."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerretail.adapters.tariff_library import load_shipped
from powerretail.analysis import NotVectorisable, compare, compile_tariff, read_usage
from powerretail.analysis._losses import _formula
from powerretail.errors import InvalidInput
from powerretail.tariffs.losses import (
    NO_LOSS,
    FixedPercent,
    LossBand,
    TableLookup,
    TransformerFormula,
)
from powerretail.tariffs.model import (
    AnnualTiers,
    BasicCharge,
    EnergyCharge,
    PowerFactorAdjustment,
    Tariff,
    TariffVersion,
    Tier,
)
from tests.analysis_exact import assert_same_notes, exact_bills, line_amounts
from tests.strategies.tariffs import NAMES

TABLE = TableLookup(bands=(LossBand(1000, 30, 90), LossBand(None, 60, 180)))
TRANSFORMER = TransformerFormula(
    no_load_kw="0.57",
    load_loss_kw="3.3",
    rated_kva=315,
    power_factor="0.9",
    no_load_current_percent="1.4",
    impedance_voltage_percent=4,
)


def _tariff(*charges: object) -> Tariff:
    return Tariff(
        code="T",
        name_zh="测",
        name_en="test",
        category="commercial_industrial",
        versions=[TariffVersion(label="v", effective_from="2020-01-01", charges=charges)],
    )


ENERGY = EnergyCharge(code="energy", **NAMES, yuan_per_kwh="0.5283")
PF = PowerFactorAdjustment(code="pf", **NAMES, default_standard="0.90")
BASIC = BasicCharge(
    code="basic",
    **NAMES,
    yuan_per_kva_month="25",
    yuan_per_kw_month="38",
    default_basis="capacity",
)


def _month(**columns: object) -> pd.DataFrame:
    row: dict[str, object] = {
        "account_id": "A",
        "period_start": "2025-07-01",
        "period_end": "2025-08-01",
    }
    row.update(columns)
    return pd.DataFrame([row])


def _fen(frame: pd.DataFrame, code: str) -> list[int]:
    return frame.loc[frame["code"] == code, "amount_fen"].tolist()


def _same_as_engine(tariff: Tariff, frame: pd.DataFrame) -> None:
    priced = compile_tariff(tariff).price(frame)
    expected = exact_bills(tariff, frame)
    got = [
        sorted(
            (str(r.period_start.date()), str(r.code), int(r.amount_fen))
            for r in priced.lines[priced.lines["row"] == i].itertuples()
        )
        for i in range(len(frame))
    ]
    assert got == [sorted(b) for b in line_amounts(expected)]
    assert priced.bills["total_fen"].tolist() == [int(b.total.amount.scaleb(2)) for b in expected]
    assert_same_notes(priced, expected)


def test_a_fixed_percentage_adds_its_losses_to_the_energy_charge() -> None:
    # 1000 kWh + 2 % = 1020 kWh × 0.5283 = 538.866 → 538.87 元.
    priced = compile_tariff(_tariff(ENERGY)).price(_month(kwh_total=1000.0, loss_active_percent=2))
    assert _fen(priced.lines, "energy") == [53887]
    assert priced.bills.loc[0, ["kwh", "loss_kwh", "loss_kvarh"]].tolist() == [1000.0, 20.0, 0.0]
    assert float(priced.lines.loc[0, "quantity"]) == 1020.0


def test_the_flat_columns_and_a_loss_model_cell_give_the_same_bills() -> None:
    tariff = _tariff(ENERGY, BASIC, PF)
    facts = {"kwh_total": 812.345, "reactive_kvarh": 400.0, "capacity_kva": 315}
    flat = compile_tariff(tariff).price(
        _month(**facts, loss_active_percent="2.5", loss_reactive_percent=5)
    )
    model = FixedPercent(active_percent="2.5", reactive_percent="5")
    cell = compile_tariff(tariff).price(_month(**facts, loss_model=model))
    pd.testing.assert_frame_equal(flat.bills, cell.bills)
    pd.testing.assert_frame_equal(flat.lines, cell.lines)
    _same_as_engine(tariff, _month(**facts, loss_model=model))


def test_the_capacity_charge_stays_and_the_power_factor_counts_the_losses() -> None:
    tariff = _tariff(ENERGY, BASIC, PF)
    facts = {"kwh_total": 1000.0, "reactive_kvarh": 500.0, "capacity_kva": 315}
    plain = compile_tariff(tariff).price(_month(**facts)).lines
    lossy = compile_tariff(tariff).price(
        _month(**facts, loss_active_percent=0, loss_reactive_percent=10)
    )
    # 315 kVA × 25 元 either way; PF 1000 / √(1000² + 500²) = 0.89 → +0.5 %, with 550 kvarh
    # 0.88 → +1.0 % of the base 7875 + 528.30 = 8403.30 元: 42.02 and 84.03 元.
    assert _fen(plain, "basic") == _fen(lossy.lines, "basic") == [787500]
    assert _fen(plain, "energy") == _fen(lossy.lines, "energy") == [52830]
    assert _fen(plain, "pf") == [4202]
    assert _fen(lossy.lines, "pf") == [8403]
    _same_as_engine(
        tariff, _month(**facts, loss_model=FixedPercent(active_percent=0, reactive_percent=10))
    )


def test_a_loss_table_prorates_a_part_month() -> None:
    # 22 days = 11/15 of a month: 700 kWh is 954.5 kWh a month, the first band: 30 × 11/15 =
    # 22.000 kWh. 722 kWh × 0.5283 = 381.4326 → 381.43 元.
    frame = _month(period_start="2025-07-10", kwh_total=700.0, loss_model=TABLE)
    priced = compile_tariff(_tariff(ENERGY)).price(frame)
    assert _fen(priced.lines, "energy") == [38143]
    assert priced.bills.loc[0, "loss_kwh"] == 22.0
    _same_as_engine(_tariff(ENERGY), frame)


def test_a_loss_table_over_a_whole_month_takes_the_band() -> None:
    # 1000.001 kWh is past the first band: + 60 kWh; 1060.001 × 0.5283 = 560.0033… → 560.00 元.
    frame = _month(kwh_total=1000.001, loss_model=TABLE)
    assert _fen(compile_tariff(_tariff(ENERGY)).price(frame).lines, "energy") == [56000]
    _same_as_engine(_tariff(ENERGY), frame)


def test_the_transformer_formula_is_the_engines() -> None:
    frame = pd.concat(
        [
            _month(kwh_peak=30_000.0, reactive_kvarh=9000.0, capacity_kva=315),
            _month(
                period_start="2025-07-20", kwh_peak=1234.567, reactive_kvarh=0, capacity_kva=315
            ),
        ],
        ignore_index=True,
    )
    frame["loss_model"] = [TRANSFORMER, TRANSFORMER]
    _same_as_engine(_tariff(ENERGY, BASIC, PF), frame)
    # P0·T = 0.57 × 744 h = 424.08; β = 30000 / (315 × 0.9 × 744) = 0.1422…; Pk·β²·T =
    # 3.3 × 0.02023 × 744 = 49.66 → 474 kWh.
    priced = compile_tariff(_tariff(ENERGY)).price(frame)
    assert priced.bills.loc[0, "loss_kwh"] == 474.0


def test_losses_are_shared_over_buckets_then_over_pieces_as_the_engine_does() -> None:
    # A version change inside the period: each bucket's billed energy is split by days.
    tariff = Tariff(
        code="T2",
        name_zh="测",
        name_en="test",
        category="commercial_industrial",
        versions=[
            TariffVersion(
                label="a", effective_from="2020-01-01", effective_to="2025-07-12", charges=[ENERGY]
            ),
            TariffVersion(
                label="b",
                effective_from="2025-07-12",
                charges=[EnergyCharge(code="energy", **NAMES, yuan_per_kwh="0.6117")],
            ),
        ],
    )
    frame = pd.DataFrame(
        [
            {
                "account_id": "A",
                "period_start": "2025-07-01",
                "period_end": "2025-08-01",
                "kwh_total": 333.333,
                "loss_model": FixedPercent(active_percent="1.7"),
            },
            {
                "account_id": "B",
                "period_start": "2025-07-01",
                "period_end": "2025-08-01",
                "kwh_total": 10.0,
                "loss_model": None,
            },
            {
                "account_id": "C",
                "period_start": "2025-07-05",
                "period_end": "2025-08-01",
                "kwh_total": 999.999,
                "loss_model": TABLE,
            },
        ]
    )
    _same_as_engine(tariff, frame)


def test_no_loss_and_zero_energy_add_nothing() -> None:
    frame = pd.concat(
        [
            _month(kwh_total=0.0, reactive_kvarh=10.0, loss_model=TABLE),
            _month(kwh_total=10.0, reactive_kvarh=10.0, loss_model=NO_LOSS),
        ],
        ignore_index=True,
    )
    priced = compile_tariff(_tariff(ENERGY)).price(frame)
    # No energy: the table's loss has no bucket to go to; its reactive loss is added.
    assert priced.bills["loss_kwh"].tolist() == [0.0, 0.0]
    assert priced.bills["loss_kvarh"].tolist() == [90.0, 0.0]
    _same_as_engine(_tariff(ENERGY, PF), frame)


@pytest.mark.parametrize(
    ("columns", "field", "expected"),
    [
        ({"loss_model": "2%"}, "usage[0].loss_model", "a loss model (NoLoss"),
        (
            {"loss_model": FixedPercent(active_percent=1), "loss_active_percent": 1},
            "usage[0].loss_model",
            "one loss model per row",
        ),
        ({"loss_active_percent": -1}, "usage[0].loss_active_percent", "zero or more"),
        ({"loss_active_percent": "two"}, "usage[0].loss_active_percent", "zero or more"),
        ({"loss_active_percent": True}, "usage[0].loss_active_percent", "zero or more"),
        ({"loss_active_percent": [[1]]}, "usage[0].loss_active_percent", "zero or more"),
        ({"loss_reactive_percent": 3}, "usage[0].loss_active_percent", "an active loss"),
        (
            {"transformer_no_load_kw": 0.57, "transformer_load_loss_kw": 3.3},
            "usage[0].transformer_rated_kva",
            "all of transformer_no_load_kw",
        ),
        (
            {
                "transformer_no_load_kw": 0.57,
                "transformer_load_loss_kw": 3.3,
                "transformer_rated_kva": 315,
                "transformer_power_factor": 1.2,
            },
            "usage[0].transformer_power_factor",
            "a power factor in (0, 1]",
        ),
        (
            {
                "transformer_no_load_kw": 0.57,
                "transformer_load_loss_kw": 3.3,
                "transformer_rated_kva": 0,
                "transformer_power_factor": 0.9,
            },
            "usage[0].transformer_rated_kva",
            "a rated capacity above zero",
        ),
    ],
)
def test_a_bad_loss_cell_names_its_column_and_row(
    columns: dict[str, object], field: str, expected: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_usage(_month(kwh_total=1.0, **columns))
    assert caught.value.field == field
    assert expected in caught.value.expected


def test_transformer_columns_build_one_shared_model() -> None:
    frame = pd.concat([_month(kwh_total=1.0), _month(kwh_total=2.0)], ignore_index=True)
    frame["transformer_no_load_kw"] = [0.57, 0.57]
    frame["transformer_load_loss_kw"] = [3.3, 3.3]
    frame["transformer_rated_kva"] = [315, 315]
    frame["transformer_power_factor"] = [0.9, 0.9]
    frame["transformer_impedance_voltage_percent"] = [None, 4]
    losses = read_usage(frame).losses
    assert losses is not None
    assert losses.index.tolist() == [0, 1]
    assert losses.models[1] == _without_no_load_current(TRANSFORMER)
    assert read_usage(_month(kwh_total=1.0)).losses is None


def test_equal_models_are_one_and_unhashable_cells_are_refused() -> None:
    frame = pd.concat([_month(kwh_total=1.0)] * 3, ignore_index=True)
    frame["loss_model"] = [FixedPercent(active_percent="2"), None, None]
    frame["loss_active_percent"] = [None, "2", "2.0"]
    losses = read_usage(frame).losses
    assert losses is not None
    # "2" is the model of row 0; "2.0" is another (its exponent sets the engine's steps).
    assert losses.index.tolist() == [0, 0, 1]
    frame = frame.drop(columns=["loss_active_percent"]).iloc[:2].copy()
    frame["loss_model"] = [FixedPercent(active_percent="2.0"), FixedPercent(active_percent="2")]
    assert read_usage(frame).losses.index.tolist() == [0, 1]  # type: ignore[union-attr]
    frame["kwh_total"] = [333.333, 333.333]
    frame["period_start"] = "2025-06-20"  # split at the version change on 2025-07-01
    _same_as_engine(
        Tariff(
            code="T5",
            name_zh="测",
            name_en="test",
            category="commercial_industrial",
            versions=[
                TariffVersion(
                    label="a",
                    effective_from="2020-01-01",
                    effective_to="2025-07-01",
                    charges=[ENERGY],
                ),
                TariffVersion(label="b", effective_from="2025-07-01", charges=[ENERGY]),
            ],
        ),
        frame,
    )
    frame = _month(kwh_total=1.0)
    frame["loss_model"] = [[FixedPercent(active_percent="2")]]
    with pytest.raises(InvalidInput) as caught:
        read_usage(frame)
    assert caught.value.field == "usage[0].loss_model"


def _without_no_load_current(model: TransformerFormula) -> TransformerFormula:
    return TransformerFormula(
        no_load_kw=model.no_load_kw,
        load_loss_kw=model.load_loss_kw,
        rated_kva=model.rated_kva,
        power_factor=model.power_factor,
        impedance_voltage_percent=model.impedance_voltage_percent,
    )


def test_a_loss_needing_too_fine_an_exponent_is_refused_not_rounded() -> None:
    frame = _month(period_start="2025-06-20", kwh_total=1.0, loss_active_percent="0.0000000000001")
    tariff = Tariff(
        code="T3",
        name_zh="测",
        name_en="test",
        category="commercial_industrial",
        versions=[
            TariffVersion(
                label="a", effective_from="2020-01-01", effective_to="2025-07-01", charges=[ENERGY]
            ),
            TariffVersion(label="b", effective_from="2025-07-01", charges=[ENERGY]),
        ],
    )
    with pytest.raises(NotVectorisable, match=r"usage\[0\].*finer than 10\^-18"):
        compile_tariff(tariff).price(frame)


def test_billed_energy_past_int64_stays_exact_under_annual_tiers() -> None:
    annual = AnnualTiers(
        code="annual", **NAMES, tiers=[Tier(upto_kwh=None, yuan_per_kwh=Decimal("0.05"))]
    )
    # A version change cuts the period: each bucket is split at 10^-15 kWh, past int64.
    frame = _month(
        period_start="2025-06-20",
        kwh_peak=400_000.123,
        kwh_valley=123_456.789,
        loss_model=FixedPercent(active_percent="1.2345"),
    )
    tariff = Tariff(
        code="T4",
        name_zh="测",
        name_en="test",
        category="commercial_industrial",
        versions=[
            TariffVersion(
                label="a",
                effective_from="2020-01-01",
                effective_to="2025-07-01",
                charges=[ENERGY, annual],
            ),
            TariffVersion(label="b", effective_from="2025-07-01", charges=[ENERGY, annual]),
        ],
    )
    _same_as_engine(tariff, frame)
    _same_as_engine(tariff, frame.drop(columns=["ytd_kwh"], errors="ignore"))
    # 10 123 450 000 kWh × 0.5283 = 5 348 218 635.00 元.
    big = _month(kwh_total=10**10, loss_model=FixedPercent(active_percent="1.2345"))
    assert _fen(compile_tariff(_tariff(ENERGY)).price(big).lines, "energy") == [534821863500]
    _same_as_engine(_tariff(ENERGY, annual), big)


def test_a_loss_product_past_the_decimal_context_is_refused() -> None:
    frame = _month(kwh_total=10**12, loss_active_percent="1." + "1" * 20)
    with pytest.raises(NotVectorisable, match=r"usage\[0\].*28 digits"):
        compile_tariff(_tariff(ENERGY)).price(frame)


# ---------------------------------------------------------------------------- notes


def test_deep_valley_and_no_standard_notes_are_the_engines() -> None:
    tariff = load_shipped("JS-CI-TOU-2P")  # deep valley on holidays; no default PF standard
    rows = [
        {"period_start": "2025-10-01", "period_end": "2025-11-01", "kwh_deep_valley": None},
        {"period_start": "2025-10-01", "period_end": "2025-11-01", "kwh_deep_valley": 50.0},
        {"period_start": "2025-10-01", "period_end": "2025-11-01", "kwh_deep_valley": None},
        {"period_start": "2025-11-01", "period_end": "2025-12-01", "kwh_deep_valley": None},
    ]
    frame = pd.DataFrame(
        [
            {
                "account_id": f"A{i}",
                "kwh_critical": 0.0,
                "kwh_peak": 300.0,
                "kwh_flat": 200.0,
                "kwh_valley": 100.0,
                "reactive_kvarh": 120.5,
                "capacity_kva": 315,
                "use_category": "industrial",  # deep valley's scope (426号)
                "max_demand_kw": 200.0,
                "pf_standard": "0.90" if i == 2 else None,
                **row,
            }
            for i, row in enumerate(rows)
        ]
    )
    frame.loc[3, "loss_model"] = FixedPercent(active_percent="1", reactive_percent="3.3")
    priced = compile_tariff(tariff).price(frame)
    _same_as_engine(tariff, frame)
    assert priced.notes["row"].tolist() == [0, 0, 1, 2, 3]
    assert priced.notes_of(0)[0].startswith("32 h of deep valley from 2025-10-01 to 2025-10-")
    assert priced.notes_of(1) == (
        (
            "power-factor adjustment not applied: no PF standard given although 120.500 kvarh "
            "reactive energy was read"
        ),
    )
    # The losses count: 120.5 kvarh + 3.3 % = 124.4765 kvarh, quoted as the engine has it.
    assert "124.4765 kvarh" in priced.notes_of(3)[0]
    pd.testing.assert_frame_equal(
        compile_tariff(tariff).price(frame, lines=False).notes, priced.notes
    )


def test_a_tariff_without_such_charges_has_an_empty_notes_table() -> None:
    priced = compile_tariff(load_shipped("JS-RES-TOU")).price(
        _month(kwh_peak=100.0, kwh_valley=50.0)
    )
    assert priced.notes.empty
    assert list(priced.notes.columns) == ["row", "account_id", "note"]
    assert "loss_kwh" not in priced.bills.columns
    assert priced.notes_of(0) == ()


def test_a_loss_table_too_fine_for_50_digit_divisions_is_refused() -> None:
    fine = TableLookup(bands=(LossBand("1000." + "0" * 30 + "1", 30), LossBand(None, 60)))
    frame = pd.concat(
        [_month(kwh_total=10.0), _month(period_start="2025-07-10", kwh_total=10.0**9)],
        ignore_index=True,
    )
    frame["loss_model"] = [fine, fine]
    with pytest.raises(NotVectorisable, match=r"usage\[1\].*31 decimals"):
        compile_tariff(_tariff(ENERGY)).price(frame)


def test_a_chunked_comparison_names_a_refused_row_in_the_whole_table() -> None:
    frame = pd.concat([_month(kwh_total=1.0)] * 3, ignore_index=True)
    frame["period_start"] = ["2025-07-01", "2025-07-01", "2025-06-20"]
    frame["loss_active_percent"] = [None, None, "0.0000000000001"]
    tariff = Tariff(
        code="T6",
        name_zh="测",
        name_en="test",
        category="commercial_industrial",
        versions=[
            TariffVersion(
                label="a", effective_from="2020-01-01", effective_to="2025-07-01", charges=[ENERGY]
            ),
            TariffVersion(label="b", effective_from="2025-07-01", charges=[ENERGY]),
        ],
    )
    with pytest.raises(NotVectorisable, match=r"^usage\[2\]"):
        compare(frame, {"T6": tariff}, chunk_rows=2)


@st.composite
def _formulas(draw: st.DrawFn) -> TransformerFormula:
    return TransformerFormula(
        no_load_kw=draw(st.decimals(min_value=0, max_value=50, places=3)),
        load_loss_kw=draw(st.decimals(min_value=0, max_value=200, places=2)),
        rated_kva=draw(st.integers(min_value=1, max_value=20_000)),
        power_factor=draw(st.decimals(min_value="0.01", max_value=1, places=2)),
        no_load_current_percent=draw(st.decimals(min_value=0, max_value=5, places=2)),
        impedance_voltage_percent=draw(st.decimals(min_value=0, max_value=10, places=1)),
    )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=10**15), min_size=1, max_size=20),
    st.integers(min_value=1, max_value=400),
    _formulas(),
)
def test_the_formula_in_fractions_is_the_models_decimal_arithmetic(
    milli_kwh: list[int], days: int, model: TransformerFormula
) -> None:
    active, reactive, unsure = _formula(
        model, np.asarray(milli_kwh, dtype=object), np.full(len(milli_kwh), days * 24)
    )
    for i, milli in enumerate(milli_kwh):
        expected = model.losses(Decimal(milli).scaleb(-3), Decimal(0), days * 24)
        if not unsure[i]:
            assert (active[i], reactive[i]) == (int(expected[0]), int(expected[1]))


def test_a_formula_loss_at_a_half_is_the_models() -> None:
    # 0.0625 kW × 24 h = 1.5 kWh exactly: a half, decided by the model's own arithmetic (2).
    half = TransformerFormula(no_load_kw="0.0625", load_loss_kw=0, rated_kva=1, power_factor=1)
    _, _, unsure = _formula(half, np.asarray([0], dtype=object), np.asarray([24]))
    assert unsure.tolist() == [True]
    frame = _month(period_end="2025-07-02", kwh_total=0.001, loss_model=half)
    assert compile_tariff(_tariff(ENERGY)).price(frame).bills.loc[0, "loss_kwh"] == 2.0
    _same_as_engine(_tariff(ENERGY), frame)
