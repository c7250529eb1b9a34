"""Routing a case to its owner by the customer's attributes, as policy data.

The customer service centre does the basic work for every customer; the important work of a key
account (connections, complaints, repairs, reports, meter tests) goes to its key-account manager,
chosen by region, industry and grade (:func:`~powerretail.customers.managers.assign_manager`:
first-grade accounts to a company-level manager, the others to a regional one). Which kinds go to
the manager is data (:class:`RoutingPolicy`); a key account no manager covers stays with the
centre, and the routing says why.

>>> from powerretail.customers.parties import Customer, KeyAccountManager, ManagerLevel, Sector
>>> from powerretail.customers.tiering import KeyAccountGrade
>>> from powerretail.service.kinds import CaseKind
>>> mill = Customer(id="C-1", name="Silk Mill", sector=Sector.INDUSTRY, industry="textiles",
...                 region="gusu")
>>> zhou = KeyAccountManager(id="m-1", name="Zhou", level=ManagerLevel.REGIONAL, regions={"gusu"})
>>> route(CaseKind.COMPLAINT, mill, KeyAccountGrade.SECOND, [zhou], SEED_ROUTING).owner
'm-1'
>>> route(CaseKind.CONSULTATION, mill, KeyAccountGrade.SECOND, [zhou], SEED_ROUTING).owner
'service-centre'

Source: 苏州供电公司大客户管理 5.主要控制点 and 流程说明 1.3-1.6.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

import attrs

from powerretail.customers.managers import (
    SEED_ASSIGNMENT,
    AssignmentPolicy,
    NoManagerAvailable,
    assign_manager,
)
from powerretail.customers.parties import Customer, KeyAccountManager, ManagerLevel
from powerretail.customers.tiering import KeyAccountGrade
from powerretail.service.kinds import CaseKind

__all__ = ["SEED_ROUTING", "Routing", "RoutingPolicy", "route"]

_SOURCE: Final = "苏州供电公司大客户管理 5.主要控制点; 流程说明 1.3-1.6"

#: The role names a routed owner holds (those of :data:`~powerretail.access.SEED_POLICY`).
_ROLES: Final = {
    ManagerLevel.REGIONAL: "regional_key_account_manager",
    ManagerLevel.COMPANY: "company_key_account_manager",
}


def _kinds(value: Iterable[CaseKind]) -> frozenset[CaseKind]:
    return frozenset(value)


@attrs.frozen(kw_only=True)
class RoutingPolicy:
    """Which kinds of a key account's cases go to its manager; the rest to the centre."""

    key: str
    manager_kinds: frozenset[CaseKind] = attrs.field(converter=_kinds)
    centre: str = "service-centre"
    centre_role: str = "customer_service"
    assignment: AssignmentPolicy = SEED_ASSIGNMENT
    source: str = ""


#: The seeds' routing: 业扩, complaints, repairs (and reports, meter tests) to the manager.
SEED_ROUTING: Final = RoutingPolicy(
    key="SEED",
    manager_kinds={
        CaseKind.CONNECTION,
        CaseKind.COMPLAINT,
        CaseKind.REPAIR,
        CaseKind.REPORT,
        CaseKind.METER_TEST,
    },
    source=_SOURCE,
)


@attrs.frozen
class Routing:
    """Where a case goes: ``owner`` in ``role``, and why (with the rule's source)."""

    owner: str
    role: str
    reason: str
    source: str


def route(
    kind: CaseKind,
    customer: Customer,
    grade: KeyAccountGrade | None,
    managers: Sequence[KeyAccountManager],
    policy: RoutingPolicy,
) -> Routing:
    """Decide who owns a ``kind`` case of ``customer`` (``grade`` None: not a key account)."""
    if grade is None:
        return Routing(policy.centre, policy.centre_role, "not a key account", policy.source)
    if kind not in policy.manager_kinds:
        return Routing(
            policy.centre,
            policy.centre_role,
            f"{kind.value} is basic work the centre does for key accounts too",
            policy.source,
        )
    try:
        decision = assign_manager(customer, grade, managers, policy.assignment)
    except NoManagerAvailable as none:
        return Routing(
            policy.centre, policy.centre_role, f"kept by the centre: {none}", policy.source
        )
    level = policy.assignment.level_for(grade)
    return Routing(str(decision.outcome), _ROLES[level], decision.reason, decision.source)
