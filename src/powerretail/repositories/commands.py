"""Run a money-moving command exactly once per idempotency key (RELIABILITY R8).

:func:`run_idempotent` wraps a command's action: the action's writes and the
:class:`~powerretail.repositories.idempotency.IdempotencyRecord` of its outcome commit in one unit
of work. A retry with the same key and payload returns the stored result (or raises the stored
refusal) without running the action again; the same key with another payload raises
:class:`~powerretail.errors.IdempotencyConflict`.

What is stored as an outcome: a result, or a refusal by a business rule
(:class:`~powerretail.errors.RuleViolation` or :class:`~powerretail.errors.InvalidInput`) — both
are answers the same request will always get. What is not stored: a concurrency conflict or a
crash — those roll back, and the command is retried (a conflict up to ``attempts`` times here).

A refusal by :class:`~powerretail.access.PermissionDenied` is audited: its audit record is
stored in the audit log with the refusal, although the action's writes roll back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from powerretail.access import PermissionDenied
from powerretail.errors import (
    ConcurrencyConflict,
    IdempotencyConflict,
    InvalidInput,
    RuleViolation,
    describe_value,
)
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.idempotency import IdempotencyRecord, Outcome, fingerprint
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = ["CommandRefused", "replay", "run_idempotent"]

#: A command's action: do the work in the unit of work, return a JSON-ready result; no commit.
Action = Callable[[UnitOfWork], Mapping[str, JsonValue]]


class CommandRefused(RuleViolation):
    """A command under ``key`` was refused by a business rule; retrying gives the same refusal."""

    def __init__(self, command: str, key: str, error: str, message: str) -> None:
        self.command = command
        self.key = key
        self.error = error
        self.message = message
        super().__init__(command, key, error, message)

    def __str__(self) -> str:
        return (
            f"{self.command} {describe_value(self.key)} was refused: {self.error}: {self.message}"
        )


def replay(
    record: IdempotencyRecord, command: str, payload_fingerprint: str
) -> dict[str, JsonValue]:
    """Return the stored result of ``record`` for a retry of ``command``.

    Raises:
        IdempotencyConflict: the record was made by another command or payload.
        CommandRefused: the stored outcome is a refusal.
    """
    if not record.matches(command, payload_fingerprint):
        raise IdempotencyConflict(record.key, record.command)
    if record.outcome is Outcome.REFUSED:
        raise CommandRefused(
            record.command,
            record.key,
            str(record.result.get("error", "")),
            str(record.result.get("message", "")),
        )
    return dict(record.result)


def run_idempotent(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    command: str,
    payload: Mapping[str, JsonValue],
    action: Action,
    attempts: int = 5,
) -> dict[str, JsonValue]:
    """Run ``action`` once for ``key``, store its outcome with its writes, and return its result.

    ``payload`` is everything that defines the request (JSON-ready, money as strings): it is
    fingerprinted and compared on every retry.

    Raises:
        IdempotencyConflict: ``key`` was used with another command or payload.
        CommandRefused: the action (now or the first time) was refused by a business rule.
        ConcurrencyConflict: other writers kept winning for ``attempts`` attempts.
    """
    if attempts < 1:
        raise InvalidInput("attempts", attempts, "at least 1")
    payload_fingerprint = fingerprint(command, payload)
    for attempt in range(1, attempts + 1):
        try:
            return _attempt(
                make_unit_of_work=make_unit_of_work,
                clock=clock,
                key=key,
                command=command,
                payload_fingerprint=payload_fingerprint,
                action=action,
            )
        except IdempotencyConflict:
            raise
        except ConcurrencyConflict:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _attempt(
    *,
    make_unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    key: str,
    command: str,
    payload_fingerprint: str,
    action: Action,
) -> dict[str, JsonValue]:
    with make_unit_of_work() as uow:
        stored = uow.idempotency.get(key)
        if stored is not None:
            return replay(stored, command, payload_fingerprint)
        try:
            result = dict(action(uow))
        except CommandRefused:
            raise
        except (RuleViolation, InvalidInput) as err:
            refusal: RuleViolation | InvalidInput = err
        else:
            uow.idempotency.put(
                IdempotencyRecord(
                    key=key,
                    command=command,
                    fingerprint=payload_fingerprint,
                    outcome=Outcome.SUCCEEDED,
                    result=result,
                    recorded_at=clock.now(),
                )
            )
            uow.commit()
            return result
    # The action's writes are rolled back; only the refusal is stored.
    with make_unit_of_work() as uow:
        stored = uow.idempotency.get(key)
        if stored is not None:
            return replay(stored, command, payload_fingerprint)
        if isinstance(refusal, PermissionDenied) and refusal.audit is not None:
            uow.audit.append(refusal.audit)
        uow.idempotency.put(
            IdempotencyRecord(
                key=key,
                command=command,
                fingerprint=payload_fingerprint,
                outcome=Outcome.REFUSED,
                result={"error": type(refusal).__name__, "message": str(refusal)},
                recorded_at=clock.now(),
            )
        )
        uow.commit()
    raise CommandRefused(command, key, type(refusal).__name__, str(refusal)) from refusal
