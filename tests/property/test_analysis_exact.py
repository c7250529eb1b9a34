"""The batch engine equals the exact engine, line by line and in total, on generated data."""

from __future__ import annotations

import decimal
from datetime import date, timedelta
from typing import Any

import attrs
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

pytest.importorskip("pandas")

from powerretail.adapters.tariff_library import load_shipped
from powerretail.analysis import compile_tariff
from powerretail.analysis._scope import scoped_buckets
from powerretail.billing.capacity import CapacityChange, CapacityHistory
from powerretail.billing.sub_accounts import SubAccount
from powerretail.errors import InvalidInput, PowerRetailError
from powerretail.quantities import Rounding
from powerretail.tariffs.losses import (
    FixedPercent,
    LossBand,
    LossModel,
    TableLookup,
    TransformerFormula,
)
from powerretail.tariffs.model import (
    BucketPrice,
    BucketTiers,
    Charge,
    PowerFactorAdjustment,
    Tariff,
    TimeOfUseCharge,
    TimeOfUseTiers,
)
from powerretail.tariffs.tou import Overlay, OverlayScope, TouWindow
from tests.analysis_exact import assert_same_notes, exact_bills, line_amounts
from tests.strategies.tariffs import SCHEDULE, prices, tariffs, tiers

kwh = st.decimals(min_value=0, max_value=500_000, places=3)


def _decimals(low: str, high: str, places: int = 4) -> st.SearchStrategy[decimal.Decimal]:
    """Decimals with 0 to ``places`` decimals (their exponents differ: the engine keeps them)."""
    return st.integers(0, places).flatmap(
        lambda p: st.decimals(min_value=low, max_value=high, places=p)
    )


@st.composite
def loss_models(draw: st.DrawFn) -> LossModel:
    """Any loss model: a percentage, a loss table (part months prorated) or the formula."""
    kind = draw(st.sampled_from(["percent", "table", "formula"]))
    if kind == "percent":
        active = draw(_decimals("0", "10") | st.just(decimal.Decimal("1E+1")))
        return FixedPercent(active_percent=active, reactive_percent=draw(_decimals("0", "10")))
    if kind == "table":
        bounds = sorted(set(draw(st.lists(_decimals("1", "200000", 3), max_size=3))))
        bands = [
            LossBand(bound, draw(_decimals("0", "500", 3)), draw(_decimals("0", "900", 3)))
            for bound in [*bounds, None]
        ]
        return TableLookup(bands=tuple(bands))
    return TransformerFormula(
        no_load_kw=draw(_decimals("0", "5", 2)),
        load_loss_kw=draw(_decimals("0", "20", 2)),
        rated_kva=draw(st.integers(30, 2000)),
        power_factor=draw(_decimals("0.5", "1", 2)),
        no_load_current_percent=draw(_decimals("0", "5", 2)),
        impedance_voltage_percent=draw(_decimals("0", "8", 2)),
    )


def _without_pf_default(tariff: Tariff) -> Tariff:
    """The tariff with no default power-factor standard (a row without one gets a note)."""
    versions = [
        attrs.evolve(
            version,
            charges=[
                attrs.evolve(c, default_standard=None)
                if isinstance(c, PowerFactorAdjustment)
                else c
                for c in version.charges
            ],
        )
        for version in tariff.versions
    ]
    return attrs.evolve(tariff, versions=versions)


@st.composite
def usage_rows(draw: st.DrawFn, index: int) -> dict[str, Any]:
    start = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 10, 31)))
    end = start + timedelta(days=draw(st.integers(min_value=1, max_value=62)))
    row: dict[str, Any] = {
        "account_id": f"A{index}",
        "period_start": start,
        "period_end": end,
        "kwh_peak": draw(kwh),
        "kwh_valley": draw(st.none() | kwh),
        "max_demand_kw": draw(st.decimals(min_value=0, max_value=5000, places=2)),
        "reactive_kvarh": draw(kwh),
        "capacity_kva": draw(st.integers(min_value=1, max_value=5000)),
        "contract_demand_kw": draw(st.none() | st.integers(min_value=1, max_value=4000)),
        "hv_motor_kw": draw(st.sampled_from([0, 0, 250])),
        "ytd_kwh": draw(st.integers(min_value=0, max_value=10_000)),
        "pf_standard": draw(st.sampled_from([None, "0.90", "0.85", "0.80"])),
        "basic_charge_basis": draw(st.sampled_from([None, "capacity", "demand"])),
        "residential": draw(st.booleans()),
        "use_category": None,
        "opened_on": None,
        "closed_on": None,
        "loss_model": draw(st.none() | loss_models()),
    }
    kinds = ["residential"] if row["residential"] else ["industrial", "commercial", "agricultural"]
    row["use_category"] = draw(st.none() | st.sampled_from(kinds))
    if draw(st.booleans()):
        row["opened_on"] = start + timedelta(days=draw(st.integers(-400, 0)))
    if draw(st.booleans()):
        row["closed_on"] = end + timedelta(days=draw(st.integers(0, 400)))
    if row["opened_on"] and row["closed_on"] and draw(st.booleans()):
        row["opened_on"] = start + timedelta(days=draw(st.integers(0, (end - start).days - 1)))
    return row


@st.composite
def tables(draw: st.DrawFn) -> pd.DataFrame:
    count = draw(st.integers(min_value=1, max_value=6))
    return pd.DataFrame([draw(usage_rows(i)) for i in range(count)])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=1, max_value=2).flatmap(lambda n: tariffs(versions=n)),
    tables(),
    st.booleans(),
)
def test_batch_bills_equal_the_engine_line_by_line(
    tariff: Tariff, frame: pd.DataFrame, pf_default: bool
) -> None:
    if not pf_default:
        tariff = _without_pf_default(tariff)
    priced = compile_tariff(tariff).price(frame)
    expected = exact_bills(tariff, frame)
    assert_same_notes(priced, expected)

    lines = priced.lines
    got = [
        [
            (str(r.period_start.date()), str(r.code), int(r.amount_fen))
            for r in lines[lines["row"] == i].itertuples()
        ]
        for i in range(len(frame))
    ]
    assert [sorted(b) for b in got] == [sorted(b) for b in line_amounts(expected)]
    assert priced.bills["total_fen"].tolist() == [int(b.total.amount.scaleb(2)) for b in expected]
    # Without lines, tier blocks cover every piece (zero where no energy): the same bills.
    dense = compile_tariff(tariff).price(frame, lines=False).bills
    pd.testing.assert_frame_equal(dense, priced.bills)


def _lines_by_row(lines: pd.DataFrame, rows: int) -> list[list[tuple[str, str, int]]]:
    return [
        sorted(
            (str(r.period_start.date()), str(r.code), int(r.amount_fen))
            for r in lines[lines["row"] == i].itertuples()
        )
        for i in range(rows)
    ]


@st.composite
def year_end_tables(draw: st.DrawFn) -> pd.DataFrame:
    """Rows whose periods cross a new year (annual tiers restart) and version boundaries."""
    frame = draw(tables())
    starts = [
        date(draw(st.integers(2020, 2029)), 12, draw(st.integers(1, 31))) for _ in range(len(frame))
    ]
    frame["period_start"] = starts
    frame["period_end"] = [s + timedelta(days=draw(st.integers(20, 62))) for s in starts]
    frame["opened_on"] = None
    frame["closed_on"] = [
        draw(st.none() | st.just(s + timedelta(days=draw(st.integers(1, 19))))) for s in starts
    ]
    return frame


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=1, max_value=4).flatmap(lambda n: tariffs(versions=n)),
    year_end_tables(),
    st.sampled_from(["0.01", "0.1", "1"]),
    st.sampled_from(
        [
            decimal.ROUND_HALF_UP,
            decimal.ROUND_HALF_EVEN,
            decimal.ROUND_HALF_DOWN,
            decimal.ROUND_DOWN,
            decimal.ROUND_UP,
            decimal.ROUND_FLOOR,
            decimal.ROUND_CEILING,
            decimal.ROUND_05UP,
        ]
    ),
)
def test_split_periods_and_any_rounding_equal_the_engine(
    tariff: Tariff, frame: pd.DataFrame, step: str, mode: str
) -> None:
    tariff = attrs.evolve(tariff, rounding=Rounding(step=step, mode=mode))

    priced = compile_tariff(tariff).price(frame)
    expected = exact_bills(tariff, frame)

    assert _lines_by_row(priced.lines, len(frame)) == [sorted(b) for b in line_amounts(expected)]
    assert priced.bills["total_fen"].tolist() == [int(b.total.amount.scaleb(2)) for b in expected]
    assert_same_notes(priced, expected)
    # Without lines, tier blocks cover every piece (zero where no energy): the same bills.
    dense = compile_tariff(tariff).price(frame, lines=False)
    pd.testing.assert_frame_equal(dense.bills, priced.bills)
    pd.testing.assert_frame_equal(dense.notes, priced.notes)


@st.composite
def one_window_tables(draw: st.DrawFn) -> pd.DataFrame:
    """Several rows of one service window: the batch engine prices them as one layout."""
    first = draw(usage_rows(0))
    rows = [first]
    for index in range(1, draw(st.integers(min_value=2, max_value=6))):
        row = draw(usage_rows(index))
        for name in ("period_start", "period_end", "opened_on", "closed_on"):
            row[name] = first[name]
        rows.append(row)
    return pd.DataFrame(rows)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=1, max_value=2).flatmap(lambda n: tariffs(versions=n)),
    one_window_tables(),
)
def test_a_table_of_one_window_equals_the_engine(tariff: Tariff, frame: pd.DataFrame) -> None:
    """Rows sharing their window skip the layout per row; bills and lines stay the engine's."""
    priced = compile_tariff(tariff).price(frame)
    expected = exact_bills(tariff, frame)
    assert_same_notes(priced, expected)

    assert _lines_by_row(priced.lines, len(frame)) == [sorted(b) for b in line_amounts(expected)]
    assert priced.bills["total_fen"].tolist() == [int(b.total.amount.scaleb(2)) for b in expected]
    # Without lines (the what-if path: no zero-rate tier, sums per line kind): the same bills.
    dense = compile_tariff(tariff).price(frame, lines=False).bills
    pd.testing.assert_frame_equal(dense, priced.bills)


@st.composite
def scoped_tariffs(draw: st.DrawFn, versions: int) -> Tariff:
    """Generated tariffs with a critical-peak overlay limited to some accounts (applies_to)."""
    tariff = draw(tariffs(versions=versions))
    capacity = draw(st.none() | st.sampled_from([100, 315, 2500]))
    kinds = draw(st.sampled_from([[], ["industrial"], ["industrial", "agricultural"]]))
    scope = (
        OverlayScope(min_capacity_kva=capacity, use_categories=kinds)
        if capacity is not None or kinds
        else None
    )
    overlay = Overlay(
        name="critical",
        bucket="critical",
        months=draw(st.sampled_from([(), (7, 8), (1, 12)])),
        windows=(TouWindow("critical", "19:00", "20:00"),),
        applies_to=draw(st.just(scope) | st.none()),
    )
    schedule = attrs.evolve(SCHEDULE, overlays=(overlay,))

    def with_critical(charge: Charge) -> Charge:
        if isinstance(charge, TimeOfUseCharge):
            extra = BucketPrice(bucket="critical", yuan_per_kwh=draw(prices))
            return attrs.evolve(charge, prices=(*charge.prices, extra))
        if isinstance(charge, TimeOfUseTiers):
            ladder = BucketTiers(bucket="critical", tiers=draw(tiers()))
            return attrs.evolve(charge, buckets=(*charge.buckets, ladder))
        return charge

    return attrs.evolve(
        tariff,
        versions=tuple(
            attrs.evolve(
                version,
                schedules={"day_night": schedule},
                charges=tuple(with_critical(c) for c in version.charges),
            )
            for version in tariff.versions
        ),
    )


@st.composite
def scoped_tables(draw: st.DrawFn) -> pd.DataFrame:
    """Rows with and without critical energy, capacity and kind (the facts a scope tests)."""
    frame = draw(tables())
    frame["kwh_critical"] = [draw(st.none() | st.just(0) | kwh) for _ in range(len(frame))]
    frame["capacity_kva"] = [
        draw(st.none() | st.sampled_from([99, 100, 314, 315, 2500, 4000]))
        for _ in range(len(frame))
    ]
    frame["basic_charge_basis"] = "demand"  # a missing capacity is then the scope's to refuse
    return frame


def _outcome(price: Any) -> object:
    try:
        return price()
    except PowerRetailError as err:
        return type(err)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=1, max_value=2).flatmap(scoped_tariffs), scoped_tables())
def test_scoped_overlays_refuse_and_price_as_the_engine(
    tariff: Tariff, frame: pd.DataFrame
) -> None:
    """Row by row, the batch engine refuses what the engine refuses and bills what it bills."""
    fine = []
    for row in range(len(frame)):
        one = frame.iloc[[row]].reset_index(drop=True)
        expected = _outcome(lambda: line_amounts(exact_bills(tariff, one)))  # noqa: B023
        got = _outcome(
            lambda: _lines_by_row(compile_tariff(tariff).price(one).lines, 1)  # noqa: B023
        )
        if isinstance(expected, list):
            assert got == [sorted(b) for b in expected]
            fine.append(row)
        else:
            assert got is expected
    if len(fine) == len(frame):
        priced = compile_tariff(tariff).price(frame)
        expected_bills = exact_bills(tariff, frame)
        assert priced.bills["total_fen"].tolist() == [
            int(b.total.amount.scaleb(2)) for b in expected_bills
        ]
        assert_same_notes(priced, expected_bills)
    else:
        with pytest.raises(PowerRetailError):
            compile_tariff(tariff).price(frame)


_SHIPPED = ("JS-CI-TOU-2P", "JS-CI-TOU-1P", "GD-CI-TOU", "JS-RES-TOU")


@st.composite
def shipped_tables(draw: st.DrawFn, tariff: Tariff) -> pd.DataFrame:
    """Rows for a shipped time-of-use tariff, with or without a deep-valley register."""
    buckets = set.intersection(
        *(
            set(c.resolved)
            for v in tariff.versions
            for c in v.charges
            if isinstance(c, TimeOfUseCharge)
        )
    )
    scoped = [b for b in scoped_buckets(tariff) if b in buckets]
    rows = []
    for index in range(draw(st.integers(min_value=1, max_value=5))):
        row = draw(usage_rows(index))
        del row["kwh_valley"]
        start = draw(st.dates(min_value=date(2025, 6, 1), max_value=date(2026, 10, 30)))
        row["period_start"] = start
        row["period_end"] = start + timedelta(days=draw(st.integers(1, 62)))
        row["opened_on"] = row["closed_on"] = None
        for bucket in sorted(buckets - {"peak"}):
            cell = draw(kwh) if bucket == "critical" else draw(st.none() | kwh)
            row[f"kwh_{bucket}"] = cell
        if scoped:  # 426号: critical peak and deep valley for industrial users of 315 kVA+
            kinds = ["residential"] if row["residential"] else ["industrial", "commercial"]
            row["use_category"] = draw(st.sampled_from(kinds))
            if row["use_category"] != "industrial" or row["capacity_kva"] < 315:
                for bucket in scoped:
                    row[f"kwh_{bucket}"] = None  # outside the scope: no such register
        rows.append(row)
    return pd.DataFrame(rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(_SHIPPED).flatmap(
        lambda c: st.tuples(st.just(c), shipped_tables(load_shipped(c)))
    )
)
def test_shipped_tariffs_with_losses_and_notes_equal_the_engine(
    drawn: tuple[str, pd.DataFrame],
) -> None:
    """Deep-valley notes, no-standard notes and losses under the shipped TOU tariffs."""
    tariff = load_shipped(drawn[0])
    frame = drawn[1]
    priced = compile_tariff(tariff).price(frame)
    expected = exact_bills(tariff, frame)

    assert _lines_by_row(priced.lines, len(frame)) == [sorted(b) for b in line_amounts(expected)]
    assert priced.bills["total_fen"].tolist() == [int(b.total.amount.scaleb(2)) for b in expected]
    assert_same_notes(priced, expected)


@st.composite
def capacity_histories(draw: st.DrawFn, start: date, end: date) -> CapacityHistory:
    """A history with up to two changes inside or before the period (each allowed by the rules)."""
    installed = draw(st.integers(min_value=50, max_value=5000))
    days = (end - start).days
    changes: list[CapacityChange] = []
    kind = draw(st.sampled_from(["none", "suspend", "suspend_resume", "increase", "reduce"]))
    on = start + timedelta(days=draw(st.integers(-20, max(days - 1, 0))))
    part = draw(st.integers(min_value=1, max_value=installed))
    if kind in {"suspend", "suspend_resume"}:
        changes.append(CapacityChange(kind="suspend", on=on, kva=part))
        if kind == "suspend_resume":
            back = on + timedelta(days=draw(st.integers(1, 40)))
            changes.append(CapacityChange(kind="resume", on=back, kva=part))
    elif kind == "increase":
        changes.append(CapacityChange(kind="increase", on=on, kva=part))
    elif kind == "reduce":
        changes.append(CapacityChange(kind="reduce", on=on, kva=min(part, installed - 1) or 1))
    rules = draw(st.sampled_from(["GYGZ1996", "FGW2016"]))
    try:
        return CapacityHistory(installed_kva=installed, changes=changes, rules=rules)
    except InvalidInput:  # a change the rules refuse (too short a suspension …): none
        return CapacityHistory(installed_kva=installed, rules=rules)


@st.composite
def sub_account_lists(draw: st.DrawFn) -> list[SubAccount]:
    """Zero to two fixed-quantity or fixed-ratio sub-accounts, priced at 0 to 2 元/kWh."""
    subs = []
    for index in range(draw(st.integers(min_value=0, max_value=2))):
        price = draw(_decimals("0", "2"))
        names = {"code": f"sub{index}", "name_zh": "照明", "name_en": "lighting", "source": "合同"}
        if draw(st.booleans()):
            subs.append(
                SubAccount(
                    **names,
                    yuan_per_kwh=price,
                    ratio=draw(st.decimals(min_value="0.01", max_value="0.4", places=3)),
                )
            )
        else:
            quantity = draw(_decimals("1", "20000", 3))
            subs.append(SubAccount(**names, yuan_per_kwh=price, kwh_per_month=quantity))
    return subs


@st.composite
def engine_row_tables(draw: st.DrawFn) -> pd.DataFrame:
    """Rows with and without capacity histories and sub-accounts, mixed."""
    frame = draw(tables())
    histories: list[CapacityHistory | None] = []
    subs: list[list[SubAccount] | None] = []
    for row in frame.itertuples():
        histories.append(draw(st.none() | capacity_histories(row.period_start, row.period_end)))
        subs.append(draw(st.none() | sub_account_lists()))
    frame["capacity_history"] = histories
    frame["sub_accounts"] = subs
    frame.loc[frame["capacity_history"].notna(), "capacity_kva"] = None
    return frame


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=1, max_value=2).flatmap(lambda n: tariffs(versions=n)),
    engine_row_tables(),
    st.booleans(),
)
def test_capacity_changes_and_sub_accounts_equal_the_engine(
    tariff: Tariff, frame: pd.DataFrame, lines: bool
) -> None:
    """Rows cut at capacity changes, with sub-accounts deducted: the engine's lines and notes."""
    try:
        expected = exact_bills(tariff, frame)
    except InvalidInput:  # the engine refuses a row: so does the batch, naming a row
        with pytest.raises(InvalidInput, match=r"usage\[\d+\]"):
            compile_tariff(tariff).price(frame)
        event("refused by both engines")
        return
    event("priced")
    priced = compile_tariff(tariff).price(frame, lines=lines)

    assert priced.bills["total_fen"].tolist() == [int(b.total.amount.scaleb(2)) for b in expected]
    assert_same_notes(priced, expected)
    fen = [c for c in priced.bills.columns if c.endswith("_fen") and c != "total_fen"]
    assert priced.bills[fen].sum(axis=1).tolist() == priced.bills["total_fen"].tolist()
    if lines:
        got = _lines_by_row(priced.lines, len(frame))
        assert got == [sorted(b) for b in line_amounts(expected)]
        # Rows of either path describe a version's line code the same way.
        kinds = priced.lines[["tariff_version", "code", "charge", "category", "bucket"]]
        unique = kinds.astype(str).drop_duplicates()
        assert not unique[["tariff_version", "code"]].duplicated().any()
