from datetime import date
from decimal import Decimal

import attrs
import pytest

from powerretail.customers.parties import Sector
from powerretail.customers.tiering import (
    ILLUSTRATIVE_SCORING,
    SEED_IMPORTANT_CUSTOMERS,
    SEED_LARGE_CUSTOMER,
    Band,
    CategoryRule,
    ClassCriterion,
    Factor,
    FactorRule,
    GradeBand,
    ImportantCategory,
    ImportantCustomerPolicy,
    KeyAccountClass,
    KeyAccountGrade,
    ScoringPolicy,
    UsageYear,
    classify_key_account,
    classify_large_customer,
    grade_key_account,
    policy_in_force,
)
from powerretail.errors import InvalidInput, NotFound
from powerretail.quantities import Energy
from tests.strategies.customers import a_profile, a_usage


def policy_data() -> dict[str, object]:
    return {
        "key": "TEST",
        "effective_from": "2026-01-01",
        "factors": {f.name: {"weight": 1, "bands": [[0, None, 50]]} for f in Factor},
        "grades": {"FIRST": 50},
        "classes": [
            {"class": "PARTNER", "min_relationship_years": 3},
            {"class": "KEY", "min_points": {"CREDIT": 10}},
        ],
    }


class TestUsageYear:
    def test_refuses_more_than_twelve_months(self) -> None:
        with pytest.raises(InvalidInput, match="between 1 and 12"):
            a_usage(1, months=13)

    def test_refuses_no_months(self) -> None:
        with pytest.raises(InvalidInput, match="between 1 and 12"):
            UsageYear(year=2024, monthly_kwh=[])

    def test_refuses_negative_consumption(self) -> None:
        with pytest.raises(InvalidInput, match="0 kWh or more"):
            UsageYear(year=2024, monthly_kwh=[Energy(-1)])

    def test_averages_over_the_months_supplied(self) -> None:
        usage = UsageYear(year=2024, monthly_kwh=[Energy(1000), Energy(2000)])

        assert usage.average_kwh == Decimal(1500)
        assert usage.total == Energy(3000)


class TestClassifyLargeCustomer:
    def test_explains_itself_with_rule_inputs_threshold_and_source(self) -> None:
        decision = classify_large_customer(a_usage("4200"), SEED_LARGE_CUSTOMER)

        text = decision.explain()

        assert text.startswith("[SEED/large_customer] average 4200.00 kWh/month over 12 months")
        assert "threshold: average monthly consumption >= 4000 kWh" in text
        assert "source: 供电所大客户维护与管理办法 第二条" in text

    def test_an_exclusive_policy_says_not_above_at_the_threshold(self) -> None:
        exclusive = attrs.evolve(SEED_LARGE_CUSTOMER, inclusive=False)

        decision = classify_large_customer(a_usage(4000), exclusive)

        assert not decision.outcome
        assert "is not above 4000" in decision.reason
        assert decision.threshold == "average monthly consumption > 4000 kWh"

    def test_an_exclusive_policy_says_above_beyond_the_threshold(self) -> None:
        exclusive = attrs.evolve(SEED_LARGE_CUSTOMER, inclusive=False)

        assert "is above 4000" in classify_large_customer(a_usage(4001), exclusive).reason


class TestImportantCustomerPolicy:
    def test_refuses_a_sector_listed_twice(self) -> None:
        rule = CategoryRule(Sector.HOTEL, ImportantCategory.OTHER_SPECIAL, "x")

        with pytest.raises(InvalidInput, match="each sector at most once"):
            ImportantCustomerPolicy(key="t", rules=(rule, rule))

    def test_finds_no_rule_for_an_unlisted_sector(self) -> None:
        assert SEED_IMPORTANT_CUSTOMERS.rule_for(Sector.INDUSTRY) is None


class TestBand:
    def test_holds_its_lower_bound_but_not_its_upper(self) -> None:
        band = Band(10, 20, 50)

        assert Decimal(10) in band
        assert Decimal("19.99") in band
        assert Decimal(20) not in band
        assert 15 not in band  # only Decimal measures are compared

    def test_refuses_an_upper_bound_not_above_the_lower(self) -> None:
        with pytest.raises(InvalidInput, match=r"band\.upper"):
            Band(10, 10, 50)

    def test_refuses_points_above_100(self) -> None:
        with pytest.raises(InvalidInput, match=r"band\.points"):
            Band(0, None, 101)

    def test_reads_as_a_half_open_range(self) -> None:
        assert str(Band(0, None, 5)) == "[0, ∞) → 5"


class TestFactorRule:
    def test_refuses_overlapping_bands(self) -> None:
        with pytest.raises(InvalidInput, match="not overlapping"):
            FactorRule(Factor.CREDIT, 1, (Band(0, 50, 1), Band(40, None, 2)))

    def test_refuses_a_band_after_an_unbounded_one(self) -> None:
        with pytest.raises(InvalidInput, match="not overlapping"):
            FactorRule(Factor.CREDIT, 1, (Band(0, None, 1), Band(40, None, 2)))

    def test_gives_no_points_outside_every_band(self) -> None:
        rule = FactorRule(Factor.CREDIT, 1, (Band(50, None, 10),))

        assert rule.points(Decimal(10)) == (Decimal(0), None)

    def test_refuses_a_negative_weight(self) -> None:
        with pytest.raises(InvalidInput, match="weight"):
            FactorRule(Factor.CREDIT, -1, ())


class TestScoringPolicy:
    def test_reads_a_policy_from_plain_data(self) -> None:
        policy = ScoringPolicy.from_mapping(policy_data())

        grade = grade_key_account(a_profile(relationship_years=3), policy)
        account_class = classify_key_account(a_profile(relationship_years=3), policy)

        assert grade.outcome is KeyAccountGrade.FIRST
        assert account_class.outcome is KeyAccountClass.PARTNER
        assert account_class.rule_set == "TEST"

    def test_reports_an_unknown_factor_name(self) -> None:
        data = policy_data()
        data["factors"] = {"LUCK": {"weight": 1, "bands": []}}

        with pytest.raises(InvalidInput, match="LUCK"):
            ScoringPolicy.from_mapping(data)

    def test_reports_a_malformed_band(self) -> None:
        data = policy_data()
        data["factors"] = {f.name: {"weight": 1, "bands": [5]} for f in Factor}

        with pytest.raises(InvalidInput, match="documented shape"):
            ScoringPolicy.from_mapping(data)

    def test_refuses_a_missing_factor(self) -> None:
        with pytest.raises(InvalidInput, match="seven factors"):
            attrs.evolve(ILLUSTRATIVE_SCORING, factors=ILLUSTRATIVE_SCORING.factors[:-1])

    def test_refuses_all_zero_weights(self) -> None:
        zero = tuple(attrs.evolve(r, weight=0) for r in ILLUSTRATIVE_SCORING.factors)

        with pytest.raises(InvalidInput, match="more than 0"):
            attrs.evolve(ILLUSTRATIVE_SCORING, factors=zero)

    def test_refuses_no_grades(self) -> None:
        with pytest.raises(InvalidInput, match="grade cut-off"):
            attrs.evolve(ILLUSTRATIVE_SCORING, grades=())

    def test_a_key_account_meeting_no_class_criterion_has_no_class(self) -> None:
        policy = attrs.evolve(
            ILLUSTRATIVE_SCORING,
            classes=(
                ClassCriterion(account_class=KeyAccountClass.PARTNER, min_relationship_years=99),
            ),
        )

        decision = classify_key_account(a_profile(), policy)

        assert decision.outcome is None
        assert decision.reason == "meets no class criterion"

    def test_sorts_grade_cut_offs_from_the_highest(self) -> None:
        policy = attrs.evolve(
            ILLUSTRATIVE_SCORING,
            grades=(GradeBand(KeyAccountGrade.THIRD, 10), GradeBand(KeyAccountGrade.FIRST, 90)),
        )

        assert [g.grade for g in policy.grades] == [KeyAccountGrade.FIRST, KeyAccountGrade.THIRD]


class TestKeyAccountProfile:
    @pytest.mark.parametrize("priority", [0, 6, True])
    def test_refuses_a_priority_outside_1_to_5(self, priority: int) -> None:
        with pytest.raises(InvalidInput, match="priority"):
            a_profile(priority=priority)

    def test_refuses_a_credit_score_above_100(self) -> None:
        with pytest.raises(InvalidInput, match="credit_score"):
            a_profile(credit="100.1")

    def test_describes_a_criterion_without_conditions_as_any_key_account(self) -> None:
        assert ClassCriterion(account_class=KeyAccountClass.KEY).describe() == "any key account"

    def test_looks_up_the_rule_of_a_factor(self) -> None:
        assert ILLUSTRATIVE_SCORING.rule_for(Factor.CREDIT).weight == Decimal(5)


class TestPolicyInForce:
    def test_takes_the_latest_policy_not_after_the_day(self) -> None:
        later = attrs.evolve(SEED_LARGE_CUSTOMER, key="2027", effective_from="2027-01-01")

        assert policy_in_force([later, SEED_LARGE_CUSTOMER], date(2027, 1, 1)).key == "2027"
        assert policy_in_force([later, SEED_LARGE_CUSTOMER], date(2026, 12, 31)).key == "SEED"

    def test_finds_none_before_the_first(self) -> None:
        with pytest.raises(NotFound, match="policy in force on"):
            policy_in_force([ILLUSTRATIVE_SCORING], date(2025, 12, 31))

    def test_refuses_two_policies_of_one_day(self) -> None:
        twin = attrs.evolve(SEED_LARGE_CUSTOMER, key="TWIN")

        with pytest.raises(InvalidInput, match="one policy per effective date"):
            policy_in_force([SEED_LARGE_CUSTOMER, twin], date(2026, 1, 1))
