"""The exact engine over a usage table, row by row: what the batch engine must equal."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pandas as pd

from powerretail.billing.bill import Bill
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import BillingEngine
from powerretail.tariffs.model import Tariff
from powerretail.timeframe import DateRange

_QUANTITIES = ("max_demand_kw", "reactive_kvarh")
_FACTS = ("capacity_kva", "contract_demand_kw", "hv_motor_kw", "ytd_kwh")
_OBJECTS = ("loss_model", "capacity_history", "sub_accounts")


def _cell(row: Any, name: str) -> Any:
    if name not in row.index:
        return None
    value = row[name]
    if name in _OBJECTS:  # an object cell: a loss model, a history, sub-accounts, or empty
        return None if value is None or (isinstance(value, float) and pd.isna(value)) else value
    return None if pd.isna(value) else value


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.001"))


def exact_bills(tariff: Tariff, frame: pd.DataFrame) -> list[Bill]:
    """Return the engine's bill of every row of ``frame`` (ytd_kwh taken from the row)."""
    engine = BillingEngine(tariff)
    bills = []
    for _, row in frame.iterrows():
        energy = {
            name[4:]: _decimal(row[name])
            for name in frame.columns
            if name.startswith("kwh_") and _cell(row, name) is not None
        }
        determinants = Determinants(
            energy_kwh=energy, **{n: _decimal(_cell(row, n)) for n in _QUANTITIES}
        )
        facts: dict[str, Any] = {n: _decimal(_cell(row, n)) for n in _FACTS}
        if facts["hv_motor_kw"] is None:
            facts["hv_motor_kw"] = 0
        if facts["ytd_kwh"] is None:
            facts["ytd_kwh"] = 0
        account = AccountFacts(
            **facts,
            basic_charge_basis=_cell(row, "basic_charge_basis"),
            pf_standard=_cell(row, "pf_standard"),
            residential=bool(_cell(row, "residential") or False),
            use_category=_cell(row, "use_category"),
            opened_on=_cell(row, "opened_on"),
            closed_on=_cell(row, "closed_on"),
            **({"loss_model": model} if (model := _cell(row, "loss_model")) is not None else {}),
            capacity_history=_cell(row, "capacity_history"),
            sub_accounts=tuple(_cell(row, "sub_accounts") or ()),
        )
        period = DateRange(row["period_start"], row["period_end"])
        bills.append(engine.bill(determinants, period, account, account_id=str(row["account_id"])))
    return bills


def line_amounts(bills: Iterable[Bill]) -> list[list[tuple[str, str, int]]]:
    """Return each bill's lines as (piece start, code, fen), in the engine's order."""
    return [
        [
            (str(line.period.start), line.code, int(line.amount.amount.scaleb(2)))
            for line in bill.lines
        ]
        for bill in bills
    ]


def assert_same_notes(priced: Any, bills: Iterable[Bill]) -> None:
    """Assert the batch bills' notes are the engine's, bill by bill and in order."""
    expected = [bill.notes for bill in bills]
    assert [priced.notes_of(row) for row in range(len(expected))] == expected
