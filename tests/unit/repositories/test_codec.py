from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any, ForwardRef, NewType, Union

import attrs
import pendulum
import pytest

from powerretail.errors import FloatNotAllowed, InvalidInput
from powerretail.quantities import Energy, Money
from powerretail.repositories.codec import (
    CodecRegistry,
    ScalarCodec,
    UnsupportedType,
    canonical_json,
    check_json_ready,
)
from powerretail.timeframe import DateRange

Tag = NewType("Tag", str)


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


@attrs.frozen
class Flat:
    rate: Decimal


@attrs.frozen
class Tiered:
    bounds: tuple[Decimal, ...]


def _positive(_instance: object, _attribute: object, value: int) -> None:
    if value < 0:
        raise ValueError("must not be negative")


@attrs.frozen(kw_only=True)
class Everything:
    tag: Tag
    amount: Money
    energy: Energy
    day: date
    at: _dt.datetime
    colour: Colour
    level: Level
    flag: bool
    count: int = attrs.field(validator=_positive)
    share: Fraction
    period: DateRange | None
    charge: Flat | Tiered
    pair: tuple[int, str]
    names: frozenset[str]
    totals: Mapping[Colour, Decimal]
    numbers: list[int]
    extra: dict[str, Any]
    _private: str = "p"
    note: str | None = None


def an_everything(**changes: Any) -> Everything:
    values: dict[str, Any] = {
        "tag": Tag("t-1"),
        "amount": Money("12.30"),
        "energy": Energy("0.1000"),
        "day": date(2025, 2, 28),
        "at": pendulum.datetime(2025, 7, 1, 12, tz="Europe/London"),
        "colour": Colour.RED,
        "level": Level.HIGH,
        "flag": True,
        "count": 3,
        "share": Fraction(1, 3),
        "period": DateRange(date(2025, 1, 1), date(2025, 2, 1)),
        "charge": Tiered((Decimal("100"), Decimal("200.5"))),
        "pair": (1, "one"),
        "names": frozenset({"b", "a"}),
        "totals": {Colour.BLUE: Decimal("1.5")},
        "numbers": [3, 1],
        "extra": {"any": [1, "two", None, {"x": True}]},
    }
    values.update(changes)
    return Everything(**values)


CODEC = CodecRegistry()


class TestEncode:
    def test_writes_money_energy_and_fractions_as_exact_strings(self) -> None:
        encoded = CODEC.encode(an_everything(), Everything)

        assert isinstance(encoded, dict)
        assert encoded["amount"] == {"amount": "12.30", "currency": "CNY"}
        assert encoded["energy"] == {"value": "0.1000"}
        assert encoded["share"] == "1/3"

    def test_writes_dates_instants_and_enums_as_iso_and_values(self) -> None:
        encoded = CODEC.encode(an_everything(), Everything)

        assert isinstance(encoded, dict)
        assert encoded["day"] == "2025-02-28"
        assert encoded["at"] == "2025-07-01T12:00:00+01:00[Europe/London]"
        assert (encoded["colour"], encoded["level"]) == ("red", 2)

    def test_tags_a_value_of_a_union_of_classes(self) -> None:
        encoded = CODEC.encode(an_everything(charge=Flat(Decimal("0.5"))), Everything)

        assert isinstance(encoded, dict)
        assert encoded["charge"] == {"$type": "Flat", "value": {"rate": "0.5"}}

    def test_writes_sets_sorted_and_mappings_with_encoded_keys(self) -> None:
        encoded = CODEC.encode(an_everything(), Everything)

        assert isinstance(encoded, dict)
        assert encoded["names"] == ["a", "b"]
        assert encoded["totals"] == {"blue": "1.5"}
        assert encoded["_private"] == "p"

    def test_refuses_a_float(self) -> None:
        with pytest.raises(FloatNotAllowed, match="extra"):
            CODEC.encode(an_everything(extra={"x": 0.1}), Everything)

    def test_refuses_a_float_where_a_decimal_is_declared(self) -> None:
        with pytest.raises(FloatNotAllowed, match=r"\$\.rate"):
            CODEC.encode(Flat(0.5), Flat)  # type: ignore[arg-type]

    def test_writes_none_for_an_optional_union_of_classes(self) -> None:
        assert CODEC.encode(None, Flat | Tiered | None) is None

    def test_encodes_with_an_unhashable_hint_without_caching_it(self) -> None:
        assert CODEC.encode(1, Annotated[int, []]) == 1

    def test_refuses_a_float_anywhere_without_a_hint(self) -> None:
        with pytest.raises(FloatNotAllowed):
            CODEC.encode([1, 0.5])

    def test_refuses_a_naive_datetime(self) -> None:
        with pytest.raises(InvalidInput, match="aware"):
            CODEC.encode(_dt.datetime(2025, 1, 1))  # noqa: DTZ001

    def test_refuses_a_type_it_does_not_know(self) -> None:
        with pytest.raises(UnsupportedType, match="complex"):
            CODEC.encode(1j)

    def test_refuses_a_mapping_key_that_is_not_text(self) -> None:
        with pytest.raises(InvalidInput, match="key"):
            CODEC.encode({1: "one"})


class TestDecode:
    def test_reads_back_what_it_wrote(self) -> None:
        original = an_everything(note="n", period=None)

        decoded = CODEC.decode(CODEC.encode(original, Everything), Everything)

        assert decoded == original
        assert decoded.at.utcoffset() == _dt.timedelta(hours=1)

    @pytest.mark.parametrize("fold", [0, 1])
    def test_keeps_which_of_a_repeated_autumn_hour_was_meant(self, fold: int) -> None:
        local = _dt.datetime(2000, 10, 29, 1, 0, tzinfo=pendulum.timezone("Europe/London"))
        instant = pendulum.instance(local.replace(fold=fold))

        back = CODEC.decode(CODEC.encode(instant), _dt.datetime)

        assert back == instant
        assert back.utcoffset() == instant.utcoffset()
        assert back.tzinfo == instant.tzinfo

    def test_reads_an_instant_with_only_an_offset(self) -> None:
        back = CODEC.decode("2025-01-01T08:00:00+08:00", _dt.datetime)

        assert back == pendulum.datetime(2025, 1, 1, tz="UTC")

    def test_refuses_an_unknown_zone_name(self) -> None:
        with pytest.raises(InvalidInput, match="IANA"):
            CODEC.decode("2025-01-01T08:00:00+08:00[Mars/Olympus]", _dt.datetime)

    def test_reads_a_tagged_union_back(self) -> None:
        original = an_everything(charge=Flat(Decimal("0.5")))

        assert CODEC.decode(CODEC.encode(original, Everything), Everything) == original

    def test_reads_none_for_an_optional_union_of_classes(self) -> None:
        assert CODEC.decode(None, Flat | Tiered | None) is None

    def test_reads_a_tagged_union_whose_other_option_is_a_name_only(self) -> None:
        hint: Any = Union[Flat, ForwardRef("NotDefinedAnywhere")]  # noqa: UP007 - "|" refuses it

        assert CODEC.decode({"$type": "Flat", "value": {"rate": "1"}}, hint) == Flat(Decimal(1))
        with pytest.raises(InvalidInput, match=r"one of Flat, ForwardRef"):
            CODEC.decode({"$type": "Tiered", "value": {}}, hint)

    def test_reads_plain_collections(self) -> None:
        assert CODEC.decode([1, 2], set[int]) == {1, 2}
        assert CODEC.decode([1, 2], list[int]) == [1, 2]
        assert CODEC.decode({"a": 1}, dict) == {"a": 1}
        assert CODEC.decode(["x", 1, True], tuple) == ("x", 1, True)

    def test_leaves_out_fields_with_defaults(self) -> None:
        data = CODEC.encode(an_everything(), Everything)
        assert isinstance(data, dict)
        del data["note"]

        assert CODEC.decode(data, Everything).note is None

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("count", True, "whole number"),
            ("count", "3", "whole number"),
            ("flag", 1, "true or false"),
            ("tag", 5, "string"),
            ("colour", "green", "one of blue, red"),
            ("share", 3, "fraction"),
            ("share", "1/0", "fraction"),
            ("day", "2025-13-01", "ISO date"),
            ("at", 5, "ISO 8601"),
            ("at", "2025-01-01T00:00:00", "aware"),
            ("charge", {"rate": "1"}, "\\$type"),
            ("charge", {"$type": "Nope", "value": {}}, "one of Flat, Tiered"),
            ("pair", "no", "array"),
            ("totals", [], "object"),
            ("amount", [], "object holding a Money"),
            ("amount", {"amount": 1.5, "currency": "CNY"}, "decimal number written as a string"),
            ("amount", {"amount": "1.001", "currency": "CNY"}, "whole fen"),
            ("count", -1, "valid Everything"),
            ("extra", {"x": 0.5}, "floats are refused"),
        ],
    )
    def test_refuses_data_that_does_not_fit(self, field: str, value: Any, message: str) -> None:
        data = CODEC.encode(an_everything(), Everything)
        assert isinstance(data, dict)
        data[field] = value

        with pytest.raises(InvalidInput, match=message):
            CODEC.decode(data, Everything)

    def test_refuses_an_unknown_field(self) -> None:
        data = CODEC.encode(Flat(Decimal(1)), Flat)
        assert isinstance(data, dict)
        data["surprise"] = 1

        with pytest.raises(InvalidInput, match=r"\$.surprise: expected no such field"):
            CODEC.decode(data, Flat)

    def test_refuses_a_missing_required_field(self) -> None:
        with pytest.raises(InvalidInput, match=r"\$.rate: expected a value"):
            CODEC.decode({}, Flat)

    def test_refuses_a_type_it_does_not_know(self) -> None:
        with pytest.raises(UnsupportedType):
            CODEC.decode("1j", complex)
        with pytest.raises(UnsupportedType):
            CODEC.decode("x", "not a type")
        with pytest.raises(UnsupportedType):
            CODEC.decode(["x"], memoryview)
        with pytest.raises(UnsupportedType):  # an unhashable hint is looked at, not cached
            CODEC.decode(1, Annotated[int, []])


class TestTimesOfDayAndDurations:
    def test_round_trips_a_time_of_day_and_a_duration_exactly(self) -> None:
        span = _dt.timedelta(days=1, seconds=5, microseconds=250_000)

        assert CODEC.encode(_dt.time(8, 30)) == "08:30:00"
        assert CODEC.encode(span) == "86405.25"
        assert CODEC.decode("08:30:00", _dt.time) == _dt.time(8, 30)
        assert CODEC.decode("86405.25", _dt.timedelta) == span
        assert CODEC.decode(CODEC.encode(-span), _dt.timedelta) == -span

    @pytest.mark.parametrize(
        ("data", "kind", "message"),
        [
            ("25:00", _dt.time, "time of day"),
            (830, _dt.time, "time of day"),
            ("08:30+08:00", _dt.time, "without an offset"),
            ("0.0000001", _dt.timedelta, "to the microsecond"),
            (5400, _dt.timedelta, "string"),
        ],
    )
    def test_refuses_what_it_cannot_read_exactly(
        self, data: object, kind: type, message: str
    ) -> None:
        with pytest.raises(InvalidInput, match=message):
            CODEC.decode(data, kind)  # type: ignore[arg-type]

    def test_refuses_a_time_of_day_with_an_offset(self) -> None:
        with pytest.raises(InvalidInput, match="without an offset"):
            CODEC.encode(_dt.time(8, 30, tzinfo=_dt.UTC))


class TestWithScalar:
    def test_teaches_a_registry_a_new_leaf_type(self) -> None:
        codec = CODEC.with_scalar(complex, ScalarCodec(str, lambda data, path: complex(str(data))))

        assert codec.encode(1j) == "1j"
        assert codec.decode("1j", complex) == 1j
        with pytest.raises(UnsupportedType):
            CODEC.encode(1j)

    def test_checks_what_a_taught_codec_writes(self) -> None:
        codec = CODEC.with_scalar(complex, ScalarCodec(lambda value: value.imag, complex))

        with pytest.raises(FloatNotAllowed, match=r"\$\[0\]"):
            codec.encode_json([2j], list[complex])


class TestCanonicalJson:
    def test_encode_json_writes_the_same_text_as_canonical_json_of_encode(self) -> None:
        value = an_everything(note="电费", period=None)

        text = CODEC.encode_json(value, Everything)

        assert text == canonical_json(CODEC.encode(value, Everything))
        with pytest.raises(FloatNotAllowed, match="extra"):
            CODEC.encode_json(an_everything(extra={"x": 0.1}), Everything)

    def test_sorts_keys_and_keeps_text_as_it_is(self) -> None:
        assert canonical_json({"b": "电费", "a": [1, None]}) == '{"a":[1,null],"b":"电费"}'

    def test_refuses_values_json_cannot_hold_exactly(self) -> None:
        with pytest.raises(FloatNotAllowed):
            check_json_ready({"a": (1, 2.0)})
        with pytest.raises(InvalidInput, match="str keys"):
            check_json_ready({1: "x"})
        with pytest.raises(InvalidInput, match="JSON-ready"):
            check_json_ready(Decimal(1))
