"""The audit log port: every grant and every refusal of a sensitive operation, kept for good.

Each :class:`~powerretail.access.AuditRecord` that :func:`~powerretail.access.authorize` makes —
a grant or a refusal — is appended to the unit of work's :class:`AuditLog` (``uow.audit``). The
log is append-only: records are never changed or removed, and a store refuses to do either.
Like every write, an appended record is stored when its unit of work commits and dropped when it
rolls back, so a grant is kept with the change it allowed.

A refusal fails the command, whose unit of work rolls back; its record is therefore committed in
a unit of its own: :func:`~powerretail.repositories.commands.run_idempotent` stores it with the
command's refusal, and :func:`store_refusal` does it for a command run without a key.

:func:`authorize_in` is what a workflow calls: it reads the actor's earlier records for the
operation from the log (:func:`earlier_grants`, for cumulative limits), asks
:func:`~powerretail.access.authorize` and appends the grant.

>>> from datetime import datetime, timezone
>>> from powerretail.access import ADJUST_CREDIT_SCORE, SEED_POLICY, Actor
>>> from powerretail.adapters.memory import MemoryStore
>>> store = MemoryStore()
>>> manager = Actor(id="m-1", name="Zhou", roles={"regional_key_account_manager"})
>>> with store.unit_of_work() as uow:
...     grant = authorize_in(uow, SEED_POLICY, manager, ADJUST_CREDIT_SCORE,
...         subject="customer C-1", at=datetime(2025, 6, 2, tzinfo=timezone.utc),
...         why="paid early", magnitude=3)
...     uow.commit()
>>> with store.unit_of_work() as uow:
...     (record,) = uow.audit.records(actor="m-1")
>>> record.decision.value, record.granted_by, record.magnitude
('granted', 'regional_key_account_manager', Decimal('3'))
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import TYPE_CHECKING, Final, Protocol

from powerretail.access import AccessPolicy, Actor, AuditRecord, PermissionDenied, authorize
from powerretail.errors import InvalidInput
from powerretail.repositories.codec import DEFAULT_CODECS, JsonValue

if TYPE_CHECKING:  # the unit of work holds an AuditLog: import it for types only
    from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "AUDIT_RECORD_SCHEMA",
    "AuditLog",
    "authorize_in",
    "decode_audit_record",
    "earlier_grants",
    "encode_audit_record",
    "matches",
    "store_refusal",
]

#: The schema of an audit record as stored (raise it when AuditRecord's shape changes).
AUDIT_RECORD_SCHEMA: Final = 1


class AuditLog(Protocol):
    """The audit records of a unit of work: appended, read back, never changed or removed."""

    def append(self, record: AuditRecord) -> None:
        """Append ``record`` (stored when the unit of work commits)."""
        ...

    def records(
        self,
        *,
        actor: str | None = None,
        operation: str | None = None,
        subject: str | None = None,
        since: _dt.datetime | None = None,
    ) -> tuple[AuditRecord, ...]:
        """Return the records matching every given filter, in the order they were appended.

        ``since`` keeps records made at or after it. The unit's own appended records are
        included.
        """
        ...


def encode_audit_record(record: AuditRecord) -> dict[str, JsonValue]:
    """Return ``record`` as JSON-ready data (money and magnitudes as text)."""
    if not isinstance(record, AuditRecord):
        raise InvalidInput("record", record, "an AuditRecord")
    encoded = DEFAULT_CODECS.encode(record, AuditRecord)
    assert isinstance(encoded, dict)  # an attrs instance encodes as an object
    return encoded


def decode_audit_record(data: JsonValue) -> AuditRecord:
    """Return the :class:`~powerretail.access.AuditRecord` ``data`` encodes.

    Raises:
        InvalidInput: ``data`` is not an encoded audit record.
    """
    record: AuditRecord = DEFAULT_CODECS.decode(data, AuditRecord, "$.audit")
    return record


def matches(
    record: AuditRecord,
    *,
    actor: str | None = None,
    operation: str | None = None,
    subject: str | None = None,
    since: _dt.datetime | None = None,
) -> bool:
    """Return whether ``record`` passes the filters of :meth:`AuditLog.records`."""
    return (
        (actor is None or record.actor == actor)
        and (operation is None or record.operation == operation)
        and (subject is None or record.subject == subject)
        and (since is None or record.at >= since)
    )


def authorize_in(
    uow: UnitOfWork,
    policy: AccessPolicy,
    actor: Actor,
    operation: str,
    *,
    subject: str,
    at: _dt.datetime,
    why: str,
    magnitude: Decimal | int | str | None = None,
) -> AuditRecord:
    """Authorise ``actor`` with their earlier records from ``uow.audit``; append the grant.

    A refusal raises :class:`~powerretail.access.PermissionDenied` (its ``audit`` is not
    appended here: the unit of work is about to roll back; see :func:`store_refusal`).

    Raises:
        PermissionDenied: as :func:`~powerretail.access.authorize`.
    """
    prior = earlier_grants(uow, policy, actor, operation, at=at)
    grant = authorize(
        policy,
        actor,
        operation,
        subject=subject,
        at=at,
        why=why,
        magnitude=magnitude,
        prior=prior,
    )
    uow.audit.append(grant)
    return grant


def earlier_grants(
    uow: UnitOfWork, policy: AccessPolicy, actor: Actor, operation: str, *, at: _dt.datetime
) -> tuple[AuditRecord, ...]:
    """Return the records of ``actor`` under ``operation`` a cumulative limit counts at ``at``.

    Read from ``uow.audit`` since the start of the widest period of the actor's permissions
    (none when no permission of theirs is cumulative); ``authorize`` picks what counts.
    """
    periods = [p.period for _, p in policy.grants(actor, operation) if p.period is not None]
    if not periods:
        return ()
    since = min(period.start(at) for period in periods)
    return uow.audit.records(actor=actor.id, operation=operation, since=since)


def store_refusal(make_unit_of_work: UnitOfWorkFactory, refused: PermissionDenied) -> None:
    """Commit the audit record of ``refused`` in a unit of work of its own.

    For a command whose own unit of work rolled back on the refusal. Does nothing when the
    refusal carries no record (a ``PermissionDenied`` built by hand).
    """
    if refused.audit is None:
        return
    with make_unit_of_work() as uow:
        uow.audit.append(refused.audit)
        uow.commit()
