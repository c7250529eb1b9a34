"""One usage table under several tariffs, side by side: :func:`compare`.

>>> import pandas as pd
>>> from powerretail.adapters.tariff_library import load_shipped
>>> usage = pd.DataFrame({"account_id": ["A", "B"], "period_start": ["2025-07-01"] * 2,
...     "period_end": ["2025-08-01"] * 2, "kwh_peak": [200.0, 90.0], "kwh_valley": [112.4, 300.0],
...     "residential": [True, True]})
>>> flat = load_shipped("JS-RES-TOU")
>>> result = compare(usage, {"now": flat, "same": flat})
>>> result.summary["revenue_fen"].tolist(), result.summary["unchanged"].tolist()
([30967, 30967], [2, 2])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd

from powerretail.analysis.pricer import BatchPricer, NotVectorisable, Priced, compile_tariff
from powerretail.analysis.usage import (
    QUANTITY_EXP,
    Usage,
    in_whole_table,
    read_usage,
    rows_in_whole_table,
    usage_chunks,
)
from powerretail.errors import InvalidInput
from powerretail.tariffs.model import Tariff

__all__ = ["Comparison", "compare"]


@attrs.frozen(eq=False)
class Comparison:
    """The bills of one usage table under each tariff, and their comparison.

    * ``accounts`` — one row per account: class, kWh, total [fen] under each tariff and the
      change from the baseline (the first tariff) under each other one (``<name>_change_fen``);
    * ``summary`` — per tariff: revenue, change from the baseline, winners (pay less), losers
      (pay more) and unchanged accounts;
    * ``revenue`` — revenue [fen] per tariff and charge;
    * ``by_class`` — per customer class and tariff: accounts, kWh, revenue, change, winners
      and losers;
    * ``energy`` — energy [kWh] per customer class and time-of-use bucket;
    * ``priced`` — each tariff's :class:`~powerretail.analysis.pricer.Priced` bills (empty when
      the comparison was computed by partitions, see :mod:`powerretail.analysis.scale`).
    """

    baseline: str
    tariffs: tuple[str, ...]
    accounts: Any
    summary: Any
    revenue: Any
    by_class: Any
    energy: Any
    priced: Mapping[str, Priced]


def compare(
    usage: object,
    tariffs: Mapping[str, Tariff | BatchPricer],
    *,
    baseline: str | None = None,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
    chunk_rows: int | None = None,
) -> Comparison:
    """Price ``usage`` under each of ``tariffs`` (name → tariff) and compare the bills.

    ``baseline`` names the tariff changes are measured from (default: the first). ``progress``
    wraps the loop over tariffs (``tqdm.tqdm`` shows a progress bar; with ``chunk_rows``, the
    loop over chunks).

    ``chunk_rows`` reads and prices the table that many rows at a time (a Parquet file by
    record batches, a CSV file by chunks), so memory holds one chunk and the per-account
    totals, not the whole table; the result is the same, except that ``priced`` is empty. When
    the annual tier position is carried from row to row (no ``ytd_kwh``), every row of an
    account must be in one chunk (sort the file by account), or it is refused.

    Raises:
        InvalidInput: no tariff, or a baseline that is not one of them; a bad usage table (its
            row counted in the whole table); an account across two chunks whose position is
            carried.
    """
    names, base = check_tariffs(tariffs, baseline)
    pricers = {
        name: item if isinstance(item, BatchPricer) else compile_tariff(item)
        for name, item in tariffs.items()
    }
    if chunk_rows is not None:
        chunks: Iterable[tuple[int, Any]] = usage_chunks(usage, chunk_rows)
        if progress is not None:
            chunks = progress(chunks)
        pieces = [_chunk(offset, frame, pricers) for offset, frame in chunks]
        return combine(pieces, names, base, carried=_carried(pieces, pricers))
    table = usage if isinstance(usage, Usage) else read_usage(usage)
    loop: Iterable[str] = names if progress is None else progress(names)
    priced = {name: pricers[name].price(table, lines=False) for name in loop}
    return combine([parts(table, priced)], names, base, priced)


def _chunk(
    offset: int, frame: Any, pricers: Mapping[str, BatchPricer]
) -> tuple[Any, Any, Any, bool]:
    try:
        table = read_usage(frame)
        priced = {name: pricer.price(table, lines=False) for name, pricer in pricers.items()}
    except InvalidInput as err:
        raise in_whole_table(err, offset) from None
    except NotVectorisable as err:  # a row refused (losses): named by its row in the table
        raise NotVectorisable(rows_in_whole_table(err.what, offset), err.why) from None
    return (*parts(table, priced), table.carries_position)


def _carried(pieces: Iterable[tuple[Any, ...]], pricers: Mapping[str, BatchPricer]) -> bool:
    """Whether some chunk carried the annual tier position for a tariff with annual tiers."""
    return any(p.carries_annual for p in pricers.values()) and any(
        len(piece) > 3 and piece[3] for piece in pieces
    )


def check_tariffs(
    tariffs: Mapping[str, object], baseline: str | None
) -> tuple[tuple[str, ...], str]:
    """Return the tariff names and the baseline's.

    Raises:
        InvalidInput: no tariff, or a baseline that is not one of them.
    """
    if not tariffs:
        raise InvalidInput("tariffs", {}, "at least one tariff")
    names = tuple(tariffs)
    base = names[0] if baseline is None else baseline
    if base not in tariffs:
        raise InvalidInput("baseline", base, f"one of {', '.join(names)}")
    return names, base


def parts(table: Usage, priced: Mapping[str, Priced]) -> tuple[Any, Any, Any]:
    """Return one table's (accounts, revenue, energy) parts, to be combined with others."""
    names = tuple(priced)
    first = priced[names[0]].bills
    # Text columns as pandas strings: grouping millions of accounts is several times faster.
    columns: dict[str, Any] = {
        "account_id": first["account_id"].astype("str"),
        "customer_class": first["customer_class"].astype("str"),
        "kwh_milli": table.total_kwh(),
    }
    for name in names:
        columns[f"{name}_fen"] = priced[name].bills["total_fen"]
    accounts = pd.DataFrame(columns)
    revenue_rows = []
    for name in names:
        bills = priced[name].bills
        for column in bills.columns:
            if column.endswith("_fen") and column != "total_fen":
                revenue_rows.append(
                    {
                        "tariff": name,
                        "charge": column[: -len("_fen")],
                        "revenue_fen": int(bills[column].sum()),
                    }
                )
    energy_columns: dict[str, Any] = {"customer_class": table.customer_class}
    for bucket, column in table.energy.items():
        energy_columns[bucket] = np.where(column.present, column.values, 0)
    energy = pd.DataFrame(energy_columns).groupby("customer_class", sort=True).sum()
    return accounts, pd.DataFrame(revenue_rows), energy


def combine(
    pieces: Iterable[tuple[Any, ...]],
    names: tuple[str, ...],
    base: str,
    priced: Mapping[str, Priced] | None = None,
    *,
    carried: bool = False,
) -> Comparison:
    """Return the comparison of the (accounts, revenue, energy) parts of one or more tables.

    ``carried``: the tier position was carried from row to row inside each table, so an
    account in two of them would have been priced from a wrong position.

    Raises:
        InvalidInput: ``carried`` and an account in two tables.
    """
    listed = list(pieces)
    rows = pd.concat([p[0] for p in listed], ignore_index=True)
    sums = {"kwh_milli": ("kwh_milli", "sum")} | {f"{n}_fen": (f"{n}_fen", "sum") for n in names}
    check = carried and len(listed) > 1
    if check:  # each account's first and last piece, found by the same grouping
        rows["piece"] = np.repeat(np.arange(len(listed)), [len(p[0]) for p in listed])
        sums |= {"first_piece": ("piece", "min"), "last_piece": ("piece", "max")}
    accounts = rows.groupby("account_id", sort=True).agg(
        customer_class=("customer_class", "first"), **sums
    )
    if check:
        across = accounts.index[accounts.pop("first_piece") != accounts.pop("last_piece")]
        if len(across):
            raise InvalidInput(
                "usage.account_id",
                str(across[0]),
                "every row of an account in one chunk or partition (the annual tier position "
                "is carried from row to row: sort the rows by account, or give ytd_kwh)",
            )
    accounts.insert(1, "kwh", accounts.pop("kwh_milli") / 10**-QUANTITY_EXP)
    for name in names:
        accounts[f"{name}_fen"] = accounts[f"{name}_fen"].astype("int64")
    for name in names:
        if name != base:
            accounts[f"{name}_change_fen"] = accounts[f"{name}_fen"] - accounts[f"{base}_fen"]
    accounts = accounts.reset_index()
    revenue = (
        pd.concat([p[1] for p in listed], ignore_index=True)
        .groupby(["tariff", "charge"], sort=False, as_index=False)["revenue_fen"]
        .sum()
    )
    energy = pd.concat([p[2] for p in listed]).groupby(level=0, sort=True).sum()
    energy = energy / 10**-QUANTITY_EXP
    summary_rows = []
    class_rows = []
    for name in names:
        change = accounts[f"{name}_fen"] - accounts[f"{base}_fen"]
        summary_rows.append(
            {
                "tariff": name,
                "accounts": len(accounts),
                "revenue_fen": int(accounts[f"{name}_fen"].sum()),
                "change_fen": int(change.sum()),
                "winners": int((change < 0).sum()),
                "losers": int((change > 0).sum()),
                "unchanged": int((change == 0).sum()),
            }
        )
        for label, group in accounts.assign(change=change).groupby("customer_class", sort=True):
            class_rows.append(
                {
                    "customer_class": label,
                    "tariff": name,
                    "accounts": len(group),
                    "kwh": group["kwh"].sum(),
                    "revenue_fen": int(group[f"{name}_fen"].sum()),
                    "change_fen": int(group["change"].sum()),
                    "winners": int((group["change"] < 0).sum()),
                    "losers": int((group["change"] > 0).sum()),
                }
            )
    return Comparison(
        baseline=base,
        tariffs=names,
        accounts=accounts,
        summary=pd.DataFrame(summary_rows),
        revenue=revenue,
        by_class=pd.DataFrame(class_rows),
        energy=energy,
        priced=dict(priced or {}),
    )
