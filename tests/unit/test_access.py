from datetime import UTC, datetime
from decimal import Decimal

import pytest

from powerretail.access import (
    ADJUST_CREDIT_SCORE,
    CHANGE_TARIFF_ARCHIVE,
    GRANT_FLEXIBLE_PAYMENT_PLAN,
    SEED_POLICY,
    SIGN_CONTRACT,
    AccessPolicy,
    Actor,
    Permission,
    PermissionDenied,
    Role,
    authorize,
    perform,
)
from powerretail.errors import InvalidInput, RuleViolation
from powerretail.ids import ActorId

AT = datetime(2025, 6, 1, 1, 30, tzinfo=UTC)


def an_actor(*roles: str, actor_id: str = "u-1") -> Actor:
    return Actor(id=ActorId(actor_id), name="Someone", roles=frozenset(roles))


class TestAuthorize:
    def test_returns_an_audit_record_naming_who_when_what_and_why(self) -> None:
        auditor = an_actor("billing_auditor")

        record = authorize(
            SEED_POLICY, auditor, CHANGE_TARIFF_ARCHIVE, subject="tariff T1", at=AT, why=" fix "
        )

        assert (record.actor, record.operation, record.subject, record.why) == (
            "u-1",
            CHANGE_TARIFF_ARCHIVE,
            "tariff T1",
            "fix",
        )
        assert record.at == AT
        assert record.granted_by == "billing_auditor"
        assert "审核制度" in record.source

    def test_refuses_the_tariff_archive_to_everyone_but_the_billing_auditor(self) -> None:
        for role in ("customer_service", "company_key_account_manager", "legal_representative"):
            with pytest.raises(PermissionDenied) as refused:
                authorize(
                    SEED_POLICY, an_actor(role), CHANGE_TARIFF_ARCHIVE, subject="T1", at=AT, why="x"
                )

            assert refused.value.operation == CHANGE_TARIFF_ARCHIVE
            assert refused.value.roles == (role,)
            assert isinstance(refused.value, RuleViolation)

    def test_refusal_names_the_actor_roles_and_operation(self) -> None:
        with pytest.raises(PermissionDenied, match=r'actor "u-9" \(roles: none\) may not sign'):
            authorize(
                SEED_POLICY, an_actor(actor_id="u-9"), SIGN_CONTRACT, subject="c", at=AT, why="x"
            )

    def test_allows_a_change_up_to_the_limit_and_refuses_beyond_it(self) -> None:
        manager = an_actor("regional_key_account_manager")

        at_limit = authorize(
            SEED_POLICY, manager, ADJUST_CREDIT_SCORE, subject="c", at=AT, why="x", magnitude=-5
        )
        with pytest.raises(PermissionDenied, match="exceeds the authority limit 5"):
            authorize(
                SEED_POLICY,
                manager,
                ADJUST_CREDIT_SCORE,
                subject="c",
                at=AT,
                why="x",
                magnitude="5.1",
            )

        assert (at_limit.magnitude, at_limit.limit) == (Decimal(-5), Decimal(5))

    def test_records_the_role_with_the_widest_limit(self) -> None:
        both = an_actor("regional_key_account_manager", "company_key_account_manager")

        record = authorize(
            SEED_POLICY,
            both,
            GRANT_FLEXIBLE_PAYMENT_PLAN,
            subject="c",
            at=AT,
            why="x",
            magnitude=10,
        )

        assert record.granted_by == "company_key_account_manager"

    def test_prefers_an_unbounded_permission(self) -> None:
        policy = AccessPolicy(
            key="t",
            roles=(
                Role("a", permissions=(Permission("op", limit=10),)),
                Role("b", permissions=(Permission("op"),)),
            ),
        )

        record = authorize(
            policy, an_actor("a", "b"), "op", subject="s", at=AT, why="x", magnitude=5
        )

        assert (record.granted_by, record.limit) == ("b", None)

    def test_demands_a_reason(self) -> None:
        with pytest.raises(InvalidInput, match="why"):
            authorize(
                SEED_POLICY,
                an_actor("billing_auditor"),
                CHANGE_TARIFF_ARCHIVE,
                subject="t",
                at=AT,
                why=" ",
            )

    def test_demands_an_aware_time(self) -> None:
        with pytest.raises(InvalidInput, match="at"):
            authorize(
                SEED_POLICY,
                an_actor("billing_auditor"),
                CHANGE_TARIFF_ARCHIVE,
                subject="t",
                at=datetime(2025, 1, 1),  # noqa: DTZ001
                why="x",
            )

    def test_ignores_roles_the_policy_does_not_know(self) -> None:
        with pytest.raises(PermissionDenied, match="no role grants it"):
            authorize(
                SEED_POLICY, an_actor("astronaut"), SIGN_CONTRACT, subject="c", at=AT, why="x"
            )


class TestRole:
    def test_takes_the_widest_of_several_permissions_for_one_operation(self) -> None:
        role = Role("r", permissions=(Permission("op", limit=3), Permission("op", limit=7)))

        assert role.permission_for("op") == Permission("op", limit=7)
        assert role.permission_for("other") is None


class TestPermission:
    def test_refuses_a_negative_limit(self) -> None:
        with pytest.raises(InvalidInput, match="limit"):
            Permission("op", limit=-1)

    def test_refuses_a_blank_operation(self) -> None:
        with pytest.raises(InvalidInput, match="operation"):
            Permission(" ")

    def test_covers_any_change_when_no_size_is_given(self) -> None:
        assert Permission("op", limit=1).covers(None)


class TestAccessPolicy:
    def test_refuses_a_role_named_twice(self) -> None:
        with pytest.raises(InvalidInput, match="each role name once"):
            AccessPolicy(key="t", roles=(Role("a"), Role("a")))

    def test_adds_or_replaces_a_role(self) -> None:
        policy = SEED_POLICY.with_role(
            Role("customer_service", permissions=(Permission(SIGN_CONTRACT),))
        )

        record = authorize(
            policy, an_actor("customer_service"), SIGN_CONTRACT, subject="c", at=AT, why="x"
        )

        assert record.granted_by == "customer_service"
        assert len(policy.roles) == len(SEED_POLICY.roles)


class TestActor:
    def test_refuses_a_blank_id(self) -> None:
        with pytest.raises(InvalidInput, match=r"actor\.id"):
            Actor(id=ActorId(" "), name="x", roles=frozenset())


class TestPerform:
    def test_refuses_before_the_change_runs(self) -> None:
        calls: list[str] = []

        def change() -> str:
            calls.append("ran")
            return "new archive"

        with pytest.raises(PermissionDenied):
            perform(
                SEED_POLICY,
                an_actor("customer_service"),
                CHANGE_TARIFF_ARCHIVE,
                change,
                subject="t",
                at=AT,
                why="x",
            )

        assert calls == []

    def test_returns_the_new_value_with_its_audit_record(self) -> None:
        done = perform(
            SEED_POLICY,
            an_actor("billing_auditor"),
            CHANGE_TARIFF_ARCHIVE,
            lambda: 42,
            subject="t",
            at=AT,
            why="x",
        )

        assert done.value == 42
        assert done.audit.operation == CHANGE_TARIFF_ARCHIVE
