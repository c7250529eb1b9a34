"""Power-factor adjustment (功率因数调整电费): the 1983 rules as a generated table.

The monthly power factor is ``P / sqrt(P² + Q²)`` from active energy ``P`` [kWh] and reactive
energy ``Q`` [kvarh], rounded half-up to two decimals before the table is consulted. Each
standard (0.90, 0.85, 0.80) has a table of adjustment percentages, generated from its rule:

* above the standard, a rebate of 0.1 % per 0.01 up to 0.90 and 0.15 % per 0.01 above 0.90,
  capped (0.75 % / 1.10 % / 1.30 %);
* below the standard, a surcharge of 0.5 % per 0.01 for 0.20, then 1 % per 0.01 for 0.05,
  then 2 % per 0.01 all the way down.

>>> PF_1983.standard("0.90").percent(Decimal("0.88"))
Decimal('1.0')
>>> " / ".join(str(PF_1983.standard(s).percent(Decimal("0.66"))) for s in ("0.90", "0.85", "0.80"))
'14.0 / 9.5 / 7.0'
>>> power_factor(Decimal("240000"), Decimal("130000"))
Decimal('0.88')

Source: 《功率因数调整电费办法》, (83)水电财字第215号.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Final

import attrs

from powerretail.errors import InvalidInput, NotFound
from powerretail.quantities import MONEY_CONTEXT, exact_decimal

__all__ = [
    "PF_1983",
    "PF_STEP",
    "PowerFactorRuleSet",
    "PowerFactorStandard",
    "SurchargeBand",
    "power_factor",
]

#: Power factors are looked up at two decimals.
PF_STEP: Final = Decimal("0.01")
_ONE: Final = Decimal(1)
_NINETY: Final = Decimal("0.90")


def power_factor(active_kwh: Decimal, reactive_kvarh: Decimal) -> Decimal | None:
    """Return the month's power factor rounded half-up to 0.01, or ``None`` without active energy.

    ``reactive_kvarh`` is the reactive energy the rules count (with a reverse-reactive meter:
    import plus export, both as positive numbers).

    Raises:
        InvalidInput: negative energy.

    Source: 《功率因数调整电费办法》 ((83)水电财字第215号).
    """
    if active_kwh < 0:
        raise InvalidInput("active_kwh", active_kwh, "active energy of zero or more [kWh]")
    if reactive_kvarh < 0:
        raise InvalidInput("reactive_kvarh", reactive_kvarh, "reactive energy of zero or more")
    if not active_kwh:
        return None
    if not reactive_kvarh:
        return Decimal("1.00")
    apparent = MONEY_CONTEXT.sqrt(active_kwh * active_kwh + reactive_kvarh * reactive_kvarh)
    ratio = MONEY_CONTEXT.divide(active_kwh, apparent)
    return ratio.quantize(PF_STEP, rounding=decimal.ROUND_HALF_UP)


def _percent(value: object) -> Decimal:
    return exact_decimal(value, "percent")


@attrs.frozen
class SurchargeBand:
    """``steps`` hundredths of power factor below the previous band, each costing ``percent``."""

    steps: int
    percent: Decimal = attrs.field(converter=_percent)


def _standard_value(value: object) -> Decimal:
    number = exact_decimal(value, "standard")
    if not Decimal(0) < number < _ONE or number != number.quantize(PF_STEP):
        raise InvalidInput("standard", value, "a power factor between 0 and 1 with 2 decimals")
    return number


@attrs.frozen(kw_only=True)
class PowerFactorStandard:
    """One standard's rule: the table of adjustment percentages it generates.

    Percentages are of the adjustment base; positive is a surcharge, negative a rebate.
    """

    standard: Decimal = attrs.field(converter=_standard_value)
    rebate_step_to_090: Decimal = attrs.field(default=Decimal("0.1"), converter=_percent)
    rebate_step_above_090: Decimal = attrs.field(default=Decimal("0.15"), converter=_percent)
    rebate_cap: Decimal = attrs.field(converter=_percent)
    surcharge_bands: tuple[SurchargeBand, ...] = (
        SurchargeBand(20, Decimal("0.5")),
        SurchargeBand(5, Decimal("1")),
    )
    surcharge_step_below: Decimal = attrs.field(default=Decimal("2"), converter=_percent)

    def percent(self, pf: Decimal) -> Decimal:
        """Return the adjustment [%] for a power factor already rounded to 0.01.

        Raises:
            InvalidInput: ``pf`` outside 0-1 or not at two decimals.
        """
        if not Decimal(0) <= pf <= _ONE or pf != pf.quantize(PF_STEP):
            raise InvalidInput("power_factor", pf, "a power factor 0.00-1.00 at two decimals")
        steps = int((pf - self.standard) / PF_STEP)
        total = Decimal(0)
        if steps > 0:
            level = self.standard
            for _ in range(steps):
                level += PF_STEP
                total -= self.rebate_step_to_090 if level <= _NINETY else self.rebate_step_above_090
            return max(total, -self.rebate_cap)
        remaining = -steps
        for band in self.surcharge_bands:
            taken = min(remaining, band.steps)
            total += band.percent * taken
            remaining -= taken
        return total + self.surcharge_step_below * remaining

    def table(self) -> tuple[tuple[Decimal, Decimal], ...]:
        """Return the whole table, ``(power factor, percent)`` from 1.00 down to 0.00."""
        return tuple(
            (pf, self.percent(pf)) for pf in (Decimal(n).scaleb(-2) for n in range(100, -1, -1))
        )


def _by_standard(
    items: Iterable[PowerFactorStandard],
) -> Mapping[Decimal, PowerFactorStandard]:
    return {item.standard: item for item in items}


@attrs.frozen(kw_only=True)
class PowerFactorRuleSet:
    """A named, dated set of standards (``key`` such as ``PF1983``)."""

    key: str
    source: str
    standards: Mapping[Decimal, PowerFactorStandard] = attrs.field(converter=_by_standard)

    def standard(self, value: object) -> PowerFactorStandard:
        """Return the standard ``value`` (0.90, "0.85" …).

        Raises:
            NotFound: the rule set has no such standard.
        """
        try:
            return self.standards[exact_decimal(value, "pf_standard")]
        except KeyError:
            raise NotFound(f"power-factor standard in {self.key}", str(value)) from None


#: The 1983 rules: standards 0.90, 0.85 and 0.80 (check values in the tests).
PF_1983: Final = PowerFactorRuleSet(
    key="PF1983",
    source="《功率因数调整电费办法》 (83)水电财字第215号",
    standards=(
        PowerFactorStandard(standard="0.90", rebate_cap="0.75"),
        PowerFactorStandard(standard="0.85", rebate_cap="1.10"),
        PowerFactorStandard(standard="0.80", rebate_cap="1.30"),
    ),
)

#: Power-factor rule sets by key, for tariff files that name one.
RULE_SETS: Final[Mapping[str, PowerFactorRuleSet]] = {PF_1983.key: PF_1983}
