"""Encode attrs entities to JSON-ready data and back, exactly: the one way entities are stored.

Storage adapters never see an entity's Python objects, only the JSON-ready data this codec makes:

* ``Decimal`` (money, energy, prices) as a string, so ``"0.10"`` stays ``0.10`` — never a float;
* ``date`` as ISO ``YYYY-MM-DD``; aware ``datetime`` as ISO 8601 with its offset, followed by
  its IANA zone in brackets when it has one (RFC 9557:
  ``2025-03-01T08:00:00+08:00[Asia/Shanghai]``);
* a local ``time`` of day as ISO ``HH:MM[:SS]``; a ``timedelta`` as its seconds in a string
  (``"5400"``, ``"0.25"``);
* enums by value; ``NewType`` ids as their underlying ``str``;
* nested attrs classes as objects keyed by field name; tuples, lists and frozensets as arrays;
  mappings as objects;
* a field whose type is a union of several classes as ``{"$type": "ClassName", "value": ...}``.

Decoding is driven by the attrs field types, goes through each class's own converters and
validators, and refuses unknown fields, missing fields and floats with
:class:`~powerretail.errors.InvalidInput` naming the path of the bad value.

>>> from powerretail.quantities import Money
>>> codec = CodecRegistry()
>>> codec.encode(Money("12.30"), Money)
{'amount': '12.30', 'currency': 'CNY'}
>>> codec.decode({"amount": "12.30", "currency": "CNY"}, Money)
Money(amount=Decimal('12.30'), currency='CNY')
>>> canonical_json(codec.encode(Money("1.00"), Money))
'{"amount":"1.00","currency":"CNY"}'

Types this module does not know are taught to a registry with :meth:`CodecRegistry.with_scalar`.
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
import types
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, TypeAlias, TypeVar, Union

import attrs

from powerretail.errors import FloatNotAllowed, InvalidInput, PowerRetailError
from powerretail.quantities import exact_decimal
from powerretail.timeframe import as_date, as_instant, timezone

__all__ = [
    "DEFAULT_CODECS",
    "CodecRegistry",
    "JsonValue",
    "ScalarCodec",
    "UnsupportedType",
    "canonical_json",
    "check_json_ready",
    "field_types",
    "json_object",
]

#: Data the codec produces and consumes: what ``json.dumps`` writes, without floats.
JsonValue: TypeAlias = bool | int | str | list["JsonValue"] | dict[str, "JsonValue"] | None

_TYPE_TAG: Final = "$type"
_NONE_TYPE: Final = type(None)


class UnsupportedType(PowerRetailError, TypeError):
    """The codec was asked to encode or decode a type it has not been taught."""

    def __init__(self, path: str, kind: object) -> None:
        self.path = path
        self.kind = kind
        super().__init__(path, kind)

    def __str__(self) -> str:
        return (
            f"{self.path}: no codec for {self.kind!r}; use attrs classes, Decimal, date, "
            "aware datetime, enums, str, int, bool, tuples and mappings, or teach the registry "
            "with CodecRegistry.with_scalar"
        )


@attrs.frozen
class ScalarCodec:
    """How one leaf type becomes JSON-ready data (``encode``) and back (``decode(data, path)``)."""

    encode: Callable[[Any], JsonValue]
    decode: Callable[[JsonValue, str], Any]


def canonical_json(data: JsonValue) -> str:
    """Return ``data`` as compact JSON with sorted keys: equal data gives equal text.

    Raises:
        FloatNotAllowed: ``data`` holds a float.
    """
    check_json_ready(data)
    return _CANONICAL.encode(data)


#: Compact JSON with sorted keys, unescaped Unicode: the one text form of stored data.
_CANONICAL: Final = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def check_json_ready(data: object, path: str = "$") -> None:
    """Check that ``data`` is JSON-ready: None, bool, int, str, lists and str-keyed dicts of them.

    Raises:
        FloatNotAllowed: a float anywhere inside (money and energy are strings).
        InvalidInput: any other value JSON cannot hold exactly.
    """
    if data is None or isinstance(data, bool | int | str):
        return
    if isinstance(data, float):
        raise FloatNotAllowed(path, data)
    if isinstance(data, list | tuple):
        for index, item in enumerate(data):
            check_json_ready(item, f"{path}[{index}]")
        return
    if isinstance(data, dict):
        for key, item in data.items():
            if not isinstance(key, str):
                raise InvalidInput(path, key, "str keys in a JSON object")
            check_json_ready(item, f"{path}.{key}")
        return
    raise InvalidInput(path, data, "a JSON-ready value (None, bool, int, str, list, dict)")


def json_object(value: object, field: str) -> dict[str, JsonValue]:
    """Return ``value`` as a JSON-ready object (a copy), for an entity field named ``field``.

    Raises:
        InvalidInput: ``value`` is not a mapping.
        FloatNotAllowed: a float anywhere inside.
    """
    if not isinstance(value, Mapping):
        raise InvalidInput(field, value, "a JSON-ready object")
    copied = dict(value)
    check_json_ready(copied, field)
    return copied


_FIELD_TYPES: dict[type[Any], dict[str, Any]] = {}


def field_types(cls: type[Any]) -> dict[str, Any]:
    """Return the resolved type of every field of class ``cls`` (cached)."""
    found = _FIELD_TYPES.get(cls)
    if found is None:
        found = _FIELD_TYPES[cls] = typing.get_type_hints(cls)
    return found


def _union_of(hint: Any) -> tuple[Any, ...] | None:
    origin = typing.get_origin(hint)
    if origin is Union or origin is types.UnionType:
        return typing.get_args(hint)
    return None


def _is_passthrough(hint: Any) -> bool:
    return hint is Any or hint is object


def _decode_decimal(data: JsonValue, path: str) -> Decimal:
    if not isinstance(data, str):
        raise InvalidInput(path, data, "a decimal number written as a string")
    return exact_decimal(data, path)


def _decode_fraction(data: JsonValue, path: str) -> Fraction:
    if not isinstance(data, str):
        raise InvalidInput(path, data, "a fraction written as a string such as '1/3'")
    try:
        return Fraction(data)
    except (ValueError, ZeroDivisionError):
        raise InvalidInput(path, data, "a fraction such as '1/3'") from None


def _decode_date(data: JsonValue, path: str) -> _dt.date:
    return as_date(data, path)


def _decode_instant(data: JsonValue, path: str) -> _dt.datetime:
    if not isinstance(data, str):
        raise InvalidInput(path, data, "an ISO 8601 date-time with an offset")
    text, zone = data, None
    if data.endswith("]") and "[" in data:
        text, zone = data[:-1].split("[", 1)
    instant = as_instant(text, path)
    return instant if zone is None else instant.in_timezone(timezone(zone))


def _encode_instant(value: _dt.datetime) -> JsonValue:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput("datetime", value, "an aware datetime (with a time zone or offset)")
    # The offset fixes the instant; a named zone is kept too (RFC 9557), so local calendar rules
    # and equality in a repeated autumn hour (PEP 495) behave the same after a round trip.
    zone = getattr(value.tzinfo, "key", None)
    return value.isoformat() if zone is None else f"{value.isoformat()}[{zone}]"


def _decode_time(data: JsonValue, path: str) -> _dt.time:
    if not isinstance(data, str):
        raise InvalidInput(path, data, "a time of day such as '08:30:00'")
    try:
        value = _dt.time.fromisoformat(data)
    except ValueError:
        raise InvalidInput(path, data, "a time of day such as '08:30:00'") from None
    if value.tzinfo is not None:
        raise InvalidInput(path, data, "a local time of day without an offset")
    return value


def _encode_time(value: _dt.time) -> JsonValue:
    if value.tzinfo is not None:
        raise InvalidInput("time", value, "a local time of day without an offset")
    return value.isoformat()


_MICROSECONDS: Final = Decimal(1_000_000)


def _encode_duration(value: _dt.timedelta) -> JsonValue:
    micros = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    return str(Decimal(micros) / _MICROSECONDS)


def _decode_duration(data: JsonValue, path: str) -> _dt.timedelta:
    seconds = _decode_decimal(data, path)
    micros = seconds * _MICROSECONDS
    if micros != micros.to_integral_value():
        raise InvalidInput(path, data, "a duration in seconds, to the microsecond")
    return _dt.timedelta(microseconds=int(micros))


_BUILTIN_SCALARS: Final[dict[type, ScalarCodec]] = {
    _dt.time: ScalarCodec(_encode_time, _decode_time),
    _dt.timedelta: ScalarCodec(_encode_duration, _decode_duration),
    Decimal: ScalarCodec(str, _decode_decimal),
    Fraction: ScalarCodec(str, _decode_fraction),
    _dt.datetime: ScalarCodec(_encode_instant, _decode_instant),
    _dt.date: ScalarCodec(lambda value: value.isoformat(), _decode_date),
}


class CodecRegistry:
    """Turn attrs entities into JSON-ready data and back, with codecs for leaf types.

    A registry is immutable: :meth:`with_scalar` returns a new one that also knows a type.
    """

    def __init__(self, scalars: Mapping[type, ScalarCodec] | None = None) -> None:
        self._scalars: dict[type, ScalarCodec] = {**_BUILTIN_SCALARS, **(scalars or {})}
        self._decoders: dict[Any, _Decode] = {}
        self._encoders: dict[type, _Encode] = {}
        self._hinted_encoders: dict[Any, _EncodeAs] = {}

    def with_scalar(self, kind: type, codec: ScalarCodec) -> CodecRegistry:
        """Return a registry that also encodes ``kind`` (and its subclasses) with ``codec``."""
        return CodecRegistry({**self._scalars, kind: codec})

    def _scalar_for(self, kind: type) -> ScalarCodec | None:
        for base in kind.__mro__:
            found = self._scalars.get(base)
            if found is not None:
                return found
        return None

    # ------------------------------------------------------------------ encode

    def encode_json(self, value: object, hint: Any = None, path: str = "$") -> str:
        """Return ``value`` as canonical JSON text: ``canonical_json(self.encode(value, hint))``.

        Faster, as the data is not walked a second time: :meth:`encode` already refuses floats
        and checks what a taught scalar codec writes.

        Raises:
            FloatNotAllowed: a float anywhere inside.
            UnsupportedType: a value of a type the registry does not know.
        """
        return _CANONICAL.encode(self.encode(value, hint, path))

    def encode(self, value: object, hint: Any = None, path: str = "$") -> JsonValue:
        """Return ``value`` as JSON-ready data; ``hint`` is its declared type (tags unions).

        Raises:
            FloatNotAllowed: a float anywhere inside.
            UnsupportedType: a value of a type the registry does not know.
        """
        return self._hinted(hint)(value, path)

    def _hinted(self, hint: Any) -> _EncodeAs:
        """Return the encoder of values declared as ``hint``, worked out once per hint."""
        return _per_hint(self._hinted_encoders, hint, self._compile_hinted)

    def _compile_hinted(self, hint: Any) -> _EncodeAs:
        options = _union_of(hint)
        if options is not None:
            classes = [option for option in options if option is not _NONE_TYPE]
            if len(classes) == 1:
                inner = self._hinted(classes[0])

                def encode_optional(value: object, path: str) -> JsonValue:
                    return None if value is None else inner(value, path)

                return encode_optional

            def encode_tagged(value: object, path: str) -> JsonValue:
                if value is None:
                    return None
                return {_TYPE_TAG: type(value).__name__, "value": self.encode(value, None, path)}

            return encode_tagged
        if _is_passthrough(hint):
            return _encode_passthrough
        encoders = self._encoders

        def encode_typed(value: object, path: str) -> JsonValue:
            kind = type(value)
            encoder = encoders.get(kind)
            if encoder is None:
                encoder = encoders[kind] = self._type_encoder(kind)
            return encoder(value, hint, path)

        return encode_typed

    def _type_encoder(self, kind: type) -> _Encode:
        """Return how a value of type ``kind`` is encoded, worked out once per registry."""
        if kind is _NONE_TYPE or issubclass(kind, bool | str):
            return _encode_as_is
        if issubclass(kind, float):
            return _refuse_float
        if issubclass(kind, enum.Enum):
            return self._encode_enum
        if issubclass(kind, int):
            return _encode_int
        scalar = self._scalar_for(kind)
        if scalar is not None:
            encode_scalar = scalar.encode
            if any(scalar is builtin for builtin in _BUILTIN_SCALARS.values()):
                return lambda value, _hint, _path: encode_scalar(value)  # always text

            def encode_taught(value: object, _hint: Any, path: str) -> JsonValue:
                encoded = encode_scalar(value)
                check_json_ready(encoded, path)
                return encoded

            return encode_taught
        if attrs.has(kind):
            return self._attrs_encoder(kind)
        if issubclass(kind, Mapping):
            return self._encode_mapping
        if issubclass(kind, tuple | list | frozenset | set):
            return self._encode_items
        return _refuse_type

    def _encode_enum(self, value: enum.Enum, _hint: Any, path: str) -> JsonValue:
        return self.encode(value.value, None, path)

    def _attrs_encoder(self, kind: type) -> _Encode:
        hints = field_types(kind)
        names = tuple(
            (field.name, hints.get(field.name)) for field in attrs.fields(kind) if field.init
        )

        def encode_attrs(value: Any, _hint: Any, path: str) -> JsonValue:
            return {
                name: self.encode(getattr(value, name), hint, f"{path}.{name}")
                for name, hint in names
            }

        return encode_attrs

    def _encode_mapping(self, value: Mapping[Any, Any], hint: Any, path: str) -> JsonValue:
        args = typing.get_args(hint)
        key_hint, item_hint = args if len(args) == 2 else (None, None)
        encoded: dict[str, JsonValue] = {}
        for key, item in value.items():
            text = self.encode(key, key_hint, f"{path}.<key>")
            if not isinstance(text, str):
                raise InvalidInput(f"{path}.<key>", key, "a key that encodes to a str")
            encoded[text] = self.encode(item, item_hint, f"{path}.{text}")
        return encoded

    def _encode_items(self, value: Any, hint: Any, path: str) -> JsonValue:
        items = list(value)
        if isinstance(value, frozenset | set):
            items = sorted(items, key=lambda item: canonical_json(self.encode(item)))
        return [
            self.encode(item, _item_hint(hint, index), f"{path}[{index}]")
            for index, item in enumerate(items)
        ]

    # ------------------------------------------------------------------ decode

    def decode(self, data: JsonValue, hint: Any, path: str = "$") -> Any:
        """Return the value of type ``hint`` that ``data`` encodes.

        Raises:
            InvalidInput: ``data`` does not fit ``hint`` (the message names the path).
            UnsupportedType: ``hint`` is a type the registry does not know.
        """
        return self._decoder(hint)(data, path)

    def _decoder(self, hint: Any) -> _Decode:
        """Return the decoder of ``hint``, worked out once per registry and hint."""
        return _per_hint(self._decoders, hint, self._compile)

    def _compile(self, hint: Any) -> _Decode:
        options = _union_of(hint)
        if options is not None:
            return self._compile_union(options)
        if _is_passthrough(hint):
            return _decode_passthrough
        supertype = getattr(hint, "__supertype__", None)
        if supertype is not None:  # a NewType id
            return self._decoder(supertype)
        origin = typing.get_origin(hint) or hint
        if not isinstance(origin, type):
            return _unsupported(hint)
        if issubclass(origin, bool):
            return _decode_bool
        if issubclass(origin, enum.Enum):
            return _enum_decoder(origin)
        if issubclass(origin, int):
            return _decode_int
        if issubclass(origin, str):
            return _decode_str
        scalar = self._scalar_for(origin)
        if scalar is not None:
            return scalar.decode
        if attrs.has(origin):
            return self._compile_attrs(origin)
        return self._compile_collection(hint, origin)

    def _compile_union(self, options: tuple[Any, ...]) -> _Decode:
        nullable = _NONE_TYPE in options
        classes = [option for option in options if option is not _NONE_TYPE]
        if len(classes) == 1:
            inner = self._decoder(classes[0])

            def decode_optional(data: JsonValue, path: str) -> Any:
                if data is None and nullable:
                    return None
                return inner(data, path)

            return decode_optional
        by_name: dict[str, Any] = {}
        for option in classes:
            kind = typing.get_origin(option) or option
            name = getattr(kind, "__name__", None)
            if name is not None:
                by_name.setdefault(name, option)
        expected = ", ".join(
            sorted(
                getattr(kind, "__name__", str(kind))
                for kind in {typing.get_origin(option) or option for option in classes}
            )
        )

        def decode_tagged(data: JsonValue, path: str) -> Any:
            if data is None and nullable:
                return None
            if not isinstance(data, dict) or set(data) != {_TYPE_TAG, "value"}:
                raise InvalidInput(path, data, 'an object {"$type": ..., "value": ...}')
            tag = data[_TYPE_TAG]
            option = by_name.get(tag) if isinstance(tag, str) else None
            if option is None:
                raise InvalidInput(f"{path}.$type", tag, f"one of {expected}")
            return self._decoder(option)(data["value"], path)

        return decode_tagged

    def _compile_attrs(self, kind: type) -> _Decode:
        #: (field names, then per field: name, alias, decoder, required), made at first use so
        #: a class may hold itself.
        layout: list[tuple[frozenset[str], tuple[tuple[str, str, _Decode, bool], ...]]] = []
        holding = f"an object holding a {kind.__name__}"

        def decode_attrs(data: JsonValue, path: str) -> Any:
            if not layout:
                fields = [field for field in attrs.fields(kind) if field.init]
                hints = field_types(kind)
                layout.append(
                    (
                        frozenset(field.name for field in fields),
                        tuple(
                            (
                                field.name,
                                field.alias,
                                self._decoder(hints.get(field.name)),
                                field.default is attrs.NOTHING,
                            )
                            for field in fields
                        ),
                    )
                )
            if not isinstance(data, dict):
                raise InvalidInput(path, data, holding)
            names, specs = layout[0]
            if not names.issuperset(data):
                unknown = sorted(set(data) - names)
                raise InvalidInput(f"{path}.{unknown[0]}", data[unknown[0]], "no such field")
            arguments: dict[str, Any] = {}
            for name, alias, decoder, required in specs:
                if name in data:
                    arguments[alias] = decoder(data[name], f"{path}.{name}")
                elif required:
                    raise InvalidInput(f"{path}.{name}", None, "a value (the field is required)")
            try:
                return kind(**arguments)
            except InvalidInput:
                raise
            except (TypeError, ValueError) as err:
                raise InvalidInput(path, data, f"a valid {kind.__name__} ({err})") from err

        return decode_attrs

    def _compile_collection(self, hint: Any, origin: type) -> _Decode:
        args = typing.get_args(hint)
        if issubclass(origin, Mapping):
            key_hint, item_hint = args if len(args) == 2 else (str, Any)
            decode_key, decode_item = self._decoder(key_hint), self._decoder(item_hint)

            def decode_mapping(data: JsonValue, path: str) -> Any:
                if not isinstance(data, dict):
                    raise InvalidInput(path, data, "an object")
                return {
                    decode_key(key, f"{path}.<key>"): decode_item(item, f"{path}.{key}")
                    for key, item in data.items()
                }

            return decode_mapping
        if not issubclass(origin, tuple | list | frozenset | set):
            return _unsupported(hint)
        make: Callable[[list[Any]], Any] = (
            tuple
            if issubclass(origin, tuple)
            else frozenset
            if issubclass(origin, frozenset)
            else set
            if issubclass(origin, set)
            else list
        )
        positional = typing.get_origin(hint) is tuple and not (
            len(args) == 2 and args[1] is Ellipsis
        )
        if positional:
            decoders = tuple(self._decoder(arg) for arg in args)
        else:
            decoders = (self._decoder(_item_hint(hint, 0)),)
        last = len(decoders) - 1

        def decode_items(data: JsonValue, path: str) -> Any:
            if not isinstance(data, list):
                raise InvalidInput(path, data, "an array")
            if not positional:
                decode = decoders[0]
                return make([decode(item, f"{path}[{i}]") for i, item in enumerate(data)])
            return make(
                [
                    (decoders[i] if i <= last else _decode_passthrough)(item, f"{path}[{i}]")
                    for i, item in enumerate(data)
                ]
            )

        return decode_items


_Made = TypeVar("_Made")


def _per_hint(cache: dict[Any, _Made], hint: Any, make: Callable[[Any], _Made]) -> _Made:
    """Return ``cache[hint]``, made by ``make(hint)`` once (an unhashable hint: every time)."""
    try:
        found = cache.get(hint)
    except TypeError:
        return make(hint)
    if found is None:
        found = cache[hint] = make(hint)
    return found


#: A compiled decoder: JSON-ready data and its path → the value.
_Decode = Callable[[JsonValue, str], Any]
#: How values of one type are encoded: (value, declared type, path) → JSON-ready data.
_Encode = Callable[[Any, Any, str], JsonValue]


#: An encoder for values declared as one type: (value, path) → JSON-ready data.
_EncodeAs = Callable[[Any, str], JsonValue]


def _encode_as_is(value: Any, _hint: Any, _path: str) -> JsonValue:
    return value  # type: ignore[no-any-return]


def _encode_passthrough(value: Any, path: str) -> JsonValue:
    check_json_ready(value, path)
    return value  # type: ignore[no-any-return]


def _encode_int(value: int, _hint: Any, _path: str) -> JsonValue:
    return int(value)


def _refuse_float(value: float, _hint: Any, path: str) -> JsonValue:
    raise FloatNotAllowed(path, value)


def _refuse_type(value: object, _hint: Any, path: str) -> JsonValue:
    raise UnsupportedType(path, type(value))


def _decode_passthrough(data: JsonValue, path: str) -> JsonValue:
    check_json_ready(data, path)
    return data


def _decode_bool(data: JsonValue, path: str) -> Any:
    return _expect(data, bool, path, "true or false")


def _decode_int(data: JsonValue, path: str) -> Any:
    if isinstance(data, bool):
        raise InvalidInput(path, data, "a whole number")
    return _expect(data, int, path, "a whole number")


def _decode_str(data: JsonValue, path: str) -> Any:
    return _expect(data, str, path, "a string")


def _enum_decoder(kind: type[enum.Enum]) -> _Decode:
    def decode_enum(data: JsonValue, path: str) -> enum.Enum:
        try:
            return kind(data)
        except ValueError:
            values = ", ".join(sorted(str(member.value) for member in kind))
            raise InvalidInput(path, data, f"one of {values}") from None

    return decode_enum


def _unsupported(hint: Any) -> _Decode:
    def refuse(_data: JsonValue, path: str) -> Any:
        raise UnsupportedType(path, hint)

    return refuse


def _item_hint(hint: Any, index: int) -> Any:
    args = typing.get_args(hint)
    if not args:
        return Any
    if len(args) == 2 and args[1] is Ellipsis:
        return args[0]
    if typing.get_origin(hint) is tuple:
        return args[index] if index < len(args) else Any
    return args[0]


def _expect(data: JsonValue, kind: type, path: str, expected: str) -> Any:
    if not isinstance(data, kind):
        raise InvalidInput(path, data, expected)
    return data


#: The registry every aggregate uses unless it is given another.
DEFAULT_CODECS: Final = CodecRegistry()
