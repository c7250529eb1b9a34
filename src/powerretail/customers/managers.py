"""Assigning a key-account manager (大客户经理) by region, industry and grade.

The seed divides managers by the customer's region, attributes and importance: regional managers
look after the key accounts of their region and industry (苏州供电公司大客户管理 流程说明 4.1), the
company-level managers after the most important ones (同上 1.5: 苏州公司大客户经理负责实施对于关键
大客户的重要服务工作). :class:`AssignmentPolicy` says which grades go to the company level.

Among the managers who fit, a specialist in the customer's industry comes before a generalist,
then the one with fewer accounts, then the smaller id, so the choice never depends on list order.

>>> from powerretail.customers.parties import ManagerLevel, Sector
>>> from powerretail.customers.tiering import KeyAccountGrade
>>> managers = [
...     KeyAccountManager(id="m-1", name="Zhou", level=ManagerLevel.REGIONAL, regions={"gusu"}),
...     KeyAccountManager(id="m-2", name="Wu", level=ManagerLevel.REGIONAL, regions={"gusu"},
...                       industries={"textiles"}),
... ]
>>> customer = Customer(id="C-1", name="Silk Mill", sector=Sector.INDUSTRY,
...                     industry="textiles", region="gusu")
>>> assign_manager(customer, KeyAccountGrade.SECOND, managers, SEED_ASSIGNMENT).outcome
'm-2'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

import attrs

from powerretail.customers.parties import Customer, KeyAccountManager, ManagerLevel
from powerretail.customers.tiering import Decision, KeyAccountGrade
from powerretail.errors import RuleViolation, describe_value
from powerretail.ids import ManagerId

__all__ = ["SEED_ASSIGNMENT", "AssignmentPolicy", "NoManagerAvailable", "assign_manager"]


def _grades(value: Iterable[KeyAccountGrade]) -> frozenset[KeyAccountGrade]:
    return frozenset(value)


@attrs.frozen(kw_only=True)
class AssignmentPolicy:
    """Which grades a company-level manager looks after; the rest go to regional managers."""

    key: str
    company_level_grades: frozenset[KeyAccountGrade] = attrs.field(converter=_grades)
    source: str = ""

    def level_for(self, grade: KeyAccountGrade) -> ManagerLevel:
        """Return the manager level that looks after ``grade``."""
        if grade in self.company_level_grades:
            return ManagerLevel.COMPANY
        return ManagerLevel.REGIONAL


#: First-grade key accounts to company-level managers, the others to regional managers.
SEED_ASSIGNMENT: Final = AssignmentPolicy(
    key="SEED",
    company_level_grades={KeyAccountGrade.FIRST},
    source="苏州供电公司大客户管理 4.主要前提和假设; 流程说明 1.4–1.6, 4.1",
)


class NoManagerAvailable(RuleViolation):
    """No manager of the needed level covers the customer's region and industry."""

    def __init__(self, customer: Customer, level: ManagerLevel) -> None:
        self.customer_id = customer.id
        self.level = level
        self.region = customer.region
        self.industry = customer.industry
        super().__init__(customer.id, level, customer.region, customer.industry)

    def __str__(self) -> str:
        return (
            f"customer {describe_value(self.customer_id)}: no {self.level.value} covers region "
            f"{describe_value(self.region)} and industry {describe_value(self.industry)}"
        )


def assign_manager(
    customer: Customer,
    grade: KeyAccountGrade,
    managers: Sequence[KeyAccountManager],
    policy: AssignmentPolicy,
) -> Decision[ManagerId]:
    """Decide which manager looks after ``customer``, a key account of ``grade``.

    Raises:
        NoManagerAvailable: no manager of the needed level covers the region and industry.
    """
    level = policy.level_for(grade)
    fitting = [
        m
        for m in managers
        if m.level == level
        and (level == ManagerLevel.COMPANY or m.covers_region(customer.region))
        and m.covers_industry(customer.industry)
    ]
    if not fitting:
        raise NoManagerAvailable(customer, level)
    chosen = min(fitting, key=lambda m: (not m.industries, m.accounts, m.id))
    specialist = "industry specialist" if chosen.industries else "covers every industry"
    return Decision(
        rule="manager_assignment",
        rule_set=policy.key,
        outcome=chosen.id,
        inputs={
            "grade": grade.value,
            "region": customer.region,
            "industry": customer.industry,
            "candidates": ",".join(sorted(m.id for m in fitting)),
        },
        threshold=f"{grade.value} → {level.value}",
        source=policy.source,
        reason=f"{chosen.name} ({chosen.id}) is a {level.value} for {customer.region}, "
        f"{specialist}, with {chosen.accounts} accounts",
    )
