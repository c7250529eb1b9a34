"""Consumption from register reads: advance × multiplier, roll-over, meter exchange, true-up.

Energy is the register advance times the multiplier with every decimal of the register kept
(236.8 × 40 = 9472 kWh; dropping the .8 would lose 32 kWh). A register that shows
less than before has rolled over its dials, or been exchanged: :func:`register_advance` applies
``10^d − previous + current`` and says it did.

>>> register_advance(Decimal("999990"), Decimal("15"), digits=6)
Advance(units=Decimal('25'), rolled_over=True)
>>> energy_from_advance(Decimal("236.8"), Decimal("40"))
Energy(value=Decimal('9472.0'))

:class:`ReadLedger` keeps the reads of one register as they arrive — estimated, actual, late,
duplicated, out of order — and bills them so that nothing is lost or counted twice (RELIABILITY R7):
when an actual supersedes a billed estimate, the lines built on the estimate are reversed once and
the energy is billed again from the actual.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import attrs
import pendulum

from powerretail.errors import InvalidInput
from powerretail.metering.meters import Meter, RegisterKind
from powerretail.metering.reads import MeterExchange, RegisterRead
from powerretail.quantities import MONEY_CONTEXT, Energy, Power, ReactiveEnergy

__all__ = [
    "Advance",
    "BilledLine",
    "LedgerOutcome",
    "ReadLedger",
    "consumption",
    "consumption_across_exchange",
    "demand",
    "energy_from_advance",
    "reactive_consumption",
    "register_advance",
]


@attrs.frozen
class Advance:
    """How far a register moved [register units], and whether it passed its roll-over point."""

    units: Decimal
    rolled_over: bool


def register_advance(previous: Decimal, current: Decimal, *, digits: int) -> Advance:
    """Return the advance from ``previous`` to ``current`` on a register of ``digits`` dials.

    If ``current`` is below ``previous`` the dials went round: the advance is
    ``10^digits − previous + current``. Whether that is plausible is a validation question
    (VEE V06), not an arithmetic one.

    Raises:
        InvalidInput: a value outside ``[0, 10^digits)``.

    Source: register arithmetic, docs/explanation/sources.md (metering).
    """
    capacity = Decimal(10) ** digits
    for name, value in (("previous", previous), ("current", current)):
        if not Decimal(0) <= value < capacity:
            raise InvalidInput(name, value, f"a register value in [0, {capacity})")
    if current >= previous:
        return Advance(current - previous, False)
    return Advance(capacity - previous + current, True)


def energy_from_advance(units: Decimal, multiplier: Decimal) -> Energy:
    """Return ``units × multiplier`` as energy [kWh], exactly (no decimal dropped)."""
    return Energy(MONEY_CONTEXT.multiply(units, multiplier))


def consumption(previous: RegisterRead, latest: RegisterRead, meter: Meter) -> Energy:
    """Return the energy [kWh] registered between two reads of one register of ``meter``.

    Raises:
        InvalidInput: the reads are of different meters or registers, out of order, or of a
            demand register (demand is not an advance).

    >>> from powerretail.metering.meters import MeterType
    >>> from powerretail.metering.reads import ReadSource
    >>> meter = Meter(id="M-1", serial="S1", meter_type=MeterType.ELECTRONIC,
    ...               accuracy_class="1", ct_ratio="200/5")
    >>> def read(at: str, value: str) -> RegisterRead:
    ...     return RegisterRead(meter_id="M-1", read_at=at, value=value,
    ...                         source=ReadSource.ACTUAL, produced_by="reader")
    >>> consumption(read("2025-01-01T00:00+08:00", "1000.0"),
    ...             read("2025-02-01T00:00+08:00", "1236.8"), meter)
    Energy(value=Decimal('9472.0'))
    """
    _same_register(previous, latest, meter)
    advance = register_advance(previous.value, latest.value, digits=meter.register_digits)
    return energy_from_advance(advance.units, meter.multiplier)


def reactive_consumption(
    previous: RegisterRead, latest: RegisterRead, meter: Meter
) -> ReactiveEnergy:
    """Return the reactive energy [kvarh] between two reads of the reactive register.

    Raises:
        InvalidInput: reads of another register or meter, or out of order.
    """
    for read in (previous, latest):
        if read.register is not RegisterKind.REACTIVE:
            raise InvalidInput("register", read.register.value, "the reactive register")
    active_like = [attrs.evolve(r, register=RegisterKind.ACTIVE_TOTAL) for r in (previous, latest)]
    energy = consumption(active_like[0], active_like[1], meter)
    return ReactiveEnergy(energy.value)


def demand(read: RegisterRead, meter: Meter) -> Power:
    """Return the maximum demand [kW] a demand register shows: its value × the multiplier.

    Raises:
        InvalidInput: not a maximum-demand read of ``meter``.
    """
    if read.register is not RegisterKind.MAX_DEMAND:
        raise InvalidInput("register", read.register.value, f"a max_demand read of {meter.id}")
    if read.meter_id != meter.id:
        raise InvalidInput("meter_id", read.meter_id, f"a max_demand read of {meter.id}")
    return Power(MONEY_CONTEXT.multiply(read.value, meter.multiplier))


def _same_register(previous: RegisterRead, latest: RegisterRead, meter: Meter) -> None:
    for read in (previous, latest):
        if read.meter_id != meter.id:
            raise InvalidInput("meter_id", read.meter_id, f"reads of meter {meter.id}")
    if previous.register is not latest.register:
        raise InvalidInput("register", latest.register.value, f"{previous.register.value}")
    if not previous.register.is_active_energy:
        raise InvalidInput(
            "register",
            previous.register.value,
            "an active-energy register (use reactive_consumption or demand for the others)",
        )
    if latest.read_at < previous.read_at:
        raise InvalidInput(
            "latest.read_at", latest.read_at.isoformat(), f"an instant after {previous.read_at}"
        )


def consumption_across_exchange(
    *,
    previous: RegisterRead,
    exchange: MeterExchange,
    latest: RegisterRead,
    old_meter: Meter,
    new_meter: Meter,
) -> Energy:
    """Return the energy [kWh] of a period in which one meter replaced another.

    The old meter's share runs from ``previous`` to its final read, the new meter's from its
    initial read to ``latest``; each at its own multiplier.

    Raises:
        InvalidInput: the reads do not belong to the meters, or are out of order.
    """
    old_share = consumption(previous, exchange.old_final, old_meter)
    new_share = consumption(exchange.new_initial, latest, new_meter)
    return old_share + new_share


@attrs.frozen(kw_only=True)
class BilledLine:
    """A billed quantity between two reads, or the reversal of an earlier line.

    ``reverses`` is the index (in :attr:`ReadLedger.lines`) of the line this one cancels.
    """

    start: RegisterRead
    end: RegisterRead
    energy: Energy
    reverses: int | None = None


@attrs.frozen
class LedgerOutcome:
    """What happened to an offered read: ``accepted``, ``duplicate`` or ``conflict``."""

    status: str
    detail: str


def _sort_key(read: RegisterRead) -> tuple[float, int]:
    return (read.read_at.timestamp(), 0 if read.is_actual else 1)


@attrs.frozen(kw_only=True)
class ReadLedger:
    """The reads of one register and the energy billed from them, with true-ups (R7).

    Reads are kept by instant: an actual replaces an estimate at the same instant, a repeated read
    is a duplicate (ignored, R22), a different actual at an instant already read is a conflict
    (kept out, reported). Billing follows the *best path*: every actual read from the first one
    on, then the estimates after the last actual (as long as they do not go backwards). Lines on
    the old path that are not on the new one are reversed, once.
    """

    meter: Meter
    reads: tuple[RegisterRead, ...] = ()
    lines: tuple[BilledLine, ...] = ()
    billed_until: pendulum.DateTime | None = None

    def offer(self, read: RegisterRead) -> tuple[ReadLedger, LedgerOutcome]:
        """Return the ledger with ``read`` taken in (or not), and what happened to it."""
        if read.meter_id != self.meter.id:
            raise InvalidInput("meter_id", read.meter_id, f"a read of meter {self.meter.id}")
        same_instant = [held for held in self.reads if held.read_at == read.read_at]
        for held in same_instant:
            if held.value == read.value and held.source is read.source:
                return self, LedgerOutcome("duplicate", f"{read.describe()} is already held")
            if held.is_actual and read.is_actual:
                return self, LedgerOutcome(
                    "conflict",
                    f"{read.describe()} differs from the actual {held.value} already held",
                )
            if held.is_actual and not read.is_actual:
                return self, LedgerOutcome(
                    "duplicate", f"estimate {read.describe()} superseded by an actual"
                )
            if held.is_final and not read.is_actual:
                return self, LedgerOutcome(
                    "conflict", f"{read.describe()} would replace a final estimate ({held.value})"
                )
        kept = tuple(held for held in self.reads if held.read_at != read.read_at)
        reads = tuple(sorted((*kept, read), key=_sort_key))
        return attrs.evolve(self, reads=reads), LedgerOutcome("accepted", read.describe())

    def offer_all(self, reads: Iterable[RegisterRead]) -> ReadLedger:
        """Return the ledger with every read of ``reads`` offered in turn."""
        ledger = self
        for read in reads:
            ledger, _ = ledger.offer(read)
        return ledger

    def best_path(self, until: pendulum.DateTime | None = None) -> tuple[RegisterRead, ...]:
        """Return the reads billing follows up to ``until`` (inclusive): actuals, then estimates."""
        upto = [r for r in self.reads if until is None or r.read_at <= until]
        actuals = [r for r in upto if r.is_actual]
        if not actuals:
            return ()
        path = list(actuals)
        last_actual = actuals[-1].read_at
        for estimate in (r for r in upto if not r.is_actual and r.read_at > last_actual):
            if estimate.value >= path[-1].value:
                path.append(estimate)
        return tuple(path)

    def active_lines(self) -> tuple[int, ...]:
        """Return the indices of lines not reversed (and not reversals themselves)."""
        reversed_ = {line.reverses for line in self.lines if line.reverses is not None}
        return tuple(
            i for i, line in enumerate(self.lines) if line.reverses is None and i not in reversed_
        )

    def bill(self, until: pendulum.DateTime) -> ReadLedger:
        """Return the ledger billed along the best path up to ``until``, with any true-ups.

        The billing horizon never moves back: an earlier ``until`` than before bills up to the
        horizon already reached. Billing twice changes nothing the second time.
        """
        active = self.active_lines()
        # Billing never un-bills: the horizon only moves forward.
        horizon = until if self.billed_until is None else max(until, self.billed_until)
        path = self.best_path(horizon)
        wanted = [(path[i], path[i + 1]) for i in range(len(path) - 1)]
        wanted_keys = {(a.read_at, a.value, b.read_at, b.value) for a, b in wanted}
        lines = list(self.lines)
        held_keys = set()
        for index in active:
            line = lines[index]
            key = (line.start.read_at, line.start.value, line.end.read_at, line.end.value)
            if key in wanted_keys:
                held_keys.add(key)
                continue
            lines.append(
                BilledLine(start=line.start, end=line.end, energy=-line.energy, reverses=index)
            )
        for start, end in wanted:
            if (start.read_at, start.value, end.read_at, end.value) not in held_keys:
                lines.append(
                    BilledLine(start=start, end=end, energy=consumption(start, end, self.meter))
                )
        return attrs.evolve(self, lines=tuple(lines), billed_until=horizon)

    def billed(self) -> Energy:
        """Return the net energy billed so far [kWh]: every line, reversals included."""
        return sum((line.energy for line in self.lines), Energy(0))
