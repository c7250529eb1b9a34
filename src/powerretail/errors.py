"""The exceptions powerretail raises, in one hierarchy under :class:`PowerRetailError`.

Families:

* :class:`InvalidInput` — bad data from outside (also a :class:`ValueError`): names the field,
  the value and what was expected.
* :class:`RuleViolation` — a business rule refuses an operation (a transition not allowed from this
  state, a permission missing, a document already issued).
* :class:`NotFound` — something asked for is not there (also a :class:`LookupError`).
* :class:`ConcurrencyConflict` — a write based on a stale version, or an idempotency key reused with
  another payload.
* :class:`StoreFailed` — a store's file could not be opened, read or written (missing, not a
  database, corrupt, read-only, disk full).

Catch :class:`PowerRetailError` to catch everything the library raises on purpose; anything else
escaping the library is a bug.

>>> try:
...     raise InvalidInput("period.end", "2025-01-01", "a date after period.start (2025-02-01)")
... except ValueError as err:
...     print(err)
period.end: expected a date after period.start (2025-02-01), got "2025-01-01"
"""

from __future__ import annotations

__all__ = [
    "ConcurrencyConflict",
    "FloatNotAllowed",
    "IdempotencyConflict",
    "InvalidInput",
    "NotFound",
    "PowerRetailError",
    "RuleViolation",
    "StoreFailed",
    "UnitMismatch",
    "VersionConflict",
    "describe_value",
]


def describe_value(value: object) -> str:
    """Return ``value`` as it should appear in an error message: strings in double quotes.

    >>> describe_value("abc"), describe_value(3), describe_value(None)
    ('"abc"', '3', 'None')
    """
    if isinstance(value, str):
        return '"' + value.replace('"', '\\"') + '"'
    return str(value)


class PowerRetailError(Exception):
    """Root of every exception powerretail raises on purpose."""


class InvalidInput(PowerRetailError, ValueError):
    """Bad data from outside: ``field`` held ``value`` where ``expected`` was required.

    ``field`` is a path when the value sits inside a document
    (``versions[1].charges[3].tiers[0].upto``).
    """

    def __init__(self, field: str, value: object, expected: str) -> None:
        self.field = field
        self.value = value
        self.expected = expected
        super().__init__(field, value, expected)

    def __str__(self) -> str:
        return f"{self.field}: expected {self.expected}, got {describe_value(self.value)}"


class FloatNotAllowed(InvalidInput, TypeError):
    """A ``float`` was given where money or a quantity was expected (floats cannot hold 0.1)."""

    def __init__(self, field: str, value: float) -> None:
        super().__init__(field, value, "a Decimal, an int or a numeric str (floats are refused)")


class UnitMismatch(PowerRetailError, TypeError):
    """Arithmetic between quantities whose units do not make sense together."""

    def __init__(self, operation: str, left: object, right: object) -> None:
        self.operation = operation
        self.left = left
        self.right = right
        super().__init__(operation, left, right)

    def __str__(self) -> str:
        return (
            f"cannot {self.operation} {type(self.left).__name__} and "
            f"{type(self.right).__name__} ({self.left!r}, {self.right!r})"
        )


class RuleViolation(PowerRetailError):
    """A business rule refuses the operation; nothing was changed."""


class NotFound(PowerRetailError, LookupError):
    """Something asked for by key is not there."""

    def __init__(self, kind: str, key: object) -> None:
        self.kind = kind
        self.key = key
        super().__init__(kind, key)

    def __str__(self) -> str:
        return f"no {self.kind} {describe_value(self.key)}"


class StoreFailed(PowerRetailError):
    """The store at ``path`` could not ``action`` (open, read, write, commit): ``reason`` is why.

    Nothing was changed by the unit of work that met it.
    """

    def __init__(self, path: str, action: str, reason: str) -> None:
        self.path = path
        self.action = action
        self.reason = reason
        super().__init__(path, action, reason)

    def __str__(self) -> str:
        return f"{self.path}: could not {self.action} ({self.reason})"


class ConcurrencyConflict(PowerRetailError):
    """A write that would silently overwrite or duplicate someone else's; nothing was changed."""


class VersionConflict(ConcurrencyConflict):
    """A save expected version ``expected`` of ``key`` but the store holds ``actual``."""

    def __init__(self, kind: str, key: object, expected: int, actual: int | None) -> None:
        self.kind = kind
        self.key = key
        self.expected = expected
        self.actual = actual
        super().__init__(kind, key, expected, actual)

    def __str__(self) -> str:
        held = "nothing" if self.actual is None else f"version {self.actual}"
        return (
            f"{self.kind} {describe_value(self.key)}: expected version {self.expected} "
            f"but the store holds {held}"
        )


class IdempotencyConflict(ConcurrencyConflict):
    """An idempotency key was reused with a different payload."""

    def __init__(self, key: str, command: str) -> None:
        self.key = key
        self.command = command
        super().__init__(key, command)

    def __str__(self) -> str:
        return (
            f"idempotency key {describe_value(self.key)} was already used for {self.command} "
            "with a different payload"
        )
