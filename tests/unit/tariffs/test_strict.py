from __future__ import annotations

import enum
from decimal import Decimal

import pytest

from powerretail.errors import InvalidInput
from powerretail.tariffs import parser, strict

_SPEC = (
    strict.spec_field("code", "code", "the code", required=True),
    strict.spec_field("colour", "text", "a colour"),
)


class _Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


def test_the_parser_still_offers_the_field_spec() -> None:
    assert parser.FieldSpec is strict.FieldSpec


class TestReadToml:
    def test_reads_fractions_as_decimals(self) -> None:
        assert strict.read_toml("rate = 0.25", "doc") == {"rate": Decimal("0.25")}

    @pytest.mark.parametrize(
        ("text", "got"),
        [
            (b"a = 1", "b'a = 1'"),
            ("a = " + "[" * 100_000, "nesting too deep"),
        ],
    )
    def test_refuses_what_it_cannot_read(self, text: object, got: str) -> None:
        with pytest.raises(InvalidInput) as refused:
            strict.read_toml(text, "doc")
        assert refused.value.field == "doc"
        assert str(refused.value.value) == got

    def test_refuses_text_that_is_not_toml(self) -> None:
        with pytest.raises(InvalidInput, match=r"^doc: expected TOML text"):
            strict.read_toml("a = = 1", "doc")


class TestEnumField:
    def test_absent_is_the_default(self) -> None:
        assert (
            strict.enum_field(strict.Table({"code": "A"}, "", _SPEC), "colour", _Colour, None)
            is None
        )

    def test_names_a_member(self) -> None:
        table = strict.Table({"code": "A", "colour": "blue"}, "", _SPEC)
        assert strict.enum_field(table, "colour", _Colour, None) is _Colour.BLUE

    def test_an_unknown_name_lists_the_members(self) -> None:
        table = strict.Table({"code": "A", "colour": "green"}, "x[0]", _SPEC)
        with pytest.raises(
            InvalidInput, match=r'^x\[0\].colour: expected one of red, blue, got "green"'
        ):
            strict.enum_field(table, "colour", _Colour, None)


def test_build_puts_the_path_in_front_of_the_field() -> None:
    def refuse() -> None:
        raise InvalidInput("rate", "x", "a number")

    with pytest.raises(InvalidInput) as refused:
        strict.build("versions[1]", refuse)
    assert refused.value.field == "versions[1].rate"


def test_a_missing_required_field_is_named_with_its_meaning() -> None:
    with pytest.raises(InvalidInput, match=r"^code: expected a value \(the code\)"):
        strict.Table({}, "", _SPEC)


def test_brief_cuts_big_structures_short() -> None:
    assert strict.brief(Decimal("1.5")) == Decimal("1.5")
    assert strict.brief(list(range(100))) == repr(list(range(100)))[:57] + "..."


def test_format_spec_tables_shows_every_field() -> None:
    assert strict.format_spec_tables({"t": _SPEC}).splitlines() == [
        "### `t`",
        "",
        "| field | kind | required | meaning |",
        "|---|---|---|---|",
        "| `code` | code | yes | the code |",
        "| `colour` | text |  | a colour |",
    ]
