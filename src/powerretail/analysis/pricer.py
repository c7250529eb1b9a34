"""A tariff compiled for many bills at once: numpy integer arithmetic, exact to the fen.

:func:`compile_tariff` turns any :class:`~powerretail.tariffs.model.Tariff` into a
:class:`BatchPricer`; :meth:`BatchPricer.price` prices a whole usage table (see
:mod:`powerretail.analysis.usage`) and returns its bills and lines as DataFrames. Every line is
what :class:`~powerretail.billing.engine.BillingEngine` gives for the same row:

1. the service days are the period cut by ``opened_on`` / ``closed_on``;
2. the service days are cut where a version starts or ends and where an annual tier year starts;
   energy is shared between the pieces by days with the engine's own largest-remainder split;
3. monthly charges count whole months plus 1/30 of a month per remaining day;
4. each line is the exact product of integers (quantities in 0.001 units, prices at their own
   decimals) rounded once with the tariff's :class:`~powerretail.quantities.Rounding`; the
   power-factor adjustment is a percentage of the rounded lines of its base; the total is the sum
   of the lines, in fen (int64).

The annual tier position is carried from row to row of an account (sorted by period) unless the
table gives ``ytd_kwh``. A row or a tariff the pricer cannot price exactly is refused
(:class:`NotVectorisable`), never approximated.

>>> import pandas as pd
>>> from powerretail.adapters.tariff_library import load_shipped
>>> usage = pd.DataFrame({"account_id": ["A"], "period_start": ["2025-07-01"],
...     "period_end": ["2025-08-01"], "kwh_peak": [200.0], "kwh_valley": [112.4]})
>>> result = compile_tariff(load_shipped("JS-RES-TOU")).price(usage)
>>> int(result.bills.loc[0, "total_fen"]), result.lines["code"].tolist()
(15193, ['energy.peak', 'energy.valley', 'tier.tier1'])
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from powerretail.analysis._engine_rows import (
    EngineRows,
    engine_rows,
    renumbered,
    with_sub_accounts,
    without_rows,
)
from powerretail.analysis._exact import (
    IntArray,
    Scaled,
    multiply,
    product_rounded,
    round_div,
    to_int64,
)
from powerretail.analysis._losses import Billed, LossRefused, billed_energy, piece_energy
from powerretail.analysis._notes import bill_notes
from powerretail.analysis._scope import row_facts, scope_verdicts, scoped_buckets
from powerretail.analysis.usage import QUANTITY_EXP, Usage, read_usage
from powerretail.billing.determinants import AccountFacts
from powerretail.billing.engine import (
    SCALED_BOUND_EXP,
    BillingEngine,
    bucket_key,
    bucket_ladders,
    months_in,
    split_by_days,
)
from powerretail.errors import InvalidInput, NotFound, RuleViolation
from powerretail.quantities import minor_unit_exponent
from powerretail.tariffs.model import (
    PF_BASE_CATEGORIES,
    AnnualTiers,
    BasicCharge,
    BasicChargeBasis,
    Charge,
    DailyCharge,
    EnergyCharge,
    FixedCharge,
    MinimumCharge,
    MonthlyTiers,
    PartialYear,
    PowerFactorAdjustment,
    Tariff,
    TariffVersion,
    Tier,
    TierBounds,
    TimeOfUseCharge,
    TimeOfUseTiers,
)
from powerretail.tariffs.power_factor import RULE_SETS
from powerretail.tariffs.proration import Proration, months_of
from powerretail.timeframe import DateRange

__all__ = ["BatchPricer", "NotVectorisable", "Priced", "compile_tariff"]

_NAT: Final = np.datetime64("NaT", "D")
#: Why a total is refused where the bill engine shares it between seasons by days.
_SEASONS_BY_DAYS: Final = (
    "; a monthly total shared between seasons by days is priced by the bill engine "
    "(powerretail.billing.engine), not the batch engine: give the buckets' kWh"
)
_KNOWN: Final = (
    FixedCharge,
    DailyCharge,
    MinimumCharge,
    EnergyCharge,
    MonthlyTiers,
    AnnualTiers,
    TimeOfUseCharge,
    TimeOfUseTiers,
    BasicCharge,
    PowerFactorAdjustment,
)


class NotVectorisable(RuleViolation):
    """A tariff or a usage row the batch engine cannot price exactly (it never approximates)."""

    def __init__(self, what: str, why: str) -> None:
        self.what = what
        self.why = why
        super().__init__(f"{what} cannot be priced by the batch engine: {why}")


@attrs.frozen(eq=False)
class Priced:
    """The bills and lines of a batch.

    ``bills`` has one row per usage row, in its order: ``tariff`` (a categorical column of
    the tariff's code), ``account_id``,
    ``period_start``, ``period_end``, ``customer_class``, ``profiled``, ``kwh``, ``total_fen``
    (int64), one ``<charge code>_fen`` column per charge of the tariff, and ``total_yuan`` (a
    float view for display). ``lines`` (``None`` with ``lines=False``) has one row per bill line:
    ``row`` (the usage row), ``account_id``, the piece's ``period_start`` / ``period_end``,
    ``tariff_version``, ``charge``, ``category``, ``code`` (as the engine's line codes,
    ``energy.peak``, ``tier.tier2`` …), ``bucket``, ``quantity``, ``rate``, ``amount_fen`` and
    ``amount_yuan``.

    A table with a ``sub_accounts`` column adds ``sub_accounts_fen`` before ``total_yuan``
    (the sub-accounts' lines, which have their own codes as ``code`` and ``charge``).
    A table with loss models (:mod:`powerretail.analysis.usage`) adds ``loss_kwh`` and
    ``loss_kvarh`` after ``kwh`` (the metered energy): the losses added to each bill's energy
    and reactive energy. ``notes`` is the bills' notes as a long table, ``row``, ``account_id``
    and ``note``, in the order the bill engine writes them (empty when no bill has one).
    """

    tariff_code: str
    bills: Any
    lines: Any
    notes: Any = None

    def notes_of(self, row: int) -> tuple[str, ...]:
        """Return the notes of the bill of usage row ``row``, as the bill engine's ``notes``."""
        notes = self.notes
        return tuple(notes.loc[notes["row"] == row, "note"].tolist())


def compile_tariff(tariff: Tariff) -> BatchPricer:
    """Return ``tariff`` compiled for batch pricing.

    Raises:
        InvalidInput: the tariff's rounding is finer than its currency's minor unit.
        NotVectorisable: a charge of a kind the batch engine does not know.
    """
    return BatchPricer(tariff)


@attrs.frozen
class _Piece:
    """Days of one service period priced by one version (the engine's layout)."""

    start: date
    end: date
    version: int
    starts_cycle: bool
    months: Fraction
    basic_months: Fraction
    #: The service days' months at the basic charge's part-month days (its kWh/kVA discount).
    basic_service: Fraction
    scale: Fraction
    cycle: date | None
    #: The piece's days, as a fraction (daily charges and bounds per day).
    days: Fraction


@attrs.frozen
class _Layout:
    service_months: Fraction
    pieces: tuple[_Piece, ...]


@attrs.define
class _Block:
    """Lines of one code over some pieces."""

    pieces: IntArray
    charge: Charge
    code: str
    bucket: str
    quantity: Scaled
    quantity_den: IntArray | int
    rate: Scaled
    amount: IntArray


def _days(values: npt.NDArray[np.datetime64]) -> IntArray:
    return values.astype("datetime64[D]").astype(np.int64)


def _to_date(value: np.datetime64) -> date | None:
    if np.isnat(value):
        return None
    result = value.astype("datetime64[D]").astype(object)
    assert isinstance(result, date)
    return result


class BatchPricer:
    """One tariff compiled for pricing usage tables (build it once, price many tables).

    Raises (from :meth:`price`):
        InvalidInput: a usage row lacks what a charge needs (capacity, demand, reactive energy,
            a priced bucket), or has no service day.
        NotFound: no tariff version is in force on a day of some row.
    """

    def __init__(self, tariff: Tariff) -> None:
        self.tariff = tariff
        self._engine = BillingEngine(tariff)
        rounding = tariff.rounding
        self._mode = rounding.mode
        self._step_exp = rounding.step.adjusted()
        self._minor_exp = -minor_unit_exponent(tariff.currency)
        self._annual = any(isinstance(c, AnnualTiers) for v in tariff.versions for c in v.charges)
        for version in tariff.versions:
            for charge in version.charges:
                if not isinstance(charge, _KNOWN):
                    raise NotVectorisable(
                        f"charge {getattr(charge, 'code', charge)!r} of version {version.label}",
                        f"its kind ({type(charge).__name__}) is not one the batch engine knows",
                    )

    # ------------------------------------------------------------------ public
    @property
    def carries_annual(self) -> bool:
        """Whether the tariff has annual tiers (their position is carried from row to row)."""
        return self._annual

    def price(self, source: object, *, lines: bool = True, decimals: bool = False) -> Priced:
        """Price every row of ``source`` (a usage table or anything :func:`read_usage` takes).

        ``lines=False`` skips the lines table (faster); ``decimals=True`` adds Decimal columns:
        ``total`` [元] to the bills, ``amount`` [元], ``quantity_decimal`` and ``rate_decimal`` to
        the lines. Rows with a capacity history or sub-accounts are priced by the bill engine's
        pieces (:mod:`powerretail.analysis._engine_rows`), the others vectorised.
        """
        usage = source if isinstance(source, Usage) else read_usage(source)
        if usage.engine_rows().size:  # capacity changes, sub-accounts: the engine's pieces
            return self._with_engine_rows(usage, lines=lines, decimals=decimals)
        priced = self._vectorised(usage, lines=lines, decimals=decimals)
        return priced if usage.sub_accounts is None else with_sub_accounts(priced)

    def _vectorised(self, usage: Usage, *, lines: bool, decimals: bool) -> Priced:
        """Price every row of ``usage`` (none with a capacity history or sub-accounts)."""
        rows = len(usage)
        opened, closed = usage.opened_on, usage.closed_on
        dates = (usage.period_start, usage.period_end, opened, closed)
        # One window for every row (the common what-if table): cut its first row only.
        window = rows > 0 and all(_same(column) for column in dates)
        start, end = _service(*(column[:1] if window else column for column in dates))
        empty = np.flatnonzero(end <= start)
        if empty.size:
            row = int(empty[0])
            raise InvalidInput(
                f"usage[{row}].period_start",
                f"{usage.period_start[row]}/{usage.period_end[row]}",
                "a period with at least one day of service for the account",
            )
        columns = [start, end, opened, closed] if self._annual else [start, end]
        if window or (rows and all(_same(column) for column in columns)):  # no hashing
            # every row the first layout's: a read-only view, no memory
            first = np.zeros(1, dtype=np.int64)
            inverse = np.broadcast_to(first, (rows,))
        else:
            first, inverse = _factorize(np.stack([_days(c) for c in columns], axis=1))
        layouts = [self._layout_of_row(usage, int(f), start[f], end[f]) for f in first]
        scoped = self._check_scopes(usage, layouts, inverse)
        billed = None if usage.losses is None else self._billed(usage, layouts, inverse)
        counts = np.asarray([len(layout.pieces) for layout in layouts], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
        flat = [piece for layout in layouts for piece in layout.pieces]
        # The common what-if table: every row one service window, priced in one piece. Its
        # pieces are its rows, and each per-piece value is one number for all of them.
        identity = len(flat) == 1 and rows > 0
        per_row, piece_row, flat_index = _piece_index(rows, counts, offsets, inverse, identity)

        def piece_attr(name: str, dtype: Any) -> Any:
            if identity:  # one value for every row: a read-only view, no memory
                return np.broadcast_to(np.asarray(getattr(flat[0], name), dtype=dtype), (rows,))
            values = np.asarray([getattr(p, name) for p in flat], dtype=dtype)
            return values[flat_index] if len(flat) else values

        version = piece_attr("version", np.int64)
        starts_cycle = piece_attr("starts_cycle", bool)
        energy, kwh, total_row = self._energy_of(
            usage, billed, piece_row=piece_row, per_row=per_row, flat=flat, fi=flat_index
        )
        service_months = [layout.service_months for layout in layouts]
        service_num = _per_row([m.numerator for m in service_months], inverse, identity)
        service_den = _per_row([m.denominator for m in service_months], inverse, identity)
        fractions = {
            name: (
                _per_row([getattr(p, name).numerator for p in flat], flat_index, identity),
                _per_row([getattr(p, name).denominator for p in flat], flat_index, identity),
            )
            for name in ("months", "basic_months", "basic_service", "scale", "days")
        }
        position = self._positions(
            usage,
            piece_row,
            per_row=per_row,
            starts_cycle=starts_cycle,
            kwh=kwh,
            flat=flat,
            flat_index=flat_index,
        )
        blocks: list[_Block] = []
        for index, tariff_version in enumerate(self.tariff.versions):
            if identity:  # one piece a row, all of one version
                chosen = piece_row if index == flat[0].version else piece_row[:0]
            else:
                chosen = np.flatnonzero(version == index)
            if chosen.size == 0:
                continue
            if chosen.size == len(piece_row):  # every piece: nothing to gather
                picked = energy, kwh, position, fractions, piece_row
            else:
                picked = (
                    {b: (s.take(chosen), p[chosen]) for b, (s, p) in energy.items()},
                    kwh.take(chosen),
                    position.take(chosen),
                    {n: (a[chosen], b[chosen]) for n, (a, b) in fractions.items()},
                    piece_row[chosen],
                )
            blocks += self._price_version(
                tariff_version,
                chosen,
                dense=not lines,
                rows=picked[4],
                usage=usage,
                energy=picked[0],
                kwh=picked[1],
                position=picked[2],
                fractions=picked[3],
                total_row=total_row,
                service=(service_num, service_den),
                billed=billed,
            )
        priced = self._tables(
            usage,
            blocks,
            total_kwh=total_row.values if billed is None else usage.total_kwh(),
            piece_row=piece_row,
            flat=flat,
            flat_index=flat_index,
            lines=lines,
            decimals=decimals,
        )
        return self._finish(priced, usage, layouts, inverse, billed, scoped=scoped)

    def _with_engine_rows(self, usage: Usage, *, lines: bool, decimals: bool) -> Priced:
        """Price the rows with a capacity history or sub-accounts by the bill engine, the rest
        vectorised (:mod:`powerretail.analysis._engine_rows`)."""
        special = usage.engine_rows()
        if self._annual and usage.carries_position and special.size:
            raise NotVectorisable(
                f"usage[{int(special[0])}]",
                "a row with a capacity history or sub-accounts under annual tiers needs a "
                "ytd_kwh column: the tier position is not carried through rows priced by "
                "the bill engine",
            )
        exact = EngineRows(self._engine, usage, special)
        rest, keep = without_rows(usage, special)
        try:
            priced = self._vectorised(rest, lines=lines, decimals=decimals)
        except (InvalidInput, NotFound, NotVectorisable) as err:
            raise renumbered(err, keep) from None
        bills, line_frame, notes = engine_rows(
            self.tariff,
            usage,
            exact,
            priced,
            keep,
            lines=lines,
            decimals=decimals,
            minor_exp=self._minor_exp,
        )
        return Priced(self.tariff.code, bills, line_frame, notes)

    # ------------------------------------------------------------------ losses and notes
    def _billed(self, usage: Usage, layouts: Sequence[_Layout], inverse: IntArray) -> Billed:
        """Return each row's energy with its losses added (:mod:`powerretail.analysis._losses`)."""
        months = [layout.service_months for layout in layouts]
        days = [sum((p.end - p.start).days for p in layout.pieces) for layout in layouts]
        try:
            return billed_energy(usage, months, days, inverse)
        except LossRefused as err:
            raise NotVectorisable(err.what, err.why) from None

    def _energy_of(
        self,
        usage: Usage,
        billed: Billed | None,
        *,
        piece_row: IntArray,
        per_row: IntArray,
        flat: Sequence[_Piece],
        fi: IntArray,
    ) -> tuple[dict[str, tuple[Scaled, npt.NDArray[np.bool_]]], Scaled, Scaled]:
        """Return each piece's energy per bucket and in all, and each row's energy in all."""
        if billed is None:
            identity = len(flat) == 1 and len(usage) > 0
            energy, kwh, _ = self._piece_energy(
                usage, piece_row, per_row, flat, fi, identity=identity
            )
            return energy, kwh, kwh if identity else Scaled(usage.total_kwh(), QUANTITY_EXP)
        try:
            energy, kwh, _ = piece_energy(
                billed,
                usage,
                piece_row=piece_row,
                per_row=per_row,
                flat=flat,
                flat_index=fi,
            )
        except LossRefused as err:
            raise NotVectorisable(err.what, err.why) from None
        return energy, kwh, billed.total

    def _finish(
        self,
        priced: Priced,
        usage: Usage,
        layouts: Sequence[_Layout],
        inverse: IntArray,
        billed: Billed | None,
        *,
        scoped: tuple[IntArray, IntArray] | None,
    ) -> Priced:
        """Add the losses (where the table has loss models) and the bills' notes."""
        bills = priced.bills
        if billed is not None:
            at = bills.columns.get_loc("kwh") + 1
            bills.insert(at, "loss_kwh", billed.loss_kwh())
            bills.insert(at + 1, "loss_kvarh", billed.loss_kvarh())
        versions = self.tariff.versions
        pieces = [
            [(versions[p.version], p.start, p.end) for p in layout.pieces] for layout in layouts
        ]
        notes = bill_notes(self._engine, usage, pieces, inverse, billed, scoped=scoped)
        return attrs.evolve(priced, notes=notes)

    # ------------------------------------------------------------------ layout
    def _layout_of_row(
        self, usage: Usage, row: int, start: np.datetime64, end: np.datetime64
    ) -> _Layout:
        service = DateRange(_to_date(start), _to_date(end))
        account = AccountFacts(
            opened_on=_to_date(usage.opened_on[row]), closed_on=_to_date(usage.closed_on[row])
        )
        try:
            return _layout(self.tariff, self._engine, service, account)
        except NotFound as err:
            raise NotFound(err.kind, f"{err.key} (usage[{row}])") from None

    def _check_scopes(
        self, usage: Usage, layouts: Sequence[_Layout], inverse: IntArray
    ) -> tuple[IntArray, IntArray] | None:
        """Refuse what the engine refuses about scoped overlays; return the rows' verdicts.

        The verdicts (:func:`~powerretail.analysis._scope.scope_verdicts`) are worked out once
        a table: the refusals here and the bills' notes use them.
        """
        scoped = scope_verdicts(self.tariff, usage)
        signature = None if scoped is None else scoped[0]
        self._refuse_out_of_scope(usage, layouts, inverse, signature)
        self._need_critical_registers(usage, layouts, inverse, signature)
        return scoped

    def _need_critical_registers(
        self,
        usage: Usage,
        layouts: Sequence[_Layout],
        inverse: IntArray,
        signature: IntArray | None,
    ) -> None:
        """Refuse, as the engine does, a row without critical energy over critical-peak hours.

        Rows are asked one per layout, or one per layout and scope verdict when overlays are
        limited to some accounts (``signature``, the rows' verdicts).
        """
        critical = usage.energy.get("critical")
        lacking = None if critical is None else ~critical.present  # None: every row lacks it
        for index, layout in enumerate(layouts):
            mine = lacking
            if len(layouts) > 1:
                mine = inverse == index if lacking is None else lacking & (inverse == index)
            if signature is not None:
                candidates = np.arange(len(usage)) if mine is None else np.flatnonzero(mine)
                _, first = np.unique(signature[candidates], return_index=True)
                rows = sorted(int(candidates[i]) for i in first)
            elif mine is None:  # one layout, every row: the first row
                rows = [0]
            elif mine.any():
                rows = [int(np.argmax(mine))]
            else:
                continue
            for row in rows:
                self._need_critical_register(usage, layout, row)

    def _need_critical_register(self, usage: Usage, layout: _Layout, row: int) -> None:
        buckets = [b for b, column in usage.energy.items() if column.present[row]]
        account = row_facts(usage, row)
        for piece in layout.pieces:
            try:
                self._engine.need_critical_register(
                    self.tariff.versions[piece.version],
                    DateRange(piece.start, piece.end),
                    buckets,
                    capacity_kva=account.capacity_kva,
                    use_category=account.kind,
                )
            except InvalidInput as err:
                raise InvalidInput(f"usage[{row}].kwh_critical", "", err.expected) from None

    def _refuse_out_of_scope(
        self,
        usage: Usage,
        layouts: Sequence[_Layout],
        inverse: IntArray,
        signature: IntArray | None,
    ) -> None:
        """Refuse, as the engine does, energy in a scoped overlay's bucket outside its scope.

        One row is asked per layout, scope verdict and set of such buckets with energy.
        """
        columns = [b for b in scoped_buckets(self.tariff) if b in usage.energy]
        if not columns:
            return
        bits = np.zeros(len(usage), dtype=np.int64)
        for position, bucket in enumerate(columns):
            column = usage.energy[bucket]
            bits |= (column.present & (column.values != 0)).astype(np.int64) << position
        rows = np.flatnonzero(bits)
        if not rows.size:
            return
        assert signature is not None  # the tariff has scoped overlays
        keys = np.stack([np.asarray(inverse)[rows], signature[rows], bits[rows]], axis=1)
        _, first = np.unique(keys, axis=0, return_index=True)
        for row in sorted(int(rows[i]) for i in first):
            energy = {
                b: Decimal(int(c.values[row])).scaleb(QUANTITY_EXP)
                for b, c in usage.energy.items()
                if c.present[row]
            }
            account = row_facts(usage, row)
            for piece in layouts[int(inverse[row])].pieces:
                version = self.tariff.versions[piece.version]
                try:
                    self._engine.refuse_out_of_scope(
                        version, DateRange(piece.start, piece.end), energy, account
                    )
                except RuleViolation as err:
                    raise RuleViolation(f"usage[{row}]: {err}") from None
                except InvalidInput as err:
                    field = err.field.replace("account", f"usage[{row}]", 1)
                    raise InvalidInput(field, err.value, err.expected) from None

    # ------------------------------------------------------------------ energy
    def _piece_energy(
        self,
        usage: Usage,
        piece_row: IntArray,
        per_row: IntArray,
        flat: Sequence[_Piece],
        flat_index: IntArray,
        *,
        identity: bool = False,
    ) -> tuple[dict[str, tuple[Scaled, npt.NDArray[np.bool_]]], Scaled, int]:
        if identity:  # one piece per row: each row's energy as it is
            as_they_are = {
                bucket: (Scaled(column.values, QUANTITY_EXP), column.present)
                for bucket, column in usage.energy.items()
            }
            return as_they_are, Scaled(usage.total_kwh(), QUANTITY_EXP), QUANTITY_EXP
        split_rows = np.flatnonzero(per_row > 1)
        q_exp = QUANTITY_EXP if split_rows.size == 0 else QUANTITY_EXP - 3
        factor = 10 ** (QUANTITY_EXP - q_exp)
        energy: dict[str, tuple[Scaled, npt.NDArray[np.bool_]]] = {}
        first_piece = np.cumsum(per_row) - per_row
        for bucket, column in usage.energy.items():
            values = column.values[piece_row] * factor
            present = column.present[piece_row]
            for row in split_rows:
                if not column.present[row]:
                    continue
                at = int(first_piece[row])
                count = int(per_row[row])
                days = [(flat[i].end - flat[i].start).days for i in flat_index[at : at + count]]
                quantity = Decimal(int(column.values[row])).scaleb(QUANTITY_EXP)
                shares = split_by_days(quantity, days)
                values[at : at + count] = [int(s.scaleb(-q_exp)) for s in shares]
            energy[bucket] = (Scaled(values, q_exp), present)
        total = np.zeros(len(piece_row), dtype=np.int64)
        for scaled, present in energy.values():
            total += np.where(present, scaled.values, 0)
        return energy, Scaled(total, q_exp), q_exp

    def _positions(
        self,
        usage: Usage,
        piece_row: IntArray,
        *,
        per_row: IntArray,
        starts_cycle: npt.NDArray[np.bool_],
        kwh: Scaled,
        flat: Sequence[_Piece],
        flat_index: IntArray,
    ) -> Scaled:
        """Return the annual tier position at each piece's first day, as the engine places it."""
        size = len(usage)
        ytd = usage.quantities["ytd_kwh"]
        factor = 10 ** (QUANTITY_EXP - kwh.exp)
        if not self._annual:
            return Scaled.zeros(len(piece_row))
        if not usage.carries_position:  # the usage's own array when the scale is the same
            row_start = ytd.values if factor == 1 else multiply(ytd.values, np.asarray(factor))
        else:
            row_start = self._carried(
                usage,
                per_row,
                starts_cycle=starts_cycle,
                kwh=kwh,
                flat=flat,
                flat_index=flat_index,
                factor=factor,
            )
        if len(piece_row) == size:  # one piece per row: its position is the row's
            return Scaled(row_start, kwh.exp)
        first_piece = np.cumsum(per_row) - per_row
        # Within a row: the engine starts at the row's position, resets to 0 where a piece starts
        # a tier year, and adds each piece's energy.
        position = row_start[piece_row].copy()
        for row in np.flatnonzero(per_row > 1):
            at, count = int(first_piece[row]), int(per_row[row])
            current = int(row_start[row])
            for i in range(at, at + count):
                if starts_cycle[i]:
                    current = 0
                position[i] = current
                current += int(kwh.values[i])
        return Scaled(position, kwh.exp)

    def _carried(
        self,
        usage: Usage,
        per_row: IntArray,
        *,
        starts_cycle: npt.NDArray[np.bool_],
        kwh: Scaled,
        flat: Sequence[_Piece],
        flat_index: IntArray,
        factor: int,
    ) -> IntArray:
        size = len(usage)
        first_piece = np.cumsum(per_row) - per_row
        last_piece = first_piece + per_row - 1
        cycles = np.asarray(
            [np.datetime64(p.cycle, "D") if p.cycle else _NAT for p in flat], dtype="datetime64[D]"
        )
        first_cycle = cycles[flat_index[first_piece]]
        last_cycle = cycles[flat_index[last_piece]]
        # Rows of one account together, by period; accounts in any order (integer codes sort
        # much faster than the ids' text).
        codes, order = usage.by_account()
        accounts = codes[order]
        new_account = np.ones(size, dtype=bool)
        new_account[1:] = accounts[1:] != accounts[:-1]
        starts = usage.period_start[order]
        ends = usage.period_end[order]
        overlap = np.flatnonzero(~new_account[1:] & (starts[1:] < ends[:-1]))
        if overlap.size:
            row = int(order[overlap[0] + 1])
            raise InvalidInput(
                f"usage[{row}].period_start",
                str(usage.period_start[row]),
                f"a date on or after the end of account {usage.account_id[row]}'s previous "
                "period (the tier position is carried from row to row; or give ytd_kwh)",
            )
        # kWh of each row after its last tier-year start (all of it when none).
        # int64, or Python integers where the losses need finer energy than int64 holds.
        tail = np.zeros(size, dtype=kwh.values.dtype)
        internal = np.zeros(size, dtype=bool)
        total = np.zeros(size, dtype=kwh.values.dtype)
        for split in np.flatnonzero(per_row > 1):
            row = int(split)
            at, count = int(first_piece[row]), int(per_row[row])
            running = 0
            for i in range(at + 1, at + count):
                if starts_cycle[i]:
                    internal[row] = True
                    running = 0
                running += int(kwh.values[i]) if internal[row] else 0
            tail[row] = running
        np.add.at(total, np.repeat(np.arange(size), per_row), kwh.values)
        first_sorted = first_cycle[order]
        last_sorted = last_cycle[order]
        same_year = np.zeros(size, dtype=bool)
        same_year[1:] = (
            ~new_account[1:] & ~np.isnat(first_sorted[1:]) & (first_sorted[1:] == last_sorted[:-1])
        )
        before = multiply(
            usage.quantities["tier_year_kwh_before"].values[order], np.asarray(factor)
        )
        internal_sorted = internal[order]
        # A segment restarts at a new account, a new tier year, or after a row that started one.
        restart = ~same_year
        restart[1:] |= internal_sorted[:-1]
        base = np.where(new_account, before, 0)
        base[1:] = np.where(
            ~new_account[1:] & same_year[1:] & internal_sorted[:-1], tail[order][:-1], base[1:]
        )
        segment = np.cumsum(restart) - 1
        contribution = total[order]
        cumulative = np.cumsum(contribution) - contribution
        segment_start = np.flatnonzero(restart)
        offset = cumulative - cumulative[segment_start][segment]
        start_sorted = base[segment_start][segment] + offset
        result = np.zeros(size, dtype=start_sorted.dtype)
        result[order] = start_sorted
        return result

    # ------------------------------------------------------------------ charges
    def _price_version(
        self,
        version: TariffVersion,
        chosen: IntArray,
        *,
        rows: IntArray,
        usage: Usage,
        energy: Mapping[str, tuple[Scaled, npt.NDArray[np.bool_]]],
        kwh: Scaled,
        position: Scaled,
        fractions: Mapping[str, tuple[IntArray, IntArray]],
        total_row: Scaled,
        service: tuple[IntArray, IntArray],
        dense: bool = False,
        billed: Billed | None = None,
    ) -> list[_Block]:
        """Return the blocks of ``version``'s charges over pieces ``chosen``.

        ``dense`` (no lines wanted): a tier block covers every piece, zero where it has no energy
        in the tier, which adds the same amounts without gathering the pieces that do.
        """
        blocks: list[_Block] = []
        months = fractions["months"]
        pf_charge: PowerFactorAdjustment | None = None
        minimum: MinimumCharge | None = None
        for charge in version.charges:
            if isinstance(charge, PowerFactorAdjustment):
                pf_charge = charge
            elif isinstance(charge, MinimumCharge):
                minimum = charge
            elif isinstance(charge, DailyCharge):
                rate = Scaled.scalar(charge.yuan_per_day)
                blocks.append(self._block(chosen, charge, Scaled(fractions["days"][0], 0), rate))
            elif isinstance(charge, EnergyCharge):
                rate = Scaled.scalar(charge.yuan_per_kwh)
                blocks.append(self._block(chosen, charge, kwh, rate))
            elif isinstance(charge, FixedCharge):
                rate = Scaled.scalar(charge.yuan_per_month)
                one = Scaled(np.ones(len(chosen), dtype=np.int64), 0)
                blocks.append(
                    self._block(
                        chosen, charge, one, rate, numerator=months[0], denominator=months[1]
                    )
                )
            elif isinstance(charge, TimeOfUseCharge):
                blocks += self._time_of_use(charge, chosen, rows=rows, usage=usage, energy=energy)
            elif isinstance(charge, MonthlyTiers):
                zero = Scaled.zeros(len(chosen))
                scale = _tier_scale(charge, fractions)
                blocks += self._tiers(charge, chosen, start=zero, kwh=kwh, scale=scale, dense=dense)
            elif isinstance(charge, TimeOfUseTiers):
                blocks += self._tou_tiers(
                    charge, chosen, rows=rows, energy=energy, fractions=fractions
                )
            elif isinstance(charge, AnnualTiers):
                blocks += self._tiers(
                    charge, chosen, start=position, kwh=kwh, scale=fractions["scale"], dense=dense
                )
            else:
                assert isinstance(charge, BasicCharge)
                blocks += self._basic(
                    charge,
                    chosen,
                    rows=rows,
                    usage=usage,
                    months=fractions["basic_months"],
                    total_row=total_row,
                    service=fractions["basic_service"],
                )
        if pf_charge is not None:
            blocks += self._power_factor(
                pf_charge,
                chosen,
                rows=rows,
                usage=usage,
                blocks=blocks,
                total_row=total_row,
                billed=billed,
            )
        if minimum is not None:
            blocks += self._minimum(minimum, chosen, blocks=blocks, fractions=fractions)
        return blocks

    def _minimum(
        self,
        charge: MinimumCharge,
        chosen: IntArray,
        *,
        blocks: Sequence[_Block],
        fractions: Mapping[str, tuple[IntArray, IntArray]],
    ) -> list[_Block]:
        """Return the lines raising each piece's lines to its minimum bill (as the engine)."""
        billed = np.zeros(len(chosen), dtype=np.int64)
        for block in blocks:
            np.add.at(billed, np.searchsorted(chosen, block.pieces), block.amount)
        one = Scaled(np.ones(len(chosen), dtype=np.int64), 0)
        if charge.yuan_per_month is not None:
            months = fractions["months"]
            rate = Scaled.scalar(charge.yuan_per_month)
            floor = self._block(
                chosen, charge, one, rate, numerator=months[0], denominator=months[1]
            ).amount
        else:
            assert charge.yuan_per_day is not None
            days = Scaled(fractions["days"][0], 0)
            floor = self._block(chosen, charge, days, Scaled.scalar(charge.yuan_per_day)).amount
        short = np.flatnonzero(floor > billed)
        if not short.size:
            return []
        shortfall = Scaled((floor - billed)[short], self._minor_exp)
        return [self._block(chosen[short], charge, shortfall, Scaled.scalar(Decimal(1)))]

    def _block(
        self,
        chosen: IntArray,
        charge: Charge,
        quantity: Scaled,
        rate: Scaled,
        *,
        code: str | None = None,
        bucket: str = "",
        quantity_den: IntArray | int = 1,
        numerator: IntArray | int = 1,
        denominator: IntArray | int = 1,
        non_negative: bool = False,
        upper: int | None = None,
    ) -> _Block:
        """Return the lines of ``quantity × rate``, each rounded once.

        ``non_negative``: the caller knows every quantity is zero or more (at most ``upper``,
        when given), so a scalar rate is priced by :func:`product_rounded` where it applies.
        """
        units = None
        whole = isinstance(numerator, int) and isinstance(denominator, int)
        if non_negative and whole and numerator == denominator == 1 and rate.values.ndim == 0:
            exp = quantity.exp + rate.exp - self._step_exp
            factor = int(rate.values)
            units = product_rounded(quantity.values, factor, exp, self._mode, upper=upper)
        if units is None:
            product = quantity * rate
            units = product.rounded(self._step_exp, self._mode, numerator, denominator)
        amount = (
            units
            if self._step_exp == self._minor_exp
            else units * 10 ** (self._step_exp - self._minor_exp)
        )
        return _Block(
            chosen, charge, code or charge.code, bucket, quantity, quantity_den, rate, amount
        )

    def _time_of_use(
        self,
        charge: TimeOfUseCharge,
        chosen: IntArray,
        *,
        rows: IntArray,
        usage: Usage,
        energy: Mapping[str, tuple[Scaled, npt.NDArray[np.bool_]]],
    ) -> list[_Block]:
        blocks = []
        for bucket in sorted(energy, key=bucket_key):
            scaled, present = energy[bucket]
            if not present.any():
                continue
            if bucket not in charge.resolved:
                row = int(rows[np.flatnonzero(present)[0]])
                raise InvalidInput(
                    f"usage[{row}].kwh_{bucket}",
                    bucket,
                    f"a bucket of schedule {charge.schedule} ("
                    f"{', '.join('kwh_' + b for b in sorted(charge.resolved, key=bucket_key))})"
                    + _SEASONS_BY_DAYS
                    * (bucket == "total"),
                )
            rate = Scaled.scalar(charge.resolved[bucket])
            if present.all():  # every piece has the bucket: nothing to gather
                pieces, quantity = chosen, scaled
            else:
                where = np.flatnonzero(present)
                pieces, quantity = chosen[where], scaled.take(where)
            blocks.append(
                self._block(
                    pieces,
                    charge,
                    quantity,
                    rate,
                    code=f"{charge.code}.{bucket}",
                    bucket=bucket,
                    non_negative=True,  # energy is zero or more (read_usage refuses less)
                )
            )
        return blocks

    def _tou_tiers(
        self,
        charge: TimeOfUseTiers,
        chosen: IntArray,
        *,
        rows: IntArray,
        energy: Mapping[str, tuple[Scaled, npt.NDArray[np.bool_]]],
        fractions: Mapping[str, tuple[IntArray, IntArray]],
    ) -> list[_Block]:
        ladders = bucket_ladders(charge)
        blocks = []
        for bucket in sorted(energy, key=bucket_key):
            scaled, present = energy[bucket]
            if not present.any():
                continue
            if bucket not in ladders:
                row = int(rows[np.flatnonzero(present)[0]])
                raise InvalidInput(
                    f"usage[{row}].kwh_{bucket}",
                    bucket,
                    f"a bucket of schedule {charge.schedule} ("
                    f"{', '.join('kwh_' + b for b in sorted(ladders, key=bucket_key))})"
                    + _SEASONS_BY_DAYS
                    * (bucket == "total"),
                )
            where = np.flatnonzero(present)
            ladder = ladders[bucket]
            scale = _tier_scale(
                ladder, {n: (a[where], b[where]) for n, (a, b) in fractions.items()}
            )
            found = self._tiers(
                ladder,
                chosen[where],
                start=Scaled.zeros(where.size),
                kwh=scaled.take(where),
                scale=scale,
            )
            for block in found:
                block.charge = charge
                block.bucket = bucket
            blocks += found
        return blocks

    def _tiers(
        self,
        charge: MonthlyTiers | AnnualTiers,
        chosen: IntArray,
        *,
        start: Scaled,
        kwh: Scaled,
        scale: tuple[IntArray, IntArray],
        dense: bool = False,
    ) -> list[_Block]:
        numerator, denominator = scale
        bounds = _bounds(charge.tiers)
        exp = min(start.exp, kwh.exp, bounds.exp, SCALED_BOUND_EXP)
        begin = start.at(exp)
        finish = begin + kwh.at(exp)
        # A whole month or year everywhere (1/1) leaves the bounds as they are; a scaled bound
        # is rounded half-up to 0.001 kWh, as the engine rounds it.
        whole = _all_one(numerator) and _all_one(denominator)
        coarse = 10 ** (SCALED_BOUND_EXP - exp)
        blocks = []
        floor: IntArray | int = 0
        for index, tier in enumerate(charge.tiers):
            high: IntArray | int | None
            if tier.upto_kwh is None:
                high = None
            elif whole:
                high = int(bounds.at(exp)[index])
            else:
                exact = _mul(np.full(len(chosen), bounds.at(exp)[index]), numerator)
                below = _mul(np.asarray(denominator, dtype=np.int64), np.asarray(coarse))
                high = _mul(round_div(exact, below, "ROUND_HALF_UP"), np.asarray(coarse))
            if dense and tier.yuan_per_kwh == 0:  # its lines are all 0: no block to add
                if high is None:
                    break
                floor = high
                continue
            # The band from ``floor`` to ``high`` (one clip each end): zero or more, and no more
            # than the piece's energy or the band's width.
            if high is None:
                band = np.maximum(finish, floor) - np.maximum(begin, floor)
            else:
                band = np.clip(finish, floor, high) - np.clip(begin, floor, high)
            width = high - floor if isinstance(high, int) and isinstance(floor, int) else None
            where = np.flatnonzero(band != 0) if not dense else None
            if where is None or where.size:
                rate = Scaled.scalar(tier.yuan_per_kwh)
                # every piece has energy in the tier, or dense: zero-energy pieces add nothing
                every = where is None or where.size == len(chosen)
                blocks.append(
                    self._block(
                        chosen if every else chosen[where],
                        charge,
                        Scaled(band if every or where is None else band[where], exp),
                        rate,
                        code=f"{charge.code}.tier{index + 1}",
                        non_negative=True,
                        upper=width,
                    )
                )
            if high is None:
                break
            floor = high
        return blocks

    def _basic(
        self,
        charge: BasicCharge,
        chosen: IntArray,
        *,
        rows: IntArray,
        usage: Usage,
        months: tuple[IntArray, IntArray],
        total_row: Scaled,
        service: tuple[IntArray, IntArray],
    ) -> list[_Block]:
        basis_of_row = usage.basic_charge_basis[rows]
        default = charge.default_basis.value
        basis = np.where(basis_of_row == None, default, basis_of_row)  # noqa: E711
        quantities = usage.quantities
        capacity = quantities["capacity_kva"]
        blocks = []
        for kind in (BasicChargeBasis.CAPACITY, BasicChargeBasis.DEMAND):
            where = np.flatnonzero(basis == kind.value)
            if where.size == 0:
                continue
            price = (
                charge.yuan_per_kva_month
                if kind is BasicChargeBasis.CAPACITY
                else charge.yuan_per_kw_month
            )
            sub_rows = rows[where]
            if price is None:
                raise InvalidInput(
                    f"usage[{int(sub_rows[0])}].basic_charge_basis",
                    kind.value,
                    "a basis this tariff prices",
                )
            num, den = months[0][where], months[1][where]
            if kind is BasicChargeBasis.CAPACITY:
                _require(capacity.present[sub_rows], sub_rows, "capacity_kva", "a capacity")
                quantity = Scaled(capacity.values[sub_rows], QUANTITY_EXP)
                blocks.append(
                    self._block(
                        chosen[where],
                        charge,
                        quantity,
                        Scaled(np.full(where.size, Scaled.scalar(price).values), _e(price)),
                        numerator=num,
                        denominator=den,
                    )
                )
                continue
            demand_q = quantities["max_demand_kw"]
            _require(demand_q.present[sub_rows], sub_rows, "max_demand_kw", "a maximum demand")
            demand = Scaled(demand_q.values[sub_rows], QUANTITY_EXP)
            contract_q = quantities["contract_demand_kw"]
            contract = Scaled(contract_q.values[sub_rows], QUANTITY_EXP)
            has_contract = contract_q.present[sub_rows]
            cap = Scaled(capacity.values[sub_rows], QUANTITY_EXP)
            motors = Scaled(quantities["hv_motor_kw"].values[sub_rows], QUANTITY_EXP)
            floor = Scaled.scalar(charge.contract_floor) * (cap + motors)
            declared = contract.maximum(floor)
            threshold = Scaled.scalar(charge.excess_threshold) * declared
            within = demand.le(threshold)
            excess = demand - threshold
            extra = excess * Scaled.scalar(charge.excess_multiplier - 1)
            over = demand + extra
            contracted = declared.where(within, over)
            billable = contracted.where(has_contract, demand)
            rate = Scaled(np.full(where.size, Scaled.scalar(price).values), _e(price))
            if charge.discount_kwh_per_kva is not None:
                has_capacity = capacity.present[sub_rows] & (capacity.values[sub_rows] != 0)
                s_num, s_den = service[0][where], service[1][where]
                used = Scaled(_mul(total_row.values[sub_rows], s_den), total_row.exp)
                limit = Scaled.scalar(charge.discount_kwh_per_kva) * Scaled(
                    _mul(capacity.values[sub_rows], s_num), QUANTITY_EXP
                )
                discounted = has_capacity & used.ge(limit)
                rate = (rate * Scaled.scalar(charge.discount_factor)).where(discounted, rate)
            blocks.append(
                self._block(chosen[where], charge, billable, rate, numerator=num, denominator=den)
            )
        return blocks

    def _power_factor(
        self,
        charge: PowerFactorAdjustment,
        chosen: IntArray,
        *,
        rows: IntArray,
        usage: Usage,
        blocks: Sequence[_Block],
        total_row: Scaled,
        billed: Billed | None = None,
    ) -> list[_Block]:
        standard_row = usage.pf_standard[rows]
        default = None if charge.default_standard is None else f"{charge.default_standard:.2f}"
        standard = np.where(standard_row == None, np.asarray(default, dtype=object), standard_row)  # noqa: E711
        applies = ~usage.residential[rows] & (standard != None)  # noqa: E711
        reactive = usage.quantities["reactive_kvarh"]
        lacking = applies & ~reactive.present[rows]
        if lacking.any():
            row = int(rows[np.flatnonzero(lacking)[0]])
            raise InvalidInput(
                f"usage[{row}].reactive_kvarh",
                "",
                "reactive energy for the power-factor adjustment "
                f"(standard {standard[lacking][0]})",
            )
        active_row, reactive_row = total_row.values, reactive.values
        if billed is not None:  # the losses count: billed active and reactive energy
            active_row, reactive_row = billed.pf_pair(total_row)
        active = np.maximum(active_row[rows], 0)
        applies &= active != 0
        where = np.flatnonzero(applies)
        if where.size == 0:
            return []
        pf = _power_factors(active[where], np.abs(reactive_row[rows][where]))
        tables = {
            key: Scaled.of(
                RULE_SETS[charge.rule_set].standard(key).percent(Decimal(k).scaleb(-2)) / 100
                for k in range(101)
            )
            for key in set(standard[where].tolist())
        }
        exp = min(t.exp for t in tables.values())
        rate = np.zeros(where.size, dtype=np.int64)
        for key, table in tables.items():
            mask = standard[where] == key
            rate[mask] = table.at(exp)[pf[mask]]
        base = np.zeros(len(chosen), dtype=np.int64)
        for block in blocks:
            if _in_base(charge, block.charge):
                # ``chosen`` is sorted, so a piece's place in it is found by bisection.
                index = np.searchsorted(chosen, block.pieces)
                np.add.at(base, index, to_int64(block.amount, charge.code))
        quantity = Scaled(base[where], self._minor_exp)
        return [self._block(chosen[where], charge, quantity, Scaled(rate, exp))]

    # ------------------------------------------------------------------ tables
    def _tables(
        self,
        usage: Usage,
        blocks: Sequence[_Block],
        *,
        total_kwh: IntArray,
        piece_row: IntArray,
        flat: Sequence[_Piece],
        flat_index: IntArray,
        lines: bool,
        decimals: bool,
    ) -> Priced:
        rows = len(usage)
        # Every column is a new array, or a Series the usage keeps (copy-on-write: a change to
        # one is never seen in the other), so the frame takes them as they are (``copy=False``:
        # no second copy into 2-D blocks).
        tariff = np.zeros(rows, dtype=np.int8)  # codes of one category: valid by construction
        bills: dict[str, Any] = {
            "tariff": pd.Categorical.from_codes(tariff, [self.tariff.code], validate=False),
            **usage.bill_columns,
            "kwh": total_kwh / 10**-QUANTITY_EXP,
        }
        codes: list[str] = []
        for version in self.tariff.versions:
            for charge in version.charges:
                if charge.code not in codes:
                    codes.append(charge.code)
        # With one piece per row a block's rows are distinct, and plain indexing adds exactly.
        single = len(piece_row) == rows
        # Blocks with a line on every row, in row order, are summed first, one pass a block.
        every: dict[str, list[IntArray]] = {code: [] for code in codes}
        some: list[tuple[_Block, IntArray]] = []
        for block in blocks:
            amount = to_int64(block.amount, block.code)
            if single and len(block.pieces) == rows:
                every[block.charge.code].append(amount)
            else:
                some.append((block, amount))
        by_code = {code: _sum_of(every[code], rows, own=not some) for code in codes}
        for block, amount in some:
            target = by_code[block.charge.code]
            if single:  # pieces are rows
                target[block.pieces] += amount
            else:
                np.add.at(target, piece_row[block.pieces], amount)
        total = _sum_of(list(by_code.values()), rows, own=False)
        bills["total_fen"] = total
        for code in codes:
            bills[f"{code}_fen"] = by_code[code]
        bills["total_yuan"] = total / 10**-self._minor_exp
        if decimals:
            bills["total"] = [Decimal(int(v)).scaleb(self._minor_exp) for v in total]
        bill_frame = pd.DataFrame(bills, copy=False)
        line_frame = (
            self._lines(
                usage,
                blocks,
                piece_row=piece_row,
                flat=flat,
                flat_index=flat_index,
                decimals=decimals,
            )
            if lines
            else None
        )
        return Priced(self.tariff.code, bill_frame, line_frame)

    def _lines(
        self,
        usage: Usage,
        blocks: Sequence[_Block],
        *,
        piece_row: IntArray,
        flat: Sequence[_Piece],
        flat_index: IntArray,
        decimals: bool,
    ) -> Any:
        versions = [v.label for v in self.tariff.versions]
        starts = np.asarray([np.datetime64(p.start, "D") for p in flat], dtype="datetime64[D]")
        ends = np.asarray([np.datetime64(p.end, "D") for p in flat], dtype="datetime64[D]")
        version_of = np.asarray([p.version for p in flat], dtype=np.int64)
        parts = []
        for order, block in enumerate(blocks):
            row = piece_row[block.pieces]
            where = flat_index[block.pieces]
            amount = to_int64(block.amount, block.code)
            # Float views for tables and plots; amounts stay integers of fen.
            scale = np.asarray(block.quantity_den, dtype=np.float64) * 10**-block.quantity.exp
            quantity = np.asarray(block.quantity.values, dtype=np.float64) / scale
            rate = np.broadcast_to(
                np.asarray(block.rate.values, dtype=np.float64) / 10**-block.rate.exp, row.shape
            )
            part = {
                "row": row,
                "piece": block.pieces,
                "order": np.full(row.size, order),
                "account_id": usage.account_id[row],
                "period_start": starts[where],
                "period_end": ends[where],
                "tariff_version": np.asarray(versions, dtype=object)[version_of[where]],
                "charge": block.charge.code,
                "category": block.charge.category.value,
                "code": block.code,
                "bucket": block.bucket,
                "quantity": quantity,
                "rate": rate,
                "amount_fen": amount,
            }
            if decimals:
                part["amount"] = [Decimal(int(a)).scaleb(self._minor_exp) for a in amount]
                part["quantity_decimal"] = _exact_quantities(block)
                part["rate_decimal"] = Scaled(
                    np.broadcast_to(block.rate.values, row.shape), block.rate.exp
                ).decimals()
            parts.append(pd.DataFrame(part))
        if not parts:
            return pd.DataFrame(columns=["row", "account_id", "code", "amount_fen"])
        frame = pd.concat(parts, ignore_index=True)
        frame = frame.sort_values(["row", "piece", "order"], kind="stable").reset_index(drop=True)
        frame = frame.drop(columns=["piece", "order"])
        frame["amount_yuan"] = frame["amount_fen"] / 10**-self._minor_exp
        for name in ("charge", "category", "code", "bucket", "tariff_version"):
            frame[name] = frame[name].astype("category")
        return frame


def _sum_of(amounts: Sequence[IntArray], rows: int, *, own: bool) -> IntArray:
    """Return the sum of ``amounts`` (int64, ``rows`` each) as one array.

    ``own``: a single amount may be returned as it is (nothing adds to it in place later).
    """
    if not amounts:
        return np.zeros(rows, dtype=np.int64)
    if len(amounts) == 1:
        return amounts[0] if own else amounts[0].copy()
    total = np.add(amounts[0], amounts[1])
    for amount in amounts[2:]:
        total += amount
    return total


def _piece_index(
    rows: int, counts: IntArray, offsets: IntArray, inverse: IntArray, identity: bool
) -> tuple[IntArray, IntArray, IntArray]:
    """Return each row's piece count, each piece's row and each piece's place in the layouts."""
    if identity:  # counts and places are one number for every row: read-only views
        one, zero = np.ones(1, dtype=np.int64), np.zeros(1, dtype=np.int64)
        return np.broadcast_to(one, (rows,)), np.arange(rows), np.broadcast_to(zero, (rows,))
    per_row = counts[inverse]
    piece_row = np.repeat(np.arange(rows), per_row)
    local = np.arange(len(piece_row)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    return per_row, piece_row, offsets[inverse][piece_row] + local


def _per_row(values: Sequence[int], index: IntArray, identity: bool) -> IntArray:
    """Return ``values`` (one per layout or piece) at each of ``index``."""
    if identity:  # one value for every row: a read-only view, no memory
        return np.broadcast_to(np.asarray(values[0], dtype=np.int64), (len(index),))
    return np.asarray(values, dtype=np.int64)[index]


def _all_one(values: IntArray) -> bool:
    """Whether every value is 1 (a broadcast view is one value: read once)."""
    if values.ndim == 1 and values.size and values.strides[0] == 0:
        return bool(values[0] == 1)
    return bool((values == 1).all())


def _same(dates: npt.NDArray[np.datetime64]) -> bool:
    """Whether every date equals the first (all ``NaT`` counts as the same)."""
    days = dates.view(np.int64)  # NaT is one integer: equal to itself here
    return bool((days == days[0]).all())


def _service(
    start: npt.NDArray[np.datetime64],
    end: npt.NDArray[np.datetime64],
    opened: npt.NDArray[np.datetime64],
    closed: npt.NDArray[np.datetime64],
) -> tuple[npt.NDArray[np.datetime64], npt.NDArray[np.datetime64]]:
    """Return the service days of each period: cut by ``opened`` / ``closed`` (``NaT``: none)."""
    later = opened > start  # a comparison with NaT is false
    earlier = closed < end
    return np.where(later, opened, start), np.where(earlier, closed, end)


def _factorize(keys: IntArray) -> tuple[IntArray, IntArray]:
    """Return the first row of each distinct key row and each row's key number (hashing)."""
    if len(keys) and bool((keys == keys[0]).all()):  # one key (a table of one month): no hashing
        return np.zeros(1, dtype=np.int64), np.zeros(len(keys), dtype=np.int64)
    codes = np.zeros(len(keys), dtype=np.int64)
    for column in keys.T:
        found, uniques = pd.factorize(column)
        codes = codes * (len(uniques) + 1) + found
        codes, _ = pd.factorize(codes)
    inverse = np.asarray(codes, dtype=np.int64)
    count = int(inverse.max()) + 1 if len(inverse) else 0
    first = np.full(count, len(inverse), dtype=np.int64)
    np.minimum.at(first, inverse, np.arange(len(inverse)))
    return first, inverse


def _exact_quantities(block: _Block) -> list[Decimal]:
    values = block.quantity.decimals()
    den = np.broadcast_to(np.asarray(block.quantity_den), (len(values),))
    return [v if int(d) == 1 else v / int(d) for v, d in zip(values, den, strict=True)]


def _in_base(charge: PowerFactorAdjustment, owner: Charge) -> bool:
    if charge.base_codes is None:
        return owner.category in PF_BASE_CATEGORIES
    return owner.code in charge.base_codes


def _power_factors(active: IntArray, reactive: IntArray) -> IntArray:
    """Return the power factor in hundredths, rounded half-up as :func:`power_factor` does.

    Exact integers: the rounded factor is the largest ``k`` with ``P / √(P² + Q²) ≥ (k - ½) /
    100``, that is ``40000·P² ≥ (2k - 1)²·(P² + Q²)``, found by bisection over 0-100.
    """
    p = active.astype(object)
    q = reactive.astype(object)
    square = p * p
    apparent = square + q * q
    low = np.zeros(len(p), dtype=np.int64)
    high = np.full(len(p), 100, dtype=np.int64)
    while (low < high).any():
        middle = (low + high + 1) // 2
        odd = (2 * middle - 1).astype(object)
        holds = np.asarray(40000 * square >= odd * odd * apparent, dtype=bool)
        low = np.where(holds, middle, low)
        high = np.where(holds, high, middle - 1)
    return low


def _require(present: npt.NDArray[np.bool_], rows: IntArray, column: str, what: str) -> None:
    missing = np.flatnonzero(~present)
    if missing.size:
        raise InvalidInput(
            f"usage[{int(rows[missing[0]])}].{column}", "", f"{what} for the basic charge"
        )


def _e(value: Decimal) -> int:
    return Scaled.scalar(value).exp


def _mul(values: IntArray, factor: IntArray) -> IntArray:
    return multiply(values, np.asarray(factor))


def _tier_scale(
    charge: MonthlyTiers, fractions: Mapping[str, tuple[IntArray, IntArray]]
) -> tuple[IntArray, IntArray]:
    """Return the bound scale of each piece (as the engine: months, days or months / 12)."""
    months = fractions["months"]
    if charge.bounds_per is TierBounds.MONTH:
        return months
    if charge.bounds_per is TierBounds.DAY:
        return fractions["days"]
    return (months[0], months[1] * 12)


def _bounds(tiers: Sequence[Tier]) -> Scaled:
    return Scaled.of([t.upto_kwh if t.upto_kwh is not None else Decimal(0) for t in tiers])


def _layout(
    tariff: Tariff, engine: BillingEngine, service: DateRange, account: AccountFacts
) -> _Layout:
    """Cut ``service`` as the engine does: at version boundaries and tier-year starts."""
    assert service.end is not None
    cut: list[tuple[DateRange, int, bool, date | None]] = []
    for part in service.split_at(*tariff.boundaries_within(service)):
        version = tariff.version_on(part.start)
        index = tariff.versions.index(version)
        rest: DateRange | None = part
        while rest is not None:
            assert rest.end is not None
            found = engine.tier_year(account, rest.start)
            if found is None:
                cut.append((rest, index, False, None))
                break
            cycle = found[0]
            assert cycle.end is not None
            starts = rest.start == cycle.start and rest.start != service.start
            if cycle.end < rest.end:
                cut.append((DateRange(rest.start, cycle.end), index, starts, cycle.start))
                rest = DateRange(cycle.end, rest.end)
                continue
            cut.append((rest, index, starts, cycle.start))
            rest = None
    proration = tariff.proration
    months = months_of(service, proration)
    pieces = []
    for part, index, starts, cycle_start in cut:
        version = tariff.versions[index]
        share = Fraction(part.days, service.days)
        basic = next((c for c in version.charges if isinstance(c, BasicCharge)), None)
        pmd = 30 if basic is None else basic.part_month_days
        annual = next((c for c in version.charges if isinstance(c, AnnualTiers)), None)
        scale = Fraction(1)
        if annual is not None:
            scale = _pro_rata(engine, annual, account, part.start)
        assert part.end is not None
        pieces.append(
            _Piece(
                start=part.start,
                end=part.end,
                version=index,
                starts_cycle=starts,
                months=(
                    months_of(part, proration)
                    if proration is Proration.DAYS_IN_MONTH
                    else months * share
                ),
                basic_months=months_in(service, pmd) * share,
                basic_service=months_in(service, pmd),
                scale=scale,
                cycle=cycle_start,
                days=Fraction(part.days),
            )
        )
    return _Layout(service_months=months_in(service), pieces=tuple(pieces))


@functools.lru_cache(maxsize=4096)
def _cycle_months(start: date, last: date) -> int:
    return (last.year - start.year) * 12 + last.month - start.month + 1


def _pro_rata(
    engine: BillingEngine, charge: AnnualTiers, account: AccountFacts, day: date
) -> Fraction:
    """Return the threshold scale of a part year (rules of AnnualTiers.partial_year)."""
    if charge.partial_year is not PartialYear.PRO_RATA or (
        account.opened_on is None and account.closed_on is None
    ):
        return Fraction(1)
    found = engine.tier_year(account, day)
    assert found is not None
    cycle = found[0]
    assert cycle.end is not None
    start = max(cycle.start, account.opened_on or cycle.start)
    end = min(cycle.end, account.closed_on or cycle.end)
    last = date.fromordinal(end.toordinal() - 1)
    touched = _cycle_months(start, last)
    return Fraction(1) if touched >= 12 else Fraction(touched, 12)
