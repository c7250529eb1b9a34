"""Who may do what: actors with roles, permissions with authority limits, and an audit record.

A sensitive operation asks :func:`authorize` first. Either the actor holds a role whose permission
covers the operation (and the size of the change is within that permission's ``limit``), and an
:class:`AuditRecord` (who, when, what, why, under which role) comes back; or
:class:`PermissionDenied` is raised, naming the actor, their roles and the operation, before
anything has been changed.

The default :data:`SEED_POLICY` gives each sensitive operation to the roles the seed documents
name. The seeds grant managers their powers "within the prescribed authority" (按规定权限) without
saying how much; the limits in :data:`SEED_POLICY` are illustrative data to be replaced by the
company's own.

>>> from datetime import datetime, timezone
>>> auditor = Actor(id=ActorId("u-7"), name="Wang", roles=frozenset({"billing_auditor"}))
>>> record = authorize(
...     SEED_POLICY, auditor, CHANGE_TARIFF_ARCHIVE, subject="tariff JS-2025",
...     at=datetime(2025, 6, 1, 9, tzinfo=timezone.utc), why="426号 new TOU periods")
>>> record.granted_by, record.operation
('billing_auditor', 'change_tariff_archive')
>>> clerk = Actor(id=ActorId("u-8"), name="Li", roles=frozenset({"customer_service"}))
>>> authorize(SEED_POLICY, clerk, CHANGE_TARIFF_ARCHIVE, subject="tariff JS-2025",
...           at=datetime(2025, 6, 1, 9, tzinfo=timezone.utc), why="typo")
Traceback (most recent call last):
...
powerretail.access.PermissionDenied: actor "u-8" (roles: customer_service) may not \
change_tariff_archive on tariff JS-2025: no role grants it
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Final, Generic, TypeVar

import attrs
import pendulum

from powerretail.errors import InvalidInput, RuleViolation, describe_value
from powerretail.ids import ActorId, non_blank, require_id
from powerretail.quantities import exact_decimal
from powerretail.timeframe import as_instant

__all__ = [
    "ADJUST_CREDIT_SCORE",
    "CHANGE_TARIFF_ARCHIVE",
    "GRANT_FLEXIBLE_PAYMENT_PLAN",
    "SEED_POLICY",
    "SIGN_CONTRACT",
    "AccessPolicy",
    "Actor",
    "AuditRecord",
    "Audited",
    "Permission",
    "PermissionDenied",
    "Role",
    "authorize",
    "perform",
]

T = TypeVar("T")

#: Create or change a tariff archive (电价档案). Source: SEED 002 四(二)审核制度 1.
CHANGE_TARIFF_ARCHIVE: Final = "change_tariff_archive"
#: Adjust a key account's credit score (信用分数). Source: SEED 001 大客户经理岗位职责 4.岗位权限.
ADJUST_CREDIT_SCORE: Final = "adjust_credit_score"
#: Grant a key account a flexible payment plan (灵活付款方案). Source: SEED 001 同上.
GRANT_FLEXIBLE_PAYMENT_PLAN: Final = "grant_flexible_payment_plan"
#: Sign a supply or retail contract for the company. Source: SEED 000 合同签订流程 4.合同签订.
SIGN_CONTRACT: Final = "sign_contract"


def _magnitude_limit(value: object) -> Decimal | None:
    if value is None:
        return None
    limit = exact_decimal(value, "limit")
    if limit < 0:
        raise InvalidInput("limit", value, "a limit of zero or more, or None for no limit")
    return limit


def _permissions(value: Iterable[Permission]) -> tuple[Permission, ...]:
    return tuple(value)


def _roles(value: Iterable[Role]) -> tuple[Role, ...]:
    return tuple(value)


def _role_names(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


@attrs.frozen
class Permission:
    """The right to perform ``operation``, up to ``limit`` (the largest size of change allowed).

    ``limit`` is in the operation's own unit (credit points, yuan, …); ``None`` means unbounded.
    ``source`` says which rule grants it.
    """

    operation: str = attrs.field(validator=non_blank("operation"))
    limit: Decimal | None = attrs.field(default=None, converter=_magnitude_limit, kw_only=True)
    source: str = attrs.field(default="", kw_only=True)

    def covers(self, magnitude: Decimal | None) -> bool:
        """Return whether a change of ``magnitude`` is within this permission's limit."""
        return self.limit is None or magnitude is None or abs(magnitude) <= self.limit


@attrs.frozen
class Role:
    """A named job (``name``, ``title`` as the seeds call it) and the permissions it carries."""

    name: str = attrs.field(validator=non_blank("role.name"))
    title: str = ""
    permissions: tuple[Permission, ...] = attrs.field(default=(), converter=_permissions)

    def permission_for(self, operation: str) -> Permission | None:
        """Return this role's permission for ``operation`` (the widest one), or None."""
        matching = [p for p in self.permissions if p.operation == operation]
        if not matching:
            return None
        unbounded = [p for p in matching if p.limit is None]
        if unbounded:
            return unbounded[0]
        return max(matching, key=lambda p: p.limit or Decimal(0))


def _actor_id(value: object) -> ActorId:
    return ActorId(require_id(value, "actor.id"))


@attrs.frozen
class Actor:
    """A person (or system) acting on the company's behalf, holding roles by name."""

    id: ActorId = attrs.field(converter=_actor_id)
    name: str
    roles: frozenset[str] = attrs.field(converter=_role_names)


@attrs.frozen
class AuditRecord:
    """Who did what, when, why, under which role and within which limit."""

    actor: ActorId
    roles: tuple[str, ...]
    granted_by: str
    operation: str
    subject: str
    at: pendulum.DateTime
    why: str
    magnitude: Decimal | None = None
    limit: Decimal | None = None
    source: str = ""


class PermissionDenied(RuleViolation):
    """``actor`` (holding ``roles``) may not perform ``operation`` on ``subject``: ``reason``."""

    def __init__(
        self,
        actor: ActorId,
        roles: tuple[str, ...],
        operation: str,
        subject: str,
        reason: str,
    ) -> None:
        self.actor = actor
        self.roles = roles
        self.operation = operation
        self.subject = subject
        self.reason = reason
        super().__init__(actor, roles, operation, subject, reason)

    def __str__(self) -> str:
        held = ", ".join(self.roles) if self.roles else "none"
        return (
            f"actor {describe_value(self.actor)} (roles: {held}) may not {self.operation} "
            f"on {self.subject}: {self.reason}"
        )


@attrs.frozen
class AccessPolicy:
    """Which roles exist and what they may do; ``key`` names the policy version."""

    key: str
    roles: tuple[Role, ...] = attrs.field(converter=_roles)

    def __attrs_post_init__(self) -> None:
        names = [role.name for role in self.roles]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise InvalidInput("roles", duplicates, "each role name once")

    def role(self, name: str) -> Role | None:
        """Return the role called ``name``, or None if the policy has none."""
        for role in self.roles:
            if role.name == name:
                return role
        return None

    def grants(self, actor: Actor, operation: str) -> tuple[tuple[Role, Permission], ...]:
        """Return each (role, permission) of ``actor`` that covers ``operation``, by role name."""
        found: list[tuple[Role, Permission]] = []
        for name in sorted(actor.roles):
            role = self.role(name)
            permission = role.permission_for(operation) if role is not None else None
            if role is not None and permission is not None:
                found.append((role, permission))
        return tuple(found)

    def with_role(self, role: Role) -> AccessPolicy:
        """Return this policy with ``role`` added, or replacing the role of the same name."""
        kept = tuple(r for r in self.roles if r.name != role.name)
        return attrs.evolve(self, roles=(*kept, role))


def authorize(
    policy: AccessPolicy,
    actor: Actor,
    operation: str,
    *,
    subject: str,
    at: _dt.datetime,
    why: str,
    magnitude: Decimal | int | str | None = None,
) -> AuditRecord:
    """Return the audit record of ``actor`` performing ``operation``, if the policy allows it.

    ``magnitude`` is the size of the change (credit points, yuan); a permission allows it when its
    absolute value is within the permission's ``limit``. Among several granting roles, the one with
    the widest limit is recorded.

    Raises:
        InvalidInput: ``why`` is blank (every sensitive change says why) or ``at`` is not aware.
        PermissionDenied: no role of the actor grants the operation, or the change exceeds every
            granting role's limit.
    """
    if not isinstance(why, str) or not why.strip():
        raise InvalidInput("why", why, "a reason for the audit record")
    when = as_instant(at, "at")
    size = None if magnitude is None else exact_decimal(magnitude, "magnitude")
    roles = tuple(sorted(actor.roles))
    grants = policy.grants(actor, operation)
    if not grants:
        raise PermissionDenied(actor.id, roles, operation, subject, "no role grants it")
    allowed = [(role, p) for role, p in grants if p.covers(size)]
    if not allowed:
        widest = max(p.limit or Decimal(0) for _, p in grants)
        raise PermissionDenied(
            actor.id,
            roles,
            operation,
            subject,
            f"a change of {abs(size or Decimal(0))} exceeds the authority limit {widest}",
        )
    role, permission = _widest(allowed)
    return AuditRecord(
        actor=actor.id,
        roles=roles,
        granted_by=role.name,
        operation=operation,
        subject=subject,
        at=when,
        why=why.strip(),
        magnitude=size,
        limit=permission.limit,
        source=permission.source,
    )


@attrs.frozen
class Audited(Generic[T]):
    """A value produced by an allowed operation, with the audit record of who produced it."""

    value: T
    audit: AuditRecord


def perform(
    policy: AccessPolicy,
    actor: Actor,
    operation: str,
    change: Callable[[], T],
    *,
    subject: str,
    at: _dt.datetime,
    why: str,
    magnitude: Decimal | int | str | None = None,
) -> Audited[T]:
    """Authorize ``operation`` and only then call ``change`` (a pure function making the new value).

    A refusal raises before ``change`` runs, so nothing is built or changed; an error raised by
    ``change`` propagates and no audit record is returned.

    >>> from datetime import datetime, timezone
    >>> auditor = Actor(id=ActorId("u-7"), name="Wang", roles=frozenset({"billing_auditor"}))
    >>> archive = {"JS-10KV": "0.6234"}
    >>> done = perform(SEED_POLICY, auditor, CHANGE_TARIFF_ARCHIVE,
    ...     lambda: {**archive, "JS-10KV": "0.6180"}, subject="tariff archive JS-10KV",
    ...     at=datetime(2025, 6, 1, tzinfo=timezone.utc), why="price notice 426")
    >>> done.value["JS-10KV"], archive["JS-10KV"], done.audit.granted_by
    ('0.6180', '0.6234', 'billing_auditor')

    Raises:
        PermissionDenied: as :func:`authorize`.
    """
    audit = authorize(
        policy, actor, operation, subject=subject, at=at, why=why, magnitude=magnitude
    )
    return Audited(change(), audit)


def _widest(grants: Iterable[tuple[Role, Permission]]) -> tuple[Role, Permission]:
    ordered = sorted(
        grants,
        key=lambda g: (g[1].limit is not None, -(g[1].limit or Decimal(0)), g[0].name),
    )
    return ordered[0]


_KAM_SOURCE: Final = "SEED 001 苏州供电公司大客户经理岗位职责描述 4.岗位权限 (limits illustrative)"

#: The roles and permissions the seed documents name, with illustrative limits.
SEED_POLICY: Final = AccessPolicy(
    key="SEED-2026",
    roles=(
        Role(
            "billing_auditor",
            "电费审核专责",
            (
                Permission(
                    CHANGE_TARIFF_ARCHIVE,
                    source="SEED 002 四、供电所抄、核、收管理制度 (二)审核制度 1: "
                    "电价档案的建立、修改 by 电费审核专责 only, 其他人无权更改",
                ),
            ),
        ),
        Role(
            "regional_key_account_manager",
            "区域大客户经理",
            (
                Permission(ADJUST_CREDIT_SCORE, limit=Decimal(5), source=_KAM_SOURCE),
                Permission(GRANT_FLEXIBLE_PAYMENT_PLAN, limit=Decimal(100_000), source=_KAM_SOURCE),
            ),
        ),
        Role(
            "company_key_account_manager",
            "公司大客户经理",
            (
                Permission(ADJUST_CREDIT_SCORE, limit=Decimal(20), source=_KAM_SOURCE),
                Permission(
                    GRANT_FLEXIBLE_PAYMENT_PLAN, limit=Decimal(1_000_000), source=_KAM_SOURCE
                ),
            ),
        ),
        Role(
            "legal_representative",
            "法定代表人",
            (Permission(SIGN_CONTRACT, source="SEED 000 合同签订流程 4.合同签订"),),
        ),
        Role(
            "authorised_representative",
            "授权代表",
            (Permission(SIGN_CONTRACT, source="SEED 000 合同签订流程 4.合同签订"),),
        ),
        Role("customer_service", "客户服务员", ()),
    ),
)
