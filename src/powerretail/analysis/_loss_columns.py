"""The loss-model columns of a usage table, read and checked (one loss model per row).

A row's losses between the property boundary and the meter (《供电营业规则》(1996) 第74条) are
given either as a ``loss_model`` cell holding a :data:`~powerretail.tariffs.losses.LossModel`
object, or by flat columns: ``loss_active_percent`` / ``loss_reactive_percent`` (a
:class:`~powerretail.tariffs.losses.FixedPercent`) or the ``transformer_*`` parameters (a
:class:`~powerretail.tariffs.losses.TransformerFormula`). Rows with the same model share one
object: :attr:`LossColumns.index` numbers each row's model in :attr:`LossColumns.models`
(``-1``: no losses).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from powerretail.errors import InvalidInput
from powerretail.tariffs.losses import (
    FixedPercent,
    LossModel,
    NoLoss,
    TableLookup,
    TransformerFormula,
)

__all__ = ["LOSS_COLUMNS", "LossColumns", "read_losses"]

_PERCENT: Final = ("loss_active_percent", "loss_reactive_percent")
#: The flat transformer columns and the TransformerFormula field each one gives.
_TRANSFORMER: Final = {
    "transformer_no_load_kw": "no_load_kw",
    "transformer_load_loss_kw": "load_loss_kw",
    "transformer_rated_kva": "rated_kva",
    "transformer_power_factor": "power_factor",
    "transformer_no_load_current_percent": "no_load_current_percent",
    "transformer_impedance_voltage_percent": "impedance_voltage_percent",
}
_TRANSFORMER_REQUIRED: Final = (
    "transformer_no_load_kw",
    "transformer_load_loss_kw",
    "transformer_rated_kva",
    "transformer_power_factor",
)
#: Every column this module reads.
LOSS_COLUMNS: Final = frozenset({"loss_model", *_PERCENT, *_TRANSFORMER})
_KINDS: Final = (NoLoss, FixedPercent, TransformerFormula, TableLookup)


@attrs.frozen(eq=False)
class LossColumns:
    """Each row's loss model: ``models[index[row]]``, or none where ``index[row]`` is -1."""

    index: npt.NDArray[np.int64]
    models: tuple[LossModel, ...]


def read_losses(frame: Any) -> LossColumns | None:
    """Return the loss models of ``frame``'s rows (``None`` when it has no loss column).

    Raises:
        InvalidInput: a cell that is not a loss model, a bad or negative number, two models on
            one row, transformer parameters without all four required ones.
    """
    given = [name for name in frame.columns if name in LOSS_COLUMNS]
    if not given:
        return None
    size = len(frame)
    present = {name: ~np.asarray(frame[name].isna().to_numpy(), dtype=bool) for name in given}
    index = np.full(size, -1, dtype=np.int64)
    models: list[LossModel] = []
    known: dict[object, int] = {}

    def number(name: str) -> Any:
        return present.get(name, np.zeros(size, dtype=bool))

    objects = number("loss_model")
    percent = number(_PERCENT[0]) | number(_PERCENT[1])
    transformer = np.zeros(size, dtype=bool)
    for name in _TRANSFORMER:
        transformer |= number(name)
    both = (objects.astype(int) + percent.astype(int) + transformer.astype(int)) > 1
    if both.any():
        row = int(np.flatnonzero(both)[0])
        raise InvalidInput(
            f"usage[{row}].loss_model",
            ", ".join(n for n in given if present[n][row]),
            "one loss model per row: a loss_model cell, the loss_*_percent columns or the "
            "transformer_* columns",
        )
    # Rows with the same cells have the same model: each distinct one is read once, at its
    # first row (so the first bad row is the one named).
    firsts, inverse = _distinct(frame, given, objects | percent | transformer)
    by_key = np.full(len(firsts), -1, dtype=np.int64)
    for key, row in enumerate(firsts.tolist()):
        model: LossModel
        if objects[row]:
            cell = frame["loss_model"].iloc[row]
            if not isinstance(cell, _KINDS):
                raise InvalidInput(
                    f"usage[{row}].loss_model",
                    cell,
                    "a loss model (NoLoss, FixedPercent, TransformerFormula, TableLookup) or "
                    "an empty cell",
                )
            if isinstance(cell, NoLoss):
                continue
            model = cell
        elif percent[row]:
            if not number(_PERCENT[0])[row]:
                raise InvalidInput(
                    f"usage[{row}].loss_active_percent",
                    "",
                    "an active loss percentage where loss_reactive_percent is given",
                )
            values = {
                name[5:]: _decimal(frame, name, row) for name in _PERCENT if number(name)[row]
            }
            model = _build(row, _PERCENT[0], FixedPercent, values)
        else:
            for name in _TRANSFORMER_REQUIRED:
                if not number(name)[row]:
                    raise InvalidInput(
                        f"usage[{row}].{name}",
                        "",
                        "all of " + ", ".join(_TRANSFORMER_REQUIRED) + " where one "
                        "transformer_* column is given",
                    )
            fields = {
                field: _decimal(frame, name, row)
                for name, field in _TRANSFORMER.items()
                if number(name)[row]
            }
            model = _build(row, "transformer_rated_kva", TransformerFormula, fields)
        # Equal models whose numbers are written with other exponents stay apart: the
        # exponents set the steps the engine shares the losses at.
        found = known.get(repr(model))
        if found is None:
            found = known[repr(model)] = len(models)
            models.append(model)
        by_key[key] = found
    chosen = inverse >= 0
    index[chosen] = by_key[inverse[chosen]]
    return LossColumns(index=index, models=tuple(models))


def _distinct(frame: Any, names: list[str], given: Any) -> tuple[Any, Any]:
    """Return the first row of each distinct combination of ``names``' cells on the ``given``
    rows (in order of appearance) and each row's combination (-1 where not given)."""
    rows = np.flatnonzero(given)
    inverse = np.full(len(frame), -1, dtype=np.int64)
    if not rows.size:
        return rows, inverse
    codes = np.zeros(rows.size, dtype=np.int64)
    for name in names:
        column = frame[name].iloc[rows]
        if name == "loss_model":  # by the digits written (an equal model may differ in them)
            # one object is often on many rows: each distinct object is written out once
            same, _ = pd.factorize(column.map(id))
            firsts = np.unique(same, return_index=True)[1]
            written = np.asarray([repr(column.iloc[int(i)]) for i in firsts], dtype=object)
            found, uniques = pd.factorize(written[same])
        else:
            try:
                found, uniques = pd.factorize(column)
            except TypeError:  # unhashable cells: each row its own
                found, uniques = np.arange(rows.size), rows
        codes = codes * (len(uniques) + 2) + found + 1
        codes, _ = pd.factorize(codes)
    _, first = np.unique(codes, return_index=True)
    order = np.sort(first)
    renumber = np.empty(int(codes.max()) + 1, dtype=np.int64)
    renumber[codes[order]] = np.arange(order.size)
    inverse[rows] = renumber[codes]
    return rows[order], inverse


def _build(row: int, column: str, make: Any, fields: dict[str, Decimal]) -> LossModel:
    """Return ``make(**fields)``, a refusal naming the usage column of the field refused."""
    try:
        model: LossModel = make(**fields)
    except InvalidInput as err:
        name = next((c for c, f in _TRANSFORMER.items() if f == err.field), column)
        raise InvalidInput(f"usage[{row}].{name}", err.value, err.expected) from None
    return model


def _decimal(frame: Any, name: str, row: int) -> Decimal:
    """Return a cell as the decimal it shows (a float as its shortest repr), zero or more."""
    value = frame[name].iloc[row]
    number: Decimal | None
    if isinstance(value, bool | np.bool_):
        number = None
    else:
        if isinstance(value, np.integer | np.floating):
            value = value.item()  # the Python number, so str() gives its shortest form
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite() or number < 0:
        raise InvalidInput(f"usage[{row}].{name}", value, "a number of zero or more")
    return number.copy_abs()  # no negative zero
