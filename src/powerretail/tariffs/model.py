"""Tariffs as data: a :class:`Tariff` is effective-dated :class:`TariffVersion` s of charges.

Each version is a tuple of charge components, each naming the rule it applies (``source``):

* :class:`FixedCharge` — an amount per month [元/月];
* :class:`DailyCharge` — an amount per day of service [元/天] (a customer charge per day);
* :class:`EnergyCharge` — a flat price per kWh [元/kWh]: the energy price of a flat tariff, or a
  component that is not time-of-use floated (line loss, transmission and distribution, system
  operation, government funds — its ``category`` says which);
* :class:`MonthlyTiers` — block tiers on the period's energy;
* :class:`AnnualTiers` — residential cumulative tiers on the year's energy, with a
  :class:`PartialYear` strategy for accounts that exist for part of the year;
* :class:`TimeOfUseCharge` — prices per time-of-use bucket, absolute or as ratios of a base price
  (or of another bucket's price);
* :class:`TimeOfUseTiers` — block tiers inside each time-of-use bucket: each bucket's energy
  through its own ladder;
* :class:`BasicCharge` — the two-part tariff's basic charge by capacity or by maximum demand;
* :class:`PowerFactorAdjustment` — the power-factor surcharge or rebate on a base of other lines;
* :class:`MinimumCharge` — a minimum bill: a line bringing the lines up to a minimum per month
  or per day.

Amounts and prices named ``yuan_*`` are in the tariff's ``currency`` (元 for CNY, dollars for
USD …).

Versions never overlap; :meth:`Tariff.version_on` finds the one in force on a day.

>>> tariff = Tariff(
...     code="DEMO-FLAT",
...     name_zh="示例",
...     name_en="demo",
...     category=CustomerCategory.RESIDENTIAL,
...     versions=(
...         TariffVersion(
...             label="2025",
...             effective_from=date(2025, 1, 1),
...             charges=(
...                 EnergyCharge(
...                     code="energy",
...                     name_zh="电度电费",
...                     name_en="energy",
...                     source="江苏居民电价 (illustrative)",
...                     yuan_per_kwh="0.5283",
...                 ),
...             ),
...         ),
...     ),
... )
>>> tariff.version_on(date(2025, 7, 1)).label
'2025'
"""

from __future__ import annotations

import decimal
import enum
import itertools
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import ClassVar, Final

import attrs

from powerretail.errors import InvalidInput, NotFound
from powerretail.quantities import MONEY_CONTEXT, Rounding, exact_decimal, minor_unit_exponent
from powerretail.tariffs.power_factor import RULE_SETS
from powerretail.tariffs.proration import Proration
from powerretail.tariffs.tou import TouSchedule
from powerretail.timeframe import DateRange, as_date, in_force_on

__all__ = [
    "AnnualTiers",
    "BasicCharge",
    "BasicChargeBasis",
    "BucketPrice",
    "BucketTiers",
    "Charge",
    "ChargeCategory",
    "CustomerCategory",
    "DailyCharge",
    "EnergyCharge",
    "FixedCharge",
    "MinimumCharge",
    "MonthlyTiers",
    "OverlappingVersions",
    "PartialYear",
    "PowerFactorAdjustment",
    "Tariff",
    "TariffVersion",
    "Tier",
    "TierBounds",
    "TimeOfUseCharge",
    "TimeOfUseTiers",
    "VersionStatus",
]


class CustomerCategory(enum.Enum):
    """Who a tariff is for (用电类别)."""

    RESIDENTIAL = "residential"
    COMMERCIAL_INDUSTRIAL = "commercial_industrial"
    AGRICULTURAL = "agricultural"
    OTHER = "other"


class ChargeCategory(enum.Enum):
    """What a charge is, for grouping and for the power-factor base (funds are outside it)."""

    FIXED = "fixed"
    ENERGY = "energy"
    LINE_LOSS = "line_loss"
    TRANSMISSION = "transmission"
    SYSTEM_OPERATION = "system_operation"
    FUND = "fund"
    BASIC = "basic"
    ADJUSTMENT = "adjustment"


class PartialYear(enum.Enum):
    """How annual tier thresholds treat an account that exists for part of the tier year.

    Source: no national text; the default is the common pattern of provincial rules.
    """

    #: Thresholds × (billing months touched in the year) / 12.
    PRO_RATA = "pro_rata"
    #: The full annual thresholds regardless.
    FULL_QUOTA = "full_quota"
    #: Settle at transfer or closure; a new holder's tier year starts on its opening date.
    SETTLE_AND_RESTART = "settle_and_restart"


class TierBounds(enum.Enum):
    """What the bounds of :class:`MonthlyTiers` are per: the period's bounds are scaled from it."""

    #: kWh per month: × the months of the period (whole months plus days / 30).
    MONTH = "month"
    #: kWh per day: × the days of the period (a 33-day read cycle has 33 days of allowance).
    DAY = "day"
    #: kWh per year: × the months of the period / 12.
    YEAR = "year"


class BasicChargeBasis(enum.Enum):
    """What the basic charge is billed on (the user chooses; 发改办价格〔2016〕1583号)."""

    CAPACITY = "capacity"
    DEMAND = "demand"


class VersionStatus(enum.Enum):
    """How far a version's numbers can be trusted (status marks: docs/explanation/sources.md)."""

    CONFIRMED = "confirmed"
    ILLUSTRATIVE = "illustrative"


def _text(field: str, *, blank: bool = False) -> Callable[[object], str]:
    def convert(value: object) -> str:
        if not isinstance(value, str) or (not blank and not value.strip()):
            raise InvalidInput(field, value, "a non-blank text" if not blank else "a text")
        return value

    return convert


def _code(value: object) -> str:
    if (
        not isinstance(value, str)
        or not value
        or not value.replace("_", "").replace("-", "").replace(".", "").isalnum()
        or not value.isascii()
    ):
        raise InvalidInput("code", value, "a code of ASCII letters, digits, '-', '_' and '.'")
    return value


def _price(field: str) -> Callable[[object], Decimal]:
    def convert(value: object) -> Decimal:
        return exact_decimal(value, field)

    return convert


def _optional_price(field: str) -> Callable[[object], Decimal | None]:
    def convert(value: object) -> Decimal | None:
        return None if value is None else exact_decimal(value, field)

    return convert


def _positive(field: str) -> Callable[[object], Decimal]:
    def convert(value: object) -> Decimal:
        number = exact_decimal(value, field)
        if number <= 0:
            raise InvalidInput(field, value, "a number above zero")
        return number

    return convert


def _text_name_zh(value: object) -> str:
    return _text("name_zh")(value)


def _text_name_en(value: object) -> str:
    return _text("name_en")(value)


def _text_source(value: object) -> str:
    return _text("source")(value)


def _text_source_zh(value: object) -> str:
    return _text("source_zh", blank=True)(value)


def _to_yuan_per_month(value: object) -> Decimal:
    return _price("yuan_per_month")(value)


def _to_yuan_per_kwh(value: object) -> Decimal:
    return _price("yuan_per_kwh")(value)


def _to_yuan_per_kwh_optional_price(value: object) -> Decimal | None:
    return _optional_price("yuan_per_kwh")(value)


def _to_ratio(value: object) -> Decimal | None:
    return _optional_price("ratio")(value)


def _to_base_yuan_per_kwh(value: object) -> Decimal | None:
    return _optional_price("base_yuan_per_kwh")(value)


def _to_yuan_per_kva_month(value: object) -> Decimal | None:
    return _optional_price("yuan_per_kva_month")(value)


def _to_yuan_per_kw_month(value: object) -> Decimal | None:
    return _optional_price("yuan_per_kw_month")(value)


def _to_excess_threshold(value: object) -> Decimal:
    return _positive("excess_threshold")(value)


def _to_excess_multiplier(value: object) -> Decimal:
    return _positive("excess_multiplier")(value)


def _to_contract_floor(value: object) -> Decimal:
    return _price("contract_floor")(value)


def _to_discount_kwh_per_kva(value: object) -> Decimal | None:
    return _optional_price("discount_kwh_per_kva")(value)


def _to_discount_factor(value: object) -> Decimal:
    return _positive("discount_factor")(value)


def _text_label(value: object) -> str:
    return _text("label")(value)


def _text_note(value: object) -> str:
    return _text("note", blank=True)(value)


@attrs.frozen(kw_only=True)
class _ChargeBase:
    """Fields every charge has: its code, names, the rule it applies and its category."""

    kind: ClassVar[str] = ""
    default_category: ClassVar[ChargeCategory] = ChargeCategory.ENERGY

    code: str = attrs.field(converter=_code)
    name_zh: str = attrs.field(converter=_text_name_zh)
    name_en: str = attrs.field(converter=_text_name_en)
    source: str = attrs.field(converter=_text_source)
    category: ChargeCategory = attrs.field(
        default=attrs.Factory(lambda self: self.default_category, takes_self=True)
    )
    #: The rule in Chinese, as a Chinese bill prints it; empty: the bill prints ``source``.
    source_zh: str = attrs.field(default="", converter=_text_source_zh)

    @category.validator
    def _known_category(self, _attribute: object, value: object) -> None:
        if not isinstance(value, ChargeCategory):
            raise InvalidInput("category", value, "a ChargeCategory")


@attrs.frozen(kw_only=True)
class FixedCharge(_ChargeBase):
    """A fixed amount per month [元/月], prorated for part months like the basic charge."""

    kind: ClassVar[str] = "fixed"
    default_category: ClassVar[ChargeCategory] = ChargeCategory.FIXED

    yuan_per_month: Decimal = attrs.field(converter=_to_yuan_per_month)


def _to_optional_per_month(value: object) -> Decimal | None:
    return _optional_price("yuan_per_month")(value)


def _to_optional_per_day(value: object) -> Decimal | None:
    return _optional_price("yuan_per_day")(value)


def _to_yuan_per_day(value: object) -> Decimal:
    return _price("yuan_per_day")(value)


@attrs.frozen(kw_only=True)
class DailyCharge(_ChargeBase):
    """A fixed amount per day of service [元/天]: the days of the period × the daily amount."""

    kind: ClassVar[str] = "daily"
    default_category: ClassVar[ChargeCategory] = ChargeCategory.FIXED

    yuan_per_day: Decimal = attrs.field(converter=_to_yuan_per_day)


@attrs.frozen(kw_only=True)
class MinimumCharge(_ChargeBase):
    """A minimum bill: when the other lines of a period add up to less, a line makes up the rest.

    The minimum is ``yuan_per_month`` × the months of the period (whole months plus days / 30,
    as fixed charges) or ``yuan_per_day`` × its days, rounded once; the line is the minimum less
    the sum of every other line of the period (zero lines: no line). One per version.
    """

    kind: ClassVar[str] = "minimum"
    default_category: ClassVar[ChargeCategory] = ChargeCategory.FIXED

    yuan_per_month: Decimal | None = attrs.field(default=None, converter=_to_optional_per_month)
    yuan_per_day: Decimal | None = attrs.field(default=None, converter=_to_optional_per_day)

    def __attrs_post_init__(self) -> None:
        if (self.yuan_per_month is None) == (self.yuan_per_day is None):
            raise InvalidInput(
                "yuan_per_month", self.yuan_per_month, "either yuan_per_month or yuan_per_day"
            )
        for name in ("yuan_per_month", "yuan_per_day"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise InvalidInput(name, value, "a minimum of zero or more")


@attrs.frozen(kw_only=True)
class EnergyCharge(_ChargeBase):
    """A flat price per kWh [元/kWh] on all billed energy."""

    kind: ClassVar[str] = "energy"

    yuan_per_kwh: Decimal = attrs.field(converter=_to_yuan_per_kwh)


def _optional_kwh(value: object) -> Decimal | None:
    if value is None:
        return None
    number = exact_decimal(value, "upto_kwh")
    if number <= 0:
        raise InvalidInput("upto_kwh", value, "a number of kWh above zero")
    return number


@attrs.frozen
class Tier:
    """Energy up to ``upto_kwh`` [kWh] (``None``: no upper bound) at ``yuan_per_kwh``."""

    upto_kwh: Decimal | None = attrs.field(converter=_optional_kwh)
    yuan_per_kwh: Decimal = attrs.field(converter=_to_yuan_per_kwh)


def _tiers(value: Iterable[Tier]) -> tuple[Tier, ...]:
    tiers = tuple(value)
    if not tiers:
        raise InvalidInput("tiers", [], "at least one tier")
    previous = Decimal(0)
    for index, tier in enumerate(tiers):
        last = index == len(tiers) - 1
        if tier.upto_kwh is None and not last:
            raise InvalidInput(f"tiers[{index}].upto_kwh", None, "a bound (only the last is open)")
        if tier.upto_kwh is not None:
            if tier.upto_kwh <= previous:
                raise InvalidInput(
                    f"tiers[{index}].upto_kwh", tier.upto_kwh, f"a bound above {previous}"
                )
            previous = tier.upto_kwh
    if tiers[-1].upto_kwh is not None:  # the last tier is open: a bound given on it is dropped
        tiers = (*tiers[:-1], Tier(None, tiers[-1].yuan_per_kwh))
    return tiers


def _tier_bounds(value: object) -> TierBounds:
    if isinstance(value, TierBounds):
        return value
    try:
        return TierBounds(value)
    except ValueError:
        raise InvalidInput("bounds_per", value, "month, day or year") from None


@attrs.frozen(kw_only=True)
class MonthlyTiers(_ChargeBase):
    """Block tiers on the period's energy: each tier's kWh at its price (or increment).

    The bounds are per month, per day or per year (``bounds_per``) and scaled to the period.
    The last tier is open: a bound written on it is dropped.
    """

    kind: ClassVar[str] = "monthly_tiers"

    tiers: tuple[Tier, ...] = attrs.field(converter=_tiers)
    bounds_per: TierBounds = attrs.field(default=TierBounds.MONTH, converter=_tier_bounds)


def _month_number(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
        raise InvalidInput("cycle_start_month", value, "a month number 1-12")
    return value


@attrs.frozen(kw_only=True)
class AnnualTiers(_ChargeBase):
    """Cumulative tiers on the tier year's energy (居民年阶梯), billed on the year so far.

    Each period's energy is placed after the year-to-date energy the account facts carry; the
    thresholds of a part year follow ``partial_year``.
    """

    kind: ClassVar[str] = "annual_tiers"

    tiers: tuple[Tier, ...] = attrs.field(converter=_tiers)
    partial_year: PartialYear = attrs.field(default=PartialYear.PRO_RATA)
    cycle_start_month: int = attrs.field(default=1, converter=_month_number)

    @partial_year.validator
    def _known(self, _attribute: object, value: object) -> None:
        if not isinstance(value, PartialYear):
            raise InvalidInput("partial_year", value, "a PartialYear")


def _bucket_prices(value: Iterable[BucketPrice]) -> tuple[BucketPrice, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class BucketPrice:
    """The price of one bucket: absolute ``yuan_per_kwh``, or ``ratio`` × the base price.

    With ``of`` the ratio applies to another bucket's price instead (critical peak = 1.2 × peak).
    """

    bucket: str
    yuan_per_kwh: Decimal | None = attrs.field(
        default=None,
        converter=_to_yuan_per_kwh_optional_price,
    )
    ratio: Decimal | None = attrs.field(default=None, converter=_to_ratio)
    of: str | None = None

    def __attrs_post_init__(self) -> None:
        if (self.yuan_per_kwh is None) == (self.ratio is None):
            raise InvalidInput(self.bucket, "", "either yuan_per_kwh or ratio, not both")
        if self.of is not None and self.ratio is None:
            raise InvalidInput(f"{self.bucket}.of", self.of, "no 'of' without a ratio")


def _optional_step(value: object) -> Decimal | None:
    if value is None:
        return None
    step = exact_decimal(value, "price_step")
    if step <= 0 or step != Decimal(1).scaleb(step.adjusted()):
        raise InvalidInput("price_step", value, "a positive power of ten such as 0.0001")
    return step


@attrs.frozen(kw_only=True)
class TimeOfUseCharge(_ChargeBase):
    """Prices per time-of-use bucket of the version's schedule ``schedule``.

    Ratios apply to ``base_yuan_per_kwh`` (or to another bucket's price, see
    :class:`BucketPrice`); resolved prices are rounded half-up to ``price_step`` when it is
    given (Guangdong rounds to 0.01 fen).
    """

    kind: ClassVar[str] = "time_of_use"

    schedule: str
    base_yuan_per_kwh: Decimal | None = attrs.field(
        default=None,
        converter=_to_base_yuan_per_kwh,
    )
    prices: tuple[BucketPrice, ...] = attrs.field(converter=_bucket_prices)
    price_step: Decimal | None = attrs.field(default=None, converter=_optional_step)
    resolved: Mapping[str, Decimal] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        by_bucket: dict[str, BucketPrice] = {}
        for index, price in enumerate(self.prices):
            if price.bucket in by_bucket:
                raise InvalidInput(f"prices[{index}].bucket", price.bucket, "a bucket priced once")
            by_bucket[price.bucket] = price
        resolved: dict[str, Decimal] = {}

        def resolve(bucket: str, chain: tuple[str, ...]) -> Decimal:
            if bucket in resolved:
                return resolved[bucket]
            if bucket in chain:
                raise InvalidInput(
                    "prices", " -> ".join((*chain, bucket)), "ratios without a cycle"
                )
            if bucket not in by_bucket:
                raise InvalidInput(f"prices.{chain[-1]}.of", bucket, "a bucket priced here")
            spec = by_bucket[bucket]
            if spec.yuan_per_kwh is not None:
                value = spec.yuan_per_kwh
            else:
                assert spec.ratio is not None
                if spec.of is None:
                    if self.base_yuan_per_kwh is None:
                        raise InvalidInput(
                            "base_yuan_per_kwh", None, f"a base price for the ratio of {bucket}"
                        )
                    reference = self.base_yuan_per_kwh
                else:
                    reference = resolve(spec.of, (*chain, bucket))
                value = MONEY_CONTEXT.multiply(spec.ratio, reference)
                if self.price_step is not None:
                    value = value.quantize(self.price_step, rounding=decimal.ROUND_HALF_UP)
            resolved[bucket] = value
            return value

        for bucket in by_bucket:
            resolve(bucket, ())
        object.__setattr__(self, "resolved", resolved)


def _bucket_name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("bucket", value, "a bucket name")
    return value


@attrs.frozen(kw_only=True)
class BucketTiers:
    """The tier ladder of one time-of-use bucket (its last tier open)."""

    bucket: str = attrs.field(converter=_bucket_name)
    tiers: tuple[Tier, ...] = attrs.field(converter=_tiers)


def _bucket_tiers(value: Iterable[BucketTiers]) -> tuple[BucketTiers, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class TimeOfUseTiers(_ChargeBase):
    """Tiers inside time-of-use buckets: each bucket's energy of the period through its ladder.

    The bounds are per month, per day or per year (``bounds_per``) and scaled to the period as
    :class:`MonthlyTiers` bounds are; each bucket starts its ladder at zero.
    """

    kind: ClassVar[str] = "tou_tiers"

    schedule: str
    buckets: tuple[BucketTiers, ...] = attrs.field(converter=_bucket_tiers)
    bounds_per: TierBounds = attrs.field(default=TierBounds.MONTH, converter=_tier_bounds)
    ladders: Mapping[str, tuple[Tier, ...]] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        ladders: dict[str, tuple[Tier, ...]] = {}
        for index, entry in enumerate(self.buckets):
            if not isinstance(entry, BucketTiers):
                raise InvalidInput(f"buckets[{index}]", entry, "a BucketTiers")
            if entry.bucket in ladders:
                raise InvalidInput(f"buckets[{index}].bucket", entry.bucket, "a bucket once")
            ladders[entry.bucket] = entry.tiers
        if not ladders:
            raise InvalidInput("buckets", [], "at least one bucket")
        object.__setattr__(self, "ladders", ladders)


def _basis(value: object) -> BasicChargeBasis:
    if isinstance(value, BasicChargeBasis):
        return value
    try:
        return BasicChargeBasis(value)
    except ValueError:
        raise InvalidInput("default_basis", value, "capacity or demand") from None


@attrs.frozen(kw_only=True)
class BasicCharge(_ChargeBase):
    """The basic charge (基本电费) of a two-part tariff, by capacity or by maximum demand.

    Demand basis: the contract demand is raised to ``contract_floor`` × (transformer capacity +
    HV motors); up to ``excess_threshold`` × contract demand the contract demand is billed,
    above it the measured demand plus the excess over the threshold again (``excess_multiplier``
    = 2 bills the excess twice). When the month's kWh per kVA of capacity reaches
    ``discount_kwh_per_kva`` the demand price is multiplied by ``discount_factor``. Part months
    are charged ``1/part_month_days`` of the month per day.

    Source: 发改办价格〔2016〕1583号 and 发改价格〔2023〕526号; part months
    《供电营业规则》(1996, 电力工业部令第8号).
    """

    kind: ClassVar[str] = "basic"
    default_category: ClassVar[ChargeCategory] = ChargeCategory.BASIC

    yuan_per_kva_month: Decimal | None = attrs.field(
        default=None,
        converter=_to_yuan_per_kva_month,
    )
    yuan_per_kw_month: Decimal | None = attrs.field(
        default=None,
        converter=_to_yuan_per_kw_month,
    )
    default_basis: BasicChargeBasis = attrs.field(
        default=BasicChargeBasis.CAPACITY, converter=_basis
    )
    excess_threshold: Decimal = attrs.field(
        default=Decimal("1.05"),
        converter=_to_excess_threshold,
    )
    excess_multiplier: Decimal = attrs.field(
        default=Decimal(2),
        converter=_to_excess_multiplier,
    )
    contract_floor: Decimal = attrs.field(
        default=Decimal("0.40"),
        converter=_to_contract_floor,
    )
    discount_kwh_per_kva: Decimal | None = attrs.field(
        default=Decimal(260),
        converter=_to_discount_kwh_per_kva,
    )
    discount_factor: Decimal = attrs.field(
        default=Decimal("0.9"),
        converter=_to_discount_factor,
    )
    part_month_days: int = 30

    def __attrs_post_init__(self) -> None:
        if self.yuan_per_kva_month is None and self.yuan_per_kw_month is None:
            raise InvalidInput(
                "yuan_per_kva_month", None, "a capacity price, a demand price, or both"
            )
        if (
            isinstance(self.part_month_days, bool)
            or not isinstance(self.part_month_days, int)
            or self.part_month_days < 1
        ):
            raise InvalidInput("part_month_days", self.part_month_days, "a whole number of days")

    def price_for(self, basis: BasicChargeBasis) -> Decimal:
        """Return the monthly price for ``basis``.

        Raises:
            InvalidInput: this charge has no price for that basis.
        """
        price = (
            self.yuan_per_kva_month
            if basis is BasicChargeBasis.CAPACITY
            else self.yuan_per_kw_month
        )
        if price is None:
            raise InvalidInput("basic_charge_basis", basis.value, "a basis this tariff prices")
        return price


def _rule_set(value: object) -> str:
    if value not in RULE_SETS:
        raise InvalidInput("rule_set", value, f"one of {', '.join(sorted(RULE_SETS))}")
    return str(value)


def _codes(value: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


def _optional_standard(value: object) -> Decimal | None:
    return None if value is None else exact_decimal(value, "default_standard")


@attrs.frozen(kw_only=True)
class PowerFactorAdjustment(_ChargeBase):
    """The power-factor surcharge or rebate on the lines named in ``base_codes``.

    ``base_codes=None`` (the default) means every basic and energy-related line except
    government funds and fixed charges. The account's power-factor standard picks the table;
    ``default_standard`` applies when the account names none (``None``: not adjusted).

    Source: 《功率因数调整电费办法》 ((83)水电财字第215号).
    """

    kind: ClassVar[str] = "power_factor"
    default_category: ClassVar[ChargeCategory] = ChargeCategory.ADJUSTMENT

    rule_set: str = attrs.field(default="PF1983", converter=_rule_set)
    base_codes: tuple[str, ...] | None = attrs.field(default=None, converter=_codes)
    default_standard: Decimal | None = attrs.field(default=None, converter=_optional_standard)

    def __attrs_post_init__(self) -> None:
        if self.default_standard is not None:
            RULE_SETS[self.rule_set].standard(self.default_standard)


#: Any charge component.
Charge = (
    FixedCharge
    | DailyCharge
    | MinimumCharge
    | EnergyCharge
    | MonthlyTiers
    | AnnualTiers
    | TimeOfUseCharge
    | TimeOfUseTiers
    | BasicCharge
    | PowerFactorAdjustment
)

#: Categories that are in the power-factor base by default (funds and fixed charges are not).
PF_BASE_CATEGORIES: Final = frozenset(
    {
        ChargeCategory.ENERGY,
        ChargeCategory.LINE_LOSS,
        ChargeCategory.TRANSMISSION,
        ChargeCategory.SYSTEM_OPERATION,
        ChargeCategory.BASIC,
    }
)


def _status(value: object) -> VersionStatus:
    if isinstance(value, VersionStatus):
        return value
    try:
        return VersionStatus(value)
    except ValueError:
        raise InvalidInput("status", value, "confirmed or illustrative") from None


def _effective_from(value: object) -> date:
    return as_date(value, "effective_from")


def _effective_to(value: object) -> date | None:
    return None if value is None else as_date(value, "effective_to")


def _charge_tuple(value: Iterable[Charge]) -> tuple[Charge, ...]:
    return tuple(value)


def _schedules(value: Mapping[str, TouSchedule]) -> Mapping[str, TouSchedule]:
    return dict(sorted(value.items()))


@attrs.frozen(kw_only=True)
class TariffVersion:
    """The charges in force from ``effective_from`` (in) to ``effective_to`` (out; ``None``: open).

    Raises:
        InvalidInput: duplicate charge codes, a schedule or base code that does not exist, a
            time-of-use bucket without a price, or more than one basic / power-factor charge.
    """

    label: str = attrs.field(converter=_text_label)
    effective_from: date = attrs.field(converter=_effective_from)
    effective_to: date | None = attrs.field(default=None, converter=_effective_to)
    status: VersionStatus = attrs.field(default=VersionStatus.CONFIRMED, converter=_status)
    note: str = attrs.field(default="", converter=_text_note)
    schedules: Mapping[str, TouSchedule] = attrs.field(factory=dict, converter=_schedules)
    charges: tuple[Charge, ...] = attrs.field(converter=_charge_tuple)

    def __attrs_post_init__(self) -> None:
        if self.effective_to is not None and self.effective_to <= self.effective_from:
            raise InvalidInput(
                "effective_to", self.effective_to, f"a date after {self.effective_from}"
            )
        if not self.charges:
            raise InvalidInput("charges", [], "at least one charge")
        codes: set[str] = set()
        singles: dict[str, int] = {}
        for index, charge in enumerate(self.charges):
            if charge.code in codes:
                raise InvalidInput(f"charges[{index}].code", charge.code, "a code used once")
            codes.add(charge.code)
            if isinstance(charge, BasicCharge | PowerFactorAdjustment | MinimumCharge):
                if charge.kind in singles:
                    raise InvalidInput(f"charges[{index}].type", charge.kind, "one such charge")
                singles[charge.kind] = index
            if isinstance(charge, TimeOfUseCharge | TimeOfUseTiers):
                priced = charge.resolved if isinstance(charge, TimeOfUseCharge) else charge.ladders
                schedule = self.schedules.get(charge.schedule)
                if schedule is None:
                    raise InvalidInput(
                        f"charges[{index}].schedule", charge.schedule, "a schedule of the version"
                    )
                for bucket in schedule.buckets:
                    if bucket not in priced:
                        raise InvalidInput(
                            f"charges[{index}].prices", bucket, "a price for every bucket"
                        )
        for index, charge in enumerate(self.charges):
            if isinstance(charge, PowerFactorAdjustment) and charge.base_codes is not None:
                for code in charge.base_codes:
                    if code not in codes or code == charge.code:
                        raise InvalidInput(
                            f"charges[{index}].base_codes", code, "the code of another charge"
                        )

    @property
    def effective(self) -> DateRange:
        """The dates the version is in force."""
        return DateRange(self.effective_from, self.effective_to)


class OverlappingVersions(InvalidInput):
    """Two versions of one tariff are in force on the same day."""

    def __init__(self, field: str, earlier: TariffVersion, later: TariffVersion) -> None:
        super().__init__(
            field,
            f"{later.label} from {later.effective_from}",
            f"a version starting on or after the end of {earlier.label} "
            f"({earlier.effective_to or 'open-ended'}); versions must not overlap",
        )


def _category(value: object) -> CustomerCategory:
    if isinstance(value, CustomerCategory):
        return value
    try:
        return CustomerCategory(value)
    except ValueError:
        names = ", ".join(c.value for c in CustomerCategory)
        raise InvalidInput("category", value, f"one of {names}") from None


def _currency(value: object) -> str:
    minor_unit_exponent(value)  # type: ignore[arg-type]
    return str(value)


def _currency_rounding(currency: str) -> Rounding:
    return Rounding(step=Decimal(1).scaleb(-minor_unit_exponent(currency)))


def _proration(value: object) -> Proration:
    if isinstance(value, Proration):
        return value
    try:
        return Proration(value)
    except ValueError:
        names = ", ".join(p.value for p in Proration)
        raise InvalidInput("proration", value, f"one of {names}") from None


def _versions(value: Iterable[TariffVersion]) -> tuple[TariffVersion, ...]:
    versions = tuple(value)
    if not versions:
        raise InvalidInput("versions", [], "at least one version")
    return versions


@attrs.frozen(kw_only=True)
class Tariff:
    """A tariff (电价): code, names, customer category and its effective-dated versions.

    Versions are kept in the order given, have distinct labels and must not overlap (gaps are
    allowed: no version in force is an error when billing, not when defining).

    Raises:
        OverlappingVersions: two versions share a day.
        InvalidInput: two versions share a label.
    """

    code: str = attrs.field(converter=_code)
    name_zh: str = attrs.field(converter=_text_name_zh)
    name_en: str = attrs.field(converter=_text_name_en)
    category: CustomerCategory = attrs.field(converter=_category)
    currency: str = attrs.field(default="CNY", converter=_currency)
    #: Default: half-up to the currency's minor unit (fen for CNY, whole yen for JPY).
    rounding: Rounding = attrs.field(
        default=attrs.Factory(lambda self: _currency_rounding(self.currency), takes_self=True)
    )
    #: How the months of a period that is not a calendar month are counted.
    proration: Proration = attrs.field(default=Proration.CALENDAR_30, converter=_proration)
    note: str = attrs.field(default="", converter=_text_note)
    versions: tuple[TariffVersion, ...] = attrs.field(converter=_versions)

    def __attrs_post_init__(self) -> None:
        labels: set[str] = set()
        for index, version in enumerate(self.versions):
            if version.label in labels:
                raise InvalidInput(f"versions[{index}].label", version.label, "a label used once")
            labels.add(version.label)
        ordered = sorted(enumerate(self.versions), key=lambda item: item[1].effective_from)
        for (_, earlier), (index, later) in itertools.pairwise(ordered):
            if earlier.effective_to is None or earlier.effective_to > later.effective_from:
                raise OverlappingVersions(f"versions[{index}].effective_from", earlier, later)

    def version_on(self, day: date) -> TariffVersion:
        """Return the version in force on ``day``.

        Raises:
            NotFound: no version is in force that day.
        """
        return in_force_on(self.versions, day, f"version of tariff {self.code}")

    def version(self, label: str) -> TariffVersion:
        """Return the version labelled ``label``.

        Raises:
            NotFound: no such version.
        """
        for version in self.versions:
            if version.label == label:
                return version
        raise NotFound(f"version of tariff {self.code}", label)

    def boundaries_within(self, period: DateRange) -> tuple[date, ...]:
        """Return the version start and end dates strictly inside ``period``."""
        days = {v.effective_from for v in self.versions}
        days.update(v.effective_to for v in self.versions if v.effective_to is not None)
        return tuple(
            sorted(d for d in days if period.start < d and (period.end is None or d < period.end))
        )
