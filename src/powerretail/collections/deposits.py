"""Deposits (电费保证金): held where a rule set or contract allows one, applied, moved, refunded.

Whether a deposit may be asked for is data. The 1996 《供电营业规则》 let a supplier take an
electricity-charge deposit (电费保证金); the 2024 revision (in force from 2024-06-01) removed it,
together with other planned-economy items, and recast supplier and user as equal contracting
parties. So under :data:`GYGZ2024` a deposit is held only where the supply contract agrees one
(its clause is named as the basis), and otherwise refused naming the rule
(:class:`DepositRefused`).

>>> from datetime import date
>>> deposit_basis(date(2024, 5, 31), contract_clause=None)
'《供电营业规则》(1996, 电力工业部令第8号): 电费保证金'
>>> deposit_basis(date(2024, 6, 1), contract_clause=None)
Traceback (most recent call last):
...
powerretail.collections.deposits.DepositRefused: no deposit may be held on 2024-06-01: \
《供电营业规则》(2024 revision, in force 2024-06-01) removed the electricity-charge deposit \
(电费保证金), and no contract clause agrees one
>>> deposit_basis(date(2025, 1, 2), contract_clause="供用电合同 第12条")
'supply contract: 供用电合同 第12条'

A held deposit moves by :class:`DepositMovement` records: held; applied to the final bill when
the customer moves out; transferred to the new contract when move-out and move-in happen together
(客户的保证金将被转移到新的契约中而不是退款和重新给付 — 苏州供电公司客户迁出
5.主要控制点); refunded.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date
from typing import Final

import attrs

from powerretail.errors import InvalidInput, NotFound, RuleViolation
from powerretail.quantities import Money
from powerretail.timeframe import as_date

__all__ = [
    "DEPOSIT_RULE_SETS",
    "GYGZ1996",
    "GYGZ2024",
    "MOVE_SOURCE",
    "DepositMovement",
    "DepositRefused",
    "DepositRules",
    "MovementKind",
    "deposit_basis",
    "deposit_rules_on",
]

#: The seed's move-out control point on deposits.
MOVE_SOURCE: Final = "苏州供电公司客户迁出 5.主要控制点 (保证金转移到新的契约中)"


@attrs.frozen(kw_only=True)
class DepositRules:
    """Whether a rule set lets the supplier hold an electricity-charge deposit.

    ``in_force_from`` / ``in_force_until`` (included) say when the set applies.
    """

    key: str
    title: str
    allows_deposit: bool
    in_force_from: date | None = None
    in_force_until: date | None = None
    source: str

    def in_force_on(self, day: date) -> bool:
        """Return whether this set applies on ``day``."""
        return (self.in_force_from is None or self.in_force_from <= day) and (
            self.in_force_until is None or day <= self.in_force_until
        )


GYGZ1996: Final = DepositRules(
    key="GYGZ1996",
    title="《供电营业规则》(1996, 电力工业部令第8号)",
    allows_deposit=True,
    in_force_until=date(2024, 5, 31),
    source="《供电营业规则》(1996, 电力工业部令第8号): 电费保证金",
)
GYGZ2024: Final = DepositRules(
    key="GYGZ2024",
    title="《供电营业规则》(2024 revision, in force 2024-06-01)",
    allows_deposit=False,
    in_force_from=date(2024, 6, 1),
    source="《供电营业规则》(2024 revision, in force 2024-06-01) removed the electricity-charge "
    "deposit (电费保证金)",
)

#: The deposit rule sets by key.
DEPOSIT_RULE_SETS: Final[Mapping[str, DepositRules]] = {r.key: r for r in (GYGZ1996, GYGZ2024)}


def deposit_rules_on(day: date) -> DepositRules:
    """Return the deposit rule set in force on ``day``.

    Raises:
        NotFound: no set is in force on ``day``.
    """
    on = as_date(day, "day")
    for rules in DEPOSIT_RULE_SETS.values():
        if rules.in_force_on(on):
            return rules
    raise NotFound("deposit rule set in force on", on.isoformat())  # pragma: no cover - total


class DepositRefused(RuleViolation):
    """No deposit may be held on ``day``: the rule set in force does not allow one."""

    def __init__(self, day: date, rules: DepositRules) -> None:
        self.day = day
        self.rules = rules
        super().__init__(day, rules.key)

    def __str__(self) -> str:
        return (
            f"no deposit may be held on {self.day}: {self.rules.source}, and no contract clause "
            "agrees one"
        )


def deposit_basis(
    day: date, *, contract_clause: str | None, rules: DepositRules | None = None
) -> str:
    """Return what allows a deposit on ``day``: the rule set's source or the contract clause.

    Raises:
        DepositRefused: the rule set does not allow a deposit and no contract clause agrees one.
    """
    on = as_date(day, "day")
    chosen = rules or deposit_rules_on(on)
    if chosen.allows_deposit:
        return chosen.source
    if contract_clause is not None and contract_clause.strip():
        return f"supply contract: {contract_clause.strip()}"
    raise DepositRefused(on, chosen)


class MovementKind(enum.Enum):
    """What happened to a deposit."""

    HELD = "held"
    APPLIED = "applied"
    TRANSFERRED_OUT = "transferred_out"
    TRANSFERRED_IN = "transferred_in"
    REFUNDED = "refunded"


def _positive(_instance: object, attribute: attrs.Attribute[Money], value: Money) -> None:
    if not isinstance(value, Money) or value.amount <= 0:
        raise InvalidInput(attribute.name, value, "Money above zero")


@attrs.frozen(kw_only=True)
class DepositMovement:
    """One movement of an account's deposit: ``kind`` of ``amount`` on ``on``, and why."""

    movement_id: str
    account_id: str
    kind: MovementKind
    amount: Money = attrs.field(validator=_positive)
    on: date
    basis: str
    detail: str = ""
