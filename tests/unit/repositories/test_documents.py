from __future__ import annotations

import hashlib

import pytest

from powerretail.adapters.memory import MemoryStore
from powerretail.adapters.retail_library import shipped_package_text
from powerretail.errors import InvalidInput, NotFound
from powerretail.repositories.documents import latest_revision, revision_number, text_sha256
from powerretail.repositories.retail import PACKAGE_DOCUMENTS, PackageDocument


@pytest.mark.parametrize("value", [0, -1, True, "1", 1.0])
def test_a_revision_is_a_whole_number_of_at_least_1(value: object) -> None:
    with pytest.raises(InvalidInput, match=r"^revision: expected a whole number, at least 1"):
        revision_number(None, None, value)  # type: ignore[arg-type]


def test_revision_1_is_accepted() -> None:
    revision_number(None, None, 1)


def test_the_digest_is_the_sha256_of_the_utf8_text() -> None:
    assert text_sha256("售电") == hashlib.sha256("售电".encode()).hexdigest()


def test_the_latest_revision_is_the_highest_and_an_unknown_code_is_named() -> None:
    text = shipped_package_text("PKG-MIX")
    with MemoryStore().unit_of_work() as uow:
        repository = uow.repository(PACKAGE_DOCUMENTS)
        for revision in (2, 3, 1):
            repository.add(PackageDocument.of_text(text, revision))
        code = PackageDocument.of_text(text).code
        assert latest_revision(repository, code, "retail package").revision == 3
        with pytest.raises(NotFound, match=r"thing.*NOPE"):
            latest_revision(repository, "NOPE", "thing")
