"""Meters and their registers: serial, type, accuracy class, multiplier, dial digits, installation.

The multiplier (倍率) is the CT ratio times the VT ratio; a register advance times the multiplier is
the energy. ``register_digits`` is the number of integer dials, which fixes where a register rolls
over (``10 ** register_digits``).

>>> meter = Meter(
...     id=MeterId("M-1"),
...     serial="3300-0001",
...     meter_type=MeterType.ELECTRONIC,
...     accuracy_class="0.5S",
...     ct_ratio=parse_ratio("100/5"),
...     vt_ratio=parse_ratio("10000/100"),
...     register_digits=6,
... )
>>> meter.multiplier
Decimal('2000')

Source: metering practice (multiplier = CT ratio × VT ratio; 10 kV/100 V × 100/5 A = 2000).
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

import attrs

from powerretail.errors import InvalidInput
from powerretail.ids import MeterId, ServicePointId, require_id
from powerretail.quantities import MONEY_CONTEXT, exact_decimal
from powerretail.timeframe import as_date

__all__ = [
    "ACCURACY_CLASSES",
    "Bearing",
    "Meter",
    "MeterEvent",
    "MeterType",
    "RegisterKind",
    "parse_ratio",
]

#: Accuracy classes a meter may carry (active-energy classes of GB/T 17215 and JJG 596).
ACCURACY_CLASSES = frozenset({"0.2S", "0.5S", "0.2", "0.5", "1", "2", "3"})


class MeterType(enum.Enum):
    """What kind of meter it is (the periodic-test and rotation rules depend on it)."""

    ELECTROMECHANICAL_SINGLE_PHASE = "electromechanical_single_phase"
    ELECTROMECHANICAL_THREE_PHASE = "electromechanical_three_phase"
    ELECTRONIC = "electronic"
    SMART = "smart"


#: The electromechanical meter types (the only ones with a rotor and bearings).
_ELECTROMECHANICAL = frozenset(
    {MeterType.ELECTROMECHANICAL_SINGLE_PHASE, MeterType.ELECTROMECHANICAL_THREE_PHASE}
)


class Bearing(enum.Enum):
    """The rotor bearing of an electromechanical meter (JJG 307 sets the rotation period by it)."""

    #: 磁推轴承 (magnetic bearing).
    MAGNETIC = "magnetic"
    #: 双宝石轴承 (double-jewel bearing).
    DOUBLE_JEWEL = "double_jewel"
    #: Any other bearing (e.g. 单宝石, a single jewel).
    OTHER = "other"

    @property
    def label_en(self) -> str:
        """The English name of the bearing."""
        return self.value.replace("_", "-")


class RegisterKind(enum.Enum):
    """A register (or interval channel) of a meter."""

    ACTIVE_TOTAL = "active_total"
    PEAK = "peak"
    FLAT = "flat"
    VALLEY = "valley"
    CRITICAL_PEAK = "critical_peak"
    REACTIVE = "reactive"
    MAX_DEMAND = "max_demand"

    @property
    def is_cumulative(self) -> bool:
        """Whether the register accumulates (energy) rather than holds a peak (demand)."""
        return self is not RegisterKind.MAX_DEMAND

    @property
    def is_active_energy(self) -> bool:
        """Whether the register accumulates active energy [kWh] (total or a TOU bucket)."""
        return self not in (RegisterKind.MAX_DEMAND, RegisterKind.REACTIVE)


class MeterEvent(enum.Enum):
    """An event a meter reports with a read or an interval (VEE V12)."""

    OUTAGE = "outage"
    RESET = "reset"
    OVERFLOW = "overflow"
    TAMPER = "tamper"
    PHASE_LOSS = "phase_loss"


def parse_ratio(text: object, field: str = "ratio") -> Decimal:
    """Return a transformer ratio written as ``"100/5"`` or a plain number, as a Decimal.

    Raises:
        InvalidInput: not a ratio of two positive numbers, nor a positive number.

    >>> parse_ratio("100/5"), parse_ratio("40")
    (Decimal('20'), Decimal('40'))
    """
    if isinstance(text, str) and "/" in text:
        primary, _, secondary = text.partition("/")
        top = exact_decimal(primary, field)
        bottom = exact_decimal(secondary, field)
        if top <= 0 or bottom <= 0:
            raise InvalidInput(field, text, "a ratio of two positive numbers such as 100/5")
        return MONEY_CONTEXT.divide(top, bottom)
    value = exact_decimal(text, field)
    if value <= 0:
        raise InvalidInput(field, text, "a positive ratio")
    return value


def _positive_ratio(value: object) -> Decimal:
    return parse_ratio(value, "ratio")


def _meter_id(value: object) -> MeterId:
    return MeterId(require_id(value, "meter.id"))


def _serial(value: object) -> str:
    return require_id(value, "meter.serial")


def _optional_date(value: object) -> date | None:
    return None if value is None else as_date(value, "date")


def _registers(value: object) -> frozenset[RegisterKind]:
    if isinstance(value, RegisterKind):
        return frozenset({value})
    if not isinstance(value, frozenset | set | tuple | list):
        raise InvalidInput("registers", value, "a set of RegisterKind")
    kinds = frozenset(value)
    if not kinds or not all(isinstance(kind, RegisterKind) for kind in kinds):
        raise InvalidInput("registers", value, "a non-empty set of RegisterKind")
    return kinds


@attrs.frozen(kw_only=True)
class Meter:
    """A meter installed (or not yet) on a service point.

    Attributes:
        id: the meter's identifier in the embedding system.
        serial: the serial number printed on the meter (资产编号).
        meter_type: the kind of meter.
        accuracy_class: the active-energy accuracy class, e.g. ``"0.5S"`` or ``"2"``.
        ct_ratio: current-transformer ratio (1 when direct-connected).
        vt_ratio: voltage-transformer ratio (1 when direct-connected).
        register_digits: integer dials of the register; it rolls over at ``10 ** digits``.
        registers: the registers it has.
        service_point: where it is installed, if anywhere.
        installed_on: first day in service there.
        removed_on: first day no longer in service there (half-open, like every range).
        bearing: the rotor bearing of an electromechanical meter; ``None`` when not known (the
            rotation rules then assume the shorter period).

    Raises:
        InvalidInput: a blank id or serial, an unknown accuracy class, digits outside 1-12,
            removal not after installation, a bearing on a meter without a rotor.
    """

    id: MeterId = attrs.field(converter=_meter_id)
    serial: str = attrs.field(converter=_serial)
    meter_type: MeterType
    accuracy_class: str
    ct_ratio: Decimal = attrs.field(default=Decimal(1), converter=_positive_ratio)
    vt_ratio: Decimal = attrs.field(default=Decimal(1), converter=_positive_ratio)
    register_digits: int = 6
    registers: frozenset[RegisterKind] = attrs.field(
        default=frozenset({RegisterKind.ACTIVE_TOTAL}), converter=_registers
    )
    service_point: ServicePointId | None = None
    installed_on: date | None = attrs.field(default=None, converter=_optional_date)
    removed_on: date | None = attrs.field(default=None, converter=_optional_date)
    bearing: Bearing | None = None

    def __attrs_post_init__(self) -> None:
        if self.accuracy_class not in ACCURACY_CLASSES:
            raise InvalidInput(
                "meter.accuracy_class", self.accuracy_class, f"one of {sorted(ACCURACY_CLASSES)}"
            )
        digits = self.register_digits
        if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 12:
            raise InvalidInput("meter.register_digits", digits, "a whole number of dials 1-12")
        if (
            self.installed_on is not None
            and self.removed_on is not None
            and self.removed_on <= self.installed_on
        ):
            raise InvalidInput(
                "meter.removed_on",
                self.removed_on,
                f"a date after installed_on ({self.installed_on})",
            )
        if self.bearing is not None:
            if not isinstance(self.bearing, Bearing):
                raise InvalidInput("meter.bearing", self.bearing, "a Bearing or None")
            if self.meter_type not in _ELECTROMECHANICAL:
                raise InvalidInput(
                    "meter.bearing",
                    self.bearing.value,
                    f"no bearing on a {self.meter_type.value} meter (only electromechanical "
                    "meters have one)",
                )

    @property
    def multiplier(self) -> Decimal:
        """The multiplier (倍率): CT ratio × VT ratio."""
        return MONEY_CONTEXT.multiply(self.ct_ratio, self.vt_ratio)

    @property
    def rollover_at(self) -> Decimal:
        """The register value at which the dials return to zero: ``10 ** register_digits``."""
        return Decimal(10) ** self.register_digits

    def is_installed_on(self, day: date) -> bool:
        """Return whether the meter is in service at its service point on ``day``."""
        if self.installed_on is None or day < self.installed_on:
            return False
        return self.removed_on is None or day < self.removed_on
