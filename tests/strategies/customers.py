"""Builders and hypothesis strategies for customers, tiering and contracts tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from powerretail.contracts.lifecycle import Contract, Department, ReviewOpinion, Verdict
from powerretail.contracts.terms import (
    ContractKind,
    ContractTerm,
    Liability,
    MeteringTerms,
    Party,
    PartyRole,
    PriceTerms,
    SettlementTerms,
)
from powerretail.customers.parties import Customer, LoadImportance, Sector, VoltageLevel
from powerretail.customers.tiering import KeyAccountProfile, UsageYear
from powerretail.ids import CustomerId, ServicePointId
from powerretail.quantities import ApparentPower, Energy, Money


def a_customer(
    customer_id: str = "C-1",
    *,
    sector: Sector = Sector.INDUSTRY,
    industry: str = "manufacturing",
    region: str = "gusu",
    designated_important: bool = False,
) -> Customer:
    """Return a customer with sensible defaults."""
    return Customer(
        id=CustomerId(customer_id),
        name=f"Customer {customer_id}",
        sector=sector,
        industry=industry,
        region=region,
        designated_important=designated_important,
    )


def a_usage(average_kwh: str | int, *, year: int = 2024, months: int = 12) -> UsageYear:
    """Return a year of usage with every month at ``average_kwh``."""
    return UsageYear(year=year, monthly_kwh=[Energy(average_kwh)] * months)


def a_profile(
    customer_id: str = "C-1",
    *,
    priority: int = 3,
    annual_kwh: str | int = 600_000,
    annual_revenue: str | int = 400_000,
    voltage: VoltageLevel = VoltageLevel.KV10,
    capacity_kva: str | int = 1000,
    load_level: LoadImportance = LoadImportance.SECOND,
    credit: str | int = 80,
    relationship_years: int = 2,
) -> KeyAccountProfile:
    """Return a key-account profile; the defaults score 61.00 (二级), illustrative policy."""
    return KeyAccountProfile(
        customer_id=CustomerId(customer_id),
        priority=priority,
        annual_energy=Energy(annual_kwh),
        annual_revenue=Money(annual_revenue),
        supply_voltage=voltage,
        receiving_capacity=ApparentPower(capacity_kva),
        load_level=load_level,
        credit_score=credit,
        relationship_years=relationship_years,
    )


def energies(max_kwh: int = 20_000) -> st.SearchStrategy[Energy]:
    """Monthly consumptions from 0 to ``max_kwh`` kWh with two decimals."""
    return st.decimals(min_value=0, max_value=max_kwh, places=2).map(Energy)


usage_years = st.builds(
    UsageYear,
    year=st.integers(min_value=2000, max_value=2030),
    monthly_kwh=st.lists(energies(), min_size=1, max_size=12),
)

customers = st.builds(
    a_customer,
    st.from_regex(r"C-[0-9]{1,4}", fullmatch=True),
    sector=st.sampled_from(Sector),
    industry=st.sampled_from(["manufacturing", "textiles", "retail", "public"]),
    region=st.sampled_from(["gusu", "wuzhong", "xiangcheng"]),
    designated_important=st.booleans(),
)

profiles = st.builds(
    a_profile,
    priority=st.integers(min_value=1, max_value=5),
    annual_kwh=st.decimals(min_value=0, max_value=20_000_000, places=1).map(str),
    annual_revenue=st.decimals(min_value=0, max_value=10_000_000, places=2).map(str),
    voltage=st.sampled_from(VoltageLevel),
    capacity_kva=st.integers(min_value=0, max_value=20_000),
    load_level=st.sampled_from(LoadImportance),
    credit=st.decimals(min_value=0, max_value=100, places=1).map(str),
    relationship_years=st.integers(min_value=0, max_value=30),
)

credit_deltas = st.decimals(min_value=Decimal(-30), max_value=Decimal(30), places=1)


# ---------------------------------------------------------------- contracts

CONTRACT_AT = datetime(2025, 3, 1, 2, tzinfo=UTC)


def a_contract(contract_id: str = "K-1", **changes: object) -> Contract:
    """Return a draft retail contract for customer C-1 over service point SP-1."""
    fields: dict[str, object] = {
        "id": contract_id,
        "kind": ContractKind.RETAIL,
        "seller": Party(role=PartyRole.SELLER, name="Suzhou Power Retail", representative="Chen"),
        "buyer": Party(
            role=PartyRole.BUYER,
            name="Wuzhong Textiles",
            representative="Gu",
            customer_id=CustomerId("C-1"),
        ),
        "scope": (ServicePointId("SP-1"),),
        "price": PriceTerms(retail_package_id="FIXED-2025"),
        "settlement": SettlementTerms(
            billing_day=1, payment_due_days=15, method="bank transfer", late_fee_daily_rate="0.002"
        ),
        "metering": MeteringTerms(metered_points=(ServicePointId("SP-1"),)),
        "liabilities": (Liability(clause="9.1", text="late payment: 2‰ a day"),),
        "term": ContractTerm(start="2025-04-01", end="2026-04-01", renewal_months=12),
    }
    fields.update(changes)
    return Contract(**fields)  # type: ignore[arg-type]


def an_opinion(
    department: Department, verdict: Verdict = Verdict.APPROVE, *, minute: int = 0
) -> ReviewOpinion:
    """Return ``department``'s opinion."""
    return ReviewOpinion(
        department=department,
        verdict=verdict,
        text=f"{department.value} {verdict.value}",
        by=f"{department.name.lower()}-reviewer",
        at=CONTRACT_AT + timedelta(minutes=minute),
    )
