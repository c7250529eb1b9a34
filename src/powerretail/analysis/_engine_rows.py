"""Rows the batch engine prices through the bill engine's pieces: capacity changes, sub-accounts.

A row with a ``capacity_history`` (暂停, 减容, 暂换, 增容 inside the period) is cut at each change
and each piece billed on its capacity; a row with ``sub_accounts`` (定量/定比) has their energy
deducted from the meter's and billed at their own price on the same bill, outside the
power-factor base. Such rows are few, so they are priced one by one by
:class:`~powerretail.billing.engine.BillingEngine` itself (the same split logic, Decimal and
Fraction arithmetic) and their lines, totals and notes joined to the vectorised rows' in row
order. The rows without either take the vectorised path unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from powerretail.analysis._exact import IntArray
from powerretail.analysis.usage import ENGINE_COLUMNS, QUANTITY_EXP, Usage, read_usage
from powerretail.billing.bill import Bill, LineItem
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import BillingEngine
from powerretail.errors import InvalidInput, NotFound
from powerretail.tariffs.losses import NO_LOSS, LossModel
from powerretail.tariffs.model import (
    Charge,
    ChargeCategory,
    Tariff,
    TimeOfUseCharge,
    TimeOfUseTiers,
)
from powerretail.timeframe import DateRange

__all__ = [
    "SUB_ACCOUNTS",
    "EngineRows",
    "engine_rows",
    "renumbered",
    "with_sub_accounts",
    "without_rows",
]

#: The bills column of the sub-accounts' lines (a table with a ``sub_accounts`` column).
SUB_ACCOUNTS: Final = "sub_accounts"
_ROW: Final = re.compile(r"usage\[(\d+)\]")
_LINE_COLUMNS: Final = (
    "row",
    "account_id",
    "period_start",
    "period_end",
    "tariff_version",
    "charge",
    "category",
    "code",
    "bucket",
    "quantity",
    "rate",
    "amount_fen",
)
_CATEGORIES: Final = ("charge", "category", "code", "bucket", "tariff_version")


class EngineRows:
    """The bills, lines and notes of some usage rows, priced by the bill engine.

    Raises (from the constructor):
        InvalidInput: a row lacks what a charge needs, or its facts do not fit (named by row).
        NotFound: no tariff version is in force on a day of some row.
    """

    def __init__(
        self,
        engine: BillingEngine,
        usage: Usage,
        rows: IntArray,
    ) -> None:
        self.rows = rows
        self.bills: list[Bill] = []
        self.losses: list[tuple[Decimal, Decimal]] = []
        with_losses = usage.losses is not None
        for row in rows.tolist():
            determinants, account = _facts(usage, row)
            period = DateRange(_date(usage.period_start[row]), _date(usage.period_end[row]))
            try:
                bill = engine.bill(
                    determinants, period, account, account_id=str(usage.account_id[row])
                )
            except InvalidInput as err:
                field = err.field.split(".", 1)[-1]
                raise InvalidInput(f"usage[{row}].{field}", err.value, err.expected) from None
            except NotFound as err:
                raise NotFound(err.kind, f"{err.key} (usage[{row}])") from None
            self.bills.append(bill)
            if with_losses:
                self.losses.append(_losses(determinants, period, account))


def _date(value: np.datetime64) -> date | None:
    if np.isnat(value):
        return None
    result = value.astype("datetime64[D]").astype(object)
    assert isinstance(result, date)
    return result


def _decimal(usage: Usage, name: str, row: int) -> Decimal | None:
    column = usage.quantities[name]
    if not column.present[row]:
        return None
    return Decimal(int(column.values[row])).scaleb(QUANTITY_EXP)


def _facts(usage: Usage, row: int) -> tuple[Determinants, AccountFacts]:
    """Return the determinants and account facts of ``row``, as the engine takes them."""
    energy = {
        bucket: Decimal(int(column.values[row])).scaleb(QUANTITY_EXP)
        for bucket, column in usage.energy.items()
        if column.present[row]
    }
    determinants = Determinants(
        energy_kwh=energy,
        max_demand_kw=_decimal(usage, "max_demand_kw", row),
        reactive_kvarh=_decimal(usage, "reactive_kvarh", row),
    )
    losses = usage.losses
    model: LossModel = NO_LOSS
    if losses is not None and losses.index[row] >= 0:
        model = losses.models[int(losses.index[row])]
    history = None if usage.capacity_history is None else usage.capacity_history[row]
    subs = _subs_of(usage, row)
    account = AccountFacts(
        capacity_kva=_decimal(usage, "capacity_kva", row),
        contract_demand_kw=_decimal(usage, "contract_demand_kw", row),
        hv_motor_kw=_decimal(usage, "hv_motor_kw", row) or Decimal(0),
        basic_charge_basis=usage.basic_charge_basis[row],
        pf_standard=usage.pf_standard[row],
        residential=bool(usage.residential[row]),
        use_category=usage.use_category[row],
        ytd_kwh=_decimal(usage, "ytd_kwh", row) or Decimal(0),
        opened_on=_date(usage.opened_on[row]),
        closed_on=_date(usage.closed_on[row]),
        loss_model=model,
        capacity_history=history,
        sub_accounts=subs,
    )
    return determinants, account


def _losses(
    determinants: Determinants, period: DateRange, account: AccountFacts
) -> tuple[Decimal, Decimal]:
    """Return the active and reactive losses the engine adds to ``period``'s energy."""
    service = BillingEngine._service(period, account)  # the engine's own cut
    reactive = determinants.reactive_kvarh or Decimal(0)
    metered = Determinants(
        energy_kwh=determinants.energy_kwh,
        max_demand_kw=determinants.max_demand_kw,
        reactive_kvarh=reactive,
    )
    energy, billed = BillingEngine._with_losses(  # the engine's own losses
        metered.energy_kwh, metered, service, account
    )
    active = sum(energy.values(), Decimal(0)) - sum(metered.energy_kwh.values(), Decimal(0))
    return active, (billed or Decimal(0)) - reactive


def without_rows(usage: Usage, rows: IntArray) -> tuple[Usage, IntArray]:
    """Return ``usage`` without ``rows`` (read again, every fact checked) and its rows' numbers."""
    keep = np.setdiff1d(np.arange(len(usage)), rows)
    frame = usage.frame.iloc[keep].drop(
        columns=[c for c in ENGINE_COLUMNS if c in usage.frame.columns]
    )
    return read_usage(frame.reset_index(drop=True)), keep


def renumbered(err: Exception, rows: IntArray) -> Exception:
    """Return ``err`` of a part of the table with its ``usage[i]`` named as rows ``rows[i]``."""

    def text(value: str) -> str:
        return _ROW.sub(lambda m: f"usage[{int(rows[int(m.group(1))])}]", value)

    if isinstance(err, InvalidInput):
        return type(err)(text(err.field), err.value, err.expected)
    if isinstance(err, NotFound):
        return NotFound(err.kind, text(str(err.key)))
    what, why = getattr(err, "what", None), getattr(err, "why", None)
    if isinstance(what, str) and isinstance(why, str):  # NotVectorisable
        return type(err)(text(what), text(why))
    return err


def _floats(values: Sequence[Decimal]) -> Any:
    """A float view of ``values`` (each the float nearest to its decimal)."""
    return np.asarray([str(v) for v in values], dtype=str).astype(np.float64)


def _owner_of(tariff: Tariff) -> Callable[[str, str], Charge]:
    """Return the charge of a line, by its version label and code (``energy.peak`` → energy)."""
    by_version = {
        version.label: sorted(version.charges, key=lambda c: -len(c.code))
        for version in tariff.versions
    }

    def owner(label: str, code: str) -> Charge:
        return next(c for c in by_version[label] if code == c.code or code.startswith(f"{c.code}."))

    return owner


def _bucket(charge: Charge, code: str) -> str:
    if isinstance(charge, TimeOfUseCharge) and code != charge.code:
        return code[len(charge.code) + 1 :]
    if isinstance(charge, TimeOfUseTiers) and code != charge.code:
        return code[len(charge.code) + 1 :].rsplit(".", 1)[0]
    return ""


def engine_rows(
    tariff: Tariff,
    usage: Usage,
    priced: EngineRows,
    rest: Any,
    keep: IntArray,
    *,
    lines: bool,
    decimals: bool,
    minor_exp: int,
) -> tuple[Any, Any, Any]:
    """Return the bills, lines and notes of the whole table: ``rest`` (rows ``keep``) and
    ``priced`` joined in row order."""
    owner = _owner_of(tariff)
    rows = priced.rows
    subs_column = usage.sub_accounts is not None
    bill_rest = rest.bills
    code_columns = [c for c in bill_rest.columns if c.endswith("_fen") and c != "total_fen"]
    by_code: dict[str, list[int]] = {c: [] for c in code_columns}
    subs: list[int] = []
    totals: list[int] = []
    records: list[tuple[int, LineItem, Charge | None]] = []
    for row, bill in zip(rows.tolist(), priced.bills, strict=True):
        count = len(bill.lines) - len(_subs_of(usage, row))
        sums = dict.fromkeys(code_columns, 0)
        sub_fen = 0
        for index, line in enumerate(bill.lines):
            fen = int(line.amount.amount.scaleb(-minor_exp))
            charge = owner(line.tariff_version, line.code) if index < count else None
            if charge is None:
                sub_fen += fen
            else:
                sums[f"{charge.code}_fen"] += fen
            records.append((row, line, charge))
        for column, fen in sums.items():
            by_code[column].append(fen)
        subs.append(sub_fen)
        totals.append(int(bill.total.amount.scaleb(-minor_exp)))
    columns: dict[str, Any] = {
        "tariff": pd.Categorical.from_codes(
            np.zeros(len(rows), dtype=np.int8), [tariff.code], validate=False
        ),
        **{name: series.iloc[rows].to_numpy() for name, series in usage.bill_columns.items()},
        "kwh": usage.total_kwh()[rows] / 10**-QUANTITY_EXP,
    }
    if usage.losses is not None:
        columns["loss_kwh"] = _floats([active for active, _ in priced.losses])
        columns["loss_kvarh"] = _floats([reactive for _, reactive in priced.losses])
    columns["total_fen"] = np.asarray(totals, dtype=np.int64)
    for column in code_columns:
        columns[column] = np.asarray(by_code[column], dtype=np.int64)
    if subs_column:
        columns[f"{SUB_ACCOUNTS}_fen"] = np.asarray(subs, dtype=np.int64)
    columns["total_yuan"] = columns["total_fen"] / 10**-minor_exp
    if decimals:
        columns["total"] = [Decimal(v).scaleb(minor_exp) for v in totals]
    mine = pd.DataFrame(columns)
    # The other rows were read from the same columns: they have the loss columns too.
    theirs = with_sub_accounts(rest).bills if subs_column else bill_rest.copy()
    bills = _joined(theirs, mine[theirs.columns], keep, rows)
    line_frame = (
        _lines(rest.lines, records, keep, usage.account_id, decimals, minor_exp) if lines else None
    )
    notes = _notes(rest.notes, priced, keep, usage)
    return bills, line_frame, notes


def with_sub_accounts(priced: Any) -> Any:
    """Return ``priced`` with a ``sub_accounts_fen`` bills column of zeros (rows without any)."""
    bills = priced.bills.copy()
    bills.insert(
        bills.columns.get_loc("total_yuan"),
        f"{SUB_ACCOUNTS}_fen",
        np.zeros(len(bills), dtype=np.int64),
    )
    return attrs.evolve(priced, bills=bills)


def _subs_of(usage: Usage, row: int) -> tuple[object, ...]:
    return () if usage.sub_accounts is None else tuple(usage.sub_accounts[row])


def _joined(theirs: Any, mine: Any, keep: IntArray, rows: IntArray) -> Any:
    """Return the bills of both parts in the order of the table's rows."""
    theirs = theirs.set_axis(keep)
    mine = mine.set_axis(rows)
    both = pd.concat([theirs, mine]).sort_index(kind="stable").reset_index(drop=True)
    both["tariff"] = both["tariff"].astype(theirs["tariff"].dtype)
    return both


def _lines(  # noqa: PLR0917 - one private call
    rest: Any,
    records: Sequence[tuple[int, LineItem, Charge | None]],
    keep: IntArray,
    account_of: Any,
    decimals: bool,
    minor_exp: int,
) -> Any:
    theirs = rest.copy()
    theirs["row"] = keep[theirs["row"].to_numpy()] if len(theirs) else theirs["row"]
    for name in _CATEGORIES:
        if name in theirs.columns:
            theirs[name] = theirs[name].astype(object)
    part: dict[str, Any] = {
        "row": np.asarray([row for row, _, _ in records], dtype=np.int64),
        "account_id": pd.Series([account_of[row] for row, _, _ in records], dtype=object),
        "period_start": np.asarray(
            [np.datetime64(line.period.start, "D") for _, line, _ in records],
            dtype="datetime64[D]",
        ).astype("datetime64[s]"),
        "period_end": np.asarray(
            [np.datetime64(line.period.end, "D") for _, line, _ in records],
            dtype="datetime64[D]",
        ).astype("datetime64[s]"),
        "tariff_version": [line.tariff_version for _, line, _ in records],
        "charge": [line.code if c is None else c.code for _, line, c in records],
        "category": [
            ChargeCategory.ENERGY.value if c is None else c.category.value for _, _, c in records
        ],
        "code": [line.code for _, line, _ in records],
        "bucket": ["" if c is None else _bucket(c, line.code) for _, line, c in records],
        "quantity": _floats([line.quantity for _, line, _ in records]),
        "rate": _floats([line.rate for _, line, _ in records]),
        "amount_fen": np.asarray(
            [int(line.amount.amount.scaleb(-minor_exp)) for _, line, _ in records],
            dtype=np.int64,
        ),
    }
    if decimals:
        part["amount"] = [line.amount.amount for _, line, _ in records]
        part["quantity_decimal"] = [line.quantity for _, line, _ in records]
        part["rate_decimal"] = [line.rate for _, line, _ in records]
    mine = pd.DataFrame(part)
    mine["amount_yuan"] = mine["amount_fen"] / 10**-minor_exp
    if "period_start" in theirs.columns and len(theirs):
        for name in ("period_start", "period_end"):
            mine[name] = mine[name].astype(theirs[name].dtype)
    frame = pd.concat([theirs, mine[[c for c in theirs.columns if c in mine.columns]]])
    if not len(theirs):
        frame = mine
    frame = frame.sort_values("row", kind="stable").reset_index(drop=True)
    for name in _CATEGORIES:
        frame[name] = frame[name].astype("category")
    return frame


def _notes(rest: Any, priced: EngineRows, keep: IntArray, usage: Usage) -> Any:
    theirs = rest.copy()
    theirs["row"] = keep[theirs["row"].to_numpy()] if len(theirs) else theirs["row"]
    theirs["note"] = theirs["note"].astype(object)
    found = [
        (row, note)
        for row, bill in zip(priced.rows.tolist(), priced.bills, strict=True)
        for note in bill.notes
    ]
    mine = pd.DataFrame(
        {
            "row": np.asarray([row for row, _ in found], dtype=np.int64),
            "account_id": pd.Series([usage.account_id[row] for row, _ in found], dtype=object),
            "note": pd.Series([note for _, note in found], dtype=object),
        }
    )
    frame = pd.concat([theirs, mine]) if len(theirs) else mine
    frame = frame.sort_values("row", kind="stable").reset_index(drop=True)
    frame["note"] = frame["note"].astype("category")
    return frame
