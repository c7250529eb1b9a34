"""Losses between the property boundary and the meter (变损 / 线损), as loss models.

When the meter is not at the property boundary, the owner of the line and transformer between
them bears their active and reactive losses; the losses count in the energy charge, the
demand-based basic charge and the power-factor adjustment, not in a capacity-based basic charge.
A :class:`LossModel` turns metered energy into billed energy:

* :class:`NoLoss` — metered at the boundary (the default);
* :class:`FixedPercent` — a contract percentage of active and of reactive energy;
* :class:`TransformerFormula` — the engineering estimate ``P0·T + Pk·(W/(Sn·cosφ·T))²·T``;
* :class:`TableLookup` — a loss table (变损表) of energy bands.

>>> model = FixedPercent(active_percent="2", reactive_percent="5")
>>> model.losses(Decimal("1000"), Decimal("400"), 720)
(Decimal('20'), Decimal('20'))

Source: 《供电营业规则》(1996, 电力工业部令第8号) 第74条.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Final

import attrs

from powerretail.errors import InvalidInput
from powerretail.quantities import MONEY_CONTEXT, exact_decimal

__all__ = [
    "NO_LOSS",
    "FixedPercent",
    "LossBand",
    "LossModel",
    "NoLoss",
    "TableLookup",
    "TransformerFormula",
]

_HUNDRED: Final = Decimal(100)


def _non_negative(field: str) -> Callable[[object], Decimal]:
    def convert(value: object) -> Decimal:
        number = exact_decimal(value, field)
        if number < 0:
            raise InvalidInput(field, value, "a number of zero or more")
        return number

    return convert


def _to_active_percent(value: object) -> Decimal:
    return _non_negative("active_percent")(value)


def _to_reactive_percent(value: object) -> Decimal:
    return _non_negative("reactive_percent")(value)


def _to_no_load_kw(value: object) -> Decimal:
    return _non_negative("no_load_kw")(value)


def _to_load_loss_kw(value: object) -> Decimal:
    return _non_negative("load_loss_kw")(value)


def _to_rated_kva(value: object) -> Decimal:
    return _non_negative("rated_kva")(value)


def _to_power_factor(value: object) -> Decimal:
    return _non_negative("power_factor")(value)


def _to_no_load_current_percent(value: object) -> Decimal:
    return _non_negative("no_load_current_percent")(value)


def _to_impedance_voltage_percent(value: object) -> Decimal:
    return _non_negative("impedance_voltage_percent")(value)


@attrs.frozen
class NoLoss:
    """Metered at the boundary: billed energy is metered energy."""

    kind: str = attrs.field(default="none", init=False)

    def losses(
        self, active_kwh: Decimal, reactive_kvarh: Decimal, hours: int
    ) -> tuple[Decimal, Decimal]:
        """Return the active [kWh] and reactive [kvarh] losses to add: none."""
        return Decimal(0), Decimal(0)


@attrs.frozen(kw_only=True)
class FixedPercent:
    """Losses as an agreed percentage [%] of metered active and reactive energy."""

    kind: str = attrs.field(default="fixed_percent", init=False)
    active_percent: Decimal = attrs.field(converter=_to_active_percent)
    reactive_percent: Decimal = attrs.field(
        default=Decimal(0),
        converter=_to_reactive_percent,
    )

    def losses(
        self, active_kwh: Decimal, reactive_kvarh: Decimal, hours: int
    ) -> tuple[Decimal, Decimal]:
        """Return the active [kWh] and reactive [kvarh] losses to add (exact)."""
        return (
            MONEY_CONTEXT.divide(active_kwh * self.active_percent, _HUNDRED),
            MONEY_CONTEXT.divide(reactive_kvarh * self.reactive_percent, _HUNDRED),
        )


@attrs.frozen(kw_only=True)
class TransformerFormula:
    """The transformer-loss estimate when losses are not metered.

    ``ΔW = P0·T + Pk·(W / (Sn·cosφ·T))²·T`` for the active loss [kWh] and
    ``ΔQ = (I0%/100·Sn)·T + (Uk%/100·Sn)·β²·T`` for the reactive loss [kvarh], with ``T`` the
    hours of the period and ``β = W / (Sn·cosφ·T)`` the load ratio. Results are rounded to whole
    kWh / kvarh half-up, as loss tables are.

    Source: engineering practice (``[uncertain]``; provinces often use loss tables).
    """

    kind: str = attrs.field(default="transformer_formula", init=False)
    no_load_kw: Decimal = attrs.field(converter=_to_no_load_kw)
    load_loss_kw: Decimal = attrs.field(converter=_to_load_loss_kw)
    rated_kva: Decimal = attrs.field(converter=_to_rated_kva)
    power_factor: Decimal = attrs.field(converter=_to_power_factor)
    no_load_current_percent: Decimal = attrs.field(
        default=Decimal(0),
        converter=_to_no_load_current_percent,
    )
    impedance_voltage_percent: Decimal = attrs.field(
        default=Decimal(0),
        converter=_to_impedance_voltage_percent,
    )

    def __attrs_post_init__(self) -> None:
        if not self.rated_kva:
            raise InvalidInput("rated_kva", self.rated_kva, "a rated capacity above zero [kVA]")
        if not Decimal(0) < self.power_factor <= 1:
            raise InvalidInput("power_factor", self.power_factor, "a power factor in (0, 1]")

    def losses(
        self, active_kwh: Decimal, reactive_kvarh: Decimal, hours: int
    ) -> tuple[Decimal, Decimal]:
        """Return the active [kWh] and reactive [kvarh] losses over ``hours`` hours."""
        if hours <= 0:
            raise InvalidInput("hours", hours, "a period of at least one hour")
        ctx = MONEY_CONTEXT
        beta = ctx.divide(active_kwh, self.rated_kva * self.power_factor * hours)
        active = self.no_load_kw * hours + self.load_loss_kw * beta * beta * hours
        reactive = ctx.divide(
            self.no_load_current_percent * self.rated_kva * hours
            + self.impedance_voltage_percent * self.rated_kva * beta * beta * hours,
            _HUNDRED,
        )
        whole = Decimal(1)
        return (
            ctx.plus(active).quantize(whole, rounding="ROUND_HALF_UP"),
            ctx.plus(reactive).quantize(whole, rounding="ROUND_HALF_UP"),
        )


def _optional_upto(value: object) -> Decimal | None:
    if value is None:
        return None
    number = exact_decimal(value, "upto_kwh")
    if number <= 0:
        raise InvalidInput("upto_kwh", value, "a bound above zero [kWh]")
    return number


def _loss_kwh(value: object) -> Decimal:
    return _non_negative("active_kwh")(value)


def _loss_kvarh(value: object) -> Decimal:
    return _non_negative("reactive_kvarh")(value)


@attrs.frozen
class LossBand:
    """Metered energy up to ``upto_kwh`` [kWh] (``None``: above the last bound) loses this much."""

    upto_kwh: Decimal | None = attrs.field(converter=_optional_upto)
    active_kwh: Decimal = attrs.field(converter=_loss_kwh)
    reactive_kvarh: Decimal = attrs.field(default=Decimal(0), converter=_loss_kvarh)


def _bands(value: tuple[LossBand, ...]) -> tuple[LossBand, ...]:
    bands = tuple(value)
    if not bands or bands[-1].upto_kwh is not None:
        raise InvalidInput("bands", len(bands), "bands ending with an open one (upto_kwh None)")
    bounds = [band.upto_kwh for band in bands[:-1]]
    if any(bound is None for bound in bounds) or bounds != sorted(bounds):  # type: ignore[type-var]
        raise InvalidInput("bands", [str(b) for b in bounds], "rising bounds, only the last open")
    return bands


@attrs.frozen(kw_only=True)
class TableLookup:
    """Losses read from a loss table (变损表): the first band holding the metered energy.

    The table gives the losses of one month (as provincial tables do). Over a part month
    (:meth:`losses_over`) the band is found for the energy scaled to a whole month and its
    losses are prorated by the months — 1/30 of a month a day, as the part-month basic charge
    (《供电营业规则》(1996)) — to 0.001 kWh (kvarh), half up.
    """

    kind: str = attrs.field(default="table_lookup", init=False)
    bands: tuple[LossBand, ...] = attrs.field(converter=_bands)

    def losses(
        self, active_kwh: Decimal, reactive_kvarh: Decimal, hours: int
    ) -> tuple[Decimal, Decimal]:
        """Return the active [kWh] and reactive [kvarh] losses of the band ``active_kwh`` is in."""
        for band in self.bands:
            if band.upto_kwh is None or active_kwh <= band.upto_kwh:
                return band.active_kwh, band.reactive_kvarh
        raise AssertionError("the last band is open")  # pragma: no cover

    def losses_over(
        self, active_kwh: Decimal, reactive_kvarh: Decimal, months: Fraction
    ) -> tuple[Decimal, Decimal]:
        """Return the losses of a period ``months`` long (whole months plus days/30).

        >>> table = TableLookup(bands=(LossBand(1000, 30, 90), LossBand(None, 60, 180)))
        >>> table.losses_over(Decimal(700), Decimal(0), Fraction(21, 30))
        (Decimal('21.000'), Decimal('63.000'))
        """
        if months <= 0:
            raise InvalidInput("months", months, "a period of more than zero months")
        if months == 1:
            return self.losses(active_kwh, reactive_kvarh, 0)
        monthly = MONEY_CONTEXT.divide(active_kwh * months.denominator, Decimal(months.numerator))
        active, reactive = self.losses(monthly, reactive_kvarh, 0)
        return _prorated(active, months), _prorated(reactive, months)


def _prorated(value: Decimal, months: Fraction) -> Decimal:
    exact = MONEY_CONTEXT.divide(value * months.numerator, Decimal(months.denominator))
    return exact.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP, context=MONEY_CONTEXT)


#: A loss model: any of the classes above.
LossModel = NoLoss | FixedPercent | TransformerFormula | TableLookup

#: Metered at the boundary.
NO_LOSS: Final = NoLoss()
