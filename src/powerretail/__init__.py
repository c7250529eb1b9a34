"""powerretail — electricity retail and power-supply marketing (售电 / 供电营销) as a library.

Typed entities, exact calculators and checked state machines for billing, metering, customers,
contracts, collections and service time limits. Money is ``Decimal`` rounded once; time comes in as
an argument; storage sits behind protocols.

The names a newcomer needs are re-exported here; everything else is imported from its module.
"""

from __future__ import annotations

from powerretail.errors import (
    ConcurrencyConflict,
    InvalidInput,
    NotFound,
    PowerRetailError,
    RuleViolation,
)
from powerretail.quantities import (
    ApparentPower,
    CapacityPrice,
    DemandPrice,
    Energy,
    EnergyPrice,
    Money,
    Power,
    ReactiveEnergy,
    Rounding,
    allocate,
)
from powerretail.statemachine import StateMachine, Transition, TransitionRecord
from powerretail.timeframe import DateRange, Interval

__all__ = [
    "ApparentPower",
    "CapacityPrice",
    "ConcurrencyConflict",
    "DateRange",
    "DemandPrice",
    "Energy",
    "EnergyPrice",
    "Interval",
    "InvalidInput",
    "Money",
    "NotFound",
    "Power",
    "PowerRetailError",
    "ReactiveEnergy",
    "Rounding",
    "RuleViolation",
    "StateMachine",
    "Transition",
    "TransitionRecord",
    "__version__",
    "allocate",
]

__version__ = "0.1.0"
