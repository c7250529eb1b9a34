"""Exact scaled-integer arithmetic on numpy arrays: ``values × 10**exp``, never floats.

Amounts and quantities are integer arrays with one decimal exponent per array. Arrays are int64
while every result provably fits (bounds are checked with Python integers before each product);
past that they become arrays of Python integers (``dtype=object``), slower but still exact.

>>> a = Scaled.of([Decimal("1.5"), Decimal("2.25")])
>>> (a * Scaled.scalar(Decimal("0.1"))).decimals()
[Decimal('0.150'), Decimal('0.225')]
>>> round_div(np.array([5, -5, 15, 14]), 10, "ROUND_HALF_UP").tolist()
[1, -1, 2, 1]
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from powerretail.errors import InvalidInput

__all__ = [
    "PRODUCT_LIMIT",
    "Scaled",
    "abs_max",
    "exponent_of",
    "fits_int64",
    "product_rounded",
    "round_div",
    "to_int64",
]

#: Products are kept in int64 while their magnitude stays below this bound.
PRODUCT_LIMIT: Final = 2**62
IntArray = npt.NDArray[Any]


def exponent_of(value: Decimal) -> int:
    """Return the decimal exponent of ``value`` (0.25 → -2; 100 → 0; 1E+2 → 0)."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return min(exponent, 0)


def abs_max(values: IntArray) -> int:
    """The largest magnitude in ``values`` as a Python int (0 when empty)."""
    if values.size == 0:
        return 0
    return int(max(abs(int(values.max())), abs(int(values.min()))))


def fits_int64(values: IntArray) -> bool:
    """Return whether every value fits in int64 with room for one sum."""
    return abs_max(values) < PRODUCT_LIMIT


def to_int64(values: IntArray, what: str) -> npt.NDArray[np.int64]:
    """Return ``values`` as int64.

    Raises:
        InvalidInput: a value too large for int64 (more than 9.2 × 10**18 minor units).
    """
    if values.dtype == np.int64:
        return values
    if not fits_int64(values):
        raise InvalidInput(what, abs_max(values), "an amount below 4.6e18 minor units")
    return values.astype(np.int64)


def _times(values: IntArray, factor: int) -> IntArray:
    """Return ``values * factor`` exactly (int64 when it fits, else Python integers)."""
    if factor == 1:
        return values
    if values.dtype == np.int64 and abs_max(values) * abs(factor) < PRODUCT_LIMIT:
        return values * np.int64(factor)
    return values.astype(object) * factor


def multiply(left: IntArray, right: IntArray) -> IntArray:
    """Return the elementwise product exactly."""
    if (
        left.dtype == np.int64
        and right.dtype == np.int64
        and abs_max(left) * abs_max(right) < PRODUCT_LIMIT
    ):
        return np.asarray(left * right)
    return np.asarray(left.astype(object) * right.astype(object))


def round_div(numerator: IntArray, denominator: IntArray | int, mode: str) -> IntArray:
    """Return ``numerator / denominator`` rounded to an integer with a ``decimal`` mode.

    ``denominator`` is positive. The result equals ``Decimal.quantize`` of the exact quotient.
    """
    n = numerator
    d = denominator
    if mode == decimal.ROUND_HALF_UP and isinstance(d, int) and n.dtype == np.int64:
        low, high = (int(n.min()), int(n.max())) if n.size else (0, 0)
        if low >= 0 and 2 * high + d < PRODUCT_LIMIT:
            # The common case, amounts of zero or more rounded half-up: one division.
            return np.asarray((2 * n + d) // (2 * d))
    if isinstance(d, int) and d >= PRODUCT_LIMIT and n.dtype != object:  # past int64: Python ints
        n = n.astype(object)
    negative = n < 0
    magnitude = np.where(negative, -n, n)
    quotient = magnitude // d
    remainder = magnitude - quotient * d
    twice = remainder * 2
    if mode == decimal.ROUND_HALF_UP:
        up = twice >= d
    elif mode == decimal.ROUND_HALF_DOWN:
        up = twice > d
    elif mode == decimal.ROUND_HALF_EVEN:
        up = (twice > d) | ((twice == d) & (quotient % 2 == 1))
    elif mode == decimal.ROUND_UP:
        up = remainder != 0
    elif mode == decimal.ROUND_DOWN:
        up = np.zeros(magnitude.shape, dtype=bool)
    elif mode == decimal.ROUND_CEILING:
        up = (remainder != 0) & ~negative
    elif mode == decimal.ROUND_FLOOR:
        up = (remainder != 0) & negative
    else:
        assert mode == decimal.ROUND_05UP
        up = (remainder != 0) & (quotient % 5 == 0)
    rounded = quotient + up.astype(np.int64) if quotient.dtype != object else quotient + up
    result: IntArray = np.where(negative, -rounded, rounded)
    if result.dtype == object and fits_int64(result):
        return result.astype(np.int64)
    return result


def product_rounded(
    values: IntArray, factor: int, exp: int, mode: str, *, upper: int | None = None
) -> IntArray | None:
    """Return ``values × factor × 10**exp`` rounded to integers with ``mode``, in one array.

    For ``values`` the caller knows are zero or more (at most ``upper``, when given) and a
    ``factor`` of zero or more. Half-up, an amount of zero or more is ``(n + d // 2) // d``:
    the product, the half and the division in place, with no other temporary. Returns ``None``
    where this form does not apply (another mode, or a product that might not fit int64 with
    room for one sum); the caller then takes :meth:`Scaled.rounded`.
    """
    if mode != decimal.ROUND_HALF_UP or factor < 0 or values.dtype != np.int64:
        return None
    scale, divisor = (10**exp, 1) if exp >= 0 else (1, 10**-exp)
    times = factor * scale
    if upper is None or upper * times + divisor // 2 >= PRODUCT_LIMIT:
        upper = int(values.max()) if values.size else 0
    if times >= PRODUCT_LIMIT or upper * times + divisor // 2 >= PRODUCT_LIMIT:
        return None
    result = np.multiply(values, np.int64(times))
    if divisor > 1:
        result += divisor // 2
        result //= divisor
    return result


@attrs.frozen
class Scaled:
    """Integers ``values`` meaning ``values × 10**exp`` (an exact decimal array)."""

    values: IntArray
    exp: int

    @classmethod
    def of(cls, numbers: Iterable[Decimal]) -> Scaled:
        """Return the Decimals ``numbers`` exactly, at the finest exponent among them."""
        items = list(numbers)
        exp = min((exponent_of(n) for n in items), default=0)
        ints = [int(n.scaleb(-exp)) for n in items]
        return cls(_array(ints), exp)

    @classmethod
    def scalar(cls, number: Decimal) -> Scaled:
        """Return one Decimal as a 0-d array."""
        exp = exponent_of(number)
        return cls(_array(int(number.scaleb(-exp))), exp)

    @classmethod
    def zeros(cls, size: int) -> Scaled:
        """Return ``size`` zeros."""
        return cls(np.zeros(size, dtype=np.int64), 0)

    def at(self, exp: int) -> IntArray:
        """Return the integers at exponent ``exp`` (``exp`` no coarser than this one's)."""
        assert exp <= self.exp
        return _times(self.values, 10 ** (self.exp - exp))

    def _pair(self, other: Scaled) -> tuple[IntArray, IntArray, int]:
        exp = min(self.exp, other.exp)
        return self.at(exp), other.at(exp), exp

    def __add__(self, other: Scaled) -> Scaled:
        left, right, exp = self._pair(other)
        return Scaled(_sum(left, right), exp)

    def __sub__(self, other: Scaled) -> Scaled:
        left, right, exp = self._pair(other)
        return Scaled(_sum(left, -right), exp)

    def __mul__(self, other: Scaled) -> Scaled:
        return Scaled(multiply(self.values, other.values), self.exp + other.exp)

    def le(self, other: Scaled) -> npt.NDArray[np.bool_]:
        """Return ``self <= other`` elementwise."""
        left, right, _ = self._pair(other)
        return np.asarray(left <= right, dtype=bool)

    def ge(self, other: Scaled) -> npt.NDArray[np.bool_]:
        """Return ``self >= other`` elementwise."""
        left, right, _ = self._pair(other)
        return np.asarray(left >= right, dtype=bool)

    def maximum(self, other: Scaled) -> Scaled:
        """Return the elementwise maximum."""
        left, right, exp = self._pair(other)
        return Scaled(np.where(left >= right, left, right), exp)

    def where(self, mask: npt.NDArray[np.bool_], other: Scaled) -> Scaled:
        """Return ``self`` where ``mask`` holds, else ``other``."""
        left, right, exp = self._pair(other)
        return Scaled(np.where(mask, left, right), exp)

    def take(self, index: IntArray) -> Scaled:
        """Return the values at ``index``."""
        return Scaled(self.values[index], self.exp)

    def rounded(
        self,
        step_exp: int,
        mode: str,
        numerator: IntArray | int = 1,
        denominator: IntArray | int = 1,
    ) -> IntArray:
        """Return ``self × numerator / denominator`` in whole units of ``10**step_exp``."""
        top = self.values
        if not isinstance(numerator, int):
            top = multiply(top, numerator)
        elif numerator != 1:
            top = _times(top, numerator)
        shift = self.exp - step_exp
        if shift >= 0:
            top = _times(top, 10**shift)
            scale = 1
        else:
            scale = 10**-shift
        if isinstance(denominator, int):
            return round_div(top, denominator * scale, mode)
        below = _times(np.asarray(denominator, dtype=np.int64), scale)
        if object in {top.dtype, below.dtype}:
            top, below = top.astype(object), below.astype(object)
        return round_div(top, below, mode)

    def decimals(self) -> list[Decimal]:
        """Return the values as Decimals (for lines on request and for tests)."""
        return [Decimal(int(v)).scaleb(self.exp) for v in np.atleast_1d(self.values)]


def _sum(left: IntArray, right: IntArray) -> IntArray:
    if (
        left.dtype == np.int64
        and right.dtype == np.int64
        and abs_max(left) + abs_max(right) < PRODUCT_LIMIT
    ):
        return np.asarray(left + right)
    return np.asarray(left.astype(object) + right.astype(object))


def _array(ints: int | list[int]) -> IntArray:
    values = np.asarray(ints, dtype=object)
    if fits_int64(values):
        return values.astype(np.int64)
    return values
