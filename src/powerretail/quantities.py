"""Money, physical quantities and unit prices, exact and unit-checked.

* :class:`Money` — a settled amount in whole minor units (fen for CNY). Positive: the customer owes.
* :class:`Energy` [kWh], :class:`Power` [kW], :class:`ApparentPower` [kVA],
  :class:`ReactiveEnergy` [kvarh] — quantities that keep every decimal they are given.
* :class:`EnergyPrice` [元/kWh], :class:`DemandPrice` [元/kW·月], :class:`CapacityPrice`
  [元/kVA·月], :class:`ReactiveEnergyPrice` [元/kvarh] — prices at full precision.
* :class:`Rounding` — the one way an unrounded amount [元] becomes :class:`Money`.
* :func:`allocate` — split an amount over weights so that every fen is kept.

Arithmetic is allowed only where the units make sense: ``Energy * EnergyPrice`` is an unrounded
``Decimal`` of yuan; ``Energy + Power`` raises :class:`~powerretail.errors.UnitMismatch`. Floats are
refused everywhere with :class:`~powerretail.errors.FloatNotAllowed`.

>>> energy = Energy("312.4")
>>> cost = energy * EnergyPrice("0.5283")
>>> cost
Decimal('165.04092')
>>> Rounding().to_money(cost)
Money(amount=Decimal('165.04'), currency='CNY')
>>> allocate(Money("100.00"), [1, 1, 1])
(Money(amount=Decimal('33.34'), currency='CNY'), Money(amount=Decimal('33.33'), currency='CNY'), \
Money(amount=Decimal('33.33'), currency='CNY'))
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import ClassVar, Final, Self

import attrs

from powerretail.errors import FloatNotAllowed, InvalidInput, UnitMismatch

__all__ = [
    "FEN",
    "MAX_MAGNITUDE",
    "MONEY_CONTEXT",
    "ApparentPower",
    "CapacityPrice",
    "DemandPrice",
    "Energy",
    "EnergyPrice",
    "Money",
    "Power",
    "ReactiveEnergy",
    "ReactiveEnergyPrice",
    "Rounding",
    "allocate",
    "exact_decimal",
    "largest_remainder",
    "minor_unit_exponent",
    "sum_money",
]

FEN: Final = Decimal("0.01")

#: The decimal context for every money computation: wide enough that products of realistic
#: quantities and prices are exact, and loud (traps) rather than silently inexact on overflow.
MONEY_CONTEXT: Final = decimal.Context(
    prec=50,
    rounding=decimal.ROUND_HALF_UP,
    Emax=999_999,
    Emin=-999_999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

# ISO 4217 minor-unit exponents for the currencies an embedder is likely to bill in.
_MINOR_UNITS: Final[dict[str, int]] = {
    "CNY": 2,
    "HKD": 2,
    "MOP": 2,
    "TWD": 2,
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "SGD": 2,
    "AUD": 2,
    "JPY": 0,
    "KRW": 0,
}
_STEPS: Final[dict[str, Decimal]] = {
    code: Decimal(1).scaleb(-e) for code, e in _MINOR_UNITS.items()
}
_ROUNDING_MODES: Final = frozenset(
    {
        decimal.ROUND_HALF_UP,
        decimal.ROUND_HALF_EVEN,
        decimal.ROUND_HALF_DOWN,
        decimal.ROUND_UP,
        decimal.ROUND_DOWN,
        decimal.ROUND_CEILING,
        decimal.ROUND_FLOOR,
        decimal.ROUND_05UP,
    }
)


#: Plain decimal text: ASCII digits, an optional sign, point and exponent, underscores only between
#: digits (``240_000``). ``Decimal()`` alone would also take full-width and Arabic-Indic digits.
_DECIMAL_TEXT: Final = re.compile(
    r"[+-]?(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)"
    r"(?:[eE][+-]?[0-9]+)?",
    re.ASCII,
)

#: The largest power of ten a number may reach either way: 10³⁰ kWh or yuan is far beyond any
#: bill, and the bound keeps every product within :data:`MONEY_CONTEXT` (no overflow, no
#: million-digit quantize).
MAX_MAGNITUDE: Final = 30


def exact_decimal(value: object, field: str = "value") -> Decimal:
    """Return ``value`` as a finite ``Decimal``, refusing floats (they cannot hold 0.1 exactly).

    Accepts ``Decimal``, ``int`` and numeric ``str`` (ASCII digits, surrounding blanks and
    underscores between digits allowed). A zero loses its sign (``-0`` is ``0``); a number whose
    magnitude is beyond 10^±30 (:data:`MAX_MAGNITUDE`) is refused.

    Raises:
        FloatNotAllowed: ``value`` is a float.
        InvalidInput: anything else that is not a finite number of a sane size.

    >>> exact_decimal("0.5283"), exact_decimal("-0")
    (Decimal('0.5283'), Decimal('0'))
    >>> exact_decimal(0.1)
    Traceback (most recent call last):
    ...
    powerretail.errors.FloatNotAllowed: value: expected a Decimal, an int or a numeric str \
(floats are refused), got 0.1
    """
    if type(value) is Decimal:
        result = value
    elif isinstance(value, float):
        raise FloatNotAllowed(field, value)
    elif isinstance(value, bool):
        raise InvalidInput(field, value, "a number, not a bool")
    elif isinstance(value, int | Decimal):
        if isinstance(value, int) and value.bit_length() > 4 * MAX_MAGNITUDE:
            raise InvalidInput(field, value, f"a number below 10^{MAX_MAGNITUDE}")
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > 1000 or _DECIMAL_TEXT.fullmatch(text) is None:
            special = text.lstrip("+-").lower() in ("nan", "snan", "inf", "infinity")
            raise InvalidInput(field, value, "a finite number" if special else "a decimal number")
        result = Decimal(text.replace("_", ""))
    else:
        raise InvalidInput(field, value, "a Decimal, an int or a numeric str")
    if not result.is_finite():
        raise InvalidInput(field, value, "a finite number")
    if not result:
        exponent = int(result.as_tuple().exponent)
        return Decimal(0).scaleb(exponent) if -MAX_MAGNITUDE <= exponent <= 0 else Decimal(0)
    if not -MAX_MAGNITUDE <= result.adjusted() <= MAX_MAGNITUDE:
        raise InvalidInput(
            field, value, f"a number between 10^-{MAX_MAGNITUDE} and 10^{MAX_MAGNITUDE}"
        )
    return result


def _divide(dividend: Decimal, divisor: Decimal, what: object) -> Decimal:
    if not divisor:
        raise InvalidInput("divisor", what, "a divisor other than zero")
    return MONEY_CONTEXT.divide(dividend, divisor)


def minor_unit_exponent(currency: str) -> int:
    """Return how many decimals ``currency`` has (2 for CNY: the fen).

    Raises:
        InvalidInput: a currency code this library does not know.
    """
    try:
        return _MINOR_UNITS[currency]
    except KeyError:
        raise InvalidInput(
            "currency", currency, f"one of {', '.join(sorted(_MINOR_UNITS))}"
        ) from None


def _money_amount(value: object) -> Decimal:
    return exact_decimal(value, "amount")


def _known_currency(_instance: object, _attribute: object, value: str) -> None:
    minor_unit_exponent(value)


#: Bound once for :meth:`Money.from_quantized` (attrs' frozen classes refuse ``setattr``).
_new_object = object.__new__
_set_attribute = object.__setattr__


@attrs.frozen(eq=True, order=False, repr=True)
class Money:
    """A settled amount in whole minor units (fen for CNY). Positive: the customer owes us.

    Money is what bills, payments and ledgers hold. An amount that is not whole fen is refused:
    round it with :class:`Rounding` first, once, where the rules say.

    >>> Money("12.5") + Money("0.25")
    Money(amount=Decimal('12.75'), currency='CNY')
    >>> Money("0.125")
    Traceback (most recent call last):
    ...
    powerretail.errors.InvalidInput: amount: expected whole fen (CNY has 2 decimals); \
round it with Rounding first, got 0.125
    """

    amount: Decimal = attrs.field(converter=_money_amount)
    currency: str = attrs.field(default="CNY", validator=_known_currency)

    def __attrs_post_init__(self) -> None:
        step = _STEPS[self.currency]
        quantized = self.amount.quantize(step, context=MONEY_CONTEXT)
        if quantized != self.amount:
            raise InvalidInput(
                "amount",
                self.amount,
                f"whole {'fen' if self.currency == 'CNY' else 'minor units'} "
                f"({self.currency} has {_MINOR_UNITS[self.currency]} decimals); "
                "round it with Rounding first",
            )
        object.__setattr__(self, "amount", quantized)

    @classmethod
    def from_quantized(cls, amount: Decimal, currency: str = "CNY") -> Money:
        """Return Money from an amount the caller has just quantized to ``currency``'s step.

        The internal fast path for hot loops (the bill engine prices millions of lines): it
        skips the conversion and the whole-minor-unit check of the constructor, so it trusts
        its caller: pass only the result of ``Decimal.quantize`` to the currency's minor unit and
        a known currency code. Anywhere else, use ``Money(...)`` or :meth:`Rounding.to_money`.

        >>> Money.from_quantized(Decimal("12.3").quantize(Decimal("0.01")))
        Money(amount=Decimal('12.30'), currency='CNY')

        Raises:
            FloatNotAllowed, InvalidInput: ``amount`` is not a ``Decimal`` or ``currency`` not a
                known code (the only checks: they cost a type test and a dict look-up).
        """
        if type(amount) is not Decimal:  # callers outside the type checker pass anything
            given: object = amount
            if isinstance(given, float):
                raise FloatNotAllowed("amount", given)
            raise InvalidInput("amount", given, "a Decimal quantized to the currency's step")
        if currency not in _STEPS:
            minor_unit_exponent(currency)
        money = _new_object(cls)
        _set_attribute(money, "amount", amount)
        _set_attribute(money, "currency", currency)
        return money

    @classmethod
    def zero(cls, currency: str = "CNY") -> Money:
        """Return nothing, in ``currency``."""
        return cls(0, currency)

    @classmethod
    def from_minor_units(cls, units: int, currency: str = "CNY") -> Money:
        """Return the amount of ``units`` fen (or cents, …) as Money.

        >>> Money.from_minor_units(12345)
        Money(amount=Decimal('123.45'), currency='CNY')
        """
        if isinstance(units, bool) or not isinstance(units, int):
            raise InvalidInput("units", units, "a whole number of minor units")
        return cls(Decimal(units).scaleb(-minor_unit_exponent(currency)), currency)

    @property
    def minor_units(self) -> int:
        """The amount in whole minor units (fen for CNY)."""
        return int(self.amount.scaleb(_MINOR_UNITS[self.currency]))

    def is_zero(self) -> bool:
        """Return whether the amount is zero."""
        return not self.amount

    def _same_currency(self, other: object, operation: str) -> Money:
        if not isinstance(other, Money):
            raise UnitMismatch(operation, self, other)
        if other.currency != self.currency:
            raise UnitMismatch(f"{operation} (currencies differ)", self, other)
        return other

    def __add__(self, other: Money) -> Money:
        other = self._same_currency(other, "add")
        return Money(self.amount + other.amount, self.currency)

    def __radd__(self, other: object) -> Money:
        # sum() starts from the int 0.
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        raise UnitMismatch("add", other, self)

    def __sub__(self, other: Money) -> Money:
        other = self._same_currency(other, "subtract")
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __mul__(self, other: int) -> Money:
        """Multiply by a whole number (for any other factor use ``scaled``)."""
        if isinstance(other, bool) or not isinstance(other, int):
            raise UnitMismatch("multiply (use Money.scaled for a non-integer factor)", self, other)
        return Money(self.amount * other, self.currency)

    __rmul__ = __mul__

    def scaled(self, factor: Decimal | int | str) -> Decimal:
        """Return the unrounded amount ``self × factor`` [in this currency's major unit].

        >>> Money("100.00").scaled("0.015")
        Decimal('1.50000')
        """
        return MONEY_CONTEXT.multiply(self.amount, exact_decimal(factor, "factor"))

    def __truediv__(self, other: Money) -> Decimal:
        """Return the ratio of two amounts of one currency (to split money use ``allocate``)."""
        other = self._same_currency(other, "divide")
        return _divide(self.amount, other.amount, other)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same_currency(other, "compare").amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same_currency(other, "compare").amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same_currency(other, "compare").amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same_currency(other, "compare").amount

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def sum_money(amounts: Iterable[Money], currency: str = "CNY") -> Money:
    """Return the exact sum of ``amounts`` (zero in ``currency`` when there are none).

    Raises:
        UnitMismatch: the amounts are not all in ``currency``.
    """
    total = Money.zero(currency)
    for amount in amounts:
        total = total + amount
    return total


def _quantity_value(value: object) -> Decimal:
    return exact_decimal(value, "quantity")


@attrs.frozen(order=False)
class _Quantity:
    """A number with a unit; the unit is the class. Subclasses name their unit in ``unit``."""

    value: Decimal = attrs.field(converter=_quantity_value)
    unit: ClassVar[str] = ""

    def _same(self, other: object, operation: str) -> Self:
        if type(other) is not type(self):
            raise UnitMismatch(operation, self, other)
        return other

    def __add__(self, other: Self) -> Self:
        return type(self)(self.value + self._same(other, "add").value)

    def __radd__(self, other: object) -> Self:
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        raise UnitMismatch("add", other, self)

    def __sub__(self, other: Self) -> Self:
        return type(self)(self.value - self._same(other, "subtract").value)

    def __neg__(self) -> Self:
        return type(self)(-self.value)

    def __abs__(self) -> Self:
        return type(self)(abs(self.value))

    def __mul__(self, other: object) -> Decimal | Self:
        if isinstance(other, _Quantity):
            return _product(self, other)
        return type(self)(MONEY_CONTEXT.multiply(self.value, exact_decimal(other, "factor")))

    def __rmul__(self, other: object) -> Decimal | Self:
        return self.__mul__(other)

    def __truediv__(self, other: object) -> Decimal | Self:
        if isinstance(other, _Quantity):
            return _divide(self.value, self._same(other, "divide").value, other)
        return type(self)(_divide(self.value, exact_decimal(other, "divisor"), other))

    def scaled(self, factor: Decimal | int | str) -> Self:
        """Return this quantity times a plain factor (a ratio, a multiplier)."""
        return type(self)(MONEY_CONTEXT.multiply(self.value, exact_decimal(factor, "factor")))

    def ratio_to(self, other: Self) -> Decimal:
        """Return ``self / other`` for two quantities of the same unit."""
        return _divide(self.value, self._same(other, "divide").value, other)

    def __lt__(self, other: Self) -> bool:
        return self.value < self._same(other, "compare").value

    def __le__(self, other: Self) -> bool:
        return self.value <= self._same(other, "compare").value

    def __gt__(self, other: Self) -> bool:
        return self.value > self._same(other, "compare").value

    def __ge__(self, other: Self) -> bool:
        return self.value >= self._same(other, "compare").value

    def __str__(self) -> str:
        return f"{self.value} {self.unit}"


@attrs.frozen(order=False)
class Energy(_Quantity):
    """Active energy [kWh]; keeps every decimal it is given (a register's 236.8 × 40 is 9472)."""

    unit: ClassVar[str] = "kWh"

    @property
    def kwh(self) -> Decimal:
        """The energy [kWh]."""
        return self.value


@attrs.frozen(order=False)
class ReactiveEnergy(_Quantity):
    """Reactive energy [kvarh]."""

    unit: ClassVar[str] = "kvarh"

    @property
    def kvarh(self) -> Decimal:
        """The reactive energy [kvarh]."""
        return self.value


@attrs.frozen(order=False)
class Power(_Quantity):
    """Active power or demand [kW]."""

    unit: ClassVar[str] = "kW"

    @property
    def kw(self) -> Decimal:
        """The power [kW]."""
        return self.value


@attrs.frozen(order=False)
class ApparentPower(_Quantity):
    """Apparent power, e.g. a transformer's capacity [kVA]."""

    unit: ClassVar[str] = "kVA"

    @property
    def kva(self) -> Decimal:
        """The apparent power [kVA]."""
        return self.value


@attrs.frozen(order=False)
class EnergyPrice(_Quantity):
    """A price per kWh [元/kWh] at full precision; rounding happens on the bill line."""

    unit: ClassVar[str] = "元/kWh"

    @property
    def yuan_per_kwh(self) -> Decimal:
        """The price [元/kWh]."""
        return self.value

    def cost_of(self, energy: Energy) -> Decimal:
        """Return the unrounded cost [元] of ``energy`` at this price."""
        if type(energy) is not Energy:
            raise UnitMismatch("price", self, energy)
        return MONEY_CONTEXT.multiply(self.value, energy.value)


@attrs.frozen(order=False)
class ReactiveEnergyPrice(_Quantity):
    """A price per kvarh [元/kvarh]."""

    unit: ClassVar[str] = "元/kvarh"

    @property
    def yuan_per_kvarh(self) -> Decimal:
        """The price [元/kvarh]."""
        return self.value


@attrs.frozen(order=False)
class DemandPrice(_Quantity):
    """A basic-charge price per kW of maximum demand per month [元/kW·月]."""

    unit: ClassVar[str] = "元/kW·月"

    @property
    def yuan_per_kw_month(self) -> Decimal:
        """The price [元/kW·月]."""
        return self.value


@attrs.frozen(order=False)
class CapacityPrice(_Quantity):
    """A basic-charge price per kVA of transformer capacity per month [元/kVA·月]."""

    unit: ClassVar[str] = "元/kVA·月"

    @property
    def yuan_per_kva_month(self) -> Decimal:
        """The price [元/kVA·月]."""
        return self.value


# Quantity × price → unrounded yuan. Demand and capacity prices are per month: the product is one
# month's charge.
_PRODUCTS: Final[frozenset[tuple[type[_Quantity], type[_Quantity]]]] = frozenset(
    {
        (Energy, EnergyPrice),
        (ReactiveEnergy, ReactiveEnergyPrice),
        (Power, DemandPrice),
        (ApparentPower, CapacityPrice),
    }
)


def _product(left: _Quantity, right: _Quantity) -> Decimal:
    if (type(left), type(right)) in _PRODUCTS or (type(right), type(left)) in _PRODUCTS:
        return MONEY_CONTEXT.multiply(left.value, right.value)
    raise UnitMismatch("multiply", left, right)


def _rounding_step(value: object) -> Decimal:
    step = exact_decimal(value, "step")
    if step <= 0 or step != Decimal(1).scaleb(step.adjusted()):
        raise InvalidInput("step", value, "a positive power of ten such as 0.01 or 1")
    # canonical: 100 is 1E+2 and 0.010 is 0.01, so quantize rounds to the step itself
    return Decimal(1).scaleb(step.adjusted())


def _rounding_mode(_instance: object, _attribute: object, value: str) -> None:
    if value not in _ROUNDING_MODES:
        raise InvalidInput("mode", value, f"one of {', '.join(sorted(_ROUNDING_MODES))}")


@attrs.frozen
class Rounding:
    """The one way an unrounded amount becomes :class:`Money` (default: half-up to the fen).

    ``ROUND_HALF_UP`` rounds ties away from zero, so a credit mirrors its charge:

    >>> Rounding().to_money(Decimal("0.125")), Rounding().to_money(Decimal("-0.125"))
    (Money(amount=Decimal('0.13'), currency='CNY'), Money(amount=Decimal('-0.13'), currency='CNY'))

    Never use ``round()`` on money: it rounds ties to even.
    """

    step: Decimal = attrs.field(default=FEN, converter=_rounding_step)
    mode: str = attrs.field(default=decimal.ROUND_HALF_UP, validator=_rounding_mode)

    def round(self, amount: Decimal) -> Decimal:
        """Return ``amount`` rounded to ``step`` with ``mode``, still a plain Decimal."""
        value = exact_decimal(amount, "amount")
        return value.quantize(self.step, rounding=self.mode, context=MONEY_CONTEXT)

    def to_money(self, amount: Decimal, currency: str = "CNY") -> Money:
        """Return ``amount`` [major units] rounded once to ``step``, as Money.

        Raises:
            InvalidInput: ``step`` is finer than the currency's minor unit.
        """
        if self.step < Decimal(1).scaleb(-minor_unit_exponent(currency)):
            raise InvalidInput("step", self.step, f"no finer than one minor unit of {currency}")
        return Money(self.round(amount), currency)


def allocate(total: Money, weights: Sequence[Decimal | int | str]) -> tuple[Money, ...]:
    """Split ``total`` over ``weights`` so that the parts sum exactly to it.

    Each part is within one minor unit of its exact share (largest-remainder method). The fen left
    over after flooring go one each to the parts with the largest remainders; ties go to the larger
    weight, then to the earlier position. A negative total is split as its positive mirror and
    negated, so a credit splits exactly like its charge. Splitting the same weights in another
    order gives the same amounts to the same weights.

    Raises:
        InvalidInput: no weights, a negative weight, or weights that sum to zero.

    >>> ", ".join(str(part) for part in allocate(Money("-0.05"), [1, 1]))
    '-0.03 CNY, -0.02 CNY'
    """
    if not weights:
        raise InvalidInput("weights", list(weights), "at least one weight")
    exact = [Fraction(exact_decimal(w, f"weights[{i}]")) for i, w in enumerate(weights)]
    for index, weight in enumerate(exact):
        if weight < 0:
            raise InvalidInput(f"weights[{index}]", weights[index], "a weight of zero or more")
    whole = sum(exact, Fraction(0))
    if whole == 0:
        raise InvalidInput("weights", list(weights), "weights whose sum is above zero")
    sign = -1 if total.amount < 0 else 1
    floors = largest_remainder(abs(total.minor_units), exact)
    return tuple(Money.from_minor_units(sign * part, total.currency) for part in floors)


def largest_remainder(units: int, weights: Sequence[Fraction]) -> list[int]:
    """Split ``units`` whole units over ``weights`` (≥ 0, sum > 0) so the parts sum to ``units``.

    Each part is its exact share floored, plus one for the parts with the largest remainders;
    ties go to the larger weight, then to the earlier position. :func:`allocate` splits money with
    it; the retail allocation splits energy with it.

    >>> largest_remainder(10, [Fraction(1), Fraction(1), Fraction(1)])
    [4, 3, 3]
    """
    whole = sum(weights, Fraction(0))
    shares = [units * weight / whole for weight in weights]
    floors = [share.numerator // share.denominator for share in shares]
    left_over = units - sum(floors)
    ranked = sorted(
        range(len(shares)),
        key=lambda i: (-(shares[i] - floors[i]), -weights[i], i),
    )
    for index in ranked[:left_over]:
        floors[index] += 1
    return floors
