"""Strict reading of data files: tables checked against a field spec, errors naming their path.

The tariff file reader (:mod:`powerretail.tariffs.parser`), the retail package file reader
(:mod:`powerretail.retail.package_file`) and the reference price reader
(:mod:`powerretail.retail.reference_prices`) share these pieces, so that every file format refuses
the same things in the same words:

* :class:`FieldSpec` — one field of a table: name, kind, whether required, what it means;
* :func:`spec_field` — a :class:`FieldSpec`, optional unless ``required=True``;
* :class:`Table` — a mapping being read: an unknown or missing field is refused, each value is
  read as the kind asked for (exact numbers only), and every error names its path;
* :func:`build` — call a model constructor, putting the table's path in front of its errors;
* :func:`enum_field` — an optional field naming one member of an enum;
* :func:`read_toml` — TOML text to mappings (fractions as ``Decimal``), refusing what is not TOML;
* :func:`format_spec_tables` — the Markdown reference tables of a file format.

>>> spec = (spec_field("code", "code", "the code", required=True), spec_field("rate", "", ""))
>>> table = Table(read_toml('code = "A"\\nrate = 0.25', "example"), "", spec)
>>> table.text("code"), table.decimal("rate")
('A', Decimal('0.25'))
>>> Table({"code": "A", "colour": "red"}, "versions[0]", spec)
Traceback (most recent call last):
...
powerretail.errors.InvalidInput: versions[0].colour: expected no such field (known: code, rate), \
got "red"
"""

from __future__ import annotations

import datetime as _dt
import tomllib
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from powerretail.errors import FloatNotAllowed, InvalidInput
from powerretail.quantities import exact_decimal
from powerretail.timeframe import as_date

__all__ = [
    "FieldSpec",
    "Table",
    "brief",
    "build",
    "enum_field",
    "format_spec_tables",
    "read_toml",
    "spec_field",
]

_T = TypeVar("_T")


@attrs.frozen
class FieldSpec:
    """One field of a table in a tariff file: its name, kind, whether required, what it means."""

    name: str
    kind: str
    required: bool
    doc: str


def spec_field(name: str, kind: str, doc: str, *, required: bool = False) -> FieldSpec:
    """Return the spec of field ``name`` of kind ``kind`` meaning ``doc`` (optional by default)."""
    return FieldSpec(name, kind, required, doc)


class Table:
    """A mapping being read: checks its fields against a spec and names paths in errors.

    ``data`` must be a mapping whose keys are all named in ``spec`` and which holds every required
    field; ``path`` is where it stands in the document (``""`` for the top, then called by the
    file's kind in errors: ``tariff``).

    Raises:
        InvalidInput: ``data`` is not a table, has a field ``spec`` does not know, or lacks a
            required one.
    """

    def __init__(self, data: object, path: str, spec: Sequence[FieldSpec]) -> None:
        if not isinstance(data, Mapping):
            raise InvalidInput(path or "tariff", brief(data), "a table")
        self.data = data
        self.path = path
        known = {f.name for f in spec}
        for key in data:
            if key not in known:
                raise InvalidInput(
                    self.at(str(key)),
                    brief(data[key]),
                    f"no such field (known: {', '.join(sorted(known))})",
                )
        for field in spec:
            if field.required and field.name not in data:
                raise InvalidInput(self.at(field.name), None, f"a value ({field.doc})")

    def at(self, name: str) -> str:
        """Return the path of field ``name`` of this table."""
        return f"{self.path}.{name}" if self.path else name

    def has(self, name: str) -> bool:
        """Return whether the table holds field ``name``."""
        return name in self.data

    def raw(self, name: str) -> object:
        """Return field ``name`` as it stands (``None`` when absent)."""
        return self.data.get(name)

    def text(self, name: str, default: str | None = None) -> str:
        """Return text field ``name`` (``default`` when absent; without one, it is required)."""
        if name not in self.data:
            if default is None:
                raise InvalidInput(self.at(name), None, "a text")
            return default
        value = self.data[name]
        if not isinstance(value, str):
            raise InvalidInput(self.at(name), brief(value), "a text")
        return value

    def opt_text(self, name: str) -> str | None:
        """Return text field ``name``, or ``None`` when absent."""
        return self.text(name) if name in self.data else None

    def decimal(self, name: str, expected: str = "a number") -> Decimal:
        """Return number field ``name`` exactly (a float is refused; ``expected`` names it)."""
        value = self.data.get(name)
        if isinstance(value, bool) or not isinstance(value, int | Decimal | str | float):
            raise InvalidInput(self.at(name), brief(value), expected)
        try:
            return exact_decimal(value, self.at(name))
        except FloatNotAllowed:
            raise  # it says itself that floats are refused
        except InvalidInput as err:
            raise InvalidInput(self.at(name), brief(value), expected) from err

    def opt_decimal(self, name: str, expected: str = "a number") -> Decimal | None:
        """Return number field ``name``, or ``None`` when absent."""
        return self.decimal(name, expected) if name in self.data else None

    def integer(self, name: str, default: int) -> int:
        """Return whole-number field ``name`` (``default`` when absent)."""
        value = self.data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(self.at(name), brief(value), "a whole number")
        return value

    def date(self, name: str) -> _dt.date:
        """Return date field ``name`` (a date or ``YYYY-MM-DD``; not a date-time)."""
        value = self.data.get(name)
        if isinstance(value, _dt.datetime) or not isinstance(value, _dt.date | str):
            raise InvalidInput(self.at(name), brief(value), "a date YYYY-MM-DD")
        return as_date(value, self.at(name))

    def array(self, name: str) -> Sequence[object]:
        """Return array field ``name`` (empty when absent)."""
        value = self.data.get(name, [])
        if not isinstance(value, list | tuple):
            raise InvalidInput(self.at(name), brief(value), "an array")
        return value

    def texts(self, name: str) -> tuple[str, ...]:
        """Return array field ``name`` of texts."""
        items = self.array(name)
        for index, item in enumerate(items):
            if not isinstance(item, str):
                raise InvalidInput(f"{self.at(name)}[{index}]", brief(item), "a text")
        return tuple(items)  # type: ignore[arg-type]

    def integers(self, name: str) -> tuple[int, ...]:
        """Return array field ``name`` of whole numbers."""
        items = self.array(name)
        for index, item in enumerate(items):
            if isinstance(item, bool) or not isinstance(item, int):
                raise InvalidInput(f"{self.at(name)}[{index}]", brief(item), "a whole number")
        return tuple(items)  # type: ignore[arg-type]

    def dates(self, name: str) -> tuple[_dt.date, ...]:
        """Return array field ``name`` of dates."""
        items = self.array(name)
        result = []
        for index, item in enumerate(items):
            path = f"{self.at(name)}[{index}]"
            if isinstance(item, _dt.datetime) or not isinstance(item, _dt.date | str):
                raise InvalidInput(path, brief(item), "a date YYYY-MM-DD")
            result.append(as_date(item, path))
        return tuple(result)


def brief(value: object) -> object:
    """Return ``value`` for an error message, cut short when it is a big structure."""
    if isinstance(value, str | int | Decimal | float | bool | _dt.date) or value is None:
        return value
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def build(path: str, factory: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Call a model constructor, putting ``path`` in front of the field of any error it raises."""
    try:
        return factory(*args, **kwargs)
    except InvalidInput as err:
        field = f"{path}.{err.field}" if path else err.field
        raise InvalidInput(field, err.value, err.expected) from None


def enum_field(table: Table, name: str, kind: type[Any], default: Any) -> Any:
    """Return the member of enum ``kind`` that text field ``name`` names (``default`` if absent).

    Raises:
        InvalidInput: the text names no member (the members are listed).
    """
    if not table.has(name):
        return default
    value = table.text(name)
    try:
        return kind(value)
    except ValueError:
        names = ", ".join(str(member.value) for member in kind)
        raise InvalidInput(table.at(name), value, f"one of {names}") from None


def read_toml(text: object, what: str) -> object:
    """Return the mappings of TOML ``text`` (numbers with a fraction as ``Decimal``).

    ``what`` names the document in errors (``tariff``, ``package`` …).

    Raises:
        InvalidInput: ``text`` is not a text, not TOML, or nested too deep to read.
    """
    if not isinstance(text, str):
        raise InvalidInput(what, brief(text), "TOML text")
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as err:
        raise InvalidInput(what, str(err), "TOML text") from None
    except RecursionError:
        raise InvalidInput(what, "nesting too deep", "TOML text") from None


def format_spec_tables(specs: Mapping[str, Sequence[FieldSpec]]) -> str:
    """Return the Markdown tables describing every field of the tables ``specs`` names."""
    out = []
    for table, fields in specs.items():
        out.extend(
            [f"### `{table}`", "", "| field | kind | required | meaning |", "|---|---|---|---|"]
        )
        for field in fields:
            required = "yes" if field.required else ""
            out.append(f"| `{field.name}` | {field.kind} | {required} | {field.doc} |")
        out.append("")
    return "\n".join(out)
