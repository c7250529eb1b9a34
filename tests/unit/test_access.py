from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs
import pytest

from powerretail.access import (
    ADJUST_CREDIT_SCORE,
    CHANGE_TARIFF_ARCHIVE,
    GRANT_FLEXIBLE_PAYMENT_PLAN,
    SEED_POLICY,
    SIGN_CONTRACT,
    AccessPolicy,
    Actor,
    AuditRecord,
    Decision,
    LimitPeriod,
    PeriodKind,
    Permission,
    PermissionDenied,
    Role,
    authorize,
    is_granted,
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


MONTHLY = Permission(ADJUST_CREDIT_SCORE, limit=Decimal(5), period=LimitPeriod.calendar_month())


def a_policy(permission: Permission) -> AccessPolicy:
    return AccessPolicy(key="TEST", roles=(Role("manager", permissions=(permission,)),))


MANAGER = Actor(id=ActorId("m-1"), name="Zhou", roles=frozenset({"manager"}))


def adjust(
    policy: AccessPolicy,
    magnitude: int,
    *,
    at: datetime = AT,
    subject: str = "customer C-1",
    prior: tuple[AuditRecord, ...] = (),
    actor: Actor = MANAGER,
) -> AuditRecord:
    return authorize(
        policy,
        actor,
        ADJUST_CREDIT_SCORE,
        subject=subject,
        at=at,
        why="x",
        magnitude=magnitude,
        prior=prior,
    )


class TestActorRoles:
    def test_one_role_name_as_text_is_refused_not_read_as_letters(self) -> None:
        # Before the fix frozenset("billing_auditor") made roles {"b", "i", "l", ...}.
        with pytest.raises(InvalidInput, match="a set of role names, not one text"):
            Actor(id=ActorId("u-1"), name="Wang", roles="billing_auditor")  # type: ignore[arg-type]

    def test_a_blank_role_name_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match="non-blank role names"):
            Actor(id=ActorId("u-1"), name="Wang", roles=frozenset({"billing_auditor", " "}))

    def test_authorize_refuses_what_is_not_an_actor(self) -> None:
        with pytest.raises(InvalidInput, match="an Actor"):
            authorize(SEED_POLICY, "u-1", CHANGE_TARIFF_ARCHIVE, subject="t", at=AT, why="x")  # type: ignore[arg-type]


class TestCumulativeLimits:
    def test_three_plus_five_under_a_monthly_limit_of_five_pass_once(self) -> None:
        policy = a_policy(MONTHLY)
        first = adjust(policy, 5)

        with pytest.raises(PermissionDenied, match="with 5 already granted this calendar month"):
            adjust(policy, 5, prior=(first,))
        with pytest.raises(PermissionDenied) as third:
            adjust(policy, 5, prior=(first,))
        assert third.value.audit is not None
        assert (third.value.audit.already, third.value.audit.limit) == (Decimal(5), Decimal(5))

    def test_only_the_actors_granted_changes_of_the_operation_count(self) -> None:
        policy = a_policy(MONTHLY).with_role(
            Role("manager", permissions=(MONTHLY, Permission(CHANGE_TARIFF_ARCHIVE)))
        )
        other = Actor(id=ActorId("m-2"), name="Qian", roles=frozenset({"manager"}))
        theirs = adjust(policy, 5, actor=other)
        tariff = authorize(
            policy, MANAGER, CHANGE_TARIFF_ARCHIVE, subject="customer C-1", at=AT, why="x"
        )
        with pytest.raises(PermissionDenied) as refused:
            adjust(policy, 6)
        assert refused.value.audit is not None

        granted = adjust(policy, 5, prior=(theirs, tariff, refused.value.audit))

        assert granted.already == Decimal(0)

    def test_a_calendar_month_is_counted_in_the_policy_zone(self) -> None:
        policy = a_policy(MONTHLY)
        end_of_may = datetime(2025, 5, 31, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
        start_of_june = datetime(2025, 5, 31, 16, 0, tzinfo=UTC)  # 00:00 in Shanghai
        may = adjust(policy, 5, at=end_of_may)

        assert adjust(policy, 5, at=start_of_june, prior=(may,)).already == Decimal(0)

    def test_a_calendar_year_and_a_rolling_window(self) -> None:
        yearly = a_policy(attrs.evolve(MONTHLY, period=LimitPeriod.calendar_year()))
        rolling = a_policy(attrs.evolve(MONTHLY, period=LimitPeriod.rolling(30)))
        january = datetime(2025, 1, 10, tzinfo=UTC)
        early = adjust(yearly, 3, at=january)
        with pytest.raises(PermissionDenied, match="already granted this calendar year"):
            adjust(yearly, 3, prior=(early,))

        late = adjust(rolling, 3, at=AT - timedelta(days=29))
        with pytest.raises(PermissionDenied, match="already granted in the last 30 days"):
            adjust(rolling, 3, prior=(late,))
        old = adjust(rolling, 3, at=AT - timedelta(days=30))
        assert adjust(rolling, 3, prior=(old,)).already == Decimal(0)

    def test_a_period_in_all_counts_every_subject(self) -> None:
        policy = a_policy(
            attrs.evolve(MONTHLY, period=LimitPeriod.calendar_month(per_subject=False))
        )
        first = adjust(policy, 4, subject="customer C-1")

        with pytest.raises(PermissionDenied, match="with 4 already granted"):
            adjust(policy, 2, subject="customer C-2", prior=(first,))

    def test_a_period_needs_a_limit_and_a_rolling_window_whole_days(self) -> None:
        with pytest.raises(InvalidInput, match="a limit for a cumulative period"):
            Permission(ADJUST_CREDIT_SCORE, period=LimitPeriod.calendar_month())
        with pytest.raises(InvalidInput, match=r"period\.days"):
            LimitPeriod.rolling(0)
        with pytest.raises(InvalidInput, match="no days for a calendar period"):
            LimitPeriod(PeriodKind.CALENDAR_MONTH, days=3)
        with pytest.raises(InvalidInput, match=r"period\.zone"):
            LimitPeriod(PeriodKind.CALENDAR_YEAR, zone=8)  # type: ignore[arg-type]


class TestAuditRecords:
    def test_a_grant_and_a_refusal_say_so(self) -> None:
        grant = adjust(SEED_POLICY.with_role(Role("manager", permissions=(MONTHLY,))), 1)
        with pytest.raises(PermissionDenied) as refused:
            adjust(SEED_POLICY, 1)

        assert (grant.granted, grant.policy, grant.decision) == (
            True,
            "SEED-2026",
            Decision.GRANTED,
        )
        assert refused.value.audit is not None
        assert not refused.value.audit.granted
        assert refused.value.audit.granted_by == ""

    def test_only_the_record_authorize_returned_is_a_grant(self) -> None:
        grant = adjust(a_policy(MONTHLY), 1)

        assert is_granted(grant)
        assert is_granted(grant, ADJUST_CREDIT_SCORE)
        assert not is_granted(grant, CHANGE_TARIFF_ARCHIVE)
        assert not is_granted(attrs.evolve(grant))
        assert not is_granted("a grant")


class TestPeriodStart:
    def test_each_period_starts_where_its_changes_begin_to_count(self) -> None:
        at = datetime(2025, 6, 1, 1, 30, tzinfo=UTC)  # 09:30 on 1 June in Shanghai

        assert str(LimitPeriod.calendar_month().start(at)) == "2025-06-01 00:00:00+08:00"
        assert str(LimitPeriod.calendar_month(zone="UTC").start(at)) == "2025-06-01 00:00:00+00:00"
        assert LimitPeriod.rolling(7).start(at) == at - timedelta(days=7)
