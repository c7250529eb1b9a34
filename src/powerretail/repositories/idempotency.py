"""Idempotency records: the stored outcome of a money-moving command, found again by its key.

A command that moves money (post a payment, issue a bill, refund) carries an idempotency key
chosen by whoever sends it. The first run stores an :class:`IdempotencyRecord` — the command name,
a fingerprint of its payload and its outcome (a result, or a refusal) — in the same unit of work
as its effects. Asked again with the same key (RELIABILITY R8):

* the same command and payload give the stored outcome again, success or refusal;
* another payload is refused with :class:`~powerretail.errors.IdempotencyConflict`.

Keys belong to their command: a record is stored under :func:`scoped_key` (``command:key``),
so two commands given the same key by their callers (a payment and a billing cycle) never
see each other's records.

>>> scoped_key("post_payment", "gw-1")
'post_payment:gw-1'

>>> fingerprint("post_payment", {"amount": "10.00"}) == fingerprint(
...     "post_payment", {"amount": "10.00"})
True
>>> fingerprint("post_payment", {"amount": "10.00"}) == fingerprint(
...     "post_payment", {"amount": "10.01"})
False
"""

from __future__ import annotations

import datetime as _dt
import enum
import hashlib
from collections.abc import Mapping
from typing import Protocol

import attrs

from powerretail.errors import ConcurrencyConflict, InvalidInput, describe_value
from powerretail.ids import require_id
from powerretail.repositories.codec import JsonValue, canonical_json, json_object
from powerretail.timeframe import as_instant

__all__ = [
    "IdempotencyRecord",
    "IdempotencyStore",
    "KeyAlreadyRecorded",
    "Outcome",
    "fingerprint",
    "scoped_key",
]


class Outcome(enum.Enum):
    """How a command ended."""

    SUCCEEDED = "succeeded"
    REFUSED = "refused"


class KeyAlreadyRecorded(ConcurrencyConflict):
    """Another unit of work recorded the same idempotency key first; retry to get its outcome."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(key)

    def __str__(self) -> str:
        return f"idempotency key {describe_value(self.key)} was recorded by another unit of work"


def _result(value: object) -> dict[str, JsonValue]:
    return json_object(value, "result")


def fingerprint(command: str, payload: Mapping[str, JsonValue]) -> str:
    """Return the SHA-256 [hex] of ``command`` and ``payload`` in canonical JSON.

    Raises:
        FloatNotAllowed: ``payload`` holds a float.
    """
    text = canonical_json({"command": command, "payload": dict(payload)})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def scoped_key(command: str, key: str) -> str:
    """Return the key the record of ``command`` run under the caller's ``key`` is stored under.

    Raises:
        InvalidInput: ``command`` or ``key`` is not a usable identifier (blank, longer than 128
            characters, holding control characters).
    """
    return f"{require_id(command, 'command')}:{require_id(key, 'key')}"


#: A stored key: a command's name (up to 128 characters), a colon and the caller's key (128).
_MAX_STORED_KEY = 2 * 128 + 1


def _key(value: object) -> str:
    expected = f"a non-blank key of at most {_MAX_STORED_KEY} printable characters"
    if not isinstance(value, str):
        raise InvalidInput("key", value, expected)
    text = value.strip()
    if not text or len(text) > _MAX_STORED_KEY or not text.isprintable():
        raise InvalidInput("key", value, expected)
    return text


def _recorded_at(value: object) -> _dt.datetime:
    return as_instant(value, "recorded_at")


@attrs.frozen(kw_only=True)
class IdempotencyRecord:
    """The stored outcome of one command run under ``key``.

    Attributes:
        key: the key it is stored under: :func:`scoped_key` of the command and the key the
            caller chose (records stored before keys were scoped: the caller's key alone).
        command: the command's name ("post_payment").
        fingerprint: :func:`fingerprint` of the command and its payload.
        outcome: succeeded, or refused by a business rule.
        result: the command's JSON-ready result; for a refusal ``{"error": ..., "message": ...}``.
        recorded_at: when the outcome was stored (aware).
    """

    key: str = attrs.field(converter=_key)
    command: str
    fingerprint: str
    outcome: Outcome
    result: dict[str, JsonValue] = attrs.field(converter=_result)
    recorded_at: _dt.datetime = attrs.field(converter=_recorded_at)

    def matches(self, command: str, payload_fingerprint: str) -> bool:
        """Return whether this record was made by the same command with the same payload."""
        return self.command == command and self.fingerprint == payload_fingerprint


class IdempotencyStore(Protocol):
    """The idempotency records of a unit of work (stored and rolled back with it)."""

    def get(self, key: str) -> IdempotencyRecord | None:
        """Return the record stored under ``key``, or ``None``."""
        ...

    def put(self, record: IdempotencyRecord) -> None:
        """Store ``record``.

        Raises:
            KeyAlreadyRecorded: a record is already stored under its key.
        """
        ...
