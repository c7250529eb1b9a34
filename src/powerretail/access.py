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

A refusal is audited too: :class:`PermissionDenied` carries the :class:`AuditRecord` of the
refusal (``decision`` refused, ``reason``) for the caller to store. A permission whose limit is
cumulative over a :class:`LimitPeriod` adds up the actor's earlier grants: :func:`authorize` is
given them (``prior``, read from the audit log by the workflow) and refuses a change that would
take the total over the limit. Only a record :func:`authorize` itself returned is a grant
(:func:`is_granted`); a record built by hand, copied or read back from storage is evidence, not
authority.

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
import enum
import weakref
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Final, Generic, Self, TypeVar

import attrs
import pendulum

from powerretail.errors import InvalidInput, RuleViolation, describe_value
from powerretail.ids import ActorId, non_blank, require_id
from powerretail.quantities import exact_decimal
from powerretail.timeframe import DEFAULT_TIMEZONE, as_instant, timezone

__all__ = [
    "ACCEPT_EQUIPMENT",
    "ADJUST_CREDIT_SCORE",
    "APPROVE_CHANGE_OF_USE",
    "APPROVE_OUTAGE",
    "APPROVE_SUPPLY_SCHEME",
    "CARRY_OUT_TRANSFER",
    "CHANGE_TARIFF_ARCHIVE",
    "CORRECT_BILL",
    "GRANT_FLEXIBLE_PAYMENT_PLAN",
    "RELEASE_HELD_BILL",
    "SEED_POLICY",
    "SETTLE_RETAIL_MONTH",
    "SIGN_CONTRACT",
    "STOP_SUPPLY",
    "VERIFY_WORK_ORDER",
    "WRITE_OFF_RECEIVABLE",
    "AccessPolicy",
    "Actor",
    "AuditRecord",
    "Audited",
    "Decision",
    "LimitPeriod",
    "PeriodKind",
    "Permission",
    "PermissionDenied",
    "Role",
    "authorize",
    "is_granted",
    "perform",
]

T = TypeVar("T")

#: Create or change a tariff archive (电价档案). Source: 供电所农电营销工作管理制度 四(二)审核制度
#: 1.
CHANGE_TARIFF_ARCHIVE: Final = "change_tariff_archive"
#: Adjust a key account's credit score (信用分数). Source: 苏州供电公司大客户经理岗位职责描述
#: 4.岗位权限.
ADJUST_CREDIT_SCORE: Final = "adjust_credit_score"
#: Grant a key account a flexible payment plan (灵活付款方案). Source: 同上.
GRANT_FLEXIBLE_PAYMENT_PLAN: Final = "grant_flexible_payment_plan"
#: Sign a supply or retail contract for the company. Source: 售电公司流程管理制度 合同签订流程
#: 4.合同签订.
SIGN_CONTRACT: Final = "sign_contract"
#: Correct an issued bill (credit note and rebill). Source: 供电所农电营销工作管理制度
#: 四(二)审核制度 2-5: the
#: billing auditor calculates the fees, checks every bill and records the errors found.
CORRECT_BILL: Final = "correct_bill"
#: Release a bill held as implausible, after review. Source: 供电所农电营销工作管理制度
#: 四(二)审核制度 4-5: the
#: auditor analyses a swing over 20%; what it cannot explain goes to the marketing manager.
RELEASE_HELD_BILL: Final = "release_held_bill"
#: Write off (核销, bad debt) what a bill still owes [元]. Source: 供电所农电营销工作管理制度
#: 四(三)收费制度 6:
#: 除符合有关规定的外 … 均不能擅自做坏帐处理 — no role of :data:`SEED_POLICY` holds it; the
#: company grants it to whoever its own rules name.
WRITE_OFF_RECEIVABLE: Final = "write_off_receivable"
#: Stop a customer's supply for arrears, or at once for force majeure or discovered theft
#: (停电). Source: 《供电营业规则》(1996) 第67条: a stop needs the approval of the supply unit's
#: head (经批准); 《电力供应与使用条例》第39条.
STOP_SUPPLY: Final = "stop_supply"
#: Approve (confirm) a connection's supply scheme (审核与确认 业扩处理方案).
APPROVE_SUPPLY_SCHEME: Final = "approve_supply_scheme"
#: Accept a customer's receiving equipment at the completion inspection (受电装置验收).
ACCEPT_EQUIPMENT: Final = "accept_equipment"
#: Approve a planned or temporary outage (计划停电: 经审批同意后实施).
APPROVE_OUTAGE: Final = "approve_outage"
#: Verify a work order done in the field (验收工作单).
VERIFY_WORK_ORDER: Final = "verify_work_order"
#: Approve a change of use (变更用电: 暂停, 减容, 暂换, 过户 and their ends). Source:
#: 《供电营业规则》(1996) 第二十二条: the user applies and the supplier handles it (办理手续).
APPROVE_CHANGE_OF_USE: Final = "approve_change_of_use"
#: Carry out an approved change of name (过户): settle the old holder's account (final bill,
#: deposit), end its contract and open the account of the new holder. Source: 《供电营业规则》
#: (1996) 第二十九条 (原用户应在过户前结清电费); 苏州供电公司客户迁出 (大客户经理).
CARRY_OUT_TRANSFER: Final = "carry_out_transfer"
#: Settle a retail company's month (电费结算: wholesale statement, users' retail side, margin).
#: Source: 售电公司流程管理制度 电费结算流程 1.电费计算 (对电费计算结果进行审核).
SETTLE_RETAIL_MONTH: Final = "settle_retail_month"


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
    if isinstance(value, str | bytes):
        raise InvalidInput("actor.roles", value, "a set of role names, not one text")
    names = frozenset(value)
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput("actor.roles", sorted(map(str, names)), "non-blank role names")
    return names


class PeriodKind(enum.Enum):
    """How the span of a cumulative limit is drawn."""

    CALENDAR_MONTH = "calendar_month"
    CALENDAR_YEAR = "calendar_year"
    ROLLING_DAYS = "rolling_days"


def _rolling_days(instance: LimitPeriod, _attribute: object, value: int | None) -> None:
    if instance.kind is PeriodKind.ROLLING_DAYS:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidInput("period.days", value, "a whole number of days, 1 or more")
    elif value is not None:
        raise InvalidInput("period.days", value, "no days for a calendar period")


def _zone(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput("period.zone", value, "an IANA time zone name")
    timezone(value)
    return value


@attrs.frozen
class LimitPeriod:
    """The span over which a permission's limit is cumulative.

    Within one span the magnitudes the actor was granted add up (as absolute values, so +5 then
    −5 is 10 of authority used): a calendar month or year (in ``zone``), or the ``days`` before
    the change (rolling). ``per_subject`` counts only earlier changes to the same subject (the
    same customer); otherwise every change the actor made under the operation counts.

    >>> from datetime import datetime, timezone
    >>> month = LimitPeriod.calendar_month()
    >>> month.contains(datetime(2025, 5, 31, 17, tzinfo=timezone.utc),
    ...                at=datetime(2025, 6, 30, 15, tzinfo=timezone.utc))
    True
    >>> month.describe()
    'this calendar month'
    """

    kind: PeriodKind
    days: int | None = attrs.field(default=None, validator=_rolling_days, kw_only=True)
    zone: str = attrs.field(default=DEFAULT_TIMEZONE, converter=_zone, kw_only=True)
    per_subject: bool = attrs.field(default=True, kw_only=True)

    @classmethod
    def calendar_month(cls, *, zone: str = DEFAULT_TIMEZONE, per_subject: bool = True) -> Self:
        """Return a period of one calendar month in ``zone``."""
        return cls(PeriodKind.CALENDAR_MONTH, zone=zone, per_subject=per_subject)

    @classmethod
    def calendar_year(cls, *, zone: str = DEFAULT_TIMEZONE, per_subject: bool = True) -> Self:
        """Return a period of one calendar year in ``zone``."""
        return cls(PeriodKind.CALENDAR_YEAR, zone=zone, per_subject=per_subject)

    @classmethod
    def rolling(cls, days: int, *, per_subject: bool = True) -> Self:
        """Return a period of the ``days`` days before each change."""
        return cls(PeriodKind.ROLLING_DAYS, days=days, per_subject=per_subject)

    def start(self, at: _dt.datetime) -> pendulum.DateTime:
        """Return the earliest instant a change counting against one made at ``at`` can have.

        >>> from datetime import datetime, timezone
        >>> str(LimitPeriod.calendar_year().start(datetime(2025, 6, 2, tzinfo=timezone.utc)))
        '2025-01-01 00:00:00+08:00'
        """
        now = as_instant(at, "at")
        if self.kind is PeriodKind.ROLLING_DAYS:
            assert self.days is not None  # checked when the period was made
            return now - _dt.timedelta(days=self.days)
        local = now.in_timezone(timezone(self.zone))
        month = local.month if self.kind is PeriodKind.CALENDAR_MONTH else 1
        return local.replace(month=month, day=1, hour=0, minute=0, second=0, microsecond=0)

    def contains(self, earlier: _dt.datetime, *, at: _dt.datetime) -> bool:
        """Return whether a change made at ``earlier`` counts against one made at ``at``."""
        then = as_instant(earlier, "earlier")
        now = as_instant(at, "at")
        if self.kind is PeriodKind.ROLLING_DAYS:
            assert self.days is not None  # checked when the period was made
            return now - _dt.timedelta(days=self.days) < then <= now
        zone = timezone(self.zone)
        local_then, local_now = then.in_timezone(zone), now.in_timezone(zone)
        same_year = local_then.year == local_now.year
        if self.kind is PeriodKind.CALENDAR_YEAR:
            return same_year
        return same_year and local_then.month == local_now.month

    def describe(self) -> str:
        """Return the span in words ("this calendar month", "in the last 30 days")."""
        if self.kind is PeriodKind.ROLLING_DAYS:
            return f"in the last {self.days} days"
        return (
            "this calendar month"
            if self.kind is PeriodKind.CALENDAR_MONTH
            else "this calendar year"
        )


@attrs.frozen
class Permission:
    """The right to perform ``operation``, up to ``limit`` (the largest size of change allowed).

    ``limit`` is in the operation's own unit (credit points, yuan, …); ``None`` means unbounded.
    ``period`` makes the limit cumulative: the changes granted within one period add up.
    ``source`` says which rule grants it.
    """

    operation: str = attrs.field(validator=non_blank("operation"))
    limit: Decimal | None = attrs.field(default=None, converter=_magnitude_limit, kw_only=True)
    period: LimitPeriod | None = attrs.field(default=None, kw_only=True)
    source: str = attrs.field(default="", kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.period is not None and self.limit is None:
            raise InvalidInput("period", self.period.kind.value, "a limit for a cumulative period")

    def covers(self, magnitude: Decimal | None, already: Decimal = Decimal(0)) -> bool:
        """Return whether a change of ``magnitude`` is within this permission's limit.

        ``already`` is what the actor was granted earlier in the period (cumulative limits).
        """
        return self.limit is None or magnitude is None or already + abs(magnitude) <= self.limit

    def used(
        self, prior: Iterable[AuditRecord], actor: ActorId, subject: str, at: _dt.datetime
    ) -> Decimal:
        """Return the magnitude ``actor`` was granted for this operation earlier in the period.

        Zero when the limit is not cumulative. Counts granted records only, of this actor and
        operation (and subject, for a per-subject period), made within the period of ``at``.
        """
        period = self.period
        if period is None:
            return Decimal(0)
        return sum(
            (
                abs(record.magnitude)
                for record in prior
                if record.decision is Decision.GRANTED
                and record.actor == actor
                and record.operation == self.operation
                and record.magnitude is not None
                and (not period.per_subject or record.subject == subject)
                and period.contains(record.at, at=at)
            ),
            Decimal(0),
        )


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


class Decision(enum.Enum):
    """Whether the operation was allowed."""

    GRANTED = "granted"
    REFUSED = "refused"


@attrs.frozen
class AuditRecord:
    """Who did (or was refused) what, when, why, under which role and within which limit.

    ``decision`` says whether it was granted; a refusal names no ``granted_by`` and says why in
    ``reason``. ``already`` is what the actor had been granted earlier in the period of a
    cumulative limit; ``policy`` is the key of the policy that decided.
    """

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
    decision: Decision = Decision.GRANTED
    reason: str = ""
    already: Decimal | None = None
    policy: str = ""

    @property
    def granted(self) -> bool:
        """Whether this records a grant (not a refusal)."""
        return self.decision is Decision.GRANTED


class PermissionDenied(RuleViolation):
    """``actor`` (holding ``roles``) may not perform ``operation`` on ``subject``: ``reason``.

    ``audit`` is the :class:`AuditRecord` of the refusal (from :func:`authorize`).
    """

    def __init__(
        self,
        actor: ActorId,
        roles: tuple[str, ...],
        operation: str,
        subject: str,
        reason: str,
        *,
        audit: AuditRecord | None = None,
    ) -> None:
        self.actor = actor
        self.roles = roles
        self.operation = operation
        self.subject = subject
        self.reason = reason
        #: The audit record of the refusal, for the caller to store (None if built by hand).
        self.audit = audit
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
    prior: Iterable[AuditRecord] = (),
) -> AuditRecord:
    """Return the audit record of ``actor`` performing ``operation``, if the policy allows it.

    ``magnitude`` is the size of the change (credit points, yuan); a permission allows it when its
    absolute value is within the permission's ``limit`` — for a cumulative limit, together with
    what ``prior`` (the actor's earlier audit records; others are ignored) shows was granted in
    the same period. Among several granting roles, the one with the widest limit is recorded.

    >>> from datetime import datetime, timezone
    >>> manager = Actor(id="m-1", name="Zhou", roles={"regional_key_account_manager"})
    >>> june = datetime(2025, 6, 2, 1, tzinfo=timezone.utc)
    >>> first = authorize(SEED_POLICY, manager, ADJUST_CREDIT_SCORE, subject="customer C-1",
    ...                   at=june, why="paid early", magnitude=5)
    >>> try:
    ...     authorize(SEED_POLICY, manager, ADJUST_CREDIT_SCORE, subject="customer C-1",
    ...               at=june, why="paid early again", magnitude=5, prior=[first])
    ... except PermissionDenied as refused:
    ...     print(refused.reason); print(refused.audit.decision)
    a change of 5 with 5 already granted this calendar month exceeds the authority limit 5
    Decision.REFUSED

    Raises:
        InvalidInput: ``why`` is blank (every sensitive change says why) or ``at`` is not aware.
        PermissionDenied: no role of the actor grants the operation, or the change exceeds every
            granting role's limit; its ``audit`` is the record of the refusal.
    """
    if not isinstance(why, str) or not why.strip():
        raise InvalidInput("why", why, "a reason for the audit record")
    if not isinstance(actor, Actor):
        raise InvalidInput("actor", actor, "an Actor")
    when = as_instant(at, "at")
    size = None if magnitude is None else exact_decimal(magnitude, "magnitude")
    earlier = tuple(prior)
    roles = tuple(sorted(actor.roles))
    record = AuditRecord(
        actor=actor.id,
        roles=roles,
        granted_by="",
        operation=operation,
        subject=subject,
        at=when,
        why=why.strip(),
        magnitude=size,
        decision=Decision.REFUSED,
        policy=policy.key,
    )
    grants = policy.grants(actor, operation)
    if not grants:
        raise _refused(record, "no role grants it")
    used = {id(p): p.used(earlier, actor.id, subject, when) for _, p in grants}
    allowed = [(role, p) for role, p in grants if p.covers(size, used[id(p)])]
    if not allowed:
        _, widest = _widest(grants)
        already = used[id(widest)] if widest.period is not None else None
        so_far = (
            f" with {already} already granted {widest.period.describe()}"
            if widest.period is not None and already
            else ""
        )
        reason = (
            f"a change of {abs(size or Decimal(0))}{so_far} exceeds the authority limit "
            f"{widest.limit}"
        )
        limited = attrs.evolve(record, limit=widest.limit, already=already, source=widest.source)
        raise _refused(limited, reason)
    role, permission = _widest(allowed)
    granted = attrs.evolve(
        record,
        granted_by=role.name,
        decision=Decision.GRANTED,
        limit=permission.limit,
        source=permission.source,
        already=used[id(permission)] if permission.period is not None else None,
    )
    _GRANTS[id(granted)] = granted
    return granted


def _refused(record: AuditRecord, reason: str) -> PermissionDenied:
    audit = attrs.evolve(record, reason=reason)
    return PermissionDenied(
        record.actor, record.roles, record.operation, record.subject, reason, audit=audit
    )


#: The grants :func:`authorize` returned that are still alive, by identity.
_GRANTS: Final[weakref.WeakValueDictionary[int, AuditRecord]] = weakref.WeakValueDictionary()


def is_granted(record: object, operation: str | None = None) -> bool:
    """Return whether ``record`` is a grant :func:`authorize` returned (for ``operation``).

    Only that very object counts: an equal record built by hand, a copy, an evolved record or one
    read back from storage is not a grant — it proves what happened, it authorises nothing.

    >>> from datetime import datetime, timezone
    >>> auditor = Actor(id="u-7", name="Wang", roles={"billing_auditor"})
    >>> grant = authorize(SEED_POLICY, auditor, CHANGE_TARIFF_ARCHIVE, subject="tariff JS",
    ...                   at=datetime(2025, 6, 1, tzinfo=timezone.utc), why="426号")
    >>> is_granted(grant, CHANGE_TARIFF_ARCHIVE), is_granted(attrs.evolve(grant))
    (True, False)
    """
    return (
        isinstance(record, AuditRecord)
        and record.decision is Decision.GRANTED
        and _GRANTS.get(id(record)) is record
        and (operation is None or record.operation == operation)
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
    prior: Iterable[AuditRecord] = (),
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
        policy, actor, operation, subject=subject, at=at, why=why, magnitude=magnitude, prior=prior
    )
    return Audited(change(), audit)


def _widest(grants: Iterable[tuple[Role, Permission]]) -> tuple[Role, Permission]:
    ordered = sorted(
        grants,
        key=lambda g: (g[1].limit is not None, -(g[1].limit or Decimal(0)), g[0].name),
    )
    return ordered[0]


_KAM_SOURCE: Final = "苏州供电公司大客户经理岗位职责描述 4.岗位权限 (limits illustrative)"
_AUDIT_SOURCE: Final = "供电所农电营销工作管理制度 四、供电所抄、核、收管理制度 (二)审核制度"
_READING_SOURCE: Final = "供电所农电营销工作管理制度 四、供电所抄、核、收管理制度 (一)抄表制度 5"
_OUTAGE_SOURCE: Final = "供电所大客户维护与管理办法 第九条(一) (经审批同意后实施)"
_SETTLEMENT_SOURCE: Final = (
    "售电公司流程管理制度 电费结算流程 1.电费计算 (the settling role is illustrative)"
)
_CHANGE_SOURCE: Final = (
    "《供电营业规则》(1996) 第二十二条 (变更用电 办理手续; the approver is illustrative)"
)
_TRANSFER_SOURCE: Final = "苏州供电公司客户迁出 (过户: 大客户经理; the carrier-out is illustrative)"
#: Credit-score authority adds up over a calendar month for one customer (illustrative).
_CREDIT_PERIOD: Final = LimitPeriod.calendar_month()

#: The roles and permissions the seed documents name, with illustrative limits. Credit-score
#: limits add up per customer over a calendar month; no role may write off a receivable
#: (供电所农电营销工作管理制度 四(三)6: only as the company's own rules provide — add the role that
#: they name).
SEED_POLICY: Final = AccessPolicy(
    key="SEED-2026",
    roles=(
        Role(
            "billing_auditor",
            "电费审核专责",
            (
                Permission(
                    CHANGE_TARIFF_ARCHIVE,
                    source="供电所农电营销工作管理制度 四、供电所抄、核、收管理制度 "
                    "(二)审核制度 1: "
                    "电价档案的建立、修改 by 电费审核专责 only, 其他人无权更改",
                ),
                Permission(CORRECT_BILL, source=f"{_AUDIT_SOURCE} 2-5"),
                Permission(RELEASE_HELD_BILL, source=f"{_AUDIT_SOURCE} 4"),
            ),
        ),
        Role(
            "marketing_manager",
            "营销管理专责",
            (
                Permission(RELEASE_HELD_BILL, source=f"{_AUDIT_SOURCE} 4-5"),
                Permission(VERIFY_WORK_ORDER, source=_READING_SOURCE),
            ),
        ),
        Role(
            "regional_key_account_manager",
            "区域大客户经理",
            (
                Permission(
                    ADJUST_CREDIT_SCORE,
                    limit=Decimal(5),
                    period=_CREDIT_PERIOD,
                    source=_KAM_SOURCE,
                ),
                Permission(
                    APPROVE_SUPPLY_SCHEME, source=f"{_KAM_SOURCE}: 业扩处理方案 审核与确认权"
                ),
                Permission(ACCEPT_EQUIPMENT, source=f"{_KAM_SOURCE}: 受电装置 检查与验收权"),
                Permission(GRANT_FLEXIBLE_PAYMENT_PLAN, limit=Decimal(100_000), source=_KAM_SOURCE),
                Permission(APPROVE_CHANGE_OF_USE, source=_CHANGE_SOURCE),
                Permission(CARRY_OUT_TRANSFER, source=_TRANSFER_SOURCE),
            ),
        ),
        Role(
            "company_key_account_manager",
            "公司大客户经理",
            (
                Permission(
                    ADJUST_CREDIT_SCORE,
                    limit=Decimal(20),
                    period=_CREDIT_PERIOD,
                    source=_KAM_SOURCE,
                ),
                Permission(
                    APPROVE_SUPPLY_SCHEME, source=f"{_KAM_SOURCE}: 业扩处理方案 审核与确认权"
                ),
                Permission(ACCEPT_EQUIPMENT, source=f"{_KAM_SOURCE}: 受电装置 检查与验收权"),
                Permission(
                    GRANT_FLEXIBLE_PAYMENT_PLAN, limit=Decimal(1_000_000), source=_KAM_SOURCE
                ),
                Permission(APPROVE_CHANGE_OF_USE, source=_CHANGE_SOURCE),
                Permission(CARRY_OUT_TRANSFER, source=_TRANSFER_SOURCE),
            ),
        ),
        Role(
            "legal_representative",
            "法定代表人",
            (Permission(SIGN_CONTRACT, source="售电公司流程管理制度 合同签订流程 4.合同签订"),),
        ),
        Role(
            "authorised_representative",
            "授权代表",
            (Permission(SIGN_CONTRACT, source="售电公司流程管理制度 合同签订流程 4.合同签订"),),
        ),
        Role(
            "retail_settlement_officer",
            "售电结算专责",
            (Permission(SETTLE_RETAIL_MONTH, source=_SETTLEMENT_SOURCE),),
        ),
        Role("customer_service", "客户服务员", ()),
        Role(
            "supply_office_head",
            "供电所所长",
            (
                Permission(STOP_SUPPLY, source="《供电营业规则》(1996) 第67条 (经批准)"),
                Permission(APPROVE_OUTAGE, source=_OUTAGE_SOURCE),
            ),
        ),
    ),
)
