"""Typed identifiers: ``NewType`` over ``str``, so mypy keeps a meter id out of a bill id's place.

Ids are made by whoever owns the entity (the embedding app, a repository); the core never invents
one at random. :func:`require_id` checks text from outside before it becomes an id.

>>> require_id(" M-001 ", "meter_id")
'M-001'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NewType

from powerretail.errors import InvalidInput

__all__ = [
    "AccountId",
    "ActorId",
    "BillId",
    "ContractId",
    "CustomerId",
    "DocumentId",
    "EventId",
    "IdempotencyKey",
    "ManagerId",
    "MeterId",
    "PaymentId",
    "ReadId",
    "ServicePointId",
    "TariffCode",
    "WorkOrderId",
    "non_blank",
    "require_id",
]

CustomerId = NewType("CustomerId", str)
AccountId = NewType("AccountId", str)
ServicePointId = NewType("ServicePointId", str)
MeterId = NewType("MeterId", str)
ReadId = NewType("ReadId", str)
ContractId = NewType("ContractId", str)
TariffCode = NewType("TariffCode", str)
BillId = NewType("BillId", str)
DocumentId = NewType("DocumentId", str)
PaymentId = NewType("PaymentId", str)
ManagerId = NewType("ManagerId", str)
ActorId = NewType("ActorId", str)
WorkOrderId = NewType("WorkOrderId", str)
EventId = NewType("EventId", str)
IdempotencyKey = NewType("IdempotencyKey", str)

_MAX_ID_LENGTH = 128


def require_id(value: object, field: str) -> str:
    """Return ``value`` stripped, if it is usable as an identifier.

    Raises:
        InvalidInput: not a str, blank, longer than 128 characters, or holding control characters.
    """
    expected = "a non-blank identifier of at most 128 printable characters"
    if not isinstance(value, str):
        raise InvalidInput(field, value, expected)
    text = value.strip()
    if not text or len(text) > _MAX_ID_LENGTH or not text.isprintable():
        raise InvalidInput(field, value, expected)
    return text


def non_blank(field: str) -> Callable[[Any, Any, Any], None]:
    """Return an attrs validator refusing anything but non-blank text, naming ``field``."""

    def check(_instance: Any, _attribute: Any, value: object) -> None:
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput(field, value, "a non-blank text")

    return check
