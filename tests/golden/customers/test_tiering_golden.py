"""Hand-checked tiering scenarios at each rule's edges, from the JSON files beside this one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest

from powerretail.customers.managers import SEED_ASSIGNMENT
from powerretail.customers.parties import (
    KeyAccountManager,
    LoadImportance,
    ManagerLevel,
    Sector,
    VoltageLevel,
)
from powerretail.customers.reclassification import BookEntry, Tiering, TieringPolicy, reclassify
from powerretail.customers.tiering import (
    ILLUSTRATIVE_SCORING,
    SEED_IMPORTANT_CUSTOMERS,
    SEED_LARGE_CUSTOMER,
    ImportantCategory,
    KeyAccountClass,
    KeyAccountGrade,
    KeyAccountProfile,
    UsageYear,
    classify_important_customer,
    classify_key_account,
    classify_large_customer,
    grade_key_account,
    score_key_account,
)
from powerretail.ids import ManagerId
from powerretail.quantities import Energy
from tests.strategies.customers import a_customer, a_profile

HERE = Path(__file__).parent


def load(name: str) -> dict[str, Any]:
    return json.loads((HERE / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def usage_from(spec: dict[str, Any], year: int = 2024) -> UsageYear:
    months = spec["list"] if "list" in spec else [spec["every"]] * spec["months"]
    return UsageYear(year=year, monthly_kwh=[Energy(m) for m in months])


def profile_from(customer_id: str, spec: dict[str, Any]) -> KeyAccountProfile:
    return a_profile(
        customer_id,
        priority=spec["priority"],
        annual_kwh=spec["annual_kwh"],
        annual_revenue=spec["annual_revenue"],
        voltage=VoltageLevel[spec["voltage"]],
        capacity_kva=spec["capacity_kva"],
        load_level=LoadImportance[spec["load_level"]],
        credit=spec["credit"],
        relationship_years=spec["relationship_years"],
    )


LARGE = load("large_customer.json")["cases"]
IMPORTANT = load("important_customers.json")["cases"]
SCORING = load("key_account_scoring.json")["cases"]


@pytest.mark.parametrize("case", LARGE, ids=[c["description"] for c in LARGE])
def test_large_customer(case: dict[str, Any]) -> None:
    policy = attrs.evolve(SEED_LARGE_CUSTOMER, inclusive=case["inclusive"])

    decision = classify_large_customer(usage_from(case["monthly_kwh"]), policy)

    assert decision.outcome is case["expected"]
    assert dict(decision.inputs)["average_kwh"] == case["average_kwh"]
    assert decision.rule == "large_customer"
    assert "第二条" in decision.source


@pytest.mark.parametrize(
    "case", IMPORTANT, ids=[f"{c['sector']}-{c['designated']}" for c in IMPORTANT]
)
def test_important_customer(case: dict[str, Any]) -> None:
    customer = a_customer(sector=Sector[case["sector"]], designated_important=case["designated"])

    decision = classify_important_customer(customer, SEED_IMPORTANT_CUSTOMERS)

    expected = None if case["expected"] is None else ImportantCategory[case["expected"]]
    assert decision.outcome == expected
    assert "供电所大客户维护与管理办法" in decision.source or "重要客户管理制度" in decision.source


@pytest.mark.parametrize("case", SCORING, ids=[c["description"] for c in SCORING])
def test_key_account_scoring(case: dict[str, Any]) -> None:
    profile = profile_from("C-1", case["profile"])
    expected = case["expected"]

    card = score_key_account(profile, ILLUSTRATIVE_SCORING)
    grade = grade_key_account(profile, ILLUSTRATIVE_SCORING)
    account_class = classify_key_account(profile, ILLUSTRATIVE_SCORING)

    assert str(card.total) == expected["score"]
    assert grade.outcome == (
        None if expected["grade"] is None else KeyAccountGrade[expected["grade"]]
    )
    assert account_class.outcome == (
        None if expected["class"] is None else KeyAccountClass[expected["class"]]
    )
    assert dict(grade.inputs)["score"] == expected["score"]


def tiering_from(spec: dict[str, Any]) -> Tiering:
    return Tiering(
        large=spec.get("large", False),
        key_class=KeyAccountClass[spec["key_class"]] if "key_class" in spec else None,
        key_grade=KeyAccountGrade[spec["key_grade"]] if "key_grade" in spec else None,
        manager_id=ManagerId(spec["manager_id"]) if "manager_id" in spec else None,
    )


def test_annual_reclassification_of_a_sample_book() -> None:
    data = load("reclassification_book.json")
    managers = [
        KeyAccountManager(
            id=m["id"],
            name=m["name"],
            level=ManagerLevel[m["level"]],
            regions=m["regions"],
            industries=m["industries"],
            accounts=m["accounts"],
        )
        for m in data["managers"]
    ]
    book = [
        BookEntry(
            customer=a_customer(
                e["customer"]["id"],
                sector=Sector[e["customer"]["sector"]],
                industry=e["customer"]["industry"],
                region=e["customer"]["region"],
            ),
            current=tiering_from(e["current"]),
            usage=None if e["usage"] is None else usage_from(e["usage"]),
            profile=None
            if e["profile"] is None
            else profile_from(e["customer"]["id"], e["profile"]),
        )
        for e in data["book"]
    ]
    policy = TieringPolicy(
        large=SEED_LARGE_CUSTOMER,
        important=SEED_IMPORTANT_CUSTOMERS,
        scoring=ILLUSTRATIVE_SCORING,
        assignment=SEED_ASSIGNMENT,
    )

    result = reclassify(list(reversed(book)), year=data["year"], policy=policy, managers=managers)

    got = [[c.customer_id, c.field, c.before, c.after, c.reasons[0].rule] for c in result.changes]
    assert got == data["expected_changes"]
    assert result.tiering_of("C-3") == book[2].current  # type: ignore[arg-type]
