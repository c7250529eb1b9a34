from datetime import UTC, datetime
from decimal import Decimal

import pytest

from powerretail.access import SEED_POLICY, Actor, PermissionDenied
from powerretail.customers.credit import (
    CreditScore,
    CreditScoreOutOfRange,
    FlexiblePaymentPlan,
    adjust_credit_score,
    grant_flexible_payment_plan,
)
from powerretail.errors import InvalidInput
from powerretail.ids import ActorId, CustomerId
from powerretail.quantities import Money

AT = datetime(2025, 1, 6, 1, tzinfo=UTC)
C1 = CustomerId("C-1")
REGIONAL = Actor(id=ActorId("m-1"), name="Zhou", roles=frozenset({"regional_key_account_manager"}))
COMPANY = Actor(id=ActorId("m-9"), name="Qian", roles=frozenset({"company_key_account_manager"}))
CLERK = Actor(id=ActorId("u-1"), name="Li", roles=frozenset({"customer_service"}))


class TestAdjustCreditScore:
    def test_moves_the_score_and_records_who_and_why(self) -> None:
        score = CreditScore(customer_id=C1, points=80)

        adjusted = adjust_credit_score(
            score, "4.5", actor=REGIONAL, policy=SEED_POLICY, at=AT, why="paid early"
        )

        assert adjusted.score.points == Decimal("84.5")
        assert adjusted.before is score
        assert (adjusted.audit.actor, adjusted.audit.why) == ("m-1", "paid early")
        assert adjusted.audit.magnitude == Decimal("4.5")

    def test_a_company_manager_may_move_it_further(self) -> None:
        score = CreditScore(customer_id=C1, points=80)

        adjusted = adjust_credit_score(
            score, -20, actor=COMPANY, policy=SEED_POLICY, at=AT, why="default"
        )

        assert adjusted.score.points == Decimal(60)

    def test_refuses_beyond_the_managers_authority_and_changes_nothing(self) -> None:
        score = CreditScore(customer_id=C1, points=80)

        with pytest.raises(PermissionDenied, match="exceeds the authority limit 5"):
            adjust_credit_score(score, -6, actor=REGIONAL, policy=SEED_POLICY, at=AT, why="x")

        assert score.points == Decimal(80)

    def test_refuses_someone_without_the_permission(self) -> None:
        with pytest.raises(PermissionDenied, match="no role grants it"):
            adjust_credit_score(
                CreditScore(customer_id=C1, points=80),
                1,
                actor=CLERK,
                policy=SEED_POLICY,
                at=AT,
                why="x",
            )

    @pytest.mark.parametrize(("points", "delta"), [(98, 3), (2, -3)])
    def test_refuses_to_leave_0_to_100(self, points: int, delta: int) -> None:
        with pytest.raises(CreditScoreOutOfRange, match="leaves the range 0 to 100"):
            adjust_credit_score(
                CreditScore(customer_id=C1, points=points),
                delta,
                actor=REGIONAL,
                policy=SEED_POLICY,
                at=AT,
                why="x",
            )

    def test_reaches_the_bounds_exactly(self) -> None:
        top = adjust_credit_score(
            CreditScore(customer_id=C1, points=95),
            5,
            actor=REGIONAL,
            policy=SEED_POLICY,
            at=AT,
            why="x",
        )

        assert top.score.points == Decimal(100)


class TestCreditScore:
    def test_refuses_points_outside_0_to_100(self) -> None:
        with pytest.raises(InvalidInput, match=r"credit\.points"):
            CreditScore(customer_id=C1, points=-1)


class TestGrantFlexiblePaymentPlan:
    def test_grants_a_plan_within_the_limit(self) -> None:
        plan = FlexiblePaymentPlan(customer_id=C1, amount=Money("100000.00"), instalments=3)

        grant = grant_flexible_payment_plan(
            plan, actor=REGIONAL, policy=SEED_POLICY, at=AT, why="cash flow"
        )

        assert grant.plan is plan
        assert grant.audit.operation == "grant_flexible_payment_plan"

    def test_refuses_a_plan_above_the_limit(self) -> None:
        plan = FlexiblePaymentPlan(customer_id=C1, amount=Money("100000.01"), instalments=3)

        with pytest.raises(PermissionDenied, match="exceeds the authority limit 100000"):
            grant_flexible_payment_plan(plan, actor=REGIONAL, policy=SEED_POLICY, at=AT, why="x")

    @pytest.mark.parametrize("instalments", [1, True])
    def test_refuses_fewer_than_two_instalments(self, instalments: int) -> None:
        with pytest.raises(InvalidInput, match="instalments"):
            FlexiblePaymentPlan(customer_id=C1, amount=Money(1), instalments=instalments)

    def test_refuses_a_zero_amount(self) -> None:
        with pytest.raises(InvalidInput, match=r"plan\.amount"):
            FlexiblePaymentPlan(customer_id=C1, amount=Money(0), instalments=2)
