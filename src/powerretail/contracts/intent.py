"""Intent letters (合作意向书): what a customer and the company agree before a contract.

With a customer who has agreed to cooperate, the company signs an intent letter setting out both
sides' rights and obligations; the letter is reviewed (lawful, compliant, clear) and archived as
the basis of the contract to come (售电公司流程管理制度 市場開拓流程 5.合作意向確認). A letter that
does not
pass review is withdrawn.

>>> from datetime import datetime, timezone
>>> letter = IntentLetter(
...     id=DocumentId("IL-7"), customer_id=CustomerId("C-1"), company="Suzhou Power Retail Co.",
...     scope="10 kV supply to the Wuzhong plant",
...     rights_and_obligations="annual 8 GWh at a fixed price",
...     signed_on="2025-03-01", valid_until="2025-06-30")
>>> reviewed = review_intent_letter(
...     letter, passed=True, at=datetime(2025, 3, 3, tzinfo=timezone.utc), by="legal-1",
...     why="clauses clear")
>>> archive_intent_letter(reviewed, at=datetime(2025, 3, 4, tzinfo=timezone.utc), by="clerk").state
<IntentState.ARCHIVED: 'archived'>
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable
from datetime import date
from typing import Any, Final

import attrs

from powerretail.errors import InvalidInput
from powerretail.ids import CustomerId, DocumentId
from powerretail.statemachine import StateMachine, Transition, TransitionRecord
from powerretail.timeframe import as_date

__all__ = [
    "INTENT_MACHINE",
    "IntentEvent",
    "IntentLetter",
    "IntentState",
    "archive_intent_letter",
    "review_intent_letter",
]


class IntentState(enum.Enum):
    """Where an intent letter is."""

    SIGNED = "signed"
    REVIEWED = "reviewed"
    WITHDRAWN = "withdrawn"
    ARCHIVED = "archived"


class IntentEvent(enum.Enum):
    """What can happen to an intent letter."""

    PASS_REVIEW = "pass_review"
    FAIL_REVIEW = "fail_review"
    ARCHIVE = "archive"


#: Signed → reviewed → archived, or withdrawn when the review fails.
#: Source: 售电公司流程管理制度 市場開拓流程 5.
INTENT_MACHINE: Final = StateMachine[IntentState, IntentEvent](
    "intent_letter",
    initial=IntentState.SIGNED,
    finals={IntentState.ARCHIVED, IntentState.WITHDRAWN},
    transitions=[
        Transition(IntentState.SIGNED, IntentEvent.PASS_REVIEW, IntentState.REVIEWED),
        Transition(IntentState.SIGNED, IntentEvent.FAIL_REVIEW, IntentState.WITHDRAWN),
        Transition(IntentState.REVIEWED, IntentEvent.ARCHIVE, IntentState.ARCHIVED),
    ],
)


def _signed_on(value: object) -> date:
    return as_date(value, "signed_on")


def _valid_until(value: object) -> date:
    return as_date(value, "valid_until")


def _records(value: Iterable[TransitionRecord[Any, Any]]) -> tuple[TransitionRecord[Any, Any], ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class IntentLetter:
    """A signed intent letter: who, about what, with which rights and obligations, how long."""

    id: DocumentId
    customer_id: CustomerId
    company: str
    scope: str
    rights_and_obligations: str
    signed_on: date = attrs.field(converter=_signed_on)
    valid_until: date = attrs.field(converter=_valid_until)
    state: IntentState = IntentState.SIGNED
    history: tuple[TransitionRecord[Any, Any], ...] = attrs.field(default=(), converter=_records)

    def __attrs_post_init__(self) -> None:
        for name in ("company", "scope", "rights_and_obligations"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidInput(f"intent_letter.{name}", value, "a non-blank text")
        if self.valid_until < self.signed_on:
            raise InvalidInput("valid_until", self.valid_until, f"on or after {self.signed_on}")

    def is_valid_on(self, day: date) -> bool:
        """Return whether the letter is still valid on ``day`` (``valid_until`` included)."""
        return self.signed_on <= day <= self.valid_until


def review_intent_letter(
    letter: IntentLetter, *, passed: bool, at: _dt.datetime, by: str, why: str
) -> IntentLetter:
    """Record the review of ``letter``: reviewed if it ``passed``, otherwise withdrawn."""
    event = IntentEvent.PASS_REVIEW if passed else IntentEvent.FAIL_REVIEW
    return INTENT_MACHINE.advance(letter, event, at=at, by=by, why=why)


def archive_intent_letter(letter: IntentLetter, *, at: _dt.datetime, by: str) -> IntentLetter:
    """Archive a reviewed letter as the basis of the contract to come."""
    return INTENT_MACHINE.advance(letter, IntentEvent.ARCHIVE, at=at, by=by)
