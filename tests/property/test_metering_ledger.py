"""Stateful test of R7: estimated, actual, late, duplicate and out-of-order reads, billed at
random moments, bill exactly the energy between the first and the last actual read."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from powerretail.metering.consumption import ReadLedger
from powerretail.metering.reads import RegisterRead
from powerretail.quantities import Energy
from tests.strategies.metering import a_meter, a_read, an_estimate, at_day, multipliers

DAYS = st.integers(min_value=0, max_value=60)


class LedgerMachine(RuleBasedStateMachine):
    """Reads arrive in any order; the ledger's net billing must follow the actual reads."""

    def __init__(self) -> None:
        super().__init__()
        self.offered: list[RegisterRead] = []
        self.horizon = -1
        self.rate = Decimal(1)
        self.ledger = ReadLedger(meter=a_meter())

    @initialize(rate=st.decimals(min_value=1, max_value=100, places=1), multiplier=multipliers)
    def start(self, rate: Decimal, multiplier: str) -> None:
        self.rate = rate
        self.ledger = ReadLedger(meter=a_meter(ct_ratio=multiplier))

    def truth(self, day: int) -> Decimal:
        """The register's real value on ``day``: always rising."""
        return 1000 + self.rate * day + Decimal(day % 3) / 10

    def offer(self, read: RegisterRead) -> None:
        self.ledger, _ = self.ledger.offer(read)
        self.offered.append(read)

    @rule(day=DAYS)
    def actual_read(self, day: int) -> None:
        self.offer(a_read(day, self.truth(day)))

    @rule(day=DAYS, value=st.decimals(min_value=0, max_value=20000, places=1))
    def estimated_read(self, day: int, value: Decimal) -> None:
        self.offer(an_estimate(day, value))

    @precondition(lambda self: bool(self.offered))
    @rule(data=st.data())
    def duplicate_read(self, data: st.DataObject) -> None:
        self.offer(data.draw(st.sampled_from(self.offered)))

    @rule(day=DAYS)
    def bill(self, day: int) -> None:
        self.ledger = self.ledger.bill(at_day(day))
        self.horizon = max(self.horizon, day)

        path = self.ledger.best_path(at_day(self.horizon))
        expected = (path[-1].value - path[0].value) if path else Decimal(0)
        assert self.ledger.billed() == Energy(expected * self.ledger.meter.multiplier)
        wanted = {(path[i].read_at, path[i + 1].read_at) for i in range(len(path) - 1)}
        active = {
            (self.ledger.lines[i].start.read_at, self.ledger.lines[i].end.read_at)
            for i in self.ledger.active_lines()
        }
        assert active == wanted  # every superseded line was reversed, every new one billed
        if path and path[-1].is_actual:
            first = self.first_actual()
            assert first is not None
            assert path[0] == first

    def first_actual(self) -> RegisterRead | None:
        actuals = [r for r in self.ledger.reads if r.is_actual]
        return actuals[0] if actuals else None

    @invariant()
    def each_line_is_reversed_at_most_once(self) -> None:
        reversed_ = [line.reverses for line in self.ledger.lines if line.reverses is not None]

        assert len(reversed_) == len(set(reversed_))
        for index in reversed_:
            assert self.ledger.lines[index].reverses is None

    @invariant()
    def actuals_are_the_truth(self) -> None:
        for read in self.ledger.reads:
            if read.is_actual:
                assert read.value == self.truth((read.read_at - at_day(0)).days)

    def teardown(self) -> None:
        first = self.first_actual()
        if first is None:
            return
        last_day = 61
        self.ledger, _ = self.ledger.offer(a_read(last_day, self.truth(last_day)))
        final = self.ledger.bill(at_day(last_day))
        energy = (self.truth(last_day) - first.value) * final.meter.multiplier

        assert final.billed() == Energy(energy)


LedgerMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
test_ledger_bills_exactly_the_energy_between_actual_reads = LedgerMachine.TestCase
