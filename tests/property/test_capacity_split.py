"""Cutting a bill at capacity changes: energy is conserved, no day is billed twice or missed,
and a charge that does not depend on the capacity is the same however the period is cut."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from powerretail.billing.bill import Bill
from powerretail.billing.capacity import CapacityChange, CapacityHistory, ChangeKind
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import months_in, price_bill
from powerretail.timeframe import DateRange
from tests.unit.billing.builders import basic, energy, one_version

TARIFF = one_version(basic(), energy(price="0.6173"))
PERIOD = DateRange(date(2025, 3, 1), date(2025, 4, 1))


@st.composite
def histories(draw: st.DrawFn, *, same_capacity: bool = False) -> CapacityHistory:
    installed = draw(st.integers(100, 3000))
    days = sorted(set(draw(st.lists(st.integers(1, 30), min_size=1, max_size=4))))
    changes: list[CapacityChange] = []
    for index, offset in enumerate(days):
        on = PERIOD.start + timedelta(days=offset)
        if same_capacity:
            # a swap for an equal transformer and back: a cut with no change of capacity
            kind = ChangeKind.SWAP if index % 2 == 0 else ChangeKind.SWAP_BACK
            changes.append(
                CapacityChange(
                    kind=kind,
                    on=on,
                    kva=installed,
                    to_kva=installed if kind is ChangeKind.SWAP else None,
                )
            )
        elif index % 2 == 0:
            kind = draw(st.sampled_from([ChangeKind.SUSPEND, ChangeKind.INCREASE]))
            kva = draw(st.integers(1, installed))
            changes.append(CapacityChange(kind=kind, on=on, kva=kva))
            if kind is ChangeKind.INCREASE:
                installed += kva
        elif changes[-1].kind is ChangeKind.SUSPEND:
            changes.append(CapacityChange(kind=ChangeKind.RESUME, on=on, kva=changes[-1].kva))
    return CapacityHistory(installed_kva=_first(changes, installed), changes=tuple(changes))


def _first(changes: list[CapacityChange], installed: int) -> int:
    """The capacity before the changes (``installed`` counts the increases)."""
    return installed - sum(int(c.kva) for c in changes if c.kind is ChangeKind.INCREASE)


kwh = st.decimals("0", "500000", places=3)


@settings(max_examples=60, deadline=None)
@given(history=histories(), total=kwh)
def test_energy_is_conserved_and_every_day_is_billed_once(
    history: CapacityHistory, total: Decimal
) -> None:
    bill = price_bill(
        TARIFF,
        Determinants(energy_kwh={"total": total}),
        PERIOD,
        AccountFacts(capacity_history=history),
    )
    energy_lines = [line for line in bill.lines if line.code == "energy"]
    periods = [line.period for line in energy_lines]

    assert sum(line.quantity for line in energy_lines) == total
    assert periods[0].start == PERIOD.start
    assert periods[-1].end == PERIOD.end
    assert all(a.end == b.start for a, b in itertools.pairwise(periods))
    assert sum(p.days for p in periods) == PERIOD.days
    basic_months = sum((line.factor for line in bill.lines if line.code == "basic"), Fraction(0))
    assert basic_months == months_in(PERIOD)


@settings(max_examples=60, deadline=None)
@given(history=histories(same_capacity=True), total=kwh)
def test_a_charge_not_on_the_capacity_is_unchanged_by_a_cut(
    history: CapacityHistory, total: Decimal
) -> None:
    usage = Determinants(energy_kwh={"total": total})
    cut = price_bill(TARIFF, usage, PERIOD, AccountFacts(capacity_history=history))
    whole = price_bill(TARIFF, usage, PERIOD, AccountFacts(capacity_kva=history.installed_kva))

    def exact(bill: Bill) -> dict[str, Fraction]:
        sums: dict[str, Fraction] = {}
        for line in bill.lines:
            value = Fraction(line.quantity) * Fraction(line.rate) * line.factor
            sums[line.code] = sums.get(line.code, Fraction(0)) + value
        return sums

    assert len(cut.lines) > len(whole.lines)
    assert exact(cut) == exact(whole)
