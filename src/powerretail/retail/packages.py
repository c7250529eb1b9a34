"""Retail packages (零售套餐): the energy price a retail company sells at, as versioned data.

A :class:`RetailPackage` is effective-dated :class:`PackageVersion` s. Each version prices energy
one way (:class:`PricingKind`):

* ``fixed`` — ``p = p_fixed`` (固定价格, "一口价"), not moved by any other price;
* ``linked`` — ``p = p_ref``, the month's price of a named reference series (市场价格联动);
* ``mix`` — ``p = k·p_fixed + (1−k)·p_ref`` (fixed + linked, ``k`` the fixed share);
* ``spread_sharing`` — ``p = p_ref − α·(p_ref − p_wholesale)`` (价差分成): the user gets share
  ``α`` of the gap between the reference price and the retailer's wholesale cost of the month;

and may add, on every kWh:

* a floating add-on ``f`` [元/kWh] (浮动电费, positive or negative);
* a green premium ``g`` [元/kWh] (绿电环境溢价, zero or more).

A version may be time-of-use shaped: the band price is ``p × ratio + f + g``, with ratios that,
when the version names a provincial notice (:data:`TOU_NOTICES`), must be the notice's own
(checked when the version is made). Protective features: a monthly average-price cap (封顶) —
when the month's average energy price would be above it, all the month's energy is priced at
the cap — and an excess-profit threshold whose excess goes, in part, to a refund pool
(:class:`ExcessProfit`, applied in the monthly settlement).

Prices keep full precision; rounding happens once, on the bill line.

>>> version = PackageVersion(
...     label="2025", effective_from="2025-01-01", source="零售合同附件 (illustrative)",
...     kind=PricingKind.MIX, fixed_yuan_per_kwh="0.4000", reference="JS-MLT-AVG",
...     share_fixed="0.6", floating_yuan_per_kwh="0.005")
>>> priced = price_month(version, "PKG-MIX", date(2025, 7, 1),
...                      reference_prices={"JS-MLT-AVG": Decimal("0.3850")})
>>> priced.flat_yuan_per_kwh
Decimal('0.39900')
>>> print(priced.formula)
p = k·p_fixed + (1−k)·p_ref = 0.6×0.4000 + 0.4×0.3850 = 0.39400; + floating 0.005 = 0.39900 元/kWh
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Final

import attrs

from powerretail.errors import InvalidInput, NotFound, RuleViolation, describe_value
from powerretail.quantities import MONEY_CONTEXT, exact_decimal
from powerretail.retail.reference_prices import ReferencePriceMissing, as_month, month_text
from powerretail.tariffs.model import VersionStatus
from powerretail.timeframe import DateRange, as_date, in_force_on

__all__ = [
    "TOU_NOTICES",
    "EnergyPricing",
    "ExcessProfit",
    "PackagePrice",
    "PackageVersion",
    "PricingKind",
    "RetailPackage",
    "TouNotice",
    "TouShape",
    "WholesaleCostMissing",
    "energy_pricing",
    "price_month",
]

_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)


class PricingKind(enum.Enum):
    """How a package version sets the base energy price."""

    FIXED = "fixed"
    LINKED = "linked"
    MIX = "mix"
    SPREAD_SHARING = "spread_sharing"


@attrs.frozen(kw_only=True)
class TouNotice:
    """A provincial time-of-use notice's band ratios (to the flat price), with its source."""

    code: str
    ratios: Mapping[str, Decimal]
    required: tuple[str, ...]
    source: str


#: Provincial TOU notices a package may declare conformity with.
TOU_NOTICES: Final[Mapping[str, TouNotice]] = {
    "JS-426": TouNotice(
        code="JS-426",
        ratios={
            "peak": Decimal("1.7"),
            "flat": Decimal("1"),
            "valley": Decimal("0.35"),
            "deep_valley": Decimal("0.28"),
        },
        required=("peak", "flat", "valley"),
        source="苏发改价格发〔2025〕426号: peak +70 % (100 kVA and more), valley −65 %, "
        "deep valley −20 % on valley",
    ),
    "JX-TOU": TouNotice(
        code="JX-TOU",
        ratios={
            "peak": Decimal("1.6"),
            "flat": Decimal("1"),
            "valley": Decimal("0.4"),
            "critical": Decimal("1.8"),
        },
        required=("peak", "flat", "valley"),
        source="江西省分时电价政策 as quoted in the Jiangxi agency-purchase price notes: "
        "peak : flat : valley = 1.6 : 1 : 0.4, critical peak 1.8 (文号 not verified)",
    ),
}


def _ratios(value: Mapping[str, object]) -> Mapping[str, Decimal]:
    if not isinstance(value, Mapping) or not value:
        raise InvalidInput("tou.ratios", value, "a table of bucket = ratio")
    ratios = {}
    for bucket, ratio in value.items():
        number = exact_decimal(ratio, f"tou.ratios.{bucket}")
        if number <= 0:
            raise InvalidInput(f"tou.ratios.{bucket}", ratio, "a ratio above zero")
        ratios[str(bucket)] = number
    return dict(sorted(ratios.items()))


def _notice(value: object) -> str | None:
    if value is None:
        return None
    if value not in TOU_NOTICES:
        raise InvalidInput("tou.notice", value, f"one of {', '.join(TOU_NOTICES)}")
    return str(value)


@attrs.frozen(kw_only=True)
class TouShape:
    """Time-of-use band ratios of the base price; ``notice``: the provincial notice they follow."""

    ratios: Mapping[str, Decimal] = attrs.field(converter=_ratios)
    notice: str | None = attrs.field(default=None, converter=_notice)

    def __attrs_post_init__(self) -> None:
        if self.notice is None:
            return
        notice = TOU_NOTICES[self.notice]
        for bucket in notice.required:
            if bucket not in self.ratios:
                raise InvalidInput(
                    f"tou.ratios.{bucket}", None, f"a ratio for {bucket} ({notice.source})"
                )
        for bucket, ratio in self.ratios.items():
            expected = notice.ratios.get(bucket)
            if expected is None:
                raise InvalidInput(
                    f"tou.ratios.{bucket}",
                    str(ratio),
                    f"a band of notice {notice.code} ({', '.join(notice.ratios)})",
                )
            if ratio != expected:
                raise InvalidInput(
                    f"tou.ratios.{bucket}", str(ratio), f"{expected} as {notice.source}"
                )


def _share(field: str) -> Callable[[object], Decimal]:
    def convert(value: object) -> Decimal:
        share = exact_decimal(value, field)
        if not _ZERO <= share <= _ONE:
            raise InvalidInput(field, value, "a share from 0 to 1")
        return share

    return convert


def _optional_share(field: str) -> Callable[[object], Decimal | None]:
    convert = _share(field)

    def optional(value: object) -> Decimal | None:
        return None if value is None else convert(value)

    return optional


def _threshold(value: object) -> Decimal:
    number = exact_decimal(value, "excess_profit.threshold_yuan_per_kwh")
    if number < 0:
        raise InvalidInput(
            "excess_profit.threshold_yuan_per_kwh", value, "a margin of zero or more [元/kWh]"
        )
    return number


def _to_refund_share(value: object) -> Decimal:
    return _share("excess_profit.refund_share")(value)


@attrs.frozen(kw_only=True)
class ExcessProfit:
    """An excess-profit threshold: the retailer keeps a margin up to ``threshold`` [元/kWh] on
    the user's energy; ``refund_share`` of the margin above it goes to the user's refund pool."""

    threshold_yuan_per_kwh: Decimal = attrs.field(converter=_threshold)
    refund_share: Decimal = attrs.field(converter=_to_refund_share)

    def refund_of(self, revenue: Decimal, wholesale_cost: Decimal, kwh: Decimal) -> Decimal:
        """Return the unrounded refund [元]: ``share × max(0, revenue − cost − threshold·kWh)``."""
        excess = revenue - wholesale_cost - self.threshold_yuan_per_kwh * kwh
        return self.refund_share * excess if excess > 0 else _ZERO


def _optional_price(field: str) -> Callable[[object], Decimal | None]:
    def convert(value: object) -> Decimal | None:
        if value is None:
            return None
        price = exact_decimal(value, field)
        if price < 0:
            raise InvalidInput(field, value, "a price of zero or more [元/kWh]")
        return price

    return convert


def _signed(field: str) -> Callable[[object], Decimal]:
    def convert(value: object) -> Decimal:
        return exact_decimal(value, field)

    return convert


def _label(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("label", value, "a non-blank text")
    return value


def _source(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("source", value, "the contract or notice the package comes from")
    return value


def _from(value: object) -> date:
    return as_date(value, "effective_from")


def _to(value: object) -> date | None:
    return None if value is None else as_date(value, "effective_to")


def _to_fixed(value: object) -> Decimal | None:
    return _optional_price("fixed_yuan_per_kwh")(value)


def _to_share_fixed(value: object) -> Decimal | None:
    return _optional_share("share_fixed")(value)


def _to_alpha(value: object) -> Decimal | None:
    return _optional_share("alpha")(value)


def _to_floating(value: object) -> Decimal:
    return _signed("floating_yuan_per_kwh")(value)


def _to_green(value: object) -> Decimal:
    price = _optional_price("green_premium_yuan_per_kwh")(value)
    return _ZERO if price is None else price


def _to_cap(value: object) -> Decimal | None:
    return _optional_price("cap_yuan_per_kwh")(value)


#: The fields each pricing kind needs (and no other kind may set).
_NEEDS: Final[Mapping[PricingKind, tuple[str, ...]]] = {
    PricingKind.FIXED: ("fixed_yuan_per_kwh",),
    PricingKind.LINKED: ("reference",),
    PricingKind.MIX: ("fixed_yuan_per_kwh", "reference", "share_fixed"),
    PricingKind.SPREAD_SHARING: ("reference", "alpha"),
}
_KIND_FIELDS: Final = ("fixed_yuan_per_kwh", "reference", "share_fixed", "alpha")


@attrs.frozen(kw_only=True)
class PackageVersion:
    """The prices of a package in force from ``effective_from`` (in) to ``effective_to`` (out).

    Raises:
        InvalidInput: a field the pricing kind needs is missing, or one it does not use is set
            (the field names it); ratios that do not follow the notice the version names.
    """

    label: str = attrs.field(converter=_label)
    effective_from: date = attrs.field(converter=_from)
    effective_to: date | None = attrs.field(default=None, converter=_to)
    status: VersionStatus = VersionStatus.ILLUSTRATIVE
    source: str = attrs.field(converter=_source)
    kind: PricingKind = attrs.field(validator=attrs.validators.instance_of(PricingKind))
    fixed_yuan_per_kwh: Decimal | None = attrs.field(
        default=None,
        converter=_to_fixed,
    )
    reference: str | None = None
    share_fixed: Decimal | None = attrs.field(
        default=None,
        converter=_to_share_fixed,
    )
    alpha: Decimal | None = attrs.field(
        default=None,
        converter=_to_alpha,
    )
    floating_yuan_per_kwh: Decimal = attrs.field(
        default=_ZERO,
        converter=_to_floating,
    )
    green_premium_yuan_per_kwh: Decimal = attrs.field(
        default=_ZERO,
        converter=_to_green,
    )
    cap_yuan_per_kwh: Decimal | None = attrs.field(
        default=None,
        converter=_to_cap,
    )
    tou: TouShape | None = None
    excess_profit: ExcessProfit | None = None
    note: str = ""

    def __attrs_post_init__(self) -> None:
        if self.effective_to is not None and self.effective_to <= self.effective_from:
            raise InvalidInput(
                "effective_to", self.effective_to.isoformat(), f"a date after {self.effective_from}"
            )
        needs = _NEEDS[self.kind]
        for name in _KIND_FIELDS:
            value = getattr(self, name)
            if name in needs and value is None:
                raise InvalidInput(name, None, f"a value (a {self.kind.value} package needs it)")
            if name not in needs and value is not None:
                raise InvalidInput(
                    name, str(value), f"nothing (a {self.kind.value} package does not use it)"
                )
        if self.reference is not None and not self.reference.strip():
            raise InvalidInput("reference", self.reference, "the code of a reference series")

    @property
    def effective(self) -> DateRange:
        """The dates the version is in force."""
        return DateRange(self.effective_from, self.effective_to)


def _package_code(value: object) -> str:
    if (
        not isinstance(value, str)
        or not value
        or not value.isascii()
        or not value.replace("-", "").replace("_", "").replace(".", "").isalnum()
    ):
        raise InvalidInput("code", value, "a code of ASCII letters, digits, '-', '_' and '.'")
    return value


def _name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("name", value, "a non-blank text")
    return value


def _versions(value: Iterable[PackageVersion]) -> tuple[PackageVersion, ...]:
    versions = tuple(value)
    if not versions:
        raise InvalidInput("versions", [], "at least one version")
    labels: set[str] = set()
    for index, version in enumerate(versions):
        if version.label in labels:
            raise InvalidInput(f"versions[{index}].label", version.label, "a label used once")
        labels.add(version.label)
    ordered = sorted(enumerate(versions), key=lambda item: item[1].effective_from)
    for (_, earlier), (index, later) in itertools.pairwise(ordered):
        if earlier.effective_to is None or earlier.effective_to > later.effective_from:
            raise InvalidInput(
                f"versions[{index}].effective_from",
                later.effective_from.isoformat(),
                f"a date on or after the end of version {earlier.label}",
            )
    return versions


@attrs.frozen(kw_only=True)
class RetailPackage:
    """A retail package: code, names and its effective-dated versions (never overlapping)."""

    code: str = attrs.field(converter=_package_code)
    name_zh: str = attrs.field(converter=_name)
    name_en: str = attrs.field(converter=_name)
    note: str = ""
    versions: tuple[PackageVersion, ...] = attrs.field(converter=_versions)

    def version_on(self, day: date) -> PackageVersion:
        """Return the version in force on ``day``.

        Raises:
            NotFound: no version is in force that day.
        """
        return in_force_on(self.versions, day, f"version of package {self.code}")

    def version(self, label: str) -> PackageVersion:
        """Return the version labelled ``label``.

        Raises:
            NotFound: no such version.
        """
        for version in self.versions:
            if version.label == label:
                return version
        raise NotFound(f"version of package {self.code}", label)


class WholesaleCostMissing(RuleViolation):
    """A price-spread-sharing package cannot be priced without the month's wholesale cost."""

    def __init__(self, package: str, month: date) -> None:
        self.package = package
        self.month = month
        super().__init__(package, month)

    def __str__(self) -> str:
        return (
            f"package {describe_value(self.package)} shares the price spread: it needs the "
            f"retailer's wholesale cost for {month_text(self.month)}"
        )


@attrs.frozen(kw_only=True)
class PackagePrice:
    """A package version priced for one month, before the month's energy is known.

    ``flat_yuan_per_kwh`` is the untimed price ``p + f + g``; ``band_yuan_per_kwh`` the
    time-of-use prices ``p × ratio + f + g`` (empty when the version is not shaped).
    """

    package_code: str
    version_label: str
    month: date
    base_yuan_per_kwh: Decimal
    flat_yuan_per_kwh: Decimal
    band_yuan_per_kwh: Mapping[str, Decimal]
    cap_yuan_per_kwh: Decimal | None
    formula: str
    source: str

    @property
    def names(self) -> str:
        """The package version, as bill lines name it: ``PKG@2025``."""
        return f"{self.package_code}@{self.version_label}"


def _base(
    version: PackageVersion,
    code: str,
    month: date,
    reference_prices: Mapping[str, Decimal],
    wholesale: Decimal | None,
) -> tuple[Decimal, str]:
    ref: Decimal | None = None
    if version.reference is not None:
        if version.reference not in reference_prices:
            raise ReferencePriceMissing(version.reference, month)
        ref = reference_prices[version.reference]
    if version.kind is PricingKind.FIXED:
        assert version.fixed_yuan_per_kwh is not None
        return version.fixed_yuan_per_kwh, f"p = p_fixed = {version.fixed_yuan_per_kwh}"
    assert ref is not None
    if version.kind is PricingKind.LINKED:
        return ref, f"p = p_ref({version.reference}, {month_text(month)}) = {ref}"
    if version.kind is PricingKind.MIX:
        k, fixed = version.share_fixed, version.fixed_yuan_per_kwh
        assert k is not None
        assert fixed is not None
        value = MONEY_CONTEXT.add(k * fixed, (_ONE - k) * ref)
        return value, f"p = k·p_fixed + (1−k)·p_ref = {k}×{fixed} + {_ONE - k}×{ref} = {value}"
    if wholesale is None:
        raise WholesaleCostMissing(code, month)
    alpha = version.alpha
    assert alpha is not None
    value = ref - alpha * (ref - wholesale)
    return (
        value,
        f"p = p_ref − α·(p_ref − p_wholesale) = {ref} − {alpha}×({ref} − {wholesale}) = {value}",
    )


def price_month(
    version: PackageVersion,
    package_code: str,
    month: date,
    *,
    reference_prices: Mapping[str, Decimal],
    wholesale_yuan_per_kwh: Decimal | None = None,
) -> PackagePrice:
    """Return ``version`` priced for ``month`` (any day of it).

    ``reference_prices`` holds the month's published price of each reference series by code;
    ``wholesale_yuan_per_kwh`` the retailer's average wholesale cost of the month (price-spread
    sharing needs it).

    Raises:
        ReferencePriceMissing: the version's reference series has no price for the month.
        WholesaleCostMissing: a spread-sharing version without the wholesale cost.
    """
    first = as_month(month.replace(day=1))
    base, formula = _base(version, package_code, first, reference_prices, wholesale_yuan_per_kwh)
    adds = version.floating_yuan_per_kwh + version.green_premium_yuan_per_kwh
    flat = base + adds
    if version.floating_yuan_per_kwh:
        formula += f"; + floating {version.floating_yuan_per_kwh}"
    if version.green_premium_yuan_per_kwh:
        formula += f"; + green premium {version.green_premium_yuan_per_kwh}"
    bands: dict[str, Decimal] = {}
    if version.tou is not None:
        bands = {bucket: base * ratio + adds for bucket, ratio in version.tou.ratios.items()}
        shown = ", ".join(f"{b} {p}" for b, p in bands.items())
        formula += f"; bands p×ratio{' + f + g' if adds else ''}: {shown} 元/kWh"
        if version.tou.notice is not None:
            formula += f" (ratios of {version.tou.notice})"
    elif adds:
        formula += f" = {flat} 元/kWh"
    else:
        formula += " 元/kWh"
    return PackagePrice(
        package_code=package_code,
        version_label=version.label,
        month=first,
        base_yuan_per_kwh=base,
        flat_yuan_per_kwh=flat,
        band_yuan_per_kwh=bands,
        cap_yuan_per_kwh=version.cap_yuan_per_kwh,
        formula=formula,
        source=version.source,
    )


@attrs.frozen(kw_only=True)
class EnergyPricing:
    """What the month's energy is priced at: one price per bucket, or the cap on all of it.

    ``average_yuan_per_kwh_times_kwh`` is the exact energy charge before the cap [元].
    """

    price: PackagePrice
    prices: Mapping[str, Decimal]
    capped: bool
    uncapped_charge: Decimal
    explanation: str


def energy_pricing(price: PackagePrice, energy_kwh: Mapping[str, Decimal]) -> EnergyPricing:
    """Return the prices of ``energy_kwh`` (kWh by bucket) under ``price``, the cap applied.

    An untimed version prices every bucket at its flat price. When the exact charge is above
    ``cap × energy`` (the average price above the cap), every bucket is priced at the cap.

    Raises:
        InvalidInput: energy in a bucket a shaped version has no ratio for.
    """
    prices: dict[str, Decimal] = {}
    for bucket in energy_kwh:
        if price.band_yuan_per_kwh and bucket != "total":
            if bucket not in price.band_yuan_per_kwh:
                raise InvalidInput(
                    f"energy_kwh.{bucket}",
                    str(energy_kwh[bucket]),
                    f"a bucket package {price.names} prices ({', '.join(price.band_yuan_per_kwh)})",
                )
            prices[bucket] = price.band_yuan_per_kwh[bucket]
        else:
            prices[bucket] = price.flat_yuan_per_kwh
    charge = sum((energy_kwh[b] * prices[b] for b in energy_kwh), _ZERO)
    total = sum(energy_kwh.values(), _ZERO)
    cap = price.cap_yuan_per_kwh
    text = f"{price.names}: {price.formula}"
    if cap is not None and charge > cap * total:
        text += (
            f"; average {MONEY_CONTEXT.divide(charge, total).quantize(Decimal('0.000001'))} "
            f"above the cap {cap}: all energy at the cap"
        )
        return EnergyPricing(
            price=price,
            prices=dict.fromkeys(energy_kwh, cap),
            capped=True,
            uncapped_charge=charge,
            explanation=text,
        )
    if cap is not None:
        text += f"; average within the cap {cap}"
    return EnergyPricing(
        price=price, prices=prices, capped=False, uncapped_charge=charge, explanation=text
    )
