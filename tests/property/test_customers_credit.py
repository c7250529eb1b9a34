"""Credit adjustments happen exactly when the actor's authority and the 0–100 range allow them,
and a refusal leaves the score as it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from powerretail.access import SEED_POLICY, Actor, AuditRecord, PermissionDenied
from powerretail.customers.credit import CreditScore, CreditScoreOutOfRange, adjust_credit_score
from powerretail.ids import ActorId, CustomerId
from tests.strategies.customers import credit_deltas

AT = datetime(2025, 1, 6, tzinfo=UTC)
LIMITS = {"regional_key_account_manager": Decimal(5), "company_key_account_manager": Decimal(20)}
ROLES = st.frozensets(st.sampled_from([*LIMITS, "customer_service", "billing_auditor"]))


@given(
    st.decimals(min_value=0, max_value=100, places=1),
    credit_deltas,
    ROLES,
)
@example(Decimal(100), Decimal(5), frozenset({"regional_key_account_manager"}))
@example(Decimal(50), Decimal("-5.1"), frozenset({"regional_key_account_manager"}))
def test_an_adjustment_happens_exactly_when_authority_and_range_allow(
    points: Decimal, delta: Decimal, roles: frozenset[str]
) -> None:
    score = CreditScore(customer_id=CustomerId("C-1"), points=points)
    actor = Actor(id=ActorId("a"), name="A", roles=roles)
    limit = max((LIMITS[r] for r in roles if r in LIMITS), default=None)
    authorised = limit is not None and abs(delta) <= limit
    in_range = Decimal(0) <= points + delta <= Decimal(100)

    try:
        adjusted = adjust_credit_score(
            score, delta, actor=actor, policy=SEED_POLICY, at=AT, why="x"
        )
    except PermissionDenied:
        assert not authorised
    except CreditScoreOutOfRange:
        assert authorised
        assert not in_range
    else:
        assert authorised
        assert in_range
        assert adjusted.score.points == points + delta
        assert adjusted.audit.magnitude == delta
    assert score.points == points


@given(st.lists(st.tuples(credit_deltas, st.integers(0, 29)), min_size=1, max_size=8))
def test_the_adjustments_granted_in_one_month_never_add_up_past_the_limit(
    steps: list[tuple[Decimal, int]],
) -> None:
    manager = Actor(id=ActorId("m"), name="M", roles=frozenset({"regional_key_account_manager"}))
    score = CreditScore(customer_id=CustomerId("C-1"), points=50)
    granted: list[AuditRecord] = []
    june = datetime(2025, 6, 1, tzinfo=UTC)  # 08:00 on 1 June in Shanghai

    for delta, day in steps:
        at = june + timedelta(days=day)
        used = sum((abs(r.magnitude or 0) for r in granted), Decimal(0))
        try:
            adjusted = adjust_credit_score(
                score, delta, actor=manager, policy=SEED_POLICY, at=at, why="x", prior=granted
            )
        except PermissionDenied:
            assert used + abs(delta) > LIMITS["regional_key_account_manager"]
            continue
        assert adjusted.audit.already == used
        granted.append(adjusted.audit)
        score = adjusted.score

    total = sum((abs(r.magnitude or 0) for r in granted), Decimal(0))
    assert total <= LIMITS["regional_key_account_manager"]
