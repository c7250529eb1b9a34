from datetime import UTC, date, datetime

import pytest

from powerretail.contracts.intent import (
    IntentLetter,
    IntentState,
    archive_intent_letter,
    review_intent_letter,
)
from powerretail.errors import InvalidInput
from powerretail.statemachine import TransitionNotAllowed

AT = datetime(2025, 3, 3, tzinfo=UTC)


def a_letter(**changes: object) -> IntentLetter:
    fields: dict[str, object] = {
        "id": "IL-1",
        "customer_id": "C-1",
        "company": "Suzhou Power Retail",
        "scope": "supply to plant 2",
        "rights_and_obligations": "8 GWh a year",
        "signed_on": "2025-03-01",
        "valid_until": "2025-06-30",
    }
    fields.update(changes)
    return IntentLetter(**fields)  # type: ignore[arg-type]


class TestIntentLetter:
    def test_a_failed_review_withdraws_it_for_good(self) -> None:
        withdrawn = review_intent_letter(a_letter(), passed=False, at=AT, by="legal", why="unclear")

        assert withdrawn.state is IntentState.WITHDRAWN
        with pytest.raises(TransitionNotAllowed):
            archive_intent_letter(withdrawn, at=AT, by="clerk")

    def test_only_a_reviewed_letter_is_archived(self) -> None:
        with pytest.raises(TransitionNotAllowed, match="cannot archive when signed"):
            archive_intent_letter(a_letter(), at=AT, by="clerk")

    def test_keeps_the_history_of_its_review_and_archiving(self) -> None:
        letter = review_intent_letter(a_letter(), passed=True, at=AT, by="legal", why="clear")
        letter = archive_intent_letter(letter, at=AT, by="clerk")

        assert [r.target for r in letter.history] == [IntentState.REVIEWED, IntentState.ARCHIVED]

    def test_is_valid_up_to_and_including_its_last_day(self) -> None:
        letter = a_letter()

        assert letter.is_valid_on(date(2025, 6, 30))
        assert not letter.is_valid_on(date(2025, 7, 1))
        assert not letter.is_valid_on(date(2025, 2, 28))

    def test_refuses_a_blank_scope(self) -> None:
        with pytest.raises(InvalidInput, match=r"intent_letter\.scope"):
            a_letter(scope=" ")

    def test_refuses_validity_ending_before_signing(self) -> None:
        with pytest.raises(InvalidInput, match="valid_until"):
            a_letter(valid_until="2025-02-01")
