"""Usage tables for the batch engine: one row per account and billing period.

:func:`read_usage` takes a pandas DataFrame, a pyarrow Table, or a path to a Parquet or CSV file
(polars frames go through ``to_arrow()``) and checks it column by column. Columns:

========================= ========= =============================================================
column                    required  meaning
========================= ========= =============================================================
``account_id``            yes       the account (text)
``period_start``          yes       first day of the billing period (date)
``period_end``            yes       first day after it (date)
``kwh_<bucket>``          one+      energy [kWh] per time-of-use bucket: ``kwh_peak``,
                                    ``kwh_flat``, ``kwh_valley``, ``kwh_critical``,
                                    ``kwh_deep_valley`` …, or ``kwh_total`` for an untimed meter;
                                    an empty cell means the meter has no such register
``max_demand_kw``         no        maximum demand [kW] (demand-based basic charge)
``reactive_kvarh``        no        reactive energy [kvarh] (power-factor adjustment)
``capacity_kva``          no        transformer capacity [kVA]
``contract_demand_kw``    no        contract maximum demand [kW]
``hv_motor_kw``           no        HV motors outside the transformer [kW] (40 % floor)
``basic_charge_basis``    no        ``capacity`` or ``demand`` (empty: the tariff's default)
``pf_standard``           no        power-factor standard 0.90 / 0.85 / 0.80 (empty: tariff's)
``residential``           no        true for households (never power-factor adjusted)
``use_category``          no        ``industrial``, ``commercial``, ``agricultural`` or
                                    ``residential`` (empty: not given); time-of-use overlays
                                    limited to some accounts test it with ``capacity_kva``
                                    (Jiangsu's critical peak and deep valley: industrial, 315
                                    kVA and more); a row that needs it and lacks it is refused
``opened_on``             no        move-in date (first day with service)
``closed_on``             no        move-out date (first day without service)
``ytd_kwh``               no        annual tier position at the period start [kWh] (an empty
                                    cell is 0); when the column is absent the position is
                                    carried from the account's earlier rows of the same tier
                                    year (their periods must not overlap)
``tier_year_kwh_before``  no        tier position before the account's first row [kWh] (0)
``customer_class``        no        a label for per-class summaries (default: residential or
                                    non-residential)
``profiled``              no        true where the buckets were split from a total by a load
                                    profile (:mod:`powerretail.analysis.profiles`); carried to
                                    the bills
``profile``               no        the load profile a profiled row was split by (text)
``loss_model``            no        losses between the property boundary and the meter: a
                                    ``NoLoss``, ``FixedPercent``, ``TransformerFormula`` or
                                    ``TableLookup`` object (:mod:`powerretail.tariffs.losses`);
                                    an empty cell is none
``loss_active_percent``   no        agreed active loss [%] of metered energy (a
                                    ``FixedPercent``; an empty cell: no such model)
``loss_reactive_percent`` no        agreed reactive loss [%] of metered reactive energy (with
                                    ``loss_active_percent``; empty: 0)
``transformer_*``         no        a ``TransformerFormula``: ``transformer_no_load_kw``,
                                    ``transformer_load_loss_kw``, ``transformer_rated_kva``,
                                    ``transformer_power_factor`` (all four where one is given),
                                    ``transformer_no_load_current_percent`` and
                                    ``transformer_impedance_voltage_percent`` (empty: 0)
``capacity_history``      no        capacity changes inside the period (暂停, 减容, 暂换, 增容):
                                    a ``CapacityHistory`` object
                                    (:mod:`powerretail.billing.capacity`) in place of
                                    ``capacity_kva`` (empty there); an empty cell is none
``sub_accounts``          no        fixed-quantity and fixed-ratio sub-accounts (定量/定比): a
                                    sequence of ``SubAccount``
                                    (:mod:`powerretail.billing.sub_accounts`); an empty cell
                                    or sequence is none
========================= ========= =============================================================

A row has one loss model at most (a ``loss_model`` cell, the percent columns or the transformer
columns). Loss parameters are read as the decimals they show (a float by its shortest form).

Rows with a capacity history or sub-accounts are few in practice; the batch engine prices them
one by one through the bill engine's own pieces (cut at each capacity change, sub-accounts
deducted and billed on the same bill), so their lines, totals and notes are the engine's.

Quantities are read to three decimals (a number with more is refused), so a float column read
from CSV is exact. Energy is zero or more. A bad table raises
:class:`~powerretail.errors.InvalidInput` naming the column, the row (counted from 0) and what
was expected.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from powerretail.analysis._exact import IntArray
from powerretail.analysis._loss_columns import LOSS_COLUMNS, LossColumns, read_losses
from powerretail.billing.capacity import CapacityHistory
from powerretail.billing.sub_accounts import as_sub_accounts
from powerretail.errors import InvalidInput
from powerretail.tariffs.tou import USE_CATEGORIES

__all__ = ["QUANTITY_EXP", "Usage", "read_usage"]

#: Quantities [kWh, kW, kvarh, kVA] are integers of 10**QUANTITY_EXP units.
QUANTITY_EXP: Final = -3
_SCALE: Final = 10**-QUANTITY_EXP
#: The largest quantity read [kWh]: larger values would overflow exact products.
_MAX_QUANTITY: Final = 10**12
_REQUIRED: Final = ("account_id", "period_start", "period_end")
#: Account facts of object cells whose rows are priced through the bill engine's pieces.
ENGINE_COLUMNS: Final = ("capacity_history", "sub_accounts")
_NO_ROWS: Final = np.zeros(0, dtype=np.int64)
_QUANTITIES: Final = (
    "max_demand_kw",
    "reactive_kvarh",
    "capacity_kva",
    "contract_demand_kw",
    "hv_motor_kw",
    "ytd_kwh",
    "tier_year_kwh_before",
)
_KNOWN: Final = frozenset(
    {
        *_REQUIRED,
        *_QUANTITIES,
        "basic_charge_basis",
        "pf_standard",
        "residential",
        "use_category",
        "opened_on",
        "closed_on",
        "customer_class",
        "profiled",
        "profile",
        *LOSS_COLUMNS,
        *ENGINE_COLUMNS,
    }
)


@attrs.frozen(eq=False)
class Quantity:
    """A nullable quantity column: integers of 10**QUANTITY_EXP units, and where it is given.

    ``values`` is 0 where the column is not given.
    """

    values: npt.NDArray[np.int64]
    present: npt.NDArray[np.bool_]


@attrs.frozen(eq=False)
class Usage:
    """A checked usage table as arrays, in the order of its rows.

    ``energy`` maps each bucket to its column; ``dates`` are ``datetime64[D]`` (``NaT`` when
    empty).
    """

    frame: Any
    account_id: npt.NDArray[np.object_]
    period_start: npt.NDArray[np.datetime64]
    period_end: npt.NDArray[np.datetime64]
    energy: Mapping[str, Quantity]
    quantities: Mapping[str, Quantity]
    residential: npt.NDArray[np.bool_]
    pf_standard: npt.NDArray[np.object_]
    basic_charge_basis: npt.NDArray[np.object_]
    opened_on: npt.NDArray[np.datetime64]
    closed_on: npt.NDArray[np.datetime64]
    customer_class: npt.NDArray[np.object_]
    profiled: npt.NDArray[np.bool_]
    carries_position: bool
    #: Each row's loss model (``None``: the table has no loss column).
    losses: LossColumns | None = None
    #: The kind overlay scopes test (``residential`` where ``residential``; ``None``: not given).
    use_category: npt.NDArray[np.object_] = attrs.field(kw_only=True)
    #: Each row's capacity history (``None`` where none; the array is ``None`` without the column).
    capacity_history: npt.NDArray[np.object_] | None = None
    #: Each row's sub-accounts, a tuple (empty where none; ``None`` without the column).
    sub_accounts: npt.NDArray[np.object_] | None = None
    #: The columns every bills table repeats (account, period, class, profiled) as Series, made
    #: once: a priced table shares them with its usage (copy-on-write keeps each its own).
    bill_columns: Mapping[str, Any] = attrs.field(init=False, repr=False)
    _memo: dict[str, Any] = attrs.field(init=False, repr=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        columns = {
            "account_id": pd.Series(self.account_id, dtype=object),
            "period_start": pd.Series(self.period_start.astype("datetime64[s]")),
            "period_end": pd.Series(self.period_end.astype("datetime64[s]")),
            "customer_class": pd.Series(self.customer_class, dtype=object),
            "profiled": pd.Series(self.profiled, dtype=bool),
        }
        object.__setattr__(self, "bill_columns", columns)

    def by_account(self) -> tuple[IntArray, IntArray]:
        """Return each row's account number and the rows ordered by account, then period start.

        Accounts are numbered in order of first appearance; computed once per table (every
        tariff with annual tiers carries its position in this order).
        """
        found = self._memo.get("by_account")
        if found is None:
            codes, _ = pd.factorize(self.account_id)
            starts = self.period_start.astype("datetime64[D]").astype(np.int64)
            found = self._memo["by_account"] = (codes, np.lexsort((starts, codes)))
        return found

    def __len__(self) -> int:
        return len(self.account_id)

    def engine_rows(self) -> IntArray:
        """Return the rows with a capacity history or sub-accounts (priced by the bill engine)."""
        if self.capacity_history is None and self.sub_accounts is None:
            return _NO_ROWS
        found = self._memo.get("engine_rows")
        if found is None:
            special = np.zeros(len(self), dtype=bool)
            if self.capacity_history is not None:
                special |= np.asarray([h is not None for h in self.capacity_history], dtype=bool)
            if self.sub_accounts is not None:
                special |= np.asarray([bool(s) for s in self.sub_accounts], dtype=bool)
            found = self._memo["engine_rows"] = np.flatnonzero(special)
        return found

    def total_kwh(self) -> IntArray:
        """Return all energy of each row (integers of 10**QUANTITY_EXP kWh)."""
        # A column is 0 where it is not given: the sum of the columns as they are, in one pass
        # for two buckets.
        columns = [column.values for column in self.energy.values()]
        if len(columns) < 2:
            return np.array(columns[0]) if columns else np.zeros(len(self), dtype=np.int64)
        total = np.add(columns[0], columns[1])
        for values in columns[2:]:
            total += values
        return total


def read_usage(source: object) -> Usage:
    """Return the checked usage table of ``source`` (DataFrame, Arrow table or file path).

    Raises:
        InvalidInput: a file that cannot be read, a missing or unknown column, a bad value.
    """
    frame = _frame(source)
    columns = [str(c) for c in frame.columns]
    for name in _REQUIRED:
        if name not in columns:
            raise InvalidInput("usage", name, f"a column {name!r} (columns: {', '.join(columns)})")
    buckets = [c for c in columns if c.startswith("kwh_")]
    if not buckets:
        raise InvalidInput("usage", "kwh_*", "at least one energy column such as kwh_total")
    for name in columns:
        if name not in _KNOWN and not name.startswith("kwh_"):
            raise InvalidInput(
                "usage", name, "a documented column (account_id, period_start, kwh_peak …)"
            )
    frame = frame.reset_index(drop=True)
    size = len(frame)
    account = _text(frame, "account_id", required=True)
    start = _dates(frame, "period_start", required=True)
    end = _dates(frame, "period_end", required=True)
    bad = np.flatnonzero(end <= start)
    if bad.size:
        row = int(bad[0])
        raise InvalidInput(
            f"usage[{row}].period_end", str(end[row]), f"a date after {start[row]} (period_start)"
        )
    energy = {c[4:]: _quantity(frame, c, non_negative=True) for c in buckets}
    if any(not bucket for bucket in energy):
        raise InvalidInput("usage", "kwh_", "a bucket name after kwh_")
    given = np.zeros(size, dtype=bool)
    for column in energy.values():
        given |= column.present
    missing = np.flatnonzero(~given)
    if missing.size:
        raise InvalidInput(
            f"usage[{int(missing[0])}].kwh_*", "", "energy in at least one kwh_ column"
        )
    # The same facts the exact engine refuses: nothing negative, and a declared contract
    # demand above zero (no contract demand is an empty cell, not 0).
    quantities = {name: _quantity(frame, name, non_negative=True) for name in _QUANTITIES}
    demand = quantities["contract_demand_kw"]
    zero = np.flatnonzero(demand.present & (demand.values == 0))
    if zero.size:
        row = int(zero[0])
        raise InvalidInput(
            f"usage[{row}].contract_demand_kw",
            frame["contract_demand_kw"].iloc[row],
            "a contract demand above zero, or an empty cell for none",
        )
    residential = _booleans(frame, "residential")
    kinds = use_categories(frame, residential)
    pf = _choice(frame, "pf_standard", ("0.90", "0.85", "0.80"), decimal=True)
    basis = _choice(frame, "basic_charge_basis", ("capacity", "demand"))
    opened = _dates(frame, "opened_on")
    closed = _dates(frame, "closed_on")
    both = ~np.isnat(opened) & ~np.isnat(closed) & (closed <= opened)
    if both.any():
        row = int(np.flatnonzero(both)[0])
        raise InvalidInput(
            f"usage[{row}].closed_on", str(closed[row]), f"a date after {opened[row]}"
        )
    history = _histories(frame, quantities["capacity_kva"])
    if "customer_class" in frame.columns:
        classes = _text(frame, "customer_class", required=True)
    else:
        classes = np.where(residential, "residential", "non-residential").astype(object)
    return Usage(
        frame=frame,
        account_id=account,
        period_start=start,
        period_end=end,
        energy=energy,
        quantities=quantities,
        residential=residential,
        pf_standard=pf,
        basic_charge_basis=basis,
        opened_on=opened,
        closed_on=closed,
        customer_class=classes,
        profiled=_booleans(frame, "profiled"),
        carries_position="ytd_kwh" not in frame.columns,
        losses=read_losses(frame),
        use_category=kinds,
        capacity_history=history,
        sub_accounts=_sub_accounts(frame),
    )


def _empty_cell(value: object) -> bool:
    """Whether an object cell is empty (``None``, NaN, ``pd.NA`` or ``NaT``)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _histories(frame: Any, capacity: Quantity) -> npt.NDArray[np.object_] | None:
    """Return each row's ``CapacityHistory`` (``None`` where the cell is empty)."""
    if "capacity_history" not in frame.columns:
        return None
    values = np.full(len(frame), None, dtype=object)
    for row, cell in enumerate(frame["capacity_history"].tolist()):
        if _empty_cell(cell):
            continue
        if not isinstance(cell, CapacityHistory):
            raise InvalidInput(
                f"usage[{row}].capacity_history", cell, "a CapacityHistory or an empty cell"
            )
        if capacity.present[row]:
            raise InvalidInput(
                f"usage[{row}].capacity_kva",
                frame["capacity_kva"].iloc[row],
                "an empty cell where a capacity_history is given (the history holds the capacity)",
            )
        values[row] = cell
    return values


def _sub_accounts(frame: Any) -> npt.NDArray[np.object_] | None:
    """Return each row's sub-accounts as a tuple (empty where the cell is empty)."""
    if "sub_accounts" not in frame.columns:
        return None
    values = np.empty(len(frame), dtype=object)
    for row, cell in enumerate(frame["sub_accounts"].tolist()):
        if _empty_cell(cell):
            values[row] = ()
            continue
        # an object column built from arrays holds numpy arrays of SubAccount
        subs = cell.tolist() if isinstance(cell, np.ndarray) else cell
        try:
            values[row] = as_sub_accounts(subs)
        except InvalidInput as err:
            raise InvalidInput(f"usage[{row}].{err.field}", err.value, err.expected) from None
    return values


def use_categories(frame: Any, residential: npt.NDArray[np.bool_]) -> npt.NDArray[np.object_]:
    """Return each row's use category (``residential`` where ``residential``; ``None``: none).

    Raises:
        InvalidInput: a kind not in :data:`~powerretail.tariffs.tou.USE_CATEGORIES`, or one that
            contradicts ``residential`` (as :class:`~powerretail.billing.determinants.AccountFacts`
            refuses it).
    """
    if "use_category" not in frame.columns:  # the common table: one fill, no row loop
        kinds = np.full(len(frame), None, dtype=object)
        kinds[residential] = "residential"
        return kinds
    kinds = _choice(frame, "use_category", USE_CATEGORIES)
    is_residential = kinds == "residential"
    given = kinds != None  # noqa: E711 - elementwise
    clash = (residential & given & ~is_residential) | (~residential & is_residential)
    if clash.any():
        row = int(np.flatnonzero(clash)[0])
        raise InvalidInput(
            f"usage[{row}].use_category",
            kinds[row],
            "residential (or empty) exactly where residential is true",
        )
    return np.where(residential, "residential", kinds).astype(object)


def usage_chunks(source: object, rows: int) -> Iterator[tuple[int, Any]]:
    """Yield ``(first row, frame)`` for each ``rows`` rows of ``source``, read one at a time.

    A Parquet file is read by record batches and a CSV file by chunks, so only one chunk is in
    memory; a DataFrame or Arrow table is sliced.

    Raises:
        InvalidInput: ``rows`` is not a positive whole number, or ``source`` cannot be read.
    """
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
        raise InvalidInput("chunk_rows", rows, "a positive whole number of rows")
    if isinstance(source, str | Path) and Path(source).suffix.lower() in {".parquet", ".pq"}:
        import pyarrow.parquet as pq  # noqa: PLC0415 - pyarrow comes with the extra

        try:
            batches = pq.ParquetFile(source).iter_batches(batch_size=rows)
            offset = 0
            for batch in batches:
                yield offset, batch.to_pandas()
                offset += batch.num_rows
        except (OSError, ValueError) as err:
            raise InvalidInput("usage", str(source), f"a readable usage file ({err})") from None
        return
    if isinstance(source, str | Path) and Path(source).suffix.lower() == ".csv":
        try:
            reader = pd.read_csv(
                source, dtype={"account_id": str, "customer_class": str}, chunksize=rows
            )
            offset = 0
            for part in reader:
                yield offset, part.reset_index(drop=True)
                offset += len(part)
        except (OSError, ValueError) as err:
            raise InvalidInput("usage", str(source), f"a readable usage file ({err})") from None
        return
    frame = _frame(source)
    for offset in range(0, len(frame), rows):
        yield offset, frame.iloc[offset : offset + rows].reset_index(drop=True)


_ROW = re.compile(r"usage\[(\d+)\]")


def in_whole_table(err: InvalidInput, offset: int) -> InvalidInput:
    """Return ``err`` of a chunk starting at row ``offset`` with its row numbers in the table."""
    if offset == 0:
        return err
    return InvalidInput(rows_in_whole_table(err.field, offset), err.value, err.expected)


def rows_in_whole_table(text: str, offset: int) -> str:
    """Return ``text`` with the ``usage[i]`` of a chunk from row ``offset`` renumbered."""
    return _ROW.sub(lambda m: f"usage[{int(m.group(1)) + offset}]", text)


def _frame(source: object) -> Any:
    if isinstance(source, pd.DataFrame):
        return source
    if hasattr(source, "to_pandas") and hasattr(source, "schema"):
        return source.to_pandas()
    if isinstance(source, str | Path):
        path = Path(source)
        suffix = path.suffix.lower()
        if suffix not in {".csv", ".parquet", ".pq"}:
            raise InvalidInput("usage", str(path), "a .csv or .parquet file")
        try:
            if suffix == ".csv":
                return pd.read_csv(path, dtype={"account_id": str, "customer_class": str})
            return pd.read_parquet(path)
        except (OSError, ValueError) as err:
            raise InvalidInput("usage", str(path), f"a readable usage file ({err})") from None
    raise InvalidInput(
        "usage", type(source).__name__, "a pandas DataFrame, a pyarrow Table or a file path"
    )


def _missing(series: Any) -> npt.NDArray[np.bool_]:
    return np.asarray(series.isna().to_numpy(), dtype=bool)


def _text(frame: Any, name: str, *, required: bool) -> npt.NDArray[np.object_]:
    series = frame[name]
    missing = _missing(series)
    if required and missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise InvalidInput(f"usage[{row}].{name}", "", "a non-blank value")
    text = series.astype(str)
    values = np.asarray(text.to_numpy(), dtype=object)
    blank = np.asarray((text.str.strip() == "").to_numpy(), dtype=bool) & ~missing
    if required and blank.any():
        row = int(np.flatnonzero(blank)[0])
        raise InvalidInput(f"usage[{row}].{name}", values[row], "a non-blank value")
    return values


#: A time zone at the end of a cell (``Z``, ``+08:00``, ``-0500``): an instant, not a day.
_ZONED: Final = r"(?:Z|[+-]\d\d:?\d\d)$"
_DAY: Final = "a date such as 2025-07-01 (a day, not an instant with a time zone)"


def iso_days(series: Any, missing: npt.NDArray[np.bool_], field: str) -> Any:
    """Return ``series`` read strictly as ISO dates: NaT where a cell is missing or not a date.

    Text and date objects alike; no format is guessed. A cell with a time zone (an instant, not
    a day) is refused, naming ``field`` with ``{row}`` filled in.

    Raises:
        InvalidInput: a cell (or a time-zone-aware column) with a time zone.
    """
    if series.dtype.kind == "M":
        if getattr(series.dt, "tz", None) is not None:
            row = int(np.flatnonzero(~missing)[0])
            raise InvalidInput(field.format(row=row), str(series.iloc[row]), _DAY)
        return series
    text = series.astype(str).where(~missing)
    zoned = np.asarray(text.str.contains(_ZONED, na=False).to_numpy(), dtype=bool)
    if zoned.any():
        row = int(np.flatnonzero(zoned)[0])
        raise InvalidInput(field.format(row=row), series.iloc[row], _DAY)
    try:
        return pd.to_datetime(text, errors="coerce", format="ISO8601")
    except (ValueError, OverflowError):  # a column pandas refuses whole: cell by cell
        cells = []
        for value in text.tolist():
            try:
                cells.append(pd.to_datetime(value, errors="coerce", format="ISO8601"))
            except (ValueError, OverflowError):
                cells.append(pd.NaT)
        return pd.Series(pd.to_datetime(cells), index=text.index)


def _dates(frame: Any, name: str, *, required: bool = False) -> npt.NDArray[np.datetime64]:
    if name not in frame.columns:
        return np.full(len(frame), np.datetime64("NaT"), dtype="datetime64[D]")
    series = frame[name]
    missing = _missing(series)
    if required and missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise InvalidInput(f"usage[{row}].{name}", "", "a date such as 2025-07-01")
    parsed = iso_days(series, missing, f"usage[{{row}}].{name}")
    wrong = np.asarray(parsed.isna().to_numpy(), dtype=bool) & ~missing
    if not wrong.any():
        days = np.asarray(parsed.to_numpy(), dtype="datetime64[D]")
        exact = np.asarray(parsed.to_numpy(), dtype="datetime64[ns]") == days.astype(
            "datetime64[ns]"
        )
        wrong = ~exact & ~missing
    if wrong.any():
        row = int(np.flatnonzero(wrong)[0])
        raise InvalidInput(f"usage[{row}].{name}", series.iloc[row], "a date such as 2025-07-01")
    return days


def _quantity(frame: Any, name: str, *, non_negative: bool) -> Quantity:
    size = len(frame)
    if name not in frame.columns:
        return Quantity(np.zeros(size, dtype=np.int64), np.zeros(size, dtype=bool))
    series = frame[name]
    present = ~_missing(series)
    expected = "a number of zero or more with at most 3 decimals"
    if not non_negative:
        expected = "a number with at most 3 decimals"
    kind = series.dtype.kind
    if kind in "iub":
        raw = np.asarray(series.to_numpy(), dtype=np.int64)
        bad = np.abs(raw) > _MAX_QUANTITY
        values = raw * _SCALE
    elif kind == "f":
        raw_f = np.asarray(series.to_numpy(), dtype=np.float64)
        finite = present & np.isfinite(raw_f) & (np.abs(raw_f) <= _MAX_QUANTITY)
        rounded = np.rint(np.where(finite, raw_f, 0) * _SCALE)
        # Exact: the float read is the one nearest to a number with three decimals.
        bad = present & (~finite | (rounded / _SCALE != np.where(finite, raw_f, 0)))
        values = np.where(bad, 0, rounded).astype(np.int64)
    else:
        ints = np.zeros(size, dtype=np.int64)
        bad = np.zeros(size, dtype=bool)
        for row, value in enumerate(series.to_numpy()):
            if not present[row]:
                continue
            number = _decimal(value)
            if (
                number is None
                or abs(number) > _MAX_QUANTITY
                or number != number.quantize(Decimal("0.001"))
            ):
                bad[row] = True
                continue
            ints[row] = int(number.scaleb(-QUANTITY_EXP))
        values = ints
    if non_negative:
        bad = bad | (present & (values < 0))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InvalidInput(f"usage[{row}].{name}", series.iloc[row], expected)
    return Quantity(np.where(present, values, 0).astype(np.int64), present)


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _booleans(frame: Any, name: str) -> npt.NDArray[np.bool_]:
    if name not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    series = frame[name]
    if series.dtype.kind == "b":
        return np.asarray(series.to_numpy(), dtype=bool)
    words = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
    missing = _missing(series)
    keys = series.astype(str).str.strip().str.lower()
    mapped = keys.map(words)
    wrong = np.asarray(mapped.isna().to_numpy(), dtype=bool) & ~missing
    if wrong.any():
        row = int(np.flatnonzero(wrong)[0])
        raise InvalidInput(f"usage[{row}].{name}", series.iloc[row], "true or false")
    return np.asarray(mapped.where(~missing, False).to_numpy(), dtype=bool)


def _choice(
    frame: Any, name: str, allowed: tuple[str, ...], *, decimal: bool = False
) -> npt.NDArray[np.object_]:
    result = np.full(len(frame), None, dtype=object)
    if name not in frame.columns:
        return result
    series = frame[name]
    present = ~_missing(series)
    for row, value in enumerate(series.to_numpy()):
        if not present[row]:
            continue
        key: str | None = str(value).strip()
        if decimal:
            number = _decimal(value)
            key = None if number is None else f"{number:.2f}"
        if key not in allowed:
            raise InvalidInput(f"usage[{row}].{name}", value, f"one of {', '.join(allowed)}")
        result[row] = key
    return result
