"""Losses between the property boundary and the meter in the batch engine, to the last digit.

The bill engine (:class:`~powerretail.billing.engine.BillingEngine`) adds a row's losses to its
metered energy before anything is priced: the active loss of the whole service days is shared
over the buckets in proportion to their energy (largest remainder at three decimals finer than
the loss, ties to the earlier bucket) and the reactive loss is added to the reactive energy.
The billed energy then prices the energy charges, the demand-based basic charge (its kWh/kVA
discount) and the power-factor adjustment; a capacity-based basic charge does not use energy.
A part-month period is shared between pieces from the billed energy, at its own exponent.

The Decimal exponents matter (they set the steps of both shares), so this module follows them:

* :class:`~powerretail.tariffs.losses.FixedPercent` — vectorised: ``kWh × p / 100`` is exact,
  its exponent that of ``kWh × p`` unless the quotient needs one or two more digits;
* :class:`~powerretail.tariffs.losses.TableLookup` — vectorised: the band of the energy (scaled
  to a whole month over a part month, compared as exact fractions), its losses prorated by the
  months to 0.001 half up;
* :class:`~powerretail.tariffs.losses.TransformerFormula` — vectorised in exact fractions
  (``P0·T + Pk·W²/(Sn·cosφ)²/T`` and its reactive twin) rounded half up; the engine rounds its
  load ratio and products to 50 and 28 digits, so a result within 10^-20 of a half is left to
  the model's own Decimal arithmetic, row by row.

Billed energy is kept exact at the finest exponent its rows need, as Python integers where
int64 cannot hold it. A table needing an exponent finer than 10^-18 kWh is refused
(:class:`~powerretail.analysis.pricer.NotVectorisable`), never rounded.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from powerretail.analysis._exact import PRODUCT_LIMIT, IntArray, Scaled, abs_max
from powerretail.analysis.usage import QUANTITY_EXP, Usage
from powerretail.billing.engine import bucket_key, split_by_days
from powerretail.errors import RuleViolation
from powerretail.quantities import MONEY_CONTEXT
from powerretail.tariffs.losses import FixedPercent, TableLookup, TransformerFormula

__all__ = ["Billed", "LossRefused", "billed_energy", "piece_energy"]

#: Billed energy below this many units of its exponent is kept in int64.
_BOUND: Final = 10**18
#: The finest exponent of billed energy [kWh] (float views and products stay in range).
_FINEST: Final = -18
#: Products stay in int64 below this bound.


class LossRefused(RuleViolation):
    """A loss row the batch engine cannot price exactly (raised as ``NotVectorisable``)."""

    def __init__(self, what: str, why: str) -> None:
        self.what = what
        self.why = why
        super().__init__(f"{what}: {why}")


@attrs.frozen(eq=False)
class Billed:
    """Each row's energy as billed: metered plus losses.

    ``own`` holds each bucket's billed energy at the row's own exponent ``row_exp`` (the one
    the engine's Decimals have; it sets the step of a split between pieces); ``total`` and
    ``reactive`` are per row at one exponent each; ``reactive_loss`` is each row's reactive
    loss as (coefficient, exponent), for the notes that quote the reactive energy.
    """

    own: Mapping[str, IntArray]
    row_exp: npt.NDArray[np.int64]
    total: Scaled
    reactive: Scaled
    active_loss: Scaled
    reactive_loss: tuple[IntArray, npt.NDArray[np.int64]]

    def reactive_decimal(self, usage: Usage, row: int) -> Decimal:
        """Return the row's billed reactive energy as the engine's Decimal (exponent and all)."""
        metered = Decimal(int(usage.quantities["reactive_kvarh"].values[row])).scaleb(QUANTITY_EXP)
        coefficient, exponent = self.reactive_loss
        return metered + Decimal(int(coefficient[row])).scaleb(int(exponent[row]))

    def loss_kwh(self) -> npt.NDArray[np.float64]:
        """Return each row's active loss added [kWh] (a float view)."""
        return _floats(self.active_loss.values, self.active_loss.exp)

    def loss_kvarh(self) -> npt.NDArray[np.float64]:
        """Return each row's reactive loss added [kvarh] (a float view)."""
        coefficient, exponent = self.reactive_loss
        exp = min(int(exponent.min()), 0) if exponent.size else 0
        return _floats(coefficient * _powers(exponent - exp), exp)

    def pf_pair(self, total_row: Scaled) -> tuple[IntArray, IntArray]:
        """Return the billed active and reactive energy of each row at one exponent."""
        exp = min(total_row.exp, self.reactive.exp)
        return total_row.at(exp), self.reactive.at(exp)


def _parts(number: Decimal) -> tuple[int, int]:
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    coefficient = int("".join(map(str, digits)) or "0")
    return (-coefficient if sign else coefficient), exponent


def _percent(
    values: IntArray, percent: Decimal, rows: IntArray
) -> tuple[IntArray, npt.NDArray[np.int64]]:
    """Return ``value × percent / 100`` of values at 10**-3 as the engine's Decimals give it.

    The product is exact (within the context's digits) at the sum of the exponents; the
    division by 100 keeps that exponent where the quotient fits, else one or two more.
    """
    coefficient, exponent = _parts(percent)
    fits = abs_max(values) * abs(coefficient) < PRODUCT_LIMIT
    product = values * coefficient if fits else values.astype(object) * coefficient
    digits = decimal.getcontext().prec
    too_big = np.flatnonzero(np.abs(product) >= 10**digits)
    if too_big.size:
        row = int(rows[too_big[0]])
        raise LossRefused(
            f"usage[{row}]", f"its loss product has more than {digits} digits (rounded by Decimal)"
        )
    base = QUANTITY_EXP + exponent
    by_100 = product % 100 == 0
    by_10 = ~by_100 & (product % 10 == 0)
    value = np.where(by_100, product // 100, np.where(by_10, product // 10, product))
    exp = np.where(by_100, base, np.where(by_10, base - 1, base - 2)).astype(np.int64)
    return value, exp


def _table(
    model: TableLookup, total: IntArray, num: IntArray, den: IntArray, rows: IntArray
) -> tuple[IntArray, npt.NDArray[np.int64], IntArray, npt.NDArray[np.int64]]:
    """Return the active and reactive losses of ``model`` (a monthly loss table) per row.

    ``num`` / ``den`` are each row's service months (Python integers).
    """
    size = len(total)
    whole = np.asarray((num == 1) & (den == 1), dtype=bool)
    _digits_within(model, total, num, rows)
    # The engine compares kWh × den / num (a quotient to 50 digits) with each bound; exact
    # fractions give the same answer unless the quotient lies within its last digit of a
    # bound, which _digits_within rules out.
    band = np.full(size, len(model.bands) - 1, dtype=np.int64)
    found = np.zeros(size, dtype=bool)
    energy = total.astype(object)
    for index, item in enumerate(model.bands[:-1]):
        assert item.upto_kwh is not None
        c, e = _parts(item.upto_kwh)
        # kWh·den/num ≤ c·10^e  ⇔  T·10^-3·den ≤ c·10^e·num
        shift = e + 3
        left = energy * np.where(whole, 1, den)
        right = np.where(whole, 1, num) * c
        holds = left <= right * 10**shift if shift >= 0 else left * 10**-shift <= right
        holds = np.asarray(holds, dtype=bool) & ~found
        band[holds] = index
        found |= holds
    out = []
    for field in ("active_kwh", "reactive_kvarh"):
        parts = [_parts(getattr(b, field)) for b in model.bands]
        coefficients = np.asarray([c for c, _ in parts], dtype=object)[band]
        exponents = np.asarray([e for _, e in parts], dtype=np.int64)[band]
        # Part months: value × num / den to 0.001, half up (exact quotients, no ties lost).
        scale = _powers(np.maximum(exponents + 3, 0))
        below = _powers(np.maximum(-exponents - 3, 0))
        top = coefficients * scale * num
        bottom = below * den
        prorated = (2 * top + bottom) // (2 * bottom)
        value = np.where(whole, coefficients, prorated)
        exp = np.where(whole, exponents, QUANTITY_EXP).astype(np.int64)
        out += [value, exp]
    return out[0], out[1], out[2], out[3]


def _row_losses(
    usage: Usage, months: Sequence[Fraction], days: Sequence[int], inverse: IntArray
) -> tuple[IntArray, npt.NDArray[np.int64], IntArray, npt.NDArray[np.int64]]:
    """Return each row's active and reactive loss as (coefficient, exponent) arrays."""
    assert usage.losses is not None
    rows = len(usage)
    index = usage.losses.index
    metered = usage.total_kwh()
    reactive_q = usage.quantities["reactive_kvarh"]
    num = np.asarray([m.numerator for m in months], dtype=object)
    den = np.asarray([m.denominator for m in months], dtype=object)
    active_c = np.zeros(rows, dtype=object)
    active_e = np.full(rows, QUANTITY_EXP, dtype=np.int64)
    reactive_c = np.zeros(rows, dtype=object)
    reactive_e = np.full(rows, QUANTITY_EXP, dtype=np.int64)
    for number, model in enumerate(usage.losses.models):
        chosen = np.flatnonzero(index == number)  # every model has its rows
        if isinstance(model, FixedPercent):
            active_c[chosen], active_e[chosen] = _percent(
                metered[chosen], model.active_percent, chosen
            )
            reactive_c[chosen], reactive_e[chosen] = _percent(
                reactive_q.values[chosen], model.reactive_percent, chosen
            )
        elif isinstance(model, TableLookup):
            layout = inverse[chosen]
            a_c, a_e, r_c, r_e = _table(model, metered[chosen], num[layout], den[layout], chosen)
            active_c[chosen], active_e[chosen] = a_c, a_e
            reactive_c[chosen], reactive_e[chosen] = r_c, r_e
        else:
            assert isinstance(model, TransformerFormula)
            hours = np.asarray(days, dtype=np.int64)[inverse[chosen]] * 24
            by_formula = _formula(model, metered[chosen], hours)
            active_c[chosen], reactive_c[chosen], unsure = by_formula
            active_e[chosen] = reactive_e[chosen] = 0
            # Within 10^-20 of a half: the model's own Decimal arithmetic (its rounded
            # divisions and products) decides, as it does for the bill engine.
            for row in chosen[unsure].tolist():
                total = Decimal(int(metered[row])).scaleb(QUANTITY_EXP)
                react = (
                    Decimal(int(reactive_q.values[row])).scaleb(QUANTITY_EXP)
                    if reactive_q.present[row]
                    else Decimal(0)
                )
                active, reactive = model.losses(total, react, days[int(inverse[row])] * 24)
                active_c[row], active_e[row] = _parts(active)
                reactive_c[row], reactive_e[row] = _parts(reactive)
    return active_c, active_e, reactive_c, reactive_e


def _formula(
    model: TransformerFormula, total: IntArray, hours: IntArray
) -> tuple[IntArray, IntArray, npt.NDArray[np.bool_]]:
    """Return the formula's active and reactive losses [whole kWh, kvarh] from exact fractions.

    ``ΔW = P0·T + Pk·W² / (Sn·cosφ)² / T`` and ``ΔQ = (I0%·Sn·T + Uk%·W² / (Sn·cosφ²·T)) / 100``
    rounded half up. The engine rounds its intermediate results to 28 and 50 digits (a relative
    error below 10^-26); a result within 10^-20 of a half (relative) is marked unsure.
    """
    energy = total.astype(object)
    h = hours.astype(object)

    def number(value: Decimal) -> tuple[int, int]:
        coefficient, exponent = _parts(value)
        return (coefficient * 10**exponent, 1) if exponent >= 0 else (coefficient, 10**-exponent)

    p0, pk, sn, cos = (
        number(model.no_load_kw),
        number(model.load_loss_kw),
        number(model.rated_kva),
        number(model.power_factor),
    )
    i0, uk = number(model.no_load_current_percent), number(model.impedance_voltage_percent)
    squared = energy * energy  # W² × 10^6
    # P0·T + Pk·W²/(Sn²·cos²·T)
    active = _add(
        (p0[0] * h, p0[1] + 0 * h),
        (pk[0] * squared * sn[1] ** 2 * cos[1] ** 2, pk[1] * 10**6 * sn[0] ** 2 * cos[0] ** 2 * h),
    )
    # (I0·Sn·T + Uk·W²/(Sn·cos²·T)) / 100
    reactive = _add(
        (i0[0] * sn[0] * h, i0[1] * sn[1] * 100 + 0 * h),
        (uk[0] * squared * sn[1] * cos[1] ** 2, uk[1] * 10**8 * sn[0] * cos[0] ** 2 * h),
    )
    out = []
    unsure = np.zeros(len(total), dtype=bool)
    for top, bottom in (active, reactive):
        shifted = 2 * top + bottom
        rounded = shifted // (2 * bottom)
        left = shifted % (2 * bottom)
        near = np.minimum(left, 2 * bottom - left) * 10**20 < 2 * (top + bottom)
        unsure |= np.asarray(near, dtype=bool)
        out.append(rounded)
    return out[0], out[1], unsure


def _add(
    first: tuple[IntArray, IntArray], second: tuple[IntArray, IntArray]
) -> tuple[IntArray, IntArray]:
    """Return the sum of two arrays of fractions (numerators, denominators)."""
    return first[0] * second[1] + second[0] * first[1], first[1] * second[1]


def _digits_within(model: TableLookup, total: IntArray, num: IntArray, rows: IntArray) -> None:
    """Refuse a table whose 50-digit quotients could differ from exact fractions.

    The engine's monthly energy ``kWh × den / num`` and prorated losses ``loss × num / den``
    are rounded to 50 digits before they are compared or rounded to 0.001; when not equal to
    a bound (or a half-way point) they differ from it by at least 1 / (num × 10^k) (k the
    decimals), far above a 50-digit rounding while the digits below stay within 40.
    """
    decimals = max(
        -min(_parts(n)[1], 0)
        for band in model.bands
        for n in (band.upto_kwh, band.active_kwh, band.reactive_kvarh)
        if n is not None
    )
    largest_num = max((int(n) for n in num), default=1)
    room = 40 - len(str(largest_num)) * 2 - max(decimals, 3)
    bad = np.flatnonzero(np.abs(total.astype(object)) >= 10 ** max(room, 0))
    if bad.size:
        raise LossRefused(
            f"usage[{int(rows[bad[0]])}]",
            f"its loss table's numbers ({decimals} decimals) over this period need more digits "
            "than the engine's 50-digit divisions keep exact; bill it with "
            "powerretail.billing.engine.BillingEngine",
        )


def billed_energy(
    usage: Usage, months: Sequence[Fraction], days: Sequence[int], inverse: IntArray
) -> Billed:
    """Return each row's billed energy: the metered energy of ``usage`` plus its losses.

    ``months`` and ``days`` are each layout's service months (1/30 of a month a day) and days,
    ``inverse`` each row's layout.

    Raises:
        LossRefused: a row whose losses cannot be priced exactly.
    """
    assert usage.losses is not None
    rows = len(usage)
    index = usage.losses.index
    metered = usage.total_kwh()
    reactive_q = usage.quantities["reactive_kvarh"]
    active_c, active_e, reactive_c, reactive_e = _row_losses(usage, months, days, inverse)
    with_loss = index >= 0
    shared = np.flatnonzero(with_loss & (metered != 0))
    row_exp = np.full(rows, QUANTITY_EXP, dtype=np.int64)
    step = np.minimum(active_e[shared], 0) - 3
    row_exp[shared] = step
    units = active_c[shared] * _powers(active_e[shared] - step)
    up = _powers(QUANTITY_EXP - step)
    # int64 where every product provably fits (households, most C&I), else Python integers.
    largest = abs_max(metered[shared])
    fits = max(abs_max(units), abs_max(up), 1) * max(largest, 1) < PRODUCT_LIMIT
    kind: Any = np.int64 if fits else object
    units, up = units.astype(kind), up.astype(kind)
    buckets = sorted(usage.energy, key=bucket_key)
    weights = [
        np.where(usage.energy[b].present, usage.energy[b].values, 0)[shared].astype(kind)
        for b in buckets
    ]
    whole = metered[shared].astype(kind)
    floors = [units * w // whole for w in weights]
    remainders = [units * w % whole for w in weights]
    leftover = units - sum(floors, np.zeros(shared.size, dtype=kind))
    own: dict[str, IntArray] = {}
    for i, bucket in enumerate(buckets):
        rank = np.zeros(shared.size, dtype=np.int64)
        for j in range(len(buckets)):
            if j != i:
                ahead = (remainders[j] > remainders[i]) | (
                    (remainders[j] == remainders[i]) & (j < i)
                )
                rank += np.asarray(ahead, dtype=np.int64)
        column = usage.energy[bucket]
        values = column.values.astype(kind)
        present = column.present[shared]
        extra = np.asarray(rank < leftover, dtype=np.int64)
        added = weights[i] * up + floors[i] + extra
        values[shared] = np.where(present, added, values[shared])
        own[bucket] = values
    exp = int(row_exp.min()) if rows else QUANTITY_EXP
    total = metered.astype(object) * 10 ** (QUANTITY_EXP - exp)
    total[shared] = total[shared] + units * _powers(row_exp[shared] - exp)
    # The engine adds the reactive loss only where reactive energy was read.
    r_exp = min(QUANTITY_EXP, int(reactive_e[with_loss].min()) if with_loss.any() else 0)
    reactive = reactive_q.values.astype(object) * 10 ** (QUANTITY_EXP - r_exp)
    adds = with_loss & reactive_q.present
    reactive[adds] = reactive[adds] + reactive_c[adds] * _powers(reactive_e[adds] - r_exp)
    loss_exp = min(int(active_e.min()) if rows else 0, 0)
    counted = np.where(with_loss & (metered != 0), active_c, 0) * _powers(active_e - loss_exp)
    return Billed(
        own=own,
        row_exp=row_exp,
        total=Scaled(_compact(total), exp),
        reactive=Scaled(_compact(reactive), r_exp),
        active_loss=Scaled(counted, loss_exp),
        reactive_loss=(np.where(adds, reactive_c, 0), np.where(adds, reactive_e, 0)),
    )


def _floats(values: IntArray, exp: int) -> npt.NDArray[np.float64]:
    floats: npt.NDArray[np.float64] = np.asarray(values, dtype=np.float64)
    scaled: npt.NDArray[np.float64] = floats / 10**-exp if exp < 0 else floats * 10**exp
    return scaled


def _powers(exponents: IntArray) -> IntArray:
    """Return ``10**k`` of each exponent as Python integers (few distinct: one table)."""
    if not len(exponents):
        return np.zeros(0, dtype=object)
    distinct, inverse = np.unique(np.asarray(exponents, dtype=np.int64), return_inverse=True)
    return np.asarray([10 ** int(k) for k in distinct], dtype=object)[inverse]


def _compact(values: IntArray) -> IntArray:
    """Return ``values`` as int64 where every one is below the bound, else as they are."""
    if values.dtype == np.int64 or (values.size and abs_max(values) >= _BOUND):
        return values
    return values.astype(np.int64)


def piece_energy(
    billed: Billed,
    usage: Usage,
    *,
    piece_row: IntArray,
    per_row: IntArray,
    flat: Sequence[Any],
    flat_index: IntArray,
) -> tuple[dict[str, tuple[Scaled, npt.NDArray[np.bool_]]], Scaled, int]:
    """Return each piece's billed energy per bucket, its total and their exponent.

    A row of one piece keeps its billed energy; a row cut into pieces shares each bucket's
    billed energy by days from the row's own exponent, as the engine does.
    """
    split_rows = np.flatnonzero(per_row > 1)
    exp = int(billed.row_exp.min()) if len(billed.row_exp) else QUANTITY_EXP
    if split_rows.size:
        exp = min(exp, int(billed.row_exp[split_rows].min()) - 3)
    if exp < _FINEST:
        fine = billed.row_exp - 3 * (per_row > 1)
        row = int(np.argmin(fine))
        raise LossRefused(
            f"usage[{row}]",
            f"its losses need energy to 10^{exp} kWh, finer than 10^{_FINEST} (a loss "
            "percentage with fewer decimals prices it); bill it with "
            "powerretail.billing.engine.BillingEngine",
        )
    first_piece = np.cumsum(per_row) - per_row
    lift = _powers(billed.row_exp - exp)
    largest = max((abs_max(own) for own in billed.own.values()), default=0)
    kind: Any = np.int64 if max(largest, 1) * max(abs_max(lift), 1) < _BOUND else object
    lift = lift.astype(kind)
    energy: dict[str, tuple[Scaled, npt.NDArray[np.bool_]]] = {}
    total = np.zeros(len(piece_row), dtype=kind)
    for bucket, column in usage.energy.items():
        own = billed.own[bucket]
        values = (own.astype(kind) * lift)[piece_row]
        present = column.present[piece_row]
        for row in split_rows.tolist():
            if not column.present[row]:
                continue
            at, count = int(first_piece[row]), int(per_row[row])
            days = [(flat[i].end - flat[i].start).days for i in flat_index[at : at + count]]
            quantity = Decimal(int(own[row])).scaleb(int(billed.row_exp[row]), MONEY_CONTEXT)
            shares = split_by_days(quantity, days)
            values[at : at + count] = [int(s.scaleb(-exp, context=MONEY_CONTEXT)) for s in shares]
        values = np.where(present, values, 0)
        total = total + values
        energy[bucket] = (Scaled(_compact(values), exp), present)
    return energy, Scaled(_compact(total), exp), exp
