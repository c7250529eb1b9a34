"""Run a money-moving command exactly once per idempotency key (RELIABILITY R8).

:func:`run_idempotent` wraps a command's action: the action's writes and the
:class:`~powerretail.repositories.idempotency.IdempotencyRecord` of its outcome commit in one unit
of work. A retry with the same key and payload returns the stored result (or raises the stored
refusal) without running the action again; the same key with another payload raises
:class:`~powerretail.errors.IdempotencyConflict`.

Keys are per command: ``run_idempotent`` is the one place a record's key is formed
(:func:`~powerretail.repositories.idempotency.scoped_key`, ``"post_payment:gw-1"``) and its
payload compared, so a payment key that happens to equal a billing-cycle key is another
request, not a conflict. Pass the command's whole payload — every argument that changes what
it does (:func:`command_payload` encodes them all), never a part of it.

What is stored as an outcome: a result, or a refusal by a business rule
(:class:`~powerretail.errors.RuleViolation` or :class:`~powerretail.errors.InvalidInput`) — both
are answers the same request will always get. What is not stored: a concurrency conflict or a
crash — those roll back, and the command is retried (a conflict up to ``attempts`` times here);
nor the refusals a command names as ``unrecorded`` (their answer may change with other data).

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
    PowerRetailError,
    RuleViolation,
    describe_value,
)
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import DEFAULT_CODECS, JsonValue
from powerretail.repositories.idempotency import (
    IdempotencyRecord,
    IdempotencyStore,
    Outcome,
    fingerprint,
    scoped_key,
)
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = ["CommandRefused", "command_payload", "recorded", "replay", "run_idempotent"]

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


def command_payload(**arguments: object) -> dict[str, JsonValue]:
    """Return a command's arguments as the JSON-ready payload :func:`run_idempotent` compares.

    Every argument is encoded by the storage codec (money, dates, enums, attrs values such as
    account facts or plausibility bounds), so a retry that changes any of them is another
    payload. ``None`` stays ``None``.

    >>> from datetime import date
    >>> command_payload(bill_id="B-1", on=date(2025, 8, 5), facts=None)
    {'bill_id': 'B-1', 'on': '2025-08-05', 'facts': None}

    Raises:
        FloatNotAllowed: an argument holds a float.
        UnsupportedType: an argument of a type the codec does not know.
    """
    return {name: DEFAULT_CODECS.encode(value, None, name) for name, value in arguments.items()}


def recorded(idempotency: IdempotencyStore, command: str, key: str) -> IdempotencyRecord | None:
    """Return the record of ``command`` under ``key``, or ``None``.

    Found under :func:`~powerretail.repositories.idempotency.scoped_key`; a record stored before
    keys were scoped (under the bare ``key``) still counts when ``command`` made it, and is
    ignored when another command did.
    """
    record = idempotency.get(scoped_key(command, key))
    if record is None:
        bare = idempotency.get(key)
        if bare is not None and bare.command == command:
            record = bare
    return record


def replay(
    record: IdempotencyRecord, command: str, payload_fingerprint: str, key: str | None = None
) -> dict[str, JsonValue]:
    """Return the stored result of ``record`` for a retry of ``command`` (under ``key``).

    Raises:
        IdempotencyConflict: the record was made by another command or payload.
        CommandRefused: the stored outcome is a refusal.
    """
    asked = record.key if key is None else key
    if not record.matches(command, payload_fingerprint):
        raise IdempotencyConflict(asked, record.command)
    if record.outcome is Outcome.REFUSED:
        raise CommandRefused(
            record.command,
            asked,
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
    unrecorded: tuple[type[PowerRetailError], ...] = (),
) -> dict[str, JsonValue]:
    """Run ``action`` once for ``command`` under ``key``, store its outcome with its writes.

    Returns the action's result. ``payload`` is everything that defines the request (JSON-ready,
    money as strings; :func:`command_payload`): it is fingerprinted and compared on every retry.
    The record is kept under ``scoped_key(command, key)``: another command's key never matches.
    An exception of a class in ``unrecorded`` rolls the action back and is raised as it is,
    with nothing recorded (a refusal whose answer other data may change).

    Raises:
        InvalidInput: ``key`` or ``command`` is not a usable identifier, or ``attempts`` < 1.
        IdempotencyConflict: ``key`` was used for ``command`` with another payload.
        CommandRefused: the action (now or the first time) was refused by a business rule.
        ConcurrencyConflict: other writers kept winning for ``attempts`` attempts.
    """
    if attempts < 1:
        raise InvalidInput("attempts", attempts, "at least 1")
    scoped_key(command, key)  # refuse an unusable key before running anything
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
                unrecorded=unrecorded,
            )
        except IdempotencyConflict:
            raise
        except ConcurrencyConflict:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _record(
    *,
    key: str,
    command: str,
    payload_fingerprint: str,
    outcome: Outcome,
    result: dict[str, JsonValue],
    clock: Clock,
) -> IdempotencyRecord:
    return IdempotencyRecord(
        key=scoped_key(command, key),
        command=command,
        fingerprint=payload_fingerprint,
        outcome=outcome,
        result=result,
        recorded_at=clock.now(),
    )


def _attempt(
    *,
    make_unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    key: str,
    command: str,
    payload_fingerprint: str,
    action: Action,
    unrecorded: tuple[type[PowerRetailError], ...],
) -> dict[str, JsonValue]:
    with make_unit_of_work() as uow:
        stored = recorded(uow.idempotency, command, key)
        if stored is not None:
            return replay(stored, command, payload_fingerprint, key)
        try:
            result = dict(action(uow))
        except CommandRefused:
            raise
        except unrecorded:
            raise
        except (RuleViolation, InvalidInput) as err:
            refusal: RuleViolation | InvalidInput = err
        else:
            uow.idempotency.put(
                _record(
                    key=key,
                    command=command,
                    payload_fingerprint=payload_fingerprint,
                    outcome=Outcome.SUCCEEDED,
                    result=result,
                    clock=clock,
                )
            )
            uow.commit()
            return result
    # The action's writes are rolled back; only the refusal is stored.
    with make_unit_of_work() as uow:
        stored = recorded(uow.idempotency, command, key)
        if stored is not None:
            return replay(stored, command, payload_fingerprint, key)
        if isinstance(refusal, PermissionDenied) and refusal.audit is not None:
            uow.audit.append(refusal.audit)
        uow.idempotency.put(
            _record(
                key=key,
                command=command,
                payload_fingerprint=payload_fingerprint,
                outcome=Outcome.REFUSED,
                result={"error": type(refusal).__name__, "message": str(refusal)},
                clock=clock,
            )
        )
        uow.commit()
    raise CommandRefused(command, key, type(refusal).__name__, str(refusal)) from refusal
