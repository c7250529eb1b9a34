"""Reclassify a small book of customers for January 2025 and print what changed, and why.

Run: python examples/reclassify_book.py
"""

from __future__ import annotations

from powerretail.customers.managers import SEED_ASSIGNMENT
from powerretail.customers.parties import (
    Customer,
    KeyAccountManager,
    LoadImportance,
    ManagerLevel,
    Sector,
    VoltageLevel,
)
from powerretail.customers.reclassification import (
    BookEntry,
    Reclassification,
    Tiering,
    TieringPolicy,
    reclassify,
)
from powerretail.customers.tiering import (
    ILLUSTRATIVE_SCORING,
    SEED_IMPORTANT_CUSTOMERS,
    SEED_LARGE_CUSTOMER,
    KeyAccountClass,
    KeyAccountGrade,
    KeyAccountProfile,
    UsageYear,
)
from powerretail.ids import CustomerId, ManagerId
from powerretail.quantities import ApparentPower, Energy, Money

POLICY = TieringPolicy(
    large=SEED_LARGE_CUSTOMER,
    important=SEED_IMPORTANT_CUSTOMERS,
    scoring=ILLUSTRATIVE_SCORING,
    assignment=SEED_ASSIGNMENT,
)

MANAGERS = (
    KeyAccountManager(id="m-1", name="Zhou", level=ManagerLevel.REGIONAL, regions={"gusu"}),
    KeyAccountManager(
        id="m-2", name="Wu", level=ManagerLevel.REGIONAL, regions={"gusu"}, industries={"textiles"}
    ),
    KeyAccountManager(id="m-9", name="Qian", level=ManagerLevel.COMPANY),
)


def usage(kwh_per_month: str) -> UsageYear:
    """Return 2024 with the same consumption every month."""
    return UsageYear(year=2024, monthly_kwh=[Energy(kwh_per_month)] * 12)


def book() -> list[BookEntry]:
    """Return four customers as they stood at the end of 2024."""
    silk = Customer(
        id="C-2", name="Gusu Silk", sector=Sector.INDUSTRY, industry="textiles", region="gusu"
    )
    silk_profile = KeyAccountProfile(
        customer_id=CustomerId("C-2"),
        priority=3,
        annual_energy=Energy(600_000),
        annual_revenue=Money("400000.00"),
        supply_voltage=VoltageLevel.KV10,
        receiving_capacity=ApparentPower(1000),
        load_level=LoadImportance.SECOND,
        credit_score=80,
        relationship_years=2,
    )
    shop = Customer(
        id="C-4", name="Pingjiang Mall", sector=Sector.COMMERCE, industry="retail", region="gusu"
    )
    shop_was = Tiering(
        large=True,
        key_class=KeyAccountClass.KEY,
        key_grade=KeyAccountGrade.THIRD,
        manager_id=ManagerId("m-1"),
    )
    hospital = Customer(
        id="C-1", name="No. 3 Hospital", sector=Sector.HOSPITAL, industry="health", region="gusu"
    )
    school = Customer(
        id="C-5",
        name="Xiangcheng Middle School",
        sector=Sector.SCHOOL,
        industry="education",
        region="xiangcheng",
    )
    return [
        BookEntry(customer=hospital, usage=usage("3000")),
        BookEntry(customer=silk, usage=usage("4000"), profile=silk_profile),
        BookEntry(customer=shop, current=shop_was, usage=usage("3999.99")),
        BookEntry(customer=school),
    ]


def run() -> Reclassification:
    """Reclassify the book for 2025 and return the result."""
    return reclassify(book(), year=2025, policy=POLICY, managers=MANAGERS)


def main() -> None:
    """Print every change with its reasons."""
    result = run()
    print(f"Reclassification {result.year}: {len(result.changes)} changes")
    for change in result.changes:
        print(f"  {change.customer_id} {change.field}: {change.before} -> {change.after}")
        for decision in change.reasons:
            print(f"      because {decision.reason} [{decision.rule_set}/{decision.rule}]")


if __name__ == "__main__":
    main()
