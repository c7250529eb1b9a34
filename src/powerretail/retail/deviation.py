"""Deviation assessment (偏差考核): the fee for using more or less than the contracted energy.

A :class:`DeviationRule` is named data: a free band on each side (over-use and under-use, as a
share of contract energy), the monthly price each side is settled at and its multiplier. With
``W_c`` the contract energy and ``W_a`` the actual energy of the month:

* penalised energy = ``max(0, |W_a − W_c| − band × W_c)`` (the part outside the band);
* fee = penalised energy × price × multiplier, rounded once.

The fee is zero inside the band and grows from zero at its edge, so it is continuous there (a
property test checks it). The provincial examples are rule sets of their own
(:data:`DEVIATION_RULE_SETS`), each with its source and the status ``time-bound``: every number
belongs to one province and one period, and spot markets replaced monthly bands by settling
deviations at day-ahead and real-time prices. :func:`generic_rule` builds the generic rule with
any bands. Whether a retailer passes the fee on to a retail user is a term of the user's contract
(:attr:`~powerretail.contracts.terms.PriceTerms.deviation_fee_passed_on`).

>>> fee = assess_deviation(
...     DEVIATION_RULE_SETS["GD-2017"], contract_kwh=Decimal("1000000"),
...     actual_kwh=Decimal("950000"), prices={"clearing_spread": Decimal("0.05")})
>>> fee.side.value, fee.penalised_kwh, str(fee.amount)
('under', Decimal('30000.00'), '4500.00 CNY')
>>> print(fee.explanation)
GD-2017: actual 950000 kWh vs contract 1000000 kWh: under by 50000 kWh, free band 2 % = 20000.00 \
kWh; penalised 30000.00 kWh × clearing_spread 0.05 × 3 = 4500.00 元
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Final

import attrs

from powerretail.errors import InvalidInput, RuleViolation, describe_value
from powerretail.quantities import Money, Rounding, exact_decimal

__all__ = [
    "DEVIATION_RULE_SETS",
    "DeviationFee",
    "DeviationPriceMissing",
    "DeviationRule",
    "DeviationSide",
    "RuleStatus",
    "Side",
    "assess_deviation",
    "generic_rule",
]

_ZERO: Final = Decimal(0)
_HUNDRED: Final = Decimal(100)


class RuleStatus(enum.Enum):
    """How far a rule set holds: one province and period (``time-bound``), or generic."""

    TIME_BOUND = "time-bound"
    GENERIC = "generic"


class Side(enum.Enum):
    """Which way the month deviated."""

    OVER = "over"
    UNDER = "under"
    NONE = "none"


def _band(value: object) -> Decimal:
    band = exact_decimal(value, "free_band")
    if not _ZERO <= band < 1:
        raise InvalidInput("free_band", value, "a share of contract energy from 0 to below 1")
    return band


def _multiplier(value: object) -> Decimal:
    number = exact_decimal(value, "multiplier")
    if number < 0:
        raise InvalidInput("multiplier", value, "a multiplier of zero or more")
    return number


def _optional_multiplier(value: object) -> Decimal | None:
    return None if value is None else _multiplier(value)


def _names(value: str | Iterable[str]) -> tuple[str, ...]:
    names = (value,) if isinstance(value, str) else tuple(value)
    if not names or not all(isinstance(n, str) and n.strip() for n in names):
        raise InvalidInput("prices", value, "one or more names of monthly prices")
    return names


@attrs.frozen(kw_only=True)
class DeviationSide:
    """One side of a rule: its free band, the price(s) it is settled at and the multiplier.

    With several ``prices`` the highest of them applies. ``fallback_price`` (× its own
    multiplier) applies when none of ``prices`` is published for the month.
    """

    free_band: Decimal = attrs.field(converter=_band)
    prices: tuple[str, ...] = attrs.field(converter=_names)
    multiplier: Decimal = attrs.field(default=Decimal(1), converter=_multiplier)
    fallback_price: str | None = None
    fallback_multiplier: Decimal | None = attrs.field(default=None, converter=_optional_multiplier)

    def __attrs_post_init__(self) -> None:
        if (self.fallback_price is None) != (self.fallback_multiplier is None):
            raise InvalidInput(
                "fallback_multiplier",
                self.fallback_multiplier,
                "a fallback price and its multiplier together",
            )


@attrs.frozen(kw_only=True)
class DeviationRule:
    """A named deviation rule set: each side's band, price and multiplier, and its source."""

    code: str
    name_en: str
    source: str
    status: RuleStatus
    over: DeviationSide
    under: DeviationSide
    note: str = ""


class DeviationPriceMissing(RuleViolation):
    """The month's ``price`` that rule ``rule`` settles ``side`` deviations at is not given."""

    def __init__(self, rule: str, side: Side, price: str) -> None:
        self.rule = rule
        self.side = side
        self.price = price
        super().__init__(rule, side, price)

    def __str__(self) -> str:
        return (
            f"deviation rule {describe_value(self.rule)} settles {self.side.value}-use at the "
            f"month's {self.price}, which was not given"
        )


@attrs.frozen(kw_only=True)
class DeviationFee:
    """The assessment of one month: how far it deviated, what was penalised and the fee."""

    rule: str
    contract_kwh: Decimal
    actual_kwh: Decimal
    side: Side
    penalised_kwh: Decimal
    price_name: str
    yuan_per_kwh: Decimal
    multiplier: Decimal
    exact_amount: Decimal
    amount: Money
    explanation: str


def _percent(share: Decimal) -> str:
    return f"{(share * _HUNDRED).normalize():f} %"


def _price(
    rule: DeviationRule, side: Side, spec: DeviationSide, prices: Mapping[str, Decimal]
) -> tuple[str, Decimal, Decimal]:
    given = [(prices[name], name) for name in spec.prices if name in prices]
    if given:
        value, name = max(given)
        return name, value, spec.multiplier
    if spec.fallback_price is not None and spec.fallback_price in prices:
        assert spec.fallback_multiplier is not None
        return spec.fallback_price, prices[spec.fallback_price], spec.fallback_multiplier
    raise DeviationPriceMissing(rule.code, side, spec.prices[0])


def assess_deviation(
    rule: DeviationRule,
    *,
    contract_kwh: Decimal,
    actual_kwh: Decimal,
    prices: Mapping[str, Decimal],
    rounding: Rounding | None = None,
) -> DeviationFee:
    """Return the deviation fee of a month under ``rule``.

    ``prices`` holds the month's prices [元/kWh] by the names the rule uses
    (``clearing_spread``, ``clearing_price``, ``up_regulation`` …); only the side that deviated
    needs its price.

    Raises:
        InvalidInput: negative energy.
        DeviationPriceMissing: the deviated side's price is not in ``prices``.
    """
    contract = exact_decimal(contract_kwh, "contract_kwh")
    actual = exact_decimal(actual_kwh, "actual_kwh")
    for name, value in (("contract_kwh", contract), ("actual_kwh", actual)):
        if value < 0:
            raise InvalidInput(name, str(value), "energy of zero or more [kWh]")
    money = rounding or Rounding()
    gap = actual - contract
    head = f"{rule.code}: actual {actual} kWh vs contract {contract} kWh"
    if gap == 0:
        return DeviationFee(
            rule=rule.code,
            contract_kwh=contract,
            actual_kwh=actual,
            side=Side.NONE,
            penalised_kwh=_ZERO,
            price_name="",
            yuan_per_kwh=_ZERO,
            multiplier=_ZERO,
            exact_amount=_ZERO,
            amount=money.to_money(_ZERO),
            explanation=f"{head}: no deviation",
        )
    side = Side.OVER if gap > 0 else Side.UNDER
    spec = rule.over if side is Side.OVER else rule.under
    free = spec.free_band * contract
    penalised = max(_ZERO, abs(gap) - free)
    text = (
        f"{head}: {side.value} by {abs(gap)} kWh, free band {_percent(spec.free_band)} = {free} kWh"
    )
    if penalised == 0:
        return DeviationFee(
            rule=rule.code,
            contract_kwh=contract,
            actual_kwh=actual,
            side=side,
            penalised_kwh=_ZERO,
            price_name="",
            yuan_per_kwh=_ZERO,
            multiplier=_ZERO,
            exact_amount=_ZERO,
            amount=money.to_money(_ZERO),
            explanation=f"{text}: within the band, no fee",
        )
    name, price, multiplier = _price(rule, side, spec, prices)
    exact = penalised * price * multiplier
    amount = money.to_money(exact)
    return DeviationFee(
        rule=rule.code,
        contract_kwh=contract,
        actual_kwh=actual,
        side=side,
        penalised_kwh=penalised,
        price_name=name,
        yuan_per_kwh=price,
        multiplier=multiplier,
        exact_amount=exact,
        amount=amount,
        explanation=(
            f"{text}; penalised {penalised} kWh × {name} {price} × {multiplier.normalize():f} = "
            f"{amount.amount} 元"
        ),
    )


def generic_rule(
    code: str,
    *,
    free_band_over: Decimal | str,
    free_band_under: Decimal | str,
    price_over: str = "deviation_price",
    price_under: str = "deviation_price",
    multiplier_over: Decimal | str = "1",
    multiplier_under: Decimal | str = "1",
    source: str = "generic deviation rule: the province sets the bands and prices",
) -> DeviationRule:
    """Return the generic rule: bands, prices and multipliers per side as given.

    >>> generic_rule("G-5", free_band_over="0.05", free_band_under="0.05").over.free_band
    Decimal('0.05')
    """
    return DeviationRule(
        code=code,
        name_en=f"generic deviation rule {code}",
        source=source,
        status=RuleStatus.GENERIC,
        over=DeviationSide(free_band=free_band_over, prices=price_over, multiplier=multiplier_over),
        under=DeviationSide(
            free_band=free_band_under, prices=price_under, multiplier=multiplier_under
        ),
    )


#: The provincial examples (each time-bound) and the generic ±3 % rule, by code.
DEVIATION_RULE_SETS: Final[Mapping[str, DeviationRule]] = {
    "GD-2017": DeviationRule(
        code="GD-2017",
        name_en="Guangdong 2017: ±2 %, over-use ×1 and under-use ×3 the monthly clearing spread",
        source="广东电力市场 2017 年交易规则: free band ±2 % of contract energy; the ×1 / ×3 "
        "settlement at the absolute monthly clearing spread is from a description that appears "
        "to be of the same market (region not stated)",
        status=RuleStatus.TIME_BOUND,
        over=DeviationSide(free_band="0.02", prices="clearing_spread", multiplier="1"),
        under=DeviationSide(free_band="0.02", prices="clearing_spread", multiplier="3"),
        note="settlement attribution uncertain",
    ),
    "FJ-2021-DRAFT": DeviationRule(
        code="FJ-2021-DRAFT",
        name_en="Fujian 2021 draft: ±3 %, deviation energy × monthly clearing price × 5 %",
        source="福建省电力中长期交易规则 2021 年征求意见稿: ±3 %, deviation energy × monthly "
        "clearing price × 5 %",
        status=RuleStatus.TIME_BOUND,
        over=DeviationSide(free_band="0.03", prices="clearing_price", multiplier="0.05"),
        under=DeviationSide(free_band="0.03", prices="clearing_price", multiplier="0.05"),
        note="a draft; the band is for coal-fired generators, the negative side for others",
    ),
    "SC-2018": DeviationRule(
        code="SC-2018",
        name_en="Sichuan 2018: +8 % / −4 %; over-use at the higher of up-regulation price and "
        "monthly cap, under-use at the down-regulation price, else 10 % of the contract price",
        source="四川省 2018 年电力市场化交易指导意见: users and retailers +8 % / −4 %",
        status=RuleStatus.TIME_BOUND,
        over=DeviationSide(
            free_band="0.08", prices=("up_regulation", "monthly_cap"), multiplier="1"
        ),
        under=DeviationSide(
            free_band="0.04",
            prices="down_regulation",
            multiplier="1",
            fallback_price="contract_price_incl_td",
            fallback_multiplier="0.1",
        ),
    ),
    "GENERIC-3": generic_rule(
        "GENERIC-3",
        free_band_over="0.03",
        free_band_under="0.03",
        source="generic rule: provinces set the bands (national medium/long-term trading "
        "rules, 2020); ±3 % here, ±5 % and ±10 % are also seen",
    ),
}
