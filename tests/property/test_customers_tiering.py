"""Tiering decisions are pure: the same inputs give equal decisions, whatever came before."""

from __future__ import annotations

import copy
from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from powerretail.customers.managers import SEED_ASSIGNMENT
from powerretail.customers.parties import Customer, KeyAccountManager, ManagerLevel
from powerretail.customers.reclassification import BookEntry, TieringPolicy, reclassify
from powerretail.customers.tiering import (
    ILLUSTRATIVE_SCORING,
    SEED_IMPORTANT_CUSTOMERS,
    SEED_LARGE_CUSTOMER,
    KeyAccountProfile,
    UsageYear,
    classify_important_customer,
    classify_key_account,
    classify_large_customer,
    grade_key_account,
    score_key_account,
)
from powerretail.quantities import Energy
from tests.strategies.customers import a_usage, customers, profiles, usage_years

POLICY = TieringPolicy(
    large=SEED_LARGE_CUSTOMER,
    important=SEED_IMPORTANT_CUSTOMERS,
    scoring=ILLUSTRATIVE_SCORING,
    assignment=SEED_ASSIGNMENT,
)
MANAGERS = (
    KeyAccountManager(id="m-1", name="A", level=ManagerLevel.REGIONAL),
    KeyAccountManager(id="m-2", name="B", level=ManagerLevel.REGIONAL, industries={"textiles"}),
    KeyAccountManager(id="m-9", name="C", level=ManagerLevel.COMPANY),
)


@given(usage_years)
@example(a_usage(4000))
def test_a_large_customer_decision_is_a_pure_function_of_its_inputs(usage: UsageYear) -> None:
    twin = copy.deepcopy(usage)

    first = classify_large_customer(usage, SEED_LARGE_CUSTOMER)
    classify_large_customer(a_usage(1), SEED_LARGE_CUSTOMER)  # anything in between
    second = classify_large_customer(twin, SEED_LARGE_CUSTOMER)

    assert first == second
    assert hash(first) == hash(second)


@given(usage_years)
def test_a_customer_is_large_exactly_when_the_exact_average_reaches_the_threshold(
    usage: UsageYear,
) -> None:
    decision = classify_large_customer(usage, SEED_LARGE_CUSTOMER)

    assert decision.outcome is (usage.average_kwh >= Decimal(4000))


@given(customers)
def test_an_important_customer_decision_is_a_pure_function_of_its_inputs(
    customer: Customer,
) -> None:
    assert classify_important_customer(customer, SEED_IMPORTANT_CUSTOMERS) == (
        classify_important_customer(copy.deepcopy(customer), SEED_IMPORTANT_CUSTOMERS)
    )


@given(profiles)
def test_key_account_decisions_are_pure_functions_of_their_inputs(
    profile: KeyAccountProfile,
) -> None:
    twin = copy.deepcopy(profile)

    assert grade_key_account(profile, ILLUSTRATIVE_SCORING) == grade_key_account(
        twin, ILLUSTRATIVE_SCORING
    )
    assert classify_key_account(profile, ILLUSTRATIVE_SCORING) == classify_key_account(
        twin, ILLUSTRATIVE_SCORING
    )


@given(profiles)
def test_a_score_stays_within_0_and_100(profile: KeyAccountProfile) -> None:
    assert Decimal(0) <= score_key_account(profile, ILLUSTRATIVE_SCORING).total <= Decimal(100)


@given(profiles, st.integers(min_value=1, max_value=5_000_000))
def test_more_energy_never_lowers_the_score(profile: KeyAccountProfile, extra_kwh: int) -> None:
    richer = copy.copy(profile)
    object.__setattr__(richer, "annual_energy", profile.annual_energy + Energy(extra_kwh))

    assert (
        score_key_account(richer, ILLUSTRATIVE_SCORING).total
        >= score_key_account(profile, ILLUSTRATIVE_SCORING).total
    )


@given(
    st.lists(
        st.tuples(customers, st.one_of(st.none(), usage_years), st.one_of(st.none(), profiles)),
        max_size=6,
        unique_by=lambda t: t[0].id,
    ),
    st.randoms(use_true_random=False),
)
def test_reclassifying_a_book_does_not_depend_on_its_order(
    rows: list[tuple[Customer, UsageYear | None, KeyAccountProfile | None]], shuffler: object
) -> None:
    book = [
        BookEntry(
            customer=customer,
            usage=None if usage is None else UsageYear(year=2024, monthly_kwh=usage.monthly_kwh),
            profile=profile,
        )
        for customer, usage, profile in rows
    ]
    shuffled = list(book)
    shuffler.shuffle(shuffled)  # type: ignore[attr-defined]

    assert reclassify(book, year=2025, policy=POLICY, managers=MANAGERS) == reclassify(
        shuffled, year=2025, policy=POLICY, managers=MANAGERS
    )
