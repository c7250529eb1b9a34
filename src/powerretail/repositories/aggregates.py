"""Versioned aggregates: what an aggregate is to storage, and the repository port for one.

An :class:`Aggregate` describes one kind of entity to storage: its stable ``kind`` name, its attrs
class, the field holding its key and the fields it can be queried by. Every adapter stores every
aggregate through it, so adding an aggregate to the library is one :class:`Aggregate` value — no
table, no adapter code.

Every stored entity has a version: 1 when added, one more at each save. A save names the version
it read; if the store holds another, the save raises
:class:`~powerretail.errors.VersionConflict` and changes nothing (optimistic concurrency,
RELIABILITY R11).

An aggregate whose stored entities are documents declares which changes a save may make
(``changes``, a :data:`ChangeRule`): every store asks :meth:`Aggregate.check_change` before it
replaces a stored entity, and refuses the save with :class:`ChangeNotAllowed` — so the rule is
written once, next to the aggregate, and no store (nor an embedder's) can forget it (R5).
:func:`never_changes` is the rule of a document that never changes once stored.

>>> import attrs
>>> @attrs.frozen
... class Note:
...     note_id: str
...     topic: str
>>> NOTES: Aggregate[str, Note] = Aggregate(
...     kind="note", entity_type=Note, key_field="note_id", indexed=("topic",)
... )
>>> NOTES.key_of(Note("n-1", "tariffs"))
'n-1'
>>> NOTES.encode(Note("n-1", "tariffs"))
{'note_id': 'n-1', 'topic': 'tariffs'}
>>> NOTES.index_of(Note("n-1", "tariffs"))
{'topic': '"tariffs"'}
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

import attrs

from powerretail.errors import InvalidInput, RuleViolation, describe_value
from powerretail.repositories.codec import (
    DEFAULT_CODECS,
    CodecRegistry,
    JsonValue,
    canonical_json,
    field_types,
)

__all__ = [
    "Aggregate",
    "AggregateRepository",
    "ChangeNotAllowed",
    "ChangeRefusal",
    "ChangeRule",
    "OrderedIndex",
    "Upgrade",
    "Versioned",
    "changed_fields",
    "never_changes",
]

K = TypeVar("K", bound=str)
E = TypeVar("E")

#: Turn an entity's stored data from one schema version into the next.
Upgrade = Callable[[dict[str, JsonValue]], dict[str, JsonValue]]

_KIND = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class ChangeNotAllowed(RuleViolation):
    """A save would change stored ``kind`` ``key`` (in ``state``) in a way it may not (R5).

    ``changed`` says what: the fields changed, or a state change that is not a transition.
    Nothing was saved.
    """

    def __init__(self, kind: str, key: str, state: str, changed: tuple[str, ...]) -> None:
        self.kind = kind
        self.key = key
        self.state = state
        self.changed = changed
        super().__init__(kind, key, state, changed)

    def __str__(self) -> str:
        return (
            f"{self.kind} {describe_value(self.key)} is {self.state}: a save may not change "
            f"{', '.join(self.changed)}; correct it with a new document"
        )


class ChangeRefusal(NamedTuple):
    """Why a change is refused: the stored entity's state and what the change would alter."""

    state: str
    changed: tuple[str, ...]


#: Decide whether a stored entity may be saved as another: ``None`` when it may.
ChangeRule = Callable[[E, E], ChangeRefusal | None]


def changed_fields(stored: Any, new: Any, *, allowed: Iterable[str] = ()) -> tuple[str, ...]:
    """Return the attrs fields of ``stored`` that ``new`` holds another value in (in field order).

    Fields named in ``allowed`` are not compared.
    """
    skip = set(allowed)
    return tuple(
        field.name
        for field in attrs.fields(type(stored))
        if field.name not in skip and getattr(stored, field.name) != getattr(new, field.name)
    )


def never_changes(state: str) -> Callable[[Any, Any], ChangeRefusal | None]:
    """Return the rule of a document that never changes once stored (in ``state``, "posted").

    >>> rule = never_changes("posted")
    >>> @attrs.frozen
    ... class Receipt:
    ...     receipt_id: str
    ...     amount: str
    >>> rule(Receipt("R-1", "10.00"), Receipt("R-1", "10.00")) is None
    True
    >>> rule(Receipt("R-1", "10.00"), Receipt("R-1", "1.00"))
    ChangeRefusal(state='posted', changed=('amount',))
    """

    def rule(stored: Any, new: Any) -> ChangeRefusal | None:
        changed = changed_fields(stored, new)
        return ChangeRefusal(state, changed) if changed else None

    return rule


class Versioned(NamedTuple, Generic[E]):
    """An entity as stored, with its version (1 when added, one more at each save)."""

    entity: E
    version: int


def _check_kind(_instance: object, _attribute: object, value: str) -> None:
    if not isinstance(value, str) or not _KIND.match(value):
        raise InvalidInput("kind", value, "a lower-case name such as 'bill' or 'meter_read'")


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


#: Separates the parts of an ordered index's stored text (JSON text never holds it unescaped).
_SEP = "\x1f"


@attrs.frozen
class OrderedIndex(Generic[E]):
    """An index :meth:`AggregateRepository.query_range` reads a date range of, in date order.

    Attributes:
        name: the index's name (not a field name of the entity).
        equal: indexed fields a range query fixes (``account_id``), in this order.
        by: the date the entities are ordered and ranged by (a bill's period end).
    """

    name: str
    equal: tuple[str, ...] = attrs.field(converter=_names)
    by: Callable[[E], date] = attrs.field(eq=False)


@attrs.frozen(kw_only=True)
class Aggregate(Generic[K, E]):
    """Describe one kind of aggregate to storage.

    Attributes:
        kind: stable name stored with every entity ("bill"); never rename it once data exists.
        entity_type: the attrs class of the entity.
        key_field: the field holding the entity's key (an id, a ``str``).
        indexed: the fields :meth:`AggregateRepository.query` can filter on (equality).
        codec: how the entity becomes JSON-ready data and back.
        schema_version: the version of the entity's stored shape; raise it when the class
            changes in a way old data does not fit (a field renamed, removed or re-typed).
        upgrades: ``upgrades[n]`` turns data stored at version ``n`` into version ``n + 1``;
            one for every version below ``schema_version``. Stores keep each entity's schema
            version, and old data is upgraded as it is read (saving it writes the new shape).
        changes: which saves may change a stored entity (``None``: any). Stores call
            :meth:`check_change` before every save when it is set.
        ordered: the ordered indexes :meth:`AggregateRepository.query_range` can read.
        backfilled: indexed fields added after stores may already hold entities of this kind;
            a store writes their index rows for entities stored before (once, on the first
            query that filters on the field), so an existing file needs no migration.

    Raises:
        InvalidInput: ``kind`` is not a lower-case name, ``entity_type`` is not an attrs class,
            ``key_field`` / ``indexed`` name fields it does not have, an upgrade is missing, or
            an ordered index fixes a field that is not indexed, or a backfilled field is not
            indexed.
    """

    kind: str = attrs.field(validator=_check_kind)
    entity_type: type[E]
    key_field: str
    indexed: tuple[str, ...] = attrs.field(default=(), converter=_names)
    codec: CodecRegistry = attrs.field(default=DEFAULT_CODECS, eq=False, repr=False)
    schema_version: int = 1
    upgrades: Mapping[int, Upgrade] = attrs.field(factory=dict, eq=False, repr=False)
    changes: ChangeRule[E] | None = attrs.field(default=None, eq=False, repr=False)
    ordered: tuple[OrderedIndex[E], ...] = attrs.field(default=(), eq=False)
    backfilled: tuple[str, ...] = attrs.field(default=(), converter=_names, eq=False)

    def __attrs_post_init__(self) -> None:
        if not attrs.has(self.entity_type):
            raise InvalidInput("entity_type", self.entity_type, "an attrs class")
        names = {field.name for field in attrs.fields(self.entity_type)}
        for field in (self.key_field, *self.indexed):
            if field not in names:
                expected = f"a field of {self.entity_type.__name__} ({', '.join(sorted(names))})"
                raise InvalidInput(
                    "key_field" if field == self.key_field else "indexed", field, expected
                )
        if isinstance(self.schema_version, bool) or self.schema_version < 1:
            raise InvalidInput("schema_version", self.schema_version, "a whole number, at least 1")
        for version in range(1, self.schema_version):
            if version not in self.upgrades:
                raise InvalidInput(
                    "upgrades", sorted(self.upgrades), f"an upgrade from version {version}"
                )
        for index in self.ordered:
            if index.name in names or not set(index.equal) <= set(self.indexed):
                raise InvalidInput(
                    "ordered", index.name, "a new name over indexed fields of the entity"
                )
        for field in self.backfilled:
            if field not in self.indexed:
                raise InvalidInput("backfilled", field, f"an indexed field of {self.kind}")

    def check_change(self, stored: E, new: E) -> None:
        """Check that a save may replace ``stored`` by ``new`` (stores call it on every save).

        Raises:
            ChangeNotAllowed: ``changes`` refuses it.
        """
        if self.changes is None:
            return
        refusal = self.changes(stored, new)
        if refusal is not None:
            raise ChangeNotAllowed(self.kind, self.key_of(stored), refusal.state, refusal.changed)

    def key_of(self, entity: E) -> K:
        """Return the key of ``entity``."""
        key: K = getattr(entity, self.key_field)
        return key

    def encode(self, entity: E) -> dict[str, JsonValue]:
        """Return ``entity`` as JSON-ready data.

        Raises:
            InvalidInput: ``entity`` is not a ``entity_type``.
        """
        if not isinstance(entity, self.entity_type):
            raise InvalidInput(self.kind, entity, f"a {self.entity_type.__name__}")
        encoded = self.codec.encode(entity, self.entity_type, self.kind)
        assert isinstance(encoded, dict)  # an attrs instance always encodes to an object
        return encoded

    def body_of(self, entity: E) -> str:
        """Return ``entity`` as the canonical JSON text stores keep (``canonical_json(encode)``).

        Raises:
            InvalidInput: ``entity`` is not a ``entity_type``.
        """
        if not isinstance(entity, self.entity_type):
            raise InvalidInput(self.kind, entity, f"a {self.entity_type.__name__}")
        return self.codec.encode_json(entity, self.entity_type, self.kind)

    def decode(self, data: JsonValue, schema_version: int | None = None) -> E:
        """Return the entity ``data`` encodes, upgrading it from ``schema_version`` first.

        Raises:
            InvalidInput: ``data`` is not a valid encoded entity, or was stored at a schema
                version newer than this one (by a newer program).
        """
        version = self.schema_version if schema_version is None else schema_version
        if version > self.schema_version:
            raise InvalidInput(
                f"{self.kind}.schema_version",
                version,
                f"at most {self.schema_version} (the data was written by a newer program)",
            )
        while version < self.schema_version:
            if not isinstance(data, dict):
                raise InvalidInput(self.kind, data, "an object")
            data = self.upgrades[version](data)
            version += 1
        entity: E = self.codec.decode(data, self.entity_type, self.kind)
        return entity

    def index_of(self, entity: E) -> dict[str, str]:
        """Return the canonical JSON text of each indexed field of ``entity``."""
        return {field: self.index_value(field, getattr(entity, field)) for field in self.indexed}

    def index_text(self, field: str, entity: E) -> str:
        """Return the canonical JSON text of indexed ``field`` of ``entity``."""
        return self.index_value(field, getattr(entity, field))

    def index_value(self, field: str, value: object) -> str:
        """Return the canonical JSON text ``value`` of indexed ``field`` is compared by.

        Raises:
            InvalidInput: ``field`` is not indexed.
        """
        if field not in self.indexed:
            raise InvalidInput(
                "where", field, f"an indexed field of {self.kind} ({', '.join(self.indexed)})"
            )
        hint = field_types(self.entity_type).get(field)
        return canonical_json(self.codec.encode(value, hint, f"{self.kind}.{field}"))

    def ordered_of(self, entity: E) -> dict[str, str]:
        """Return the text each ordered index stores for ``entity`` (its fields, then its date).

        Texts of one ``equal`` value share a prefix and sort as their dates do.
        """
        return {
            index.name: self._prefix(index, {f: getattr(entity, f) for f in index.equal})
            + index.by(entity).isoformat()
            for index in self.ordered
        }

    def ordered_bounds(
        self, name: str, start: date | None, end: date | None, where: Mapping[str, object]
    ) -> tuple[str, str]:
        """Return the texts ``[low, high)`` of ordered index ``name`` whose dates are in range.

        Raises:
            InvalidInput: ``name`` is not an ordered index, or ``where`` does not give exactly
                its ``equal`` fields.
        """
        found = {index.name: index for index in self.ordered}
        if name not in found:
            expected = f"an ordered index of {self.kind} ({', '.join(sorted(found)) or 'none'})"
            raise InvalidInput("index", name, expected)
        index = found[name]
        if set(where) != set(index.equal):
            raise InvalidInput("where", sorted(where), f"exactly {', '.join(index.equal)}")
        prefix = self._prefix(index, where)
        low = prefix + (start.isoformat() if start is not None else "")
        high = prefix + (end.isoformat() if end is not None else "~")  # "~" sorts after digits
        return low, high

    def _prefix(self, index: OrderedIndex[E], values: Mapping[str, object]) -> str:
        return "".join(self.index_value(f, values[f]) + _SEP for f in index.equal)

    def index_filter(self, where: Mapping[str, object]) -> dict[str, str]:
        """Return ``where`` as canonical index texts, checking every field is indexed."""
        return {field: self.index_value(field, value) for field, value in where.items()}


class AggregateRepository(Protocol[K, E]):
    """Load and store one kind of aggregate inside a unit of work."""

    def get(self, key: K) -> Versioned[E]:
        """Return the entity stored under ``key`` with its version.

        Raises:
            NotFound: nothing is stored under ``key``.
        """
        ...

    def find(self, key: K) -> Versioned[E] | None:
        """Return the entity stored under ``key`` with its version, or ``None``."""
        ...

    def add(self, entity: E) -> int:
        """Store a new entity at version 1 and return 1.

        Raises:
            VersionConflict: an entity is already stored under its key (``expected`` 0).
        """
        ...

    def save(self, entity: E, expected_version: int) -> int:
        """Replace the stored entity if it is still at ``expected_version``; return the new one.

        Raises:
            VersionConflict: the store holds another version or nothing; nothing changed.
        """
        ...

    def query(self, **where: Any) -> tuple[Versioned[E], ...]:
        """Return the entities whose indexed fields equal ``where``, ordered by key.

        Raises:
            InvalidInput: a field in ``where`` is not indexed.
        """
        ...

    def query_range(
        self,
        index: str,
        start: date | None,
        end: date | None,
        *,
        limit: int | None = None,
        **where: Any,
    ) -> tuple[Versioned[E], ...]:
        """Return the entities of ordered ``index`` whose date is in ``[start, end)``.

        ``where`` gives the index's ``equal`` fields; ``None`` leaves that end of the range open.
        Ordered by date, then key; at most ``limit`` entities (the first ones).

        Raises:
            InvalidInput: ``index`` is not an ordered index, or ``where`` does not give exactly
                its fields.
        """
        ...

    def keys(self, **where: Any) -> tuple[K, ...]:
        """Return the keys of the entities :meth:`query` would return, without loading them.

        Work through many aggregates key by key, one unit of work each (a billing cycle), so a
        crash loses at most the one in progress.

        Raises:
            InvalidInput: a field in ``where`` is not indexed.
        """
        ...
