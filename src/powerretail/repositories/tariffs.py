"""Port of tariffs: each revision of a tariff stored as its canonical TOML document.

A :class:`~powerretail.tariffs.model.Tariff` holds compiled schedules and callables' worth of
structure; storage keeps the document it was read from instead (:class:`TariffDocument`), in the
canonical text :func:`~powerretail.tariffs.parser.dump_toml` writes, one revision per change.
Revisions are never overwritten: a change is a new revision (``code@2``), and
:func:`latest_tariff` returns the highest.
"""

from __future__ import annotations

from typing import TypeAlias

import attrs

from powerretail.repositories.aggregates import Aggregate, AggregateRepository, never_changes
from powerretail.repositories.documents import latest_revision, revision_number, text_sha256
from powerretail.tariffs.model import Tariff
from powerretail.tariffs.parser import dump_toml, loads_toml

__all__ = [
    "TARIFF_DOCUMENTS",
    "TariffDocument",
    "TariffDocumentRepository",
    "latest_tariff",
]


@attrs.frozen(kw_only=True)
class TariffDocument:
    """One revision of a tariff: its code, its revision number and its canonical TOML text.

    Attributes:
        document_id: ``code@revision`` (the key).
        code: the tariff code (indexed).
        revision: 1, 2, … — a change to a tariff is stored as a new revision.
        text: the TOML document (:mod:`powerretail.tariffs.parser` reads it).
        sha256: the SHA-256 of ``text`` (UTF-8), to detect a changed document.
    """

    document_id: str
    code: str
    revision: int = attrs.field(validator=revision_number)
    text: str
    sha256: str

    @classmethod
    def of(cls, tariff: Tariff, revision: int = 1) -> TariffDocument:
        """Return ``tariff`` as revision ``revision`` of its canonical document."""
        text = dump_toml(tariff)
        return cls(
            document_id=f"{tariff.code}@{revision}",
            code=tariff.code,
            revision=revision,
            text=text,
            sha256=text_sha256(text),
        )

    def tariff(self) -> Tariff:
        """Return the tariff the document describes (parsed afresh)."""
        return loads_toml(self.text)


#: Tariff documents, keyed by ``code@revision``, found by code; a revision never changes.
TARIFF_DOCUMENTS: Aggregate[str, TariffDocument] = Aggregate(
    kind="tariff_document",
    entity_type=TariffDocument,
    key_field="document_id",
    indexed=("code",),
    changes=never_changes("published"),
)

TariffDocumentRepository: TypeAlias = AggregateRepository[str, TariffDocument]


def latest_tariff(repository: TariffDocumentRepository, code: str) -> TariffDocument:
    """Return the highest revision of tariff ``code``.

    Raises:
        NotFound: no revision of ``code`` is stored.
    """
    return latest_revision(repository, code, "tariff")
