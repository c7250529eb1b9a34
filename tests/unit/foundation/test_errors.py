from __future__ import annotations

import pytest

from powerretail.errors import (
    ConcurrencyConflict,
    FloatNotAllowed,
    IdempotencyConflict,
    InvalidInput,
    NotFound,
    PowerRetailError,
    RuleViolation,
    UnitMismatch,
    VersionConflict,
    describe_value,
)


class TestInvalidInput:
    def test_names_the_field_the_value_and_what_was_expected(self) -> None:
        err = InvalidInput("versions[1].charges[3].tiers[0].upto", "abc", "a number of kWh")

        assert str(err) == (
            'versions[1].charges[3].tiers[0].upto: expected a number of kWh, got "abc"'
        )
        assert (err.field, err.value, err.expected) == (
            "versions[1].charges[3].tiers[0].upto",
            "abc",
            "a number of kWh",
        )

    def test_is_a_value_error_and_a_powerretail_error(self) -> None:
        assert issubclass(InvalidInput, ValueError)
        assert issubclass(InvalidInput, PowerRetailError)


class TestFloatNotAllowed:
    def test_is_both_a_type_error_and_invalid_input(self) -> None:
        err = FloatNotAllowed("amount", 0.1)

        assert isinstance(err, TypeError)
        assert isinstance(err, InvalidInput)
        assert "floats are refused" in str(err)
        assert "0.1" in str(err)


class TestOtherFamilies:
    def test_not_found_is_a_lookup_error_naming_kind_and_key(self) -> None:
        err = NotFound("bill", "B-1")

        assert isinstance(err, LookupError)
        assert str(err) == 'no bill "B-1"'

    def test_version_conflict_says_what_the_store_holds(self) -> None:
        assert str(VersionConflict("bill", "B-1", 2, 3)) == (
            'bill "B-1": expected version 2 but the store holds version 3'
        )
        assert str(VersionConflict("bill", "B-1", 1, None)).endswith("holds nothing")
        assert issubclass(VersionConflict, ConcurrencyConflict)

    def test_idempotency_conflict_names_key_and_command(self) -> None:
        err = IdempotencyConflict("K1", "post_payment")

        assert str(err) == (
            'idempotency key "K1" was already used for post_payment with a different payload'
        )
        assert isinstance(err, ConcurrencyConflict)

    def test_unit_mismatch_is_a_type_error_naming_both_sides(self) -> None:
        err = UnitMismatch("add", 1, "x")

        assert isinstance(err, TypeError)
        assert str(err) == "cannot add int and str (1, 'x')"

    def test_rule_violation_is_a_powerretail_error(self) -> None:
        assert issubclass(RuleViolation, PowerRetailError)


@pytest.mark.parametrize(
    ("value", "shown"), [("a", '"a"'), ('say "hi"', '"say \\"hi\\""'), (3, "3"), (None, "None")]
)
def test_describe_value_quotes_only_strings(value: object, shown: str) -> None:
    assert describe_value(value) == shown
