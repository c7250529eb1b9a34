"""Tiering: large customers, important-customer categories, key-account class and grade.

Every function here is pure and returns a :class:`Decision`: the outcome together with the rule
that made it (``rule``), the policy version (``rule_set``), the inputs it looked at, the threshold
it compared them with, where the rule comes from (``source``) and a sentence saying why.

The numbers are data. :data:`SEED_LARGE_CUSTOMER` holds the seed's 4000 kWh; the scoring policy
:data:`ILLUSTRATIVE_SCORING` holds weights and bands over the seven attributes the seed names —
the seed names them but gives no numbers, so every number in it is an example to replace (see the
how-to "Change the scoring policy").

>>> from powerretail.quantities import Energy
>>> usage = UsageYear(year=2024, monthly_kwh=[Energy(4000)] * 12)
>>> decision = classify_large_customer(usage, SEED_LARGE_CUSTOMER)
>>> decision.outcome, decision.threshold
(True, 'average monthly consumption >= 4000 kWh')
>>> print(decision.reason)
average 4000.00 kWh/month over 12 months of 2024 is at or above 4000 kWh
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any, Final, Generic, TypeVar

import attrs

from powerretail.customers.parties import Customer, LoadImportance, Sector, VoltageLevel
from powerretail.errors import InvalidInput
from powerretail.ids import CustomerId
from powerretail.quantities import MONEY_CONTEXT, ApparentPower, Energy, Money, exact_decimal
from powerretail.timeframe import StartDated, as_date, latest_in_force

__all__ = [
    "ILLUSTRATIVE_SCORING",
    "SEED_IMPORTANT_CUSTOMERS",
    "SEED_LARGE_CUSTOMER",
    "Band",
    "CategoryRule",
    "ClassCriterion",
    "Decision",
    "Factor",
    "FactorRule",
    "GradeBand",
    "ImportantCategory",
    "ImportantCustomerPolicy",
    "KeyAccountClass",
    "KeyAccountGrade",
    "KeyAccountProfile",
    "LargeCustomerPolicy",
    "Scorecard",
    "ScoringPolicy",
    "UsageYear",
    "classify_important_customer",
    "classify_key_account",
    "classify_large_customer",
    "grade_key_account",
    "policy_in_force",
    "score_key_account",
]

T = TypeVar("T")

_CENT: Final = Decimal("0.01")


def _shown(value: Decimal) -> str:
    # Truncated, so a shown average never claims to reach a threshold the exact one misses.
    return str(value.quantize(_CENT, rounding=ROUND_DOWN))


def _pairs(value: Iterable[tuple[str, str]] | Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((str(k), str(v)) for k, v in items)


@attrs.frozen(kw_only=True)
class Decision(Generic[T]):
    """A tiering outcome and everything needed to explain it.

    ``inputs`` are (name, value) pairs as text, ``threshold`` what they were compared with,
    ``source`` the rule's origin (e.g. "供电所大客户维护与管理办法 第二条").
    """

    rule: str
    rule_set: str
    outcome: T
    inputs: tuple[tuple[str, str], ...] = attrs.field(converter=_pairs)
    threshold: str
    source: str
    reason: str

    def explain(self) -> str:
        """Return the decision as one line a person can read."""
        inputs = ", ".join(f"{k}={v}" for k, v in self.inputs)
        return (
            f"[{self.rule_set}/{self.rule}] {self.reason} (inputs: {inputs}; "
            f"threshold: {self.threshold}; source: {self.source})"
        )


P = TypeVar("P", bound=StartDated)


def policy_in_force(policies: Iterable[P], on: date) -> P:
    """Return the policy in force ``on``: the one with the latest ``effective_from`` not after it.

    >>> later = attrs.evolve(SEED_LARGE_CUSTOMER, key="2027", effective_from="2027-01-01")
    >>> policy_in_force([SEED_LARGE_CUSTOMER, later], date(2026, 12, 31)).key
    'SEED'

    Raises:
        NotFound: no policy is in force on that day.
        InvalidInput: two policies take effect on the same day.
    """
    return latest_in_force(policies, on, "policy")


# ---------------------------------------------------------------- large customer


def _energies(value: Iterable[Energy]) -> tuple[Energy, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class UsageYear:
    """A customer's metered consumption in ``year``, one :class:`Energy` per month supplied.

    A customer connected during the year has fewer than 12 months; the average is over the months
    supplied (a December connection at 5000 kWh is a large customer, not one at 417 kWh).
    """

    year: int
    monthly_kwh: tuple[Energy, ...] = attrs.field(converter=_energies)

    def __attrs_post_init__(self) -> None:
        if not 1 <= len(self.monthly_kwh) <= 12:
            raise InvalidInput(
                "usage.monthly_kwh", len(self.monthly_kwh), "between 1 and 12 monthly totals"
            )
        for month in self.monthly_kwh:
            if not isinstance(month, Energy) or month.kwh < 0:
                raise InvalidInput("usage.monthly_kwh", month, "an Energy of 0 kWh or more")

    @property
    def total(self) -> Energy:
        """The year's consumption [kWh]."""
        return sum(self.monthly_kwh, Energy(0))

    @property
    def average_kwh(self) -> Decimal:
        """The average monthly consumption [kWh/month], unrounded."""
        return MONEY_CONTEXT.divide(self.total.kwh, Decimal(len(self.monthly_kwh)))


def _date(value: object) -> date:
    return as_date(value, "effective_from")


@attrs.frozen(kw_only=True)
class LargeCustomerPolicy:
    """Who is a large customer (一般大客户): last year's average monthly kWh against a threshold.

    ``inclusive`` says whether the threshold itself counts: the seed writes 4000度以上, and in
    Chinese legal drafting 以上 includes the number itself (Civil Code Art. 1259), so the seed
    policy is inclusive.
    """

    key: str
    effective_from: date = attrs.field(converter=_date)
    threshold_kwh: Decimal = attrs.field(converter=exact_decimal)
    inclusive: bool = True
    source: str = ""


#: The seed's rule: last year's average monthly consumption of 4000 kWh or more.
SEED_LARGE_CUSTOMER: Final = LargeCustomerPolicy(
    key="SEED",
    effective_from="2000-01-01",
    threshold_kwh=4000,
    inclusive=True,
    source="供电所大客户维护与管理办法 第二条 (上一年度月均用电量4000度以上)",
)


def classify_large_customer(usage: UsageYear, policy: LargeCustomerPolicy) -> Decision[bool]:
    """Decide whether a customer with ``usage`` last year is a large customer.

    The comparison is exact: total ≥ threshold × months (or > when the policy is exclusive), so
    no rounding of the average can move a customer across the line.
    """
    months = len(usage.monthly_kwh)
    bar = policy.threshold_kwh * months
    total = usage.total.kwh
    is_large = total >= bar if policy.inclusive else total > bar
    op = ">=" if policy.inclusive else ">"
    side = ("at or above" if policy.inclusive else "above") if is_large else "below"
    if not is_large and not policy.inclusive and total == bar:
        side = "not above"
    return Decision(
        rule="large_customer",
        rule_set=policy.key,
        outcome=is_large,
        inputs={
            "year": str(usage.year),
            "months": str(months),
            "total_kwh": str(total),
            "average_kwh": _shown(usage.average_kwh),
        },
        threshold=f"average monthly consumption {op} {policy.threshold_kwh} kWh",
        source=policy.source,
        reason=(
            f"average {_shown(usage.average_kwh)} kWh/month over {months} months of "
            f"{usage.year} is {side} {policy.threshold_kwh} kWh"
        ),
    )


# ---------------------------------------------------------------- important customers


class ImportantCategory(enum.Enum):
    """An important-customer category (重要客户).

    Source: 供电公司重要客户管理制度 第五条.
    """

    KEY_INFRASTRUCTURE = "关键基础设施类"
    GOVERNMENT = "政府机关类"
    PUBLIC_SERVICE = "公共服务类"
    OTHER_SPECIAL = "其他特殊行业类"


@attrs.frozen
class CategoryRule:
    """Customers of ``sector`` are important customers of ``category``, per ``source``."""

    sector: Sector
    category: ImportantCategory
    source: str


def _category_rules(value: Iterable[CategoryRule]) -> tuple[CategoryRule, ...]:
    rules = tuple(value)
    sectors = [rule.sector for rule in rules]
    repeated = sorted({s.name for s in sectors if sectors.count(s) > 1})
    if repeated:
        raise InvalidInput("important.rules", repeated, "each sector at most once")
    return rules


@attrs.frozen(kw_only=True)
class ImportantCustomerPolicy:
    """Which sectors make a customer important, and in which category."""

    key: str
    rules: tuple[CategoryRule, ...] = attrs.field(converter=_category_rules)
    designated_source: str = ""

    def rule_for(self, sector: Sector) -> CategoryRule | None:
        """Return the rule for ``sector``, or None if the sector is not important by itself."""
        for rule in self.rules:
            if rule.sector == sector:
                return rule
        return None


_S1: Final = "供电所大客户维护与管理办法 第二条"
_S2: Final = "供电公司重要客户管理制度 第五条"

#: The seeds' important customers: 第二条 of the supply office rules lists government, military,
#: media, hospitals, schools, hotels and state-supported units; 第五条 of the important-customer
#: rules gives the four categories they fall into.
SEED_IMPORTANT_CUSTOMERS: Final = ImportantCustomerPolicy(
    key="SEED",
    rules=(
        CategoryRule(Sector.GOVERNMENT, ImportantCategory.GOVERNMENT, f"{_S1}; {_S2} 2"),
        CategoryRule(Sector.MILITARY, ImportantCategory.OTHER_SPECIAL, f"{_S1}; {_S2} 4"),
        CategoryRule(Sector.MEDIA, ImportantCategory.PUBLIC_SERVICE, f"{_S1}; {_S2} 3 (文化)"),
        CategoryRule(
            Sector.HOSPITAL, ImportantCategory.KEY_INFRASTRUCTURE, f"{_S1}; {_S2} 1 (医疗卫生)"
        ),
        CategoryRule(Sector.SCHOOL, ImportantCategory.PUBLIC_SERVICE, f"{_S1}; {_S2} 3 (教育)"),
        CategoryRule(Sector.HOTEL, ImportantCategory.OTHER_SPECIAL, f"{_S1}; {_S2} 4"),
        CategoryRule(Sector.STATE_SUPPORTED, ImportantCategory.OTHER_SPECIAL, f"{_S1}; {_S2} 4"),
        CategoryRule(Sector.ENERGY, ImportantCategory.KEY_INFRASTRUCTURE, f"{_S2} 1"),
        CategoryRule(Sector.TRANSPORT, ImportantCategory.KEY_INFRASTRUCTURE, f"{_S2} 1"),
        CategoryRule(Sector.TELECOM, ImportantCategory.KEY_INFRASTRUCTURE, f"{_S2} 1"),
        CategoryRule(Sector.WATER, ImportantCategory.KEY_INFRASTRUCTURE, f"{_S2} 1"),
        CategoryRule(Sector.ENVIRONMENT, ImportantCategory.KEY_INFRASTRUCTURE, f"{_S2} 1"),
        CategoryRule(Sector.CULTURE, ImportantCategory.PUBLIC_SERVICE, f"{_S2} 3"),
        CategoryRule(Sector.SPORTS, ImportantCategory.PUBLIC_SERVICE, f"{_S2} 3"),
        CategoryRule(Sector.SOCIAL_WELFARE, ImportantCategory.PUBLIC_SERVICE, f"{_S2} 3"),
    ),
    designated_source="供电公司重要客户管理制度 第五条 4, 第六条 (认定 by the company)",
)


def classify_important_customer(
    customer: Customer, policy: ImportantCustomerPolicy
) -> Decision[ImportantCategory | None]:
    """Decide whether ``customer`` is an important customer, and of which category.

    A sector the policy lists decides; otherwise a customer the company has designated important
    is "other special"; otherwise the customer is not an important customer.
    """
    inputs = {"sector": customer.sector.value, "designated": str(customer.designated_important)}
    rule = policy.rule_for(customer.sector)
    if rule is not None:
        return Decision(
            rule="important_customer",
            rule_set=policy.key,
            outcome=rule.category,
            inputs=inputs,
            threshold=f"sector {customer.sector.value} is listed",
            source=rule.source,
            reason=f"{customer.sector.value} customers are {rule.category.value} important "
            "customers",
        )
    if customer.designated_important:
        return Decision(
            rule="important_customer",
            rule_set=policy.key,
            outcome=ImportantCategory.OTHER_SPECIAL,
            inputs=inputs,
            threshold="designated by the company",
            source=policy.designated_source,
            reason="designated important by the company",
        )
    return Decision(
        rule="important_customer",
        rule_set=policy.key,
        outcome=None,
        inputs=inputs,
        threshold=f"sector {customer.sector.value} is not listed and not designated",
        source=_S1,
        reason=f"{customer.sector.value} is not an important-customer sector",
    )


# ---------------------------------------------------------------- key accounts


class Factor(enum.Enum):
    """An attribute that drives key-account class and grade.

    Source: 苏州供电公司大客户管理 5.主要控制点 (属性数据: 客户优先级、电量贡献、销售收益、
    供电电压等级、受电容量、负荷等级、信用状况).
    """

    PRIORITY = "客户优先级"
    ENERGY_CONTRIBUTION = "电量贡献"
    SALES_REVENUE = "销售收益"
    SUPPLY_VOLTAGE = "供电电压等级"
    RECEIVING_CAPACITY = "受电容量"
    LOAD_LEVEL = "负荷等级"
    CREDIT = "信用状况"


class KeyAccountClass(enum.Enum):
    """A key-account class. Source: 电力公司大客户管理制度 第八条."""

    KEY = "重点客户"
    STRATEGIC = "战略客户"
    PARTNER = "合作伙伴"


class KeyAccountGrade(enum.Enum):
    """A key-account grade; FIRST is the highest. Source: 电力公司大客户管理制度 第九条."""

    FIRST = "一级客户"
    SECOND = "二级客户"
    THIRD = "三级客户"


def _priority(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise InvalidInput("profile.priority", value, "a whole number from 1 (lowest) to 5")
    return value


def _credit(value: object) -> Decimal:
    score = exact_decimal(value, "profile.credit_score")
    if not Decimal(0) <= score <= Decimal(100):
        raise InvalidInput("profile.credit_score", value, "a score from 0 to 100")
    return score


@attrs.frozen(kw_only=True)
class KeyAccountProfile:
    """The attribute data of a customer that scoring looks at.

    ``priority`` 1–5 (5 highest) is management's judgement; ``annual_energy`` [kWh] and
    ``annual_revenue`` [元] are last year's; ``supply_voltage`` and ``receiving_capacity`` [kVA]
    are the largest over the customer's service points; ``load_level`` the most critical one;
    ``credit_score`` 0–100; ``relationship_years`` how long the customer has been with us.
    """

    customer_id: CustomerId
    priority: int = attrs.field(converter=_priority)
    annual_energy: Energy
    annual_revenue: Money
    supply_voltage: VoltageLevel
    receiving_capacity: ApparentPower
    load_level: LoadImportance
    credit_score: Decimal = attrs.field(converter=_credit)
    relationship_years: int = 0

    def measure(self, factor: Factor) -> Decimal:
        """Return the number scoring reads for ``factor`` (load level as rank 3/2/1)."""
        measures: dict[Factor, Decimal] = {
            Factor.PRIORITY: Decimal(self.priority),
            Factor.ENERGY_CONTRIBUTION: self.annual_energy.kwh,
            Factor.SALES_REVENUE: self.annual_revenue.amount,
            Factor.SUPPLY_VOLTAGE: self.supply_voltage.kv,
            Factor.RECEIVING_CAPACITY: self.receiving_capacity.kva,
            Factor.LOAD_LEVEL: Decimal(self.load_level.rank),
            Factor.CREDIT: self.credit_score,
        }
        return measures[factor]


def _optional_decimal(value: object) -> Decimal | None:
    return None if value is None else exact_decimal(value, "band.upper")


def _decimal(value: object) -> Decimal:
    return exact_decimal(value, "band")


@attrs.frozen
class Band:
    """A measure in ``[lower, upper)`` earns ``points`` (0–100); ``upper=None``: no upper end."""

    lower: Decimal = attrs.field(converter=_decimal)
    upper: Decimal | None = attrs.field(converter=_optional_decimal)
    points: Decimal = attrs.field(converter=_decimal)

    def __attrs_post_init__(self) -> None:
        if self.upper is not None and self.upper <= self.lower:
            raise InvalidInput("band.upper", self.upper, f"a bound above {self.lower}")
        if not Decimal(0) <= self.points <= Decimal(100):
            raise InvalidInput("band.points", self.points, "points from 0 to 100")

    def __contains__(self, measure: object) -> bool:
        if not isinstance(measure, Decimal):
            return False
        return self.lower <= measure and (self.upper is None or measure < self.upper)

    def __str__(self) -> str:
        upper = "∞" if self.upper is None else str(self.upper)
        return f"[{self.lower}, {upper}) → {self.points}"


def _bands(value: Iterable[Band]) -> tuple[Band, ...]:
    bands = tuple(sorted(value, key=lambda b: b.lower))
    for below, above in itertools.pairwise(bands):
        if below.upper is None or below.upper > above.lower:
            raise InvalidInput("factor.bands", str(above), f"a band not overlapping {below}")
    return bands


def _weight(value: object) -> Decimal:
    weight = exact_decimal(value, "factor.weight")
    if weight < 0:
        raise InvalidInput("factor.weight", value, "a weight of 0 or more")
    return weight


@attrs.frozen
class FactorRule:
    """How one factor scores: its ``weight`` and the ``bands`` its measure falls into."""

    factor: Factor
    weight: Decimal = attrs.field(converter=_weight)
    bands: tuple[Band, ...] = attrs.field(converter=_bands)

    def points(self, measure: Decimal) -> tuple[Decimal, Band | None]:
        """Return the points ``measure`` earns and the band it fell in (0 and None: no band)."""
        for band in self.bands:
            if measure in band:
                return band.points, band
        return Decimal(0), None


@attrs.frozen
class GradeBand:
    """A total score of at least ``min_score`` earns ``grade``."""

    grade: KeyAccountGrade
    min_score: Decimal = attrs.field(converter=_decimal)


def _min_points(
    value: Iterable[tuple[Factor, Decimal | int | str]] | Mapping[Factor, Decimal | int | str],
) -> tuple[tuple[Factor, Decimal], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(
        sorted(((f, exact_decimal(p, "min_points")) for f, p in items), key=lambda x: x[0].name)
    )


@attrs.frozen(kw_only=True)
class ClassCriterion:
    """A key account is of ``account_class`` when each listed factor earned at least its points
    and the relationship is at least ``min_relationship_years`` old."""

    account_class: KeyAccountClass
    min_points: tuple[tuple[Factor, Decimal], ...] = attrs.field(
        factory=tuple, converter=_min_points
    )
    min_relationship_years: int = 0

    def describe(self) -> str:
        """Return the criterion as text."""
        parts = [f"{f.value} points >= {p}" for f, p in self.min_points]
        if self.min_relationship_years:
            parts.append(f"relationship >= {self.min_relationship_years} years")
        return " and ".join(parts) or "any key account"


def _factor_rules(value: Iterable[FactorRule]) -> tuple[FactorRule, ...]:
    return tuple(value)


def _grade_bands(value: Iterable[GradeBand]) -> tuple[GradeBand, ...]:
    return tuple(sorted(value, key=lambda g: g.min_score, reverse=True))


def _criteria(value: Iterable[ClassCriterion]) -> tuple[ClassCriterion, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class ScoringPolicy:
    """A configurable key-account scoring policy: weights and bands, grade cut-offs, class rules.

    The total score is the weighted mean of the factors' points (0–100). Grades are checked from
    the highest cut-off down; a score below every cut-off means "not a key account". Class
    criteria are checked in order and the first one met decides.
    """

    key: str
    effective_from: date = attrs.field(converter=_date)
    factors: tuple[FactorRule, ...] = attrs.field(converter=_factor_rules)
    grades: tuple[GradeBand, ...] = attrs.field(converter=_grade_bands)
    classes: tuple[ClassCriterion, ...] = attrs.field(converter=_criteria)
    source: str = ""

    def __attrs_post_init__(self) -> None:
        named = [rule.factor for rule in self.factors]
        if sorted(f.name for f in named) != sorted(f.name for f in Factor):
            raise InvalidInput(
                "scoring.factors", [f.name for f in named], "each of the seven factors once"
            )
        total_weight = sum((rule.weight for rule in self.factors), Decimal(0))
        if total_weight <= 0:
            raise InvalidInput("scoring.factors", total_weight, "weights adding up to more than 0")
        if not self.grades:
            raise InvalidInput("scoring.grades", (), "at least one grade cut-off")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ScoringPolicy:
        """Return the policy described by plain data (as read from a TOML or JSON file).

        The shape is ``{"key", "effective_from", "source"?, "factors": {FACTOR: {"weight",
        "bands": [[lower, upper|null, points], ...]}}, "grades": {GRADE: min_score},
        "classes": [{"class": CLASS, "min_points": {FACTOR: points},
        "min_relationship_years": n}]}`` with enum names (``PRIORITY``, ``FIRST``, ``STRATEGIC``).

        Raises:
            InvalidInput: a missing key, an unknown name or a bad number, with its path.
        """
        try:
            factors = tuple(
                FactorRule(
                    Factor[name],
                    spec["weight"],
                    tuple(Band(*band) for band in spec["bands"]),
                )
                for name, spec in data["factors"].items()
            )
            grades = tuple(
                GradeBand(KeyAccountGrade[name], cut) for name, cut in data["grades"].items()
            )
            classes = tuple(
                ClassCriterion(
                    account_class=KeyAccountClass[spec["class"]],
                    min_points={Factor[f]: p for f, p in spec.get("min_points", {}).items()},
                    min_relationship_years=int(spec.get("min_relationship_years", 0)),
                )
                for spec in data["classes"]
            )
            return cls(
                key=data["key"],
                effective_from=data["effective_from"],
                factors=factors,
                grades=grades,
                classes=classes,
                source=data.get("source", ""),
            )
        except KeyError as err:
            raise InvalidInput("scoring", str(err.args[0]), "a known key or name") from None
        except (TypeError, AttributeError) as err:
            raise InvalidInput("scoring", str(err), "the documented shape") from None

    def rule_for(self, factor: Factor) -> FactorRule:
        """Return the rule of ``factor``."""
        return next(rule for rule in self.factors if rule.factor == factor)


@attrs.frozen(kw_only=True)
class Scorecard:
    """The points of each factor, the band each measure fell in, and the weighted total."""

    points: tuple[tuple[Factor, Decimal], ...]
    bands: tuple[tuple[Factor, str], ...]
    total: Decimal

    def points_of(self, factor: Factor) -> Decimal:
        """Return the points ``factor`` earned."""
        return dict(self.points)[factor]


def score_key_account(profile: KeyAccountProfile, policy: ScoringPolicy) -> Scorecard:
    """Return the scorecard of ``profile`` under ``policy`` (total rounded half-up to 0.01)."""
    points: list[tuple[Factor, Decimal]] = []
    bands: list[tuple[Factor, str]] = []
    weighted = Decimal(0)
    for rule in policy.factors:
        earned, band = rule.points(profile.measure(rule.factor))
        points.append((rule.factor, earned))
        bands.append((rule.factor, "no band" if band is None else str(band)))
        weighted += rule.weight * earned
    weights = sum((rule.weight for rule in policy.factors), Decimal(0))
    total = MONEY_CONTEXT.divide(weighted, weights).quantize(_CENT, rounding=ROUND_HALF_UP)
    return Scorecard(points=tuple(points), bands=tuple(bands), total=total)


def _scorecard_inputs(profile: KeyAccountProfile, card: Scorecard) -> dict[str, str]:
    inputs = {f.name.lower(): f"{profile.measure(f)} → {p}" for f, p in card.points}
    inputs["score"] = str(card.total)
    return inputs


def grade_key_account(
    profile: KeyAccountProfile, policy: ScoringPolicy
) -> Decision[KeyAccountGrade | None]:
    """Decide the key-account grade of ``profile``: the highest cut-off its score reaches.

    Source: 电力公司大客户管理制度 第九条 (grades), 大客户管理 5 (attributes); the numbers
    are the policy's.
    """
    card = score_key_account(profile, policy)
    cutoffs = ", ".join(f"{g.grade.value} >= {g.min_score}" for g in policy.grades)
    grade = next((g for g in policy.grades if card.total >= g.min_score), None)
    reason = (
        f"score {card.total} reaches {grade.grade.value} (>= {grade.min_score})"
        if grade is not None
        else f"score {card.total} is below every grade cut-off: not a key account"
    )
    return Decision(
        rule="key_account_grade",
        rule_set=policy.key,
        outcome=None if grade is None else grade.grade,
        inputs=_scorecard_inputs(profile, card),
        threshold=cutoffs,
        source=f"电力公司大客户管理制度 第九条; {policy.source}".rstrip("; "),
        reason=reason,
    )


def classify_key_account(
    profile: KeyAccountProfile, policy: ScoringPolicy
) -> Decision[KeyAccountClass | None]:
    """Decide the key-account class of ``profile``: the first class criterion it meets.

    A customer whose score earns no grade is not a key account and has no class.

    Source: 电力公司大客户管理制度 第八条 (classes); the criteria are the policy's.
    """
    card = score_key_account(profile, policy)
    inputs = _scorecard_inputs(profile, card)
    inputs["relationship_years"] = str(profile.relationship_years)
    criteria = "; ".join(f"{c.account_class.value}: {c.describe()}" for c in policy.classes)
    source = f"电力公司大客户管理制度 第八条; {policy.source}".rstrip("; ")
    if not any(card.total >= g.min_score for g in policy.grades):
        return Decision(
            rule="key_account_class",
            rule_set=policy.key,
            outcome=None,
            inputs=inputs,
            threshold=criteria,
            source=source,
            reason=f"score {card.total} earns no grade: not a key account",
        )
    for criterion in policy.classes:
        met = all(card.points_of(f) >= p for f, p in criterion.min_points) and (
            profile.relationship_years >= criterion.min_relationship_years
        )
        if met:
            return Decision(
                rule="key_account_class",
                rule_set=policy.key,
                outcome=criterion.account_class,
                inputs=inputs,
                threshold=criteria,
                source=source,
                reason=f"meets {criterion.account_class.value}: {criterion.describe()}",
            )
    return Decision(
        rule="key_account_class",
        rule_set=policy.key,
        outcome=None,
        inputs=inputs,
        threshold=criteria,
        source=source,
        reason="meets no class criterion",
    )


def _band(lower: int | str, upper: int | str | None, points: int) -> Band:
    return Band(lower, upper, points)


#: An example scoring policy over the seven factors the seed names. The seed gives no numbers:
#: every weight, band and cut-off here is illustrative.
ILLUSTRATIVE_SCORING: Final = ScoringPolicy(
    key="ILLUSTRATIVE-2026",
    effective_from="2026-01-01",
    source="illustrative numbers (the seed names the factors, not the numbers)",
    factors=(
        FactorRule(
            Factor.PRIORITY,
            20,
            (
                _band(1, 2, 20),
                _band(2, 3, 40),
                _band(3, 4, 60),
                _band(4, 5, 80),
                _band(5, None, 100),
            ),
        ),
        FactorRule(
            Factor.ENERGY_CONTRIBUTION,
            25,
            (
                _band(0, 48_000, 0),
                _band(48_000, 480_000, 40),
                _band(480_000, 1_000_000, 60),
                _band(1_000_000, 10_000_000, 80),
                _band(10_000_000, None, 100),
            ),
        ),
        FactorRule(
            Factor.SALES_REVENUE,
            20,
            (
                _band(0, 30_000, 0),
                _band(30_000, 300_000, 40),
                _band(300_000, 1_000_000, 60),
                _band(1_000_000, 5_000_000, 80),
                _band(5_000_000, None, 100),
            ),
        ),
        FactorRule(
            Factor.SUPPLY_VOLTAGE,
            10,
            (_band(0, 10, 20), _band(10, 35, 60), _band(35, 110, 80), _band(110, None, 100)),
        ),
        FactorRule(
            Factor.RECEIVING_CAPACITY,
            10,
            (
                _band(0, 100, 0),
                _band(100, 630, 40),
                _band(630, 3150, 60),
                _band(3150, 10_000, 80),
                _band(10_000, None, 100),
            ),
        ),
        FactorRule(Factor.LOAD_LEVEL, 10, (_band(1, 2, 20), _band(2, 3, 60), _band(3, None, 100))),
        FactorRule(
            Factor.CREDIT,
            5,
            (_band(0, 60, 0), _band(60, 75, 50), _band(75, 90, 80), _band(90, None, 100)),
        ),
    ),
    grades=(
        GradeBand(KeyAccountGrade.FIRST, 80),
        GradeBand(KeyAccountGrade.SECOND, 60),
        GradeBand(KeyAccountGrade.THIRD, 40),
    ),
    classes=(
        ClassCriterion(
            account_class=KeyAccountClass.STRATEGIC,
            min_points={Factor.PRIORITY: 80, Factor.ENERGY_CONTRIBUTION: 80},
        ),
        ClassCriterion(account_class=KeyAccountClass.PARTNER, min_relationship_years=5),
        ClassCriterion(account_class=KeyAccountClass.KEY),
    ),
)
