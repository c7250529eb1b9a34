"""Reference price series: the published monthly prices retail packages are linked to.

A :class:`ReferenceSeries` is one named series of monthly prices — the monthly medium/long-term
trading average (中长期交易月度均价), the spot real-time average (现货实时均价) or the grid's
agency purchase price (电网代理购电价格) — each :class:`ReferencePrice` effective for one calendar
month. A month the series has not published is refused (:class:`ReferencePriceMissing`, naming the
series and the month), never guessed from a neighbour.

Series are data: :func:`loads_reference_toml` reads the file format documented in
:data:`REFERENCE_SPECS` (strict: unknown fields, floats and a month published twice are refused).

>>> series = loads_reference_toml('''
... code = "JS-MLT-AVG"
... name_zh = "江苏中长期交易月度均价"
... name_en = "Jiangsu medium/long-term monthly average"
... kind = "medium_long_term_average"
... source = "江苏电力交易中心月度交易结果公告 (illustrative)"
... [[prices]]
... month = "2025-07"
... yuan_per_kwh = 0.3850
... ''')
>>> series.price_for(date(2025, 7, 1)).yuan_per_kwh
Decimal('0.3850')
>>> try:
...     series.price_for(date(2025, 8, 1))
... except ReferencePriceMissing as refused:
...     print(refused)
reference price series "JS-MLT-AVG" has no price published for 2025-08
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Final

import attrs

from powerretail.errors import InvalidInput, RuleViolation, describe_value
from powerretail.quantities import exact_decimal
from powerretail.tariffs.model import VersionStatus
from powerretail.tariffs.strict import FieldSpec, Table, brief, build, enum_field, read_toml
from powerretail.tariffs.strict import spec_field as _f
from powerretail.timeframe import as_date

__all__ = [
    "REFERENCE_SPECS",
    "ReferenceKind",
    "ReferencePrice",
    "ReferencePriceMissing",
    "ReferenceSeries",
    "as_month",
    "loads_reference_toml",
    "month_text",
    "reference_from_mapping",
]


def as_month(value: object, field: str = "month") -> date:
    """Return the first day of the month ``value`` names (``"YYYY-MM"`` or a first-of-month date).

    Raises:
        InvalidInput: neither.

    >>> as_month("2025-07"), as_month(date(2025, 7, 1))
    (datetime.date(2025, 7, 1), datetime.date(2025, 7, 1))
    """
    if isinstance(value, str) and len(value.strip()) == 7:
        try:
            year, month = value.strip().split("-")
            return date(int(year), int(month), 1)
        except (ValueError, TypeError):
            raise InvalidInput(field, value, "a month YYYY-MM") from None
    if isinstance(value, date) and not isinstance(value, _dt.datetime):
        if value.day != 1:
            raise InvalidInput(field, value.isoformat(), "the first day of a month")
        return value
    raise InvalidInput(field, brief(value), "a month YYYY-MM")


def month_text(month: date) -> str:
    """Return ``month`` as ``YYYY-MM``."""
    return f"{month.year:04d}-{month.month:02d}"


class ReferenceKind(enum.Enum):
    """What a reference series measures."""

    MEDIUM_LONG_TERM_AVERAGE = "medium_long_term_average"
    SPOT_AVERAGE = "spot_average"
    AGENCY_PURCHASE = "agency_purchase"


class ReferencePriceMissing(RuleViolation):
    """Series ``series`` has no price published for ``month``: the month cannot be priced yet."""

    def __init__(self, series: str, month: date) -> None:
        self.series = series
        self.month = month
        super().__init__(series, month)

    def __str__(self) -> str:
        return (
            f"reference price series {describe_value(self.series)} has no price published for "
            f"{month_text(self.month)}"
        )


def _price(value: object) -> Decimal:
    price = exact_decimal(value, "yuan_per_kwh")
    if price < 0:
        raise InvalidInput("yuan_per_kwh", value, "a price of zero or more [元/kWh]")
    return price


def _month(value: object) -> date:
    return as_month(value)


@attrs.frozen(kw_only=True)
class ReferencePrice:
    """The price [元/kWh] a series published for ``month`` (its first day)."""

    month: date = attrs.field(converter=_month)
    yuan_per_kwh: Decimal = attrs.field(converter=_price)
    note: str = ""


def _prices(value: Iterable[ReferencePrice]) -> tuple[ReferencePrice, ...]:
    prices = tuple(sorted(value, key=lambda p: p.month))
    for index in range(1, len(prices)):
        if prices[index].month == prices[index - 1].month:
            raise InvalidInput(
                "prices", month_text(prices[index].month), "each month published once"
            )
    return prices


def _code(value: object) -> str:
    if (
        not isinstance(value, str)
        or not value
        or not value.isascii()
        or not (value.replace("-", "").replace("_", "").replace(".", "").isalnum())
    ):
        raise InvalidInput("code", brief(value), "a code of ASCII letters, digits, '-', '_', '.'")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("text", brief(value), "a non-blank text")
    return value


@attrs.frozen(kw_only=True)
class ReferenceSeries:
    """A named series of monthly reference prices, each effective for one month."""

    code: str = attrs.field(converter=_code)
    name_zh: str = attrs.field(converter=_text)
    name_en: str = attrs.field(converter=_text)
    kind: ReferenceKind = attrs.field(validator=attrs.validators.instance_of(ReferenceKind))
    source: str = attrs.field(converter=_text)
    status: VersionStatus = VersionStatus.ILLUSTRATIVE
    prices: tuple[ReferencePrice, ...] = attrs.field(converter=_prices)
    _by_month: Mapping[date, ReferencePrice] = attrs.field(
        init=False, eq=False, repr=False, alias="_by_month"
    )

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_by_month", {p.month: p for p in self.prices})

    def price_for(self, month: date) -> ReferencePrice:
        """Return the price published for ``month`` (any day of it).

        Raises:
            ReferencePriceMissing: the series has no price for that month.
        """
        first = month.replace(day=1)
        found = self._by_month.get(first)
        if found is None:
            raise ReferencePriceMissing(self.code, first)
        return found

    def with_price(self, price: ReferencePrice) -> ReferenceSeries:
        """Return the series with ``price`` published (a month already published is refused).

        Raises:
            InvalidInput: the month is already published.
        """
        return attrs.evolve(self, prices=(*self.prices, price))


#: Every table of the reference price file format.
REFERENCE_SPECS: Final[Mapping[str, tuple[FieldSpec, ...]]] = {
    "series": (
        _f("code", "code", "the series' code (letters, digits, `-`, `_`, `.`)", required=True),
        _f("name_zh", "text", "Chinese name", required=True),
        _f("name_en", "text", "English name", required=True),
        _f(
            "kind",
            "text",
            "medium_long_term_average, spot_average or agency_purchase",
            required=True,
        ),
        _f("source", "text", "who publishes it, e.g. the trading centre's notice", required=True),
        _f("status", "text", "confirmed or illustrative (default illustrative)"),
        _f("prices", "array of tables", "the published months", required=True),
    ),
    "prices[]": (
        _f("month", "text", '"YYYY-MM", the month the price is for', required=True),
        _f("yuan_per_kwh", "decimal", "the published price [元/kWh]", required=True),
        _f("note", "text", "free text (where it was published)"),
    ),
}


def reference_from_mapping(data: object) -> ReferenceSeries:
    """Return the series described by ``data`` (the structure of a reference price file).

    Raises:
        InvalidInput: a problem, with its path in ``field``.
    """
    table = Table(data, "", REFERENCE_SPECS["series"])
    prices = []
    for index, item in enumerate(table.array("prices")):
        path = f"prices[{index}]"
        row = Table(item, path, REFERENCE_SPECS["prices[]"])
        month = row.raw("month")
        if isinstance(month, date) and not isinstance(month, _dt.datetime):
            month = month_text(as_date(month)) if month.day == 1 else month.isoformat()
        prices.append(
            build(
                path,
                ReferencePrice,
                month=month,
                yuan_per_kwh=row.decimal("yuan_per_kwh", "a price [元/kWh]"),
                note=row.text("note", ""),
            )
        )
    kind = enum_field(table, "kind", ReferenceKind, None)
    status_text = table.text("status", VersionStatus.ILLUSTRATIVE.value)
    try:
        status = VersionStatus(status_text)
    except ValueError:
        raise InvalidInput("status", status_text, "confirmed or illustrative") from None
    return build(
        "",
        ReferenceSeries,
        code=table.text("code"),
        name_zh=table.text("name_zh"),
        name_en=table.text("name_en"),
        kind=kind,
        source=table.text("source"),
        status=status,
        prices=prices,
    )


def loads_reference_toml(text: str) -> ReferenceSeries:
    """Return the reference series in TOML ``text`` (numbers read as ``Decimal``).

    Raises:
        InvalidInput: not TOML, or not a valid series (the field names the path).
    """
    return reference_from_mapping(read_toml(text, "series"))
