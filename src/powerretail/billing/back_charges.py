"""Back-charges and refunds (退补电费): meter errors, breach of use (违约用电) and theft (窃电).

Each calculator returns a :class:`BackChargeDocument` of :class:`BackChargeLine` s, with the fields
a bill line has (code, description in Chinese and English, quantity, unit, rate, amount, rule
source). Each line is ``quantity × rate`` rounded once, half-up to the fen; the document's total is
the exact sum of its lines. **Sign convention**: a positive amount is owed by the customer, a
negative amount is refunded to the customer (a meter that ran fast gives negative lines).

Prices are inputs: pass the per-kWh prices of the period being corrected (energy, transmission,
funds… one :class:`EnergyCharge` each), or the capacity/demand price for basic-charge items.
Rules are effective-dated data (:data:`GYGZ1996`, :data:`GYGZ2024`) chosen by the day the case was
found or corrected.

>>> from datetime import date
>>> doc = theft_back_charge(
...     discovered_on=date(2023, 8, 1),
...     capacity=capacity_by_rated_current(voltage_v="220", rated_current_a="10"),
...     load_kind=LoadKind.LIGHTING,
...     price=EnergyPrice("0.5283"),
... )
>>> [str(line.amount) for line in doc.lines], str(doc.total)
(['1255.24 CNY', '3765.72 CNY'], '5020.96 CNY')

Source: 《供电营业规则》(1996, 电力工业部令第8号) 第80–81条 (meter errors), 第100条 (breach of
use), 第101–103条 (theft); the 2024 revision's articles are not verified
(docs/explanation/sources.md).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Final, Literal

import attrs
from dateutil.relativedelta import relativedelta

from powerretail.billing.breach import MonthCount, UnknownDuration, months_used, unknown_start
from powerretail.errors import InvalidInput, RuleViolation
from powerretail.quantities import (
    MONEY_CONTEXT,
    ApparentPower,
    CapacityPrice,
    DemandPrice,
    Energy,
    EnergyPrice,
    Money,
    Power,
    Rounding,
    exact_decimal,
    sum_money,
)
from powerretail.timeframe import DateRange, as_date, in_force_on

__all__ = [
    "ENERGY_STEP",
    "GYGZ1996",
    "GYGZ2024",
    "RULE_SETS",
    "BackChargeDocument",
    "BackChargeKind",
    "BackChargeLine",
    "BackChargeRuleSet",
    "BackPeriodMethod",
    "BreachItemNotInForce",
    "EnergyCharge",
    "LoadKind",
    "Status",
    "back_period",
    "breach_category_misuse",
    "breach_extra_capacity",
    "breach_meter_interference",
    "breach_over_quota",
    "breach_suspended_equipment",
    "breach_unauthorised_source",
    "capacity_by_rated_current",
    "meter_error_refund",
    "multiplier_error_correction",
    "select_rule_set",
    "theft_back_charge",
    "voltage_drop_correction",
    "wiring_error_correction",
]

#: How well a number is established (the status marks of docs/explanation/sources.md).
Status = Literal["confirmed", "one_source", "uncertain"]

#: Corrected energy is rounded to this step [kWh] before it is priced (a quantity rounding point).
ENERGY_STEP: Final = Decimal("0.01")


class BackChargeKind(enum.Enum):
    """What a back-charge document corrects or charges."""

    METER_ERROR = "meter_error"
    BREACH_OF_USE = "breach_of_use"
    THEFT = "theft"


class LoadKind(enum.Enum):
    """How a load is used, for the hours-per-day estimates: power (动力) or lighting (照明)."""

    POWER = "power"
    LIGHTING = "lighting"


@attrs.frozen(kw_only=True)
class BackChargeLine:
    """One explained line: ``quantity`` [``unit``] × ``rate`` = ``amount`` (rounded once).

    Positive amounts are owed by the customer; negative amounts are refunded.
    """

    code: str
    description_zh: str
    description_en: str
    quantity: Decimal
    unit: str
    rate: Decimal
    amount: Money
    rule_source: str
    status: Status = "confirmed"
    #: The rule in Chinese (文号, article, what it says); empty: ``rule_source``.
    rule_source_zh: str = ""

    @classmethod
    def priced(
        cls,
        *,
        code: str,
        description_zh: str,
        description_en: str,
        quantity: Decimal,
        unit: str,
        rate: Decimal,
        rule_source: str,
        status: Status = "confirmed",
        rounding: Rounding | None = None,
        currency: str = "CNY",
        rule_source_zh: str = "",
    ) -> BackChargeLine:
        """Return the line whose amount is ``quantity × rate`` rounded once (half-up, fen)."""
        amount = (rounding or Rounding()).to_money(MONEY_CONTEXT.multiply(quantity, rate), currency)
        return cls(
            code=code,
            description_zh=description_zh,
            description_en=description_en,
            quantity=quantity,
            unit=unit,
            rate=rate,
            amount=amount,
            rule_source=rule_source,
            status=status,
            rule_source_zh=rule_source_zh,
        )

    def rule_text(self, language: str) -> str:
        """Return the rule of the line in ``"zh"`` (when it has one) or in ``"en"``."""
        return (self.rule_source_zh or self.rule_source) if language == "zh" else self.rule_source

    def as_dict(self) -> dict[str, object]:
        """Return the line as plain data (for JSON): numbers and money as strings."""
        return {
            "code": self.code,
            "description_zh": self.description_zh,
            "description_en": self.description_en,
            "quantity": str(self.quantity),
            "unit": self.unit,
            "rate": str(self.rate),
            "amount": str(self.amount.amount),
            "rule_source": self.rule_source,
            "rule_source_zh": self.rule_source_zh,
            "status": self.status,
        }

    def explain(self) -> str:
        """Return the line as text: code, descriptions, the product and its source."""
        flag = "" if self.status == "confirmed" else f" [{self.status}]"
        return (
            f"{self.code} {self.description_zh} / {self.description_en}: "
            f"{self.quantity} {self.unit} × {self.rate} = {self.amount.amount} "
            f"({self.rule_source}){flag}"
        )


@attrs.frozen(kw_only=True)
class BackChargeDocument:
    """A back-charge or refund document: its lines, the rule set used and the facts it rests on."""

    kind: BackChargeKind
    rule_set: str
    lines: tuple[BackChargeLine, ...]
    facts: tuple[str, ...] = ()
    energy: Energy | None = None
    currency: str = "CNY"

    @property
    def total(self) -> Money:
        """The exact sum of the lines (positive: owed by the customer; negative: refunded)."""
        return sum_money((line.amount for line in self.lines), self.currency)

    def as_dict(self) -> dict[str, object]:
        """Return the document as plain data (for JSON): numbers and money as strings."""
        return {
            "kind": self.kind.value,
            "rule_set": self.rule_set,
            "facts": list(self.facts),
            "energy_kwh": None if self.energy is None else str(self.energy.kwh),
            "lines": [line.as_dict() for line in self.lines],
            "total": str(self.total.amount),
            "currency": self.currency,
        }

    def explain(self) -> str:
        """Return a readable breakdown: the facts, one row per line, the total."""
        rows = [f"{self.kind.value} ({self.rule_set})"]
        rows += [f"  fact: {fact}" for fact in self.facts]
        rows += [f"  {line.explain()}" for line in self.lines]
        rows.append(f"  total 合计: {self.total}")
        return "\n".join(rows)


class BreachItemNotInForce(RuleViolation):
    """A breach-of-use item that the rule set in force does not have (e.g. quotas after 2024)."""

    def __init__(self, item: str, rule_set: str) -> None:
        self.item = item
        self.rule_set = rule_set
        super().__init__(item, rule_set)

    def __str__(self) -> str:
        return f"breach-of-use item {self.item} is not in {self.rule_set}"


#: What each article applied says, in Chinese (《供电营业规则》 1996), as a clerk reads it.
_ARTICLES_ZH: Final[dict[str, str]] = {
    "第80条第1项": (
        "电能表或互感器误差超出允许范围时，以“0”误差为基准，按验证后的误差值退补电量；"
        "退补时间从上次校验或换装后投入之日起至误差更正之日止的二分之一时间计算"
    ),
    "第80条第2项": (
        "连接线的电压降超出允许范围时，以允许电压降为基准，按验证后实际值与允许值之差补收电量；"
        "补收时间从连接线投入或负荷增加之日起至电压降更正之日止"
    ),
    "第81条第1项": (
        "计费计量装置接线错误的，以其实际记录的电量为基数，按正确与错误接线的差额率退补电量；"
        "退补时间从上次校验或换装投入之日起至接线错误更正之日止"
    ),
    "第81条第3项": (
        "计算电量的倍率与实际不符的，以实际倍率为基准，按正确与错误倍率的差值退补电量；"
        "退补时间以抄表记录为准确定"
    ),
    "第100条第1项": (
        "擅自改变用电类别的，按实际使用日期补交其差额电费，并承担二倍差额电费的违约使用电费；"
        "使用起讫日期难以确定的，实际使用时间按三个月计算"
    ),
    "第100条第2项": (
        "私自超过合同约定的容量用电的，两部制电价用户补交私增设备容量使用月数的基本电费，"
        "并承担三倍私增容量基本电费的违约使用电费；其他用户承担私增容量每千瓦（千伏安）"
        "五十元的违约使用电费"
    ),
    "第100条第3项": (
        "擅自超过计划分配的用电指标的，承担高峰超用电力每次每千瓦一元"
        "和超用电量与现行电价电费五倍的违约使用电费"
    ),
    "第100条第4项": (
        "擅自使用已办理暂停手续或已封存的电力设备的，两部制电价用户补交该设备容量和使用月数的"
        "基本电费，并承担二倍补交基本电费的违约使用电费；其他用户承担该设备容量每次每千瓦"
        "（千伏安）三十元的违约使用电费"
    ),
    "第100条第5项": (
        "私自迁移、更动或擅自操作供电企业的用电计量装置、电力负荷管理装置等的，居民用户承担"
        "每次五百元、其他用户承担每次五千元的违约使用电费"
    ),
    "第100条 (unauthorised source; item and amount not verified)": (
        "擅自引入电源，项目与金额未核实；未经供电企业同意，擅自引入（供出）电源或将备用电源私自并网的，承担该电源容量"
        "每千瓦（千伏安）五百元的违约使用电费"
    ),
    "第102–103条": (
        "窃电者按所窃电量补交电费；窃电时间无法查明时，窃电日数至少以一百八十天计算，"
        "每日窃电时间电力用户按十二小时、照明用户按六小时计算"
    ),
    "第102条": "窃电者除补交电费外，承担补交电费三倍的违约使用电费",
}
#: The theft liability of a rule set whose contract sets the multiple (GYGZ2024, not verified).
_THEFT_BY_CONTRACT_ZH: Final = "窃电者除补交电费外，按合同约定的倍数（至多三倍）承担违约使用电费"


@attrs.frozen
class _Rule:
    """A rule text in English and in Chinese, as a line carries them."""

    en: str
    zh: str

    def priced_by(self, en: str, zh: str) -> _Rule:
        """Return the rule followed by where its price comes from."""
        return _Rule(f"{self.en}; price: {en}", f"{self.zh}；电价：{zh}")


def _decimal(value: object) -> Decimal:
    return exact_decimal(value, "rule_set")


def _optional_decimal(value: object) -> Decimal | None:
    return None if value is None else exact_decimal(value, "rule_set")


@attrs.frozen(kw_only=True)
class BackChargeRuleSet:
    """The numbers of one instrument for meter errors, breach of use and theft.

    ``theft_multiple`` is the fixed liquidated multiple (3 under GYGZ1996) or ``None`` when the
    contract sets it, up to ``theft_multiple_max`` (GYGZ2024, uncertain).
    """

    key: str
    #: The instrument as printed on documents (title, 文号); the key when empty.
    title: str = ""
    effective: DateRange
    articles_verified: bool
    meter_error_back_fraction: Decimal = attrs.field(converter=_decimal)
    category_misuse_multiple: Decimal = attrs.field(converter=_decimal)
    category_misuse_unknown_months: int
    power_hours_per_day: Decimal = attrs.field(converter=_decimal)
    lighting_hours_per_day: Decimal = attrs.field(converter=_decimal)
    extra_capacity_multiple: Decimal = attrs.field(converter=_decimal)
    extra_capacity_single_part_per_kw: Decimal = attrs.field(converter=_decimal)
    quota_in_force: bool
    quota_per_kw_each_time: Decimal = attrs.field(converter=_decimal)
    quota_energy_multiple: Decimal = attrs.field(converter=_decimal)
    suspended_multiple: Decimal = attrs.field(converter=_decimal)
    suspended_per_kw_each_time: Decimal = attrs.field(converter=_decimal)
    interference_residential_each_time: Decimal = attrs.field(converter=_decimal)
    interference_other_each_time: Decimal = attrs.field(converter=_decimal)
    unauthorised_source_per_kw: Decimal = attrs.field(converter=_decimal)
    unauthorised_source_status: Status
    theft_unknown_days: int
    theft_unknown_days_status: Status
    theft_multiple: Decimal | None = attrs.field(converter=_optional_decimal)
    theft_multiple_max: Decimal = attrs.field(converter=_decimal)
    theft_multiple_status: Status

    def cite(self, article_1996: str) -> str:
        """Return the source of a rule: the article, or its 1996 ancestor when not verified."""
        name = self.title or self.key
        if self.articles_verified:
            return f"{name} {article_1996}"
        return f"{name}, article not verified; as 1996 {article_1996}"

    def cite_zh(self, article_1996: str, rule_zh: str) -> str:
        """Return :meth:`cite` in Chinese, followed by ``rule_zh``, what the article says."""
        name = self.title or self.key
        if self.articles_verified:
            return f"{name} {article_1996}：{rule_zh}"
        return f"{name}（条款未核实，按1996年版{article_1996}）：{rule_zh}"

    def rule(self, article_1996: str, article_zh: str = "", rule_zh: str = "") -> _Rule:
        """Return the article cited in English and, with what it says, in Chinese."""
        return _Rule(
            self.cite(article_1996),
            self.cite_zh(article_zh or article_1996, rule_zh or _ARTICLES_ZH[article_1996]),
        )

    def hours_per_day(self, load_kind: LoadKind) -> Decimal:
        """Return the hours a day a load of ``load_kind`` is assumed to run [h]."""
        if load_kind is LoadKind.POWER:
            return self.power_hours_per_day
        return self.lighting_hours_per_day


#: 《供电营业规则》 1996, in force 1996-10-08 → 2024-05-31.
GYGZ1996: Final = BackChargeRuleSet(
    key="GYGZ1996",
    title="《供电营业规则》(1996, 电力工业部令第8号)",
    effective=DateRange(date(1996, 10, 8), date(2024, 6, 1)),
    articles_verified=True,
    meter_error_back_fraction="0.5",
    category_misuse_multiple=2,
    category_misuse_unknown_months=3,
    power_hours_per_day=12,
    lighting_hours_per_day=6,
    extra_capacity_multiple=3,
    extra_capacity_single_part_per_kw=50,
    quota_in_force=True,
    quota_per_kw_each_time=1,
    quota_energy_multiple=5,
    suspended_multiple=2,
    suspended_per_kw_each_time=30,
    interference_residential_each_time=500,
    interference_other_each_time=5000,
    unauthorised_source_per_kw=500,
    unauthorised_source_status="uncertain",
    theft_unknown_days=180,
    theft_unknown_days_status="confirmed",
    theft_multiple=3,
    theft_multiple_max=3,
    theft_multiple_status="confirmed",
)

#: 《供电营业规则》 2024 revision, from 2024-06-01: the 1996 numbers minus the quota item (removed
#: with the quota system); theft liability "up to 3×, per contract" and the 180-day default are
#: not verified (docs/explanation/sources.md).
GYGZ2024: Final = attrs.evolve(
    GYGZ1996,
    key="GYGZ2024",
    title="《供电营业规则》(2024)",
    effective=DateRange(date(2024, 6, 1), None),
    articles_verified=False,
    quota_in_force=False,
    theft_unknown_days_status="uncertain",
    theft_multiple=None,
    theft_multiple_status="uncertain",
)

#: The rule sets :func:`select_rule_set` chooses from, oldest first.
RULE_SETS: Final[tuple[BackChargeRuleSet, ...]] = (GYGZ1996, GYGZ2024)


def select_rule_set(
    on: date, rule_sets: Sequence[BackChargeRuleSet] = RULE_SETS
) -> BackChargeRuleSet:
    """Return the rule set in force on ``on`` (the day a case was found or a meter corrected).

    Raises:
        NotFound: no rule set is in force on that day.
    """
    return in_force_on(rule_sets, on, "back-charge rule set")


_INPUT_PRICES: Final = "prices of the corrected period (input)"
_INPUT_PRICES_ZH: Final = "退补期间的电价（输入）"


@attrs.frozen(kw_only=True)
class EnergyCharge:
    """A per-kWh price component used to value corrected energy [元/kWh]."""

    code: str
    description_zh: str
    description_en: str
    price: EnergyPrice
    source: str = _INPUT_PRICES
    #: ``source`` in Chinese; empty: ``source`` (or, for the default, its Chinese form).
    source_zh: str = ""

    @property
    def rule_text_zh(self) -> str:
        """Where the price comes from, in Chinese."""
        if self.source_zh:
            return self.source_zh
        return _INPUT_PRICES_ZH if self.source == _INPUT_PRICES else self.source


def _charges(price: EnergyPrice | Sequence[EnergyCharge]) -> tuple[EnergyCharge, ...]:
    if isinstance(price, EnergyPrice):
        return (
            EnergyCharge(
                code="energy",
                description_zh="电度电费",
                description_en="energy charge",
                price=price,
            ),
        )
    charges = tuple(price)
    if not charges or not all(isinstance(charge, EnergyCharge) for charge in charges):
        raise InvalidInput("charges", price, "an EnergyPrice or a non-empty list of EnergyCharge")
    return charges


def _round_energy(value: Decimal) -> Energy:
    return Energy(value.quantize(ENERGY_STEP, rounding=ROUND_HALF_UP, context=MONEY_CONTEXT))


def _energy_lines(
    energy: Energy, charges: tuple[EnergyCharge, ...], prefix: str, source: _Rule
) -> tuple[BackChargeLine, ...]:
    return tuple(
        BackChargeLine.priced(
            code=f"{prefix}.{charge.code}",
            description_zh=charge.description_zh,
            description_en=charge.description_en,
            quantity=energy.kwh,
            unit="kWh",
            rate=charge.price.yuan_per_kwh,
            rule_source=source.priced_by(charge.source, charge.rule_text_zh).en,
            rule_source_zh=source.priced_by(charge.source, charge.rule_text_zh).zh,
        )
        for charge in charges
    )


def _span(since: date, corrected_on: date) -> DateRange:
    start, end = as_date(since, "since"), as_date(corrected_on, "corrected_on")
    if end <= start:
        raise InvalidInput("corrected_on", end.isoformat(), f"a day after since ({start})")
    return DateRange(start, end)


def _rules_at_end(span: DateRange) -> BackChargeRuleSet:
    """Return the rule set in force on the day a back period ends (the day it was put right)."""
    assert span.end is not None  # back periods come from _span, which always closes them
    return select_rule_set(span.end)


class BackPeriodMethod(enum.Enum):
    """How "half the time since the last test" becomes energy (common practice, ``[uncertain]``).

    * ``HALF_TIME_ENERGY`` — half of the energy recorded over the whole time since the last test
      or installation (assumes even use; common practice).
    * ``LAST_HALF_PERIOD`` — all of the energy recorded over the later half of that time.
    """

    HALF_TIME_ENERGY = "half_time_energy"
    LAST_HALF_PERIOD = "last_half_period"


def back_period(since: date, corrected_on: date, method: BackPeriodMethod) -> DateRange:
    """Return the days whose recorded energy ``method`` uses.

    ``HALF_TIME_ENERGY`` uses the whole span; ``LAST_HALF_PERIOD`` its later half, which holds the
    middle day when the span has an odd number of days.

    >>> str(back_period(date(2024, 1, 1), date(2024, 7, 1), BackPeriodMethod.LAST_HALF_PERIOD))
    '[2024-04-01, 2024-07-01)'

    Raises:
        InvalidInput: ``corrected_on`` not after ``since``.
    """
    span = _span(since, corrected_on)
    if method is BackPeriodMethod.HALF_TIME_ENERGY:
        return span
    return DateRange(span.start + relativedelta(days=span.days // 2), span.end)


def _relative_error(value: object, field: str) -> Decimal:
    error = exact_decimal(value, field)
    if error <= -1:
        raise InvalidInput(field, value, "a relative error above -1 (e.g. 0.04 for +4 %)")
    return error


def meter_error_refund(
    *,
    relative_error: Decimal | str,
    recorded_energy: Energy,
    since: date,
    corrected_on: date,
    price: EnergyPrice | Sequence[EnergyCharge],
    method: BackPeriodMethod = BackPeriodMethod.HALF_TIME_ENERGY,
    rule_set: BackChargeRuleSet | None = None,
) -> BackChargeDocument:
    """Return the refund (meter fast) or back charge (meter slow) for an out-of-tolerance meter.

    The reference is zero error: ``W_true = W / (1 + e)``. With ``HALF_TIME_ENERGY``,
    ``recorded_energy`` is the energy recorded from ``since`` (last test or installation) to
    ``corrected_on`` and half of it is corrected; with ``LAST_HALF_PERIOD`` it is the energy
    recorded over :func:`back_period` and all of it is corrected. The corrected energy is rounded
    to 0.01 kWh, then priced.

    >>> doc = meter_error_refund(relative_error="0.04", recorded_energy=Energy("18200"),
    ...     since=date(2024, 1, 1), corrected_on=date(2024, 7, 1), price=EnergyPrice("0.5"))
    >>> doc.energy, doc.total
    (Energy(value=Decimal('-350.00')), Money(amount=Decimal('-175.00'), currency='CNY'))

    Raises:
        InvalidInput: an error of -100 % or below, or ``corrected_on`` not after ``since``.
        NotFound: no rule set in force on ``corrected_on``.

    Source: 《供电营业规则》(1996, 电力工业部令第8号) 第80条第1项.
    """
    error = _relative_error(relative_error, "relative_error")
    period = back_period(since, corrected_on, method)
    rules = rule_set or _rules_at_end(period)
    share = (
        rules.meter_error_back_fraction
        if method is BackPeriodMethod.HALF_TIME_ENERGY
        else Decimal(1)
    )
    refund = MONEY_CONTEXT.divide(
        MONEY_CONTEXT.multiply(MONEY_CONTEXT.multiply(recorded_energy.kwh, share), error),
        1 + error,
    )
    energy = _round_energy(-refund)
    source = rules.rule("第80条第1项")
    facts = (
        f"relative error {error} (positive: meter fast); zero-error reference",
        f"recorded {recorded_energy} over {period} ({method.value}, share {share})",
        (
            f"corrected energy {recorded_energy.kwh} × {share} × {error}/(1 + {error}) = "
            f"{refund} kWh to refund; signed quantity {energy}"
        ),
    )
    return _meter_error_document(rules, energy, price, "meter_error", source, facts)


def voltage_drop_correction(
    *,
    actual_error: Decimal | str,
    permitted_error: Decimal | str,
    recorded_energy: Energy,
    since: date,
    corrected_on: date,
    price: EnergyPrice | Sequence[EnergyCharge],
    rule_set: BackChargeRuleSet | None = None,
) -> BackChargeDocument:
    """Return the back charge for a secondary-lead voltage drop beyond the permitted drop.

    Errors are relative (a drop makes the meter slow: negative). The reference is the permitted
    drop and the whole span from ``since`` (lead commissioned or load increased) to
    ``corrected_on`` is corrected: ``ΔW = W × (permitted − actual) / (1 + actual)`` charged.

    Raises:
        InvalidInput: an error of -100 % or below, or ``corrected_on`` not after ``since``.
        NotFound: no rule set in force on ``corrected_on``.

    Source: 《供电营业规则》(1996, 电力工业部令第8号) 第80条第2项.
    """
    actual = _relative_error(actual_error, "actual_error")
    permitted = _relative_error(permitted_error, "permitted_error")
    span = _span(since, corrected_on)
    rules = rule_set or _rules_at_end(span)
    charged = MONEY_CONTEXT.divide(
        MONEY_CONTEXT.multiply(recorded_energy.kwh, permitted - actual), 1 + actual
    )
    energy = _round_energy(charged)
    source = rules.rule("第80条第2项")
    facts = (
        f"voltage-drop error {actual}, permitted {permitted}; full period {span}",
        f"{recorded_energy.kwh} × ({permitted} − {actual})/(1 + {actual}) = {charged} kWh",
    )
    return _meter_error_document(rules, energy, price, "voltage_drop", source, facts)


def wiring_error_correction(
    *,
    recorded_energy: Energy,
    k_correct: Decimal | str,
    since: date,
    corrected_on: date,
    price: EnergyPrice | Sequence[EnergyCharge],
    rule_set: BackChargeRuleSet | None = None,
) -> BackChargeDocument:
    """Return the correction for a wiring error over the whole span since the last test.

    ``k_correct = P_true / P_recorded``; ``ΔW = W_recorded × (k_correct − 1)`` is charged (a
    ``k_correct`` below 1 gives a refund).

    Raises:
        InvalidInput: ``k_correct`` not above zero, or ``corrected_on`` not after ``since``.
        NotFound: no rule set in force on ``corrected_on``.

    Source: 《供电营业规则》(1996, 电力工业部令第8号) 第81条第1项.
    """
    k = exact_decimal(k_correct, "k_correct")
    if k <= 0:
        raise InvalidInput("k_correct", k_correct, "a correction factor above zero")
    span = _span(since, corrected_on)
    rules = rule_set or _rules_at_end(span)
    energy = _round_energy(MONEY_CONTEXT.multiply(recorded_energy.kwh, k - 1))
    facts = (f"wiring error: {recorded_energy.kwh} × ({k} − 1) over the full period {span}",)
    return _meter_error_document(
        rules, energy, price, "wiring_error", rules.rule("第81条第1项"), facts
    )


def multiplier_error_correction(
    *,
    register_delta: Decimal | str,
    correct_multiplier: Decimal | str,
    used_multiplier: Decimal | str,
    corrected_on: date,
    price: EnergyPrice | Sequence[EnergyCharge],
    rule_set: BackChargeRuleSet | None = None,
) -> BackChargeDocument:
    """Return the correction for a wrong multiplier (倍率): ``Δreading × (M_correct − M_used)``.

    ``register_delta`` is the register advance over the periods billed with the wrong multiplier
    (from the reading records).

    Raises:
        InvalidInput: a negative register advance or a multiplier not above zero.
        NotFound: no rule set in force on ``corrected_on``.

    Source: 《供电营业规则》(1996, 电力工业部令第8号) 第81条第3项.
    """
    delta = exact_decimal(register_delta, "register_delta")
    if delta < 0:
        raise InvalidInput("register_delta", register_delta, "a register advance of zero or more")
    correct = exact_decimal(correct_multiplier, "correct_multiplier")
    used = exact_decimal(used_multiplier, "used_multiplier")
    for field, value in (("correct_multiplier", correct), ("used_multiplier", used)):
        if value <= 0:
            raise InvalidInput(field, value, "a multiplier above zero")
    rules = rule_set or select_rule_set(corrected_on)
    energy = _round_energy(MONEY_CONTEXT.multiply(delta, correct - used))
    facts = (f"multiplier error: {delta} × ({correct} − {used})",)
    return _meter_error_document(
        rules, energy, price, "multiplier_error", rules.rule("第81条第3项"), facts
    )


def _meter_error_document(  # noqa: PLR0917 - private, called with the same six facts each time
    rules: BackChargeRuleSet,
    energy: Energy,
    price: EnergyPrice | Sequence[EnergyCharge],
    code: str,
    source: _Rule,
    facts: tuple[str, ...],
) -> BackChargeDocument:
    """Return a meter-error correction: the corrected energy priced at each energy charge."""
    return BackChargeDocument(
        kind=BackChargeKind.METER_ERROR,
        rule_set=rules.key,
        lines=_energy_lines(energy, _charges(price), code, source),
        facts=facts,
        energy=energy,
    )


def _liquidated_line(
    base: BackChargeLine,
    multiple: Decimal,
    code: str,
    source: _Rule,
    status: Status = "confirmed",
    *,
    description_zh: str = "违约使用电费",
) -> BackChargeLine:
    return BackChargeLine.priced(
        code=code,
        description_zh=description_zh,
        description_en=f"liquidated charge, {multiple} × {base.code}",
        quantity=base.amount.amount,
        unit="元",
        rate=multiple,
        rule_source=source.en,
        status=status,
        rule_source_zh=source.zh,
    )


def _breach_document(
    rules: BackChargeRuleSet,
    lines: tuple[BackChargeLine, ...],
    *,
    facts: tuple[str, ...] = (),
    energy: Energy | None = None,
) -> BackChargeDocument:
    """Return a breach-of-use document of ``lines`` under ``rules``."""
    return BackChargeDocument(
        kind=BackChargeKind.BREACH_OF_USE,
        rule_set=rules.key,
        lines=lines,
        facts=facts,
        energy=energy,
    )


def _positive_count(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(field, value, "a whole number, at least 1")
    return value


def _kw(capacity: ApparentPower | Power, field: str) -> tuple[Decimal, str]:
    if isinstance(capacity, ApparentPower | Power) and capacity.value >= 0:
        return capacity.value, capacity.unit
    raise InvalidInput(field, capacity, "Power [kW] or ApparentPower [kVA] of zero or more")


def breach_category_misuse(
    *,
    discovered_on: date,
    price_difference: EnergyPrice,
    energy: Energy | None = None,
    capacity: ApparentPower | Power | None = None,
    load_kind: LoadKind | None = None,
    rule_set: BackChargeRuleSet | None = None,
    unknown_duration: UnknownDuration = UnknownDuration.THIRTY_DAY_MONTHS,
) -> BackChargeDocument:
    """Return the charges for using a higher-priced category on a lower-priced line (item 1).

    The back charge is the price difference × the energy used; when the energy is not known
    (``energy=None``) it is the ``capacity`` [kW or kVA as kW] × the hours a day for ``load_kind``
    × the days of the 3 months before ``discovered_on``: 3 × 30 = 90 days by default,
    ``unknown_duration=UnknownDuration.CALENDAR_MONTHS`` for calendar months. The liquidated
    charge is 2× the back charge.

    Raises:
        InvalidInput: neither ``energy`` nor both ``capacity`` and ``load_kind``.
        NotFound: no rule set in force on ``discovered_on``.

    Source: 《供电营业规则》(1996, 电力工业部令第8号) 第100条第1项.
    """
    rules = rule_set or select_rule_set(discovered_on)
    source = rules.rule("第100条第1项")
    facts: tuple[str, ...] = ()
    if energy is None:
        if capacity is None or load_kind is None:
            raise InvalidInput(
                "energy", None, "the energy used, or a capacity and a load kind to estimate it"
            )
        kw, unit = _kw(capacity, "capacity")
        unknown = rules.category_misuse_unknown_months
        since = unknown_start(discovered_on, unknown, unknown_duration)
        days = (discovered_on - since).days
        hours = rules.hours_per_day(load_kind)
        energy = Energy(MONEY_CONTEXT.multiply(MONEY_CONTEXT.multiply(kw, days), hours))
        facts = (
            (
                f"duration unknown: {unknown_duration.text(unknown)} "
                f"[{since}, {discovered_on}) = {days} d × {hours} h ({load_kind.value}) × "
                f"{kw} {unit} = {energy}"
            ),
        )
    back = BackChargeLine.priced(
        code="misuse.back_charge",
        description_zh="追补电价差额",
        description_en="back charge of the price difference",
        quantity=energy.kwh,
        unit="kWh",
        rate=price_difference.yuan_per_kwh,
        rule_source=f"{source.en}; price difference: input",
        rule_source_zh=f"{source.zh}；差额电价：输入",
    )
    liquidated = _liquidated_line(back, rules.category_misuse_multiple, "misuse.liquidated", source)
    return _breach_document(rules, (back, liquidated), facts=facts, energy=energy)


def _month_count(value: object) -> Fraction:
    if isinstance(value, Fraction) and value > 0:
        return value
    return Fraction(_positive_count(value, "months"))


def _basic_charge_line(
    code: str,
    capacity: ApparentPower | Power,
    price: CapacityPrice | DemandPrice | None,
    months: int | Fraction,
    source: _Rule,
) -> BackChargeLine:
    kw, unit = _kw(capacity, "capacity")
    count = _month_count(months)
    if isinstance(capacity, ApparentPower) and isinstance(price, CapacityPrice):
        rate = price.yuan_per_kva_month
    elif isinstance(capacity, Power) and isinstance(price, DemandPrice):
        rate = price.yuan_per_kw_month
    else:
        raise InvalidInput(
            "price", price, "a CapacityPrice for kVA or a DemandPrice for kW (two-part users)"
        )
    line = BackChargeLine.priced(
        code=code,
        description_zh="追补基本电费",
        description_en="back charge of the basic charge",
        quantity=MONEY_CONTEXT.multiply(kw, count.numerator),
        unit=f"{unit}·月",
        rate=rate,
        rule_source=source.priced_by("input", "输入").en,
        rule_source_zh=source.priced_by("input", "输入").zh,
    )
    if count.denominator == 1:
        return line
    # A part month: the amount of the exact kW·months, the quantity shown to 0.0001.
    exact = MONEY_CONTEXT.divide(kw * count.numerator * rate, Decimal(count.denominator))
    return attrs.evolve(
        line,
        quantity=MONEY_CONTEXT.divide(kw * count.numerator, Decimal(count.denominator)).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP
        ),
        amount=Rounding().to_money(exact),
    )


def _basic_back_charge_and_liquidated(  # noqa: PLR0917 - private; the facts of one breach
    code: str,
    capacity: ApparentPower | Power,
    price: CapacityPrice | DemandPrice | None,
    months: int | Fraction,
    multiple: Decimal,
    source: _Rule,
) -> tuple[BackChargeLine, ...]:
    """Return a two-part user's back charge of the basic charge and its liquidated multiple."""
    back = _basic_charge_line(f"{code}.back_charge", capacity, price, months, source)
    return (back, _liquidated_line(back, multiple, f"{code}.liquidated", source))


def _months_of_use(
    months: int | Fraction, used: DateRange | None, count: MonthCount
) -> tuple[int | Fraction, tuple[str, ...]]:
    """Return the months to charge and the fact that says how they were counted."""
    if used is None:
        return months, ()
    if months != 1:
        raise InvalidInput("months", months, "months or the period used, not both")
    counted = months_used(used, count)
    whole, rest = divmod(counted * 30, 30)
    shown = f"{whole} + {rest}/30" if rest else f"{whole}"
    return counted, (f"used {used}: {shown} months ({count.text})",)


def breach_extra_capacity(
    *,
    discovered_on: date,
    extra_capacity: ApparentPower | Power,
    two_part: bool,
    price: CapacityPrice | DemandPrice | None = None,
    months: int | Fraction = 1,
    rule_set: BackChargeRuleSet | None = None,
    used: DateRange | None = None,
    month_count: MonthCount = MonthCount.WHOLE_MONTHS_AND_DAYS,
) -> BackChargeDocument:
    """Return the charges for connecting capacity beyond the contract (私增容量, item 2).

    Two-part users: the basic charge on the extra capacity × the months used, plus 3× that as the
    liquidated charge. Single-part users: 50 yuan per kW (kVA) of extra capacity. Give the
    ``months`` (a whole number, or a ``Fraction``) or the period ``used``, counted by
    ``month_count`` (default: whole months, then 1/30 of a month a day); the document states it.

    Raises:
        InvalidInput: a two-part user without a matching price, or months below 1.
        NotFound: no rule set in force on ``discovered_on``.

    Source: 《供电营业规则》(1996, 电力工业部令第8号) 第100条第2项.
    """
    rules = rule_set or select_rule_set(discovered_on)
    source = rules.rule("第100条第2项")
    months, facts = _months_of_use(months, used, month_count)
    if two_part:
        lines = _basic_back_charge_and_liquidated(
            "extra_capacity", extra_capacity, price, months, rules.extra_capacity_multiple, source
        )
    else:
        kw, unit = _kw(extra_capacity, "extra_capacity")
        lines = (
            BackChargeLine.priced(
                code="extra_capacity.liquidated",
                description_zh="违约使用电费",
                description_en=f"liquidated charge per {unit} of extra capacity",
                quantity=kw,
                unit=unit,
                rate=rules.extra_capacity_single_part_per_kw,
                rule_source=source.en,
                rule_source_zh=source.zh,
            ),
        )
        facts = ()
    return _breach_document(rules, lines, facts=facts)


def breach_over_quota(
    *,
    discovered_on: date,
    excess_peak: Power,
    times: int,
    excess_energy_charge: Money,
    rule_set: BackChargeRuleSet | None = None,
) -> BackChargeDocument:
    """Return the charges for using more than the allocated quota (超计划指标, item 3).

    1 yuan per kW of peak over-use each time, and 5× the charge of the over-used energy.

    Raises:
        BreachItemNotInForce: the rule set has no quota item (GYGZ2024 removed it).
        InvalidInput: ``times`` below 1.
        NotFound: no rule set in force on ``discovered_on``.

    Source: 《供电营业规则》(1996, 电力工业部令第8号) 第100条第3项 (deleted in 2024).
    """
    rules = rule_set or select_rule_set(discovered_on)
    if not rules.quota_in_force:
        raise BreachItemNotInForce("3 (over quota)", rules.key)
    source = rules.rule("第100条第3项")
    kw, _ = _kw(excess_peak, "excess_peak")
    count = _positive_count(times, "times")
    lines = (
        BackChargeLine.priced(
            code="over_quota.peak",
            description_zh="超用电力违约使用电费",
            description_en="liquidated charge per kW of peak over-use, each time",
            quantity=MONEY_CONTEXT.multiply(kw, count),
            unit="kW·次",
            rate=rules.quota_per_kw_each_time,
            rule_source=source.en,
            rule_source_zh=source.zh,
        ),
        BackChargeLine.priced(
            code="over_quota.energy",
            description_zh="超用电量违约使用电费",
            description_en="liquidated charge on the over-used energy's charge",
            quantity=excess_energy_charge.amount,
            unit="元",
            rate=rules.quota_energy_multiple,
            rule_source=source.en,
            rule_source_zh=source.zh,
        ),
    )
    return _breach_document(rules, lines)


def breach_suspended_equipment(
    *,
    discovered_on: date,
    capacity: ApparentPower | Power,
    two_part: bool,
    price: CapacityPrice | DemandPrice | None = None,
    months: int | Fraction = 1,
    times: int = 1,
    rule_set: BackChargeRuleSet | None = None,
    used: DateRange | None = None,
    month_count: MonthCount = MonthCount.WHOLE_MONTHS_AND_DAYS,
) -> BackChargeDocument:
    """Return the charges for using suspended (暂停) or sealed equipment (item 4).

    Two-part users: the basic charge for that capacity × the months used, plus 2× that as the
    liquidated charge. Other users: 30 yuan per kW (kVA) each time. ``months``, ``used`` and
    ``month_count`` as for :func:`breach_extra_capacity`.

    Raises:
        InvalidInput: a two-part user without a matching price, or months/times below 1.
        NotFound: no rule set in force on ``discovered_on``.

    Source: 《供电营业规则》(1996, 电力工业部令第8号) 第100条第4项.
    """
    rules = rule_set or select_rule_set(discovered_on)
    source = rules.rule("第100条第4项")
    months, facts = _months_of_use(months, used, month_count)
    if two_part:
        lines = _basic_back_charge_and_liquidated(
            "suspended", capacity, price, months, rules.suspended_multiple, source
        )
    else:
        kw, unit = _kw(capacity, "capacity")
        count = _positive_count(times, "times")
        lines = (
            BackChargeLine.priced(
                code="suspended.liquidated",
                description_zh="违约使用电费",
                description_en=f"liquidated charge per {unit}, each time",
                quantity=MONEY_CONTEXT.multiply(kw, count),
                unit=f"{unit}·次",
                rate=rules.suspended_per_kw_each_time,
                rule_source=source.en,
                rule_source_zh=source.zh,
            ),
        )
        facts = ()
    return _breach_document(rules, lines, facts=facts)


def breach_meter_interference(
    *,
    discovered_on: date,
    residential: bool,
    times: int = 1,
    rule_set: BackChargeRuleSet | None = None,
) -> BackChargeDocument:
    """Return the charge for moving, altering or operating the supplier's meters (item 5).

    Residential users 500 yuan each time; other users 5000 yuan each time.

    Raises:
        InvalidInput: ``times`` below 1.
        NotFound: no rule set in force on ``discovered_on``.

    Source: 《供电营业规则》(1996, 电力工业部令第8号) 第100条第5项.
    """
    rules = rule_set or select_rule_set(discovered_on)
    rate = (
        rules.interference_residential_each_time
        if residential
        else rules.interference_other_each_time
    )
    line = BackChargeLine.priced(
        code="meter_interference.liquidated",
        description_zh="擅自迁移、更动或操作计量装置违约使用电费",
        description_en="liquidated charge for interfering with metering, each time",
        quantity=Decimal(_positive_count(times, "times")),
        unit="次",
        rate=rate,
        rule_source=rules.rule("第100条第5项").en,
        rule_source_zh=rules.rule("第100条第5项").zh,
    )
    return _breach_document(rules, (line,))


def breach_unauthorised_source(
    *,
    discovered_on: date,
    capacity: ApparentPower | Power,
    rule_set: BackChargeRuleSet | None = None,
) -> BackChargeDocument:
    """Return the charge for connecting another source without consent (item 6, uncertain).

    500 yuan per kW (kVA); the number is from memory only and the line is marked ``uncertain``.

    Raises:
        InvalidInput: a capacity that is not Power or ApparentPower.
        NotFound: no rule set in force on ``discovered_on``.

    Source: 《供电营业规则》(1996, 电力工业部令第8号) 第100条 (item and amount ``[uncertain]``).
    """
    rules = rule_set or select_rule_set(discovered_on)
    kw, unit = _kw(capacity, "capacity")
    unauthorised = rules.rule(
        "第100条 (unauthorised source; item and amount not verified)",
        "第100条",
    )
    line = BackChargeLine.priced(
        code="unauthorised_source.liquidated",
        description_zh="擅自引入、供出电源或并网违约使用电费",
        description_en=f"liquidated charge per {unit} for an unauthorised source",
        quantity=kw,
        unit=unit,
        rate=rules.unauthorised_source_per_kw,
        rule_source=unauthorised.en,
        rule_source_zh=unauthorised.zh,
        status=rules.unauthorised_source_status,
    )
    return _breach_document(rules, (line,))


def capacity_by_rated_current(
    *, voltage_v: Decimal | str, rated_current_a: Decimal | str, phases: int = 1
) -> Power:
    """Return the capacity implied by a meter's rated current [kW]: phases × V × A / 1000.

    ``voltage_v`` is the phase voltage (220 V for a single-phase meter).

    >>> capacity_by_rated_current(voltage_v="220", rated_current_a="10")
    Power(value=Decimal('2.2'))

    Raises:
        InvalidInput: a voltage or current below zero, or phases other than 1 or 3.

    Source: 《供电营业规则》(1996, 电力工业部令第8号) 第103条第2项 (three-phase as 3 × phase
    voltage × current is practice, ``[uncertain]``).
    """
    volts = exact_decimal(voltage_v, "voltage_v")
    amps = exact_decimal(rated_current_a, "rated_current_a")
    if volts < 0 or amps < 0:
        raise InvalidInput("voltage_v/rated_current_a", f"{volts}/{amps}", "values of zero or more")
    if phases not in (1, 3) or isinstance(phases, bool):
        raise InvalidInput("phases", phases, "1 or 3")
    watts = MONEY_CONTEXT.multiply(MONEY_CONTEXT.multiply(volts, amps), phases)
    return Power(MONEY_CONTEXT.divide(watts, 1000).normalize(MONEY_CONTEXT))


def theft_back_charge(
    *,
    discovered_on: date,
    capacity: ApparentPower | Power,
    price: EnergyPrice,
    hours: Decimal | str | None = None,
    load_kind: LoadKind | None = None,
    liquidated_multiple: Decimal | str | None = None,
    rule_set: BackChargeRuleSet | None = None,
) -> BackChargeDocument:
    """Return the back charge and liquidated charge for stolen energy.

    ``capacity`` is the connected equipment's capacity when the supply was tapped (kVA taken as
    kW), or :func:`capacity_by_rated_current` for other methods. ``hours`` is the known duration
    [h]; when it is unknown (``None``) the rule set's default days (180) × the hours a day for
    ``load_kind`` (power 12 h, lighting 6 h) are used. The liquidated charge is a multiple of the
    rounded back charge: 3× under GYGZ1996; under GYGZ2024 the contract's multiple, up to 3×,
    must be given.

    Raises:
        InvalidInput: no duration and no load kind; a multiple where the rule set fixes another,
            none where the contract must set it, or one above the rule set's maximum.
        NotFound: no rule set in force on ``discovered_on``.

    Source: 《供电营业规则》(1996, 电力工业部令第8号) 第101–103条.
    """
    rules = rule_set or select_rule_set(discovered_on)
    multiple = _theft_multiple(rules, liquidated_multiple)
    kw, unit = _kw(capacity, "capacity")
    if hours is None:
        if load_kind is None:
            raise InvalidInput("hours", None, "a known duration [h], or a load kind to estimate it")
        per_day = rules.hours_per_day(load_kind)
        duration = MONEY_CONTEXT.multiply(Decimal(rules.theft_unknown_days), per_day)
        how = (
            f"duration unknown: {rules.theft_unknown_days} d × {per_day} h ({load_kind.value}) "
            f"[{rules.theft_unknown_days_status}]"
        )
    else:
        duration = exact_decimal(hours, "hours")
        if duration < 0:
            raise InvalidInput("hours", hours, "a duration of zero hours or more")
        how = f"known duration {duration} h"
    energy = Energy(MONEY_CONTEXT.multiply(kw, duration))
    source = rules.rule("第102–103条")
    back = BackChargeLine.priced(
        code="theft.back_charge",
        description_zh="补交窃电电费",
        description_en="back charge of the stolen energy",
        quantity=energy.kwh,
        unit="kWh",
        rate=price.yuan_per_kwh,
        rule_source=source.priced_by("input", "输入").en,
        rule_source_zh=source.priced_by("input", "输入").zh,
    )
    liquidated = _liquidated_line(
        back,
        multiple,
        "theft.liquidated",
        rules.rule(
            "第102条",
            rule_zh="" if rules.theft_multiple is not None else _THEFT_BY_CONTRACT_ZH,
        ),
        rules.theft_multiple_status,
        description_zh="窃电违约使用电费",
    )
    facts = (f"capacity {kw} {unit} (kVA taken as kW); {how}; energy {energy}",)
    return BackChargeDocument(
        kind=BackChargeKind.THEFT,
        rule_set=rules.key,
        lines=(back, liquidated),
        facts=facts,
        energy=energy,
    )


def _theft_multiple(rules: BackChargeRuleSet, given: Decimal | str | None) -> Decimal:
    if rules.theft_multiple is not None:
        if (
            given is not None
            and exact_decimal(given, "liquidated_multiple") != rules.theft_multiple
        ):
            raise InvalidInput(
                "liquidated_multiple",
                given,
                f"{rules.theft_multiple} or nothing ({rules.key} fixes the multiple)",
            )
        return rules.theft_multiple
    if given is None:
        raise InvalidInput(
            "liquidated_multiple",
            None,
            f"the contract's multiple, up to {rules.theft_multiple_max} ({rules.key})",
        )
    multiple = exact_decimal(given, "liquidated_multiple")
    if not 0 <= multiple <= rules.theft_multiple_max:
        raise InvalidInput(
            "liquidated_multiple", given, f"a multiple from 0 to {rules.theft_multiple_max}"
        )
    return multiple
