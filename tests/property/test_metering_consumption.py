"""Properties of register arithmetic: roll-over and meter exchange conserve energy."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from powerretail.metering.consumption import consumption_across_exchange, register_advance
from powerretail.metering.reads import MeterExchange
from powerretail.quantities import Energy
from tests.strategies.metering import a_meter, a_read, advances, multipliers, register_values

CAPACITY = Decimal(10) ** 6


@given(previous=register_values, used=advances)
@example(previous=Decimal("999999.9"), used=Decimal("0.1"))
@example(previous=Decimal(0), used=Decimal(0))
def test_roll_over_returns_exactly_the_energy_used(previous: Decimal, used: Decimal) -> None:
    current = (previous + used) % CAPACITY

    advance = register_advance(previous, current, digits=6)

    assert advance.units == used
    assert advance.rolled_over == (previous + used >= CAPACITY)


@given(
    start=register_values,
    old_used=advances,
    new_start=register_values,
    new_used=advances,
    old_multiplier=multipliers,
    new_multiplier=multipliers,
)
def test_an_exchange_bills_what_both_meters_registered(  # noqa: PLR0917
    start: Decimal,
    old_used: Decimal,
    new_start: Decimal,
    new_used: Decimal,
    old_multiplier: str,
    new_multiplier: str,
) -> None:
    old, new = a_meter("OLD", ct_ratio=old_multiplier), a_meter("NEW", ct_ratio=new_multiplier)
    exchange = MeterExchange(
        old_final=a_read(10, (start + old_used) % CAPACITY, meter_id="OLD"),
        new_initial=a_read(10, new_start, meter_id="NEW", hours=1),
    )

    energy = consumption_across_exchange(
        previous=a_read(0, start, meter_id="OLD"),
        exchange=exchange,
        latest=a_read(30, (new_start + new_used) % CAPACITY, meter_id="NEW"),
        old_meter=old,
        new_meter=new,
    )

    assert energy == Energy(old_used * Decimal(old_multiplier) + new_used * Decimal(new_multiplier))


@given(st.lists(advances, min_size=1, max_size=12), register_values)
def test_consecutive_advances_add_up_across_roll_overs(used: list[Decimal], start: Decimal) -> None:
    values = [start]
    for amount in used:
        values.append((values[-1] + amount) % CAPACITY)

    total = sum(
        register_advance(values[i], values[i + 1], digits=6).units for i in range(len(used))
    )

    assert total == sum(used)
