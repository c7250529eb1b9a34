from datetime import date

import pytest

from powerretail.customers.managers import SEED_ASSIGNMENT, NoManagerAvailable
from powerretail.customers.parties import KeyAccountManager, ManagerLevel
from powerretail.customers.reclassification import (
    BookEntry,
    Tiering,
    TieringPolicy,
    is_reclassification_overdue,
    reclassify,
)
from powerretail.customers.tiering import (
    ILLUSTRATIVE_SCORING,
    SEED_IMPORTANT_CUSTOMERS,
    SEED_LARGE_CUSTOMER,
    KeyAccountClass,
    KeyAccountGrade,
)
from powerretail.errors import InvalidInput
from powerretail.ids import CustomerId, ManagerId
from tests.strategies.customers import a_customer, a_profile, a_usage

POLICY = TieringPolicy(
    large=SEED_LARGE_CUSTOMER,
    important=SEED_IMPORTANT_CUSTOMERS,
    scoring=ILLUSTRATIVE_SCORING,
    assignment=SEED_ASSIGNMENT,
)
ZHOU = KeyAccountManager(id="m-1", name="Zhou", level=ManagerLevel.REGIONAL, regions={"gusu"})
WU = KeyAccountManager(id="m-2", name="Wu", level=ManagerLevel.REGIONAL, regions={"gusu"})


class TestReclassify:
    def test_refuses_a_customer_twice(self) -> None:
        entry = BookEntry(customer=a_customer())

        with pytest.raises(InvalidInput, match="each customer once"):
            reclassify([entry, entry], year=2025, policy=POLICY)

    def test_refuses_usage_from_another_year(self) -> None:
        entry = BookEntry(customer=a_customer(), usage=a_usage(5000, year=2023))

        with pytest.raises(InvalidInput, match=r"book\[C-1\]\.usage\.year"):
            reclassify([entry], year=2025, policy=POLICY)

    def test_reports_no_change_for_an_unchanged_customer(self) -> None:
        entry = BookEntry(customer=a_customer(), usage=a_usage(100))

        result = reclassify([entry], year=2025, policy=POLICY)

        assert result.changes == ()
        assert result.tiering_of(CustomerId("C-1")) == Tiering()
        assert [d.rule for _, d in result.decisions] == [
            "large_customer",
            "important_customer",
            "key_account_grade",
            "key_account_class",
        ]

    def test_keeps_a_manager_who_still_fits(self) -> None:
        current = Tiering(
            key_class=KeyAccountClass.KEY,
            key_grade=KeyAccountGrade.SECOND,
            manager_id=ManagerId("m-2"),
        )
        entry = BookEntry(customer=a_customer(), current=current, profile=a_profile())

        result = reclassify([entry], year=2025, policy=POLICY, managers=[ZHOU, WU])

        assert result.tiering_of(CustomerId("C-1")).manager_id == "m-2"
        assert result.changes == ()

    def test_replaces_a_manager_who_no_longer_fits(self) -> None:
        current = Tiering(
            key_class=KeyAccountClass.KEY,
            key_grade=KeyAccountGrade.SECOND,
            manager_id=ManagerId("m-1"),
        )
        moved = BookEntry(
            customer=a_customer(region="wuzhong"), current=current, profile=a_profile()
        )
        local = KeyAccountManager(
            id="m-5", name="Sun", level=ManagerLevel.REGIONAL, regions={"wuzhong"}
        )

        result = reclassify([moved], year=2025, policy=POLICY, managers=[ZHOU, local])

        (change,) = result.changes
        assert (change.field, change.before, change.after) == ("manager_id", "m-1", "m-5")
        assert str(change).startswith("C-1 manager_id: m-1 → m-5 (Sun (m-5) is a 区域大客户经理")

    def test_spreads_new_key_accounts_across_managers_in_id_order(self) -> None:
        book = [
            BookEntry(customer=a_customer(f"C-{i}"), profile=a_profile(f"C-{i}")) for i in (3, 1, 2)
        ]

        result = reclassify(book, year=2025, policy=POLICY, managers=[ZHOU, WU])

        managers = [t.manager_id for _, t in result.tierings]
        assert managers == ["m-1", "m-2", "m-1"]

    def test_needs_a_manager_for_every_key_account(self) -> None:
        entry = BookEntry(customer=a_customer(), profile=a_profile())

        with pytest.raises(NoManagerAvailable):
            reclassify([entry], year=2025, policy=POLICY, managers=[])

    def test_explains_losing_key_account_status_without_a_profile(self) -> None:
        current = Tiering(
            key_class=KeyAccountClass.KEY,
            key_grade=KeyAccountGrade.THIRD,
            manager_id=ManagerId("m-1"),
        )
        entry = BookEntry(customer=a_customer(), current=current)

        result = reclassify([entry], year=2025, policy=POLICY, managers=[ZHOU])

        assert {c.field for c in result.changes} == {"key_class", "key_grade", "manager_id"}
        assert all("no key-account profile" in c.reasons[0].reason for c in result.changes)


class TestIsReclassificationOverdue:
    def test_is_never_overdue_in_january(self) -> None:
        assert not is_reclassification_overdue(last_run_for=None, on=date(2025, 1, 31))

    def test_is_overdue_from_february_until_run(self) -> None:
        assert is_reclassification_overdue(last_run_for=2024, on=date(2025, 2, 1))
        assert not is_reclassification_overdue(last_run_for=2025, on=date(2025, 12, 31))
