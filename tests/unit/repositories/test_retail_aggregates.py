from __future__ import annotations

import pytest

from powerretail.adapters.memory import MemoryStore
from powerretail.adapters.retail_library import shipped_package_text
from powerretail.errors import InvalidInput, NotFound
from powerretail.repositories.aggregates import ChangeNotAllowed
from powerretail.repositories.retail import (
    ALLOCATIONS,
    PACKAGE_DOCUMENTS,
    PackageDocument,
    latest_package,
)
from powerretail.retail.allocation import Claim, reallocate
from tests.unit.retail.builders import july_portfolio


class TestPackageDocument:
    def test_refuses_a_revision_below_1(self) -> None:
        with pytest.raises(InvalidInput, match="revision"):
            PackageDocument.of_text(shipped_package_text("PKG-MIX"), 0)

    def test_the_latest_of_an_unknown_package_is_not_found(self) -> None:
        with MemoryStore().unit_of_work() as uow, pytest.raises(NotFound, match="PKG-X"):
            latest_package(uow.repository(PACKAGE_DOCUMENTS), "PKG-X")


class TestAllocationChanges:
    def test_a_save_may_keep_or_reallocate_but_not_rewrite(self) -> None:
        first = july_portfolio()["allocation"]
        second = reallocate(first, claims=[Claim(customer_id="C-1", kwh="1")], reason="why")

        ALLOCATIONS.check_change(first, first)
        ALLOCATIONS.check_change(first, second)
        with pytest.raises(ChangeNotAllowed, match="revision 2"):
            ALLOCATIONS.check_change(second, first)
