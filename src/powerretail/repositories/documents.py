"""Documents stored by revision: package files and tariffs kept as text, one revision per change.

A change to such a document is stored as a new revision (``code@2``), never an overwrite; these
pieces are shared by the tariff documents (:mod:`powerretail.repositories.tariffs`) and the retail
package documents (:mod:`powerretail.repositories.retail`):

* :func:`revision_number` — the attrs validator of a revision (a whole number, at least 1);
* :func:`text_sha256` — the SHA-256 of a document's text, to detect a changed document;
* :func:`latest_revision` — the highest stored revision of a code.

>>> text_sha256("code = 'X'\\n")[:12]
'ad13ebac4bb3'
"""

from __future__ import annotations

import hashlib
from typing import Protocol, TypeVar

from powerretail.errors import InvalidInput, NotFound
from powerretail.repositories.aggregates import AggregateRepository

__all__ = ["Revised", "latest_revision", "revision_number", "text_sha256"]


class Revised(Protocol):
    """A document stored by revision."""

    @property
    def revision(self) -> int:
        """1, 2, … — a change is stored as a new revision."""
        ...


_D = TypeVar("_D", bound=Revised)


def revision_number(_instance: object, _attribute: object, value: int) -> None:
    """Check a revision number (an attrs validator).

    Raises:
        InvalidInput: ``value`` is not a whole number of at least 1.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput("revision", value, "a whole number, at least 1")


def text_sha256(text: str) -> str:
    """Return the SHA-256 of ``text`` (UTF-8) in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def latest_revision(repository: AggregateRepository[str, _D], code: str, what: str) -> _D:
    """Return the highest revision of ``code`` stored in ``repository`` (a ``what``).

    Raises:
        NotFound: no revision of ``code`` is stored (naming ``what`` and ``code``).
    """
    documents = repository.query(code=code)
    if not documents:
        raise NotFound(what, code)
    return max((stored.entity for stored in documents), key=lambda doc: doc.revision)
