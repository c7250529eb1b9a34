"""Golden: a change of use (变更用电) case from intake into the account's billing.

A suspension of 315 kVA of a 630 kVA two-part user, applied for, checked, approved and carried
out on 11 July 2025: the July bill splits at that day, 630 kVA × 26 × 10/30 = 4 914.00 and
315 kVA × 26 × 21/30 = 5 733.00 (the amounts of billing.capacity's golden test). A third
suspension in 2025 is refused naming 第二十四条's two a year; a change of name (过户) to the same
holder is refused naming 第二十九条 (a transfer carried out: ``test_transfer.py`` and the golden
``tests/golden/workflows/test_transfer_of_account.py``). Approval is a permission, audited
granted and refused.
"""

from __future__ import annotations

from datetime import date

import pendulum
import pytest

from powerretail.access import SEED_POLICY, Actor
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.billing.capacity import CapacityChange, CapacityHistory
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import price_bill
from powerretail.customers.parties import Account, VoltageLevel
from powerretail.ids import AccountId, CustomerId, MeterId
from powerretail.repositories.billing import BILLING_PROFILES, BillingProfile
from powerretail.repositories.commands import CommandRefused
from powerretail.repositories.customers import ACCOUNTS
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.service.cases import IntakeChannel, Satisfaction
from powerretail.service.changes import ChangeOfUseDetails
from powerretail.service.kinds import CaseEvent, CaseKind, CaseState
from powerretail.tariffs.model import (
    BasicCharge,
    CustomerCategory,
    EnergyCharge,
    Tariff,
    TariffVersion,
)
from powerretail.timeframe import DateRange
from powerretail.workflows.change_of_use import carry_out_change_of_use, check_change_of_use
from powerretail.workflows.service import close_case, fire_step, intake_case

AT = pendulum.datetime(2025, 7, 3, 9, tz="Asia/Shanghai")
CLERK = Actor(id="clerk-1", name="Li", roles=frozenset({"customer_service"}))
MANAGER = Actor(id="m-1", name="Zhou", roles=frozenset({"regional_key_account_manager"}))
TARIFF = Tariff(
    code="TWO-PART",
    name_zh="两部制",
    name_en="two-part",
    category=CustomerCategory.COMMERCIAL_INDUSTRIAL,
    versions=[
        TariffVersion(
            label="1",
            effective_from="2025-01-01",
            charges=[
                BasicCharge(
                    code="basic",
                    name_zh="基本电费",
                    name_en="basic charge",
                    source="illustrative",
                    yuan_per_kva_month="26",
                ),
                EnergyCharge(
                    code="energy",
                    name_zh="电度电费",
                    name_en="energy",
                    source="illustrative",
                    yuan_per_kwh="0.60",
                ),
            ],
        )
    ],
)


def _book(history: CapacityHistory) -> tuple[UnitOfWorkFactory, FixedClock]:
    store = MemoryStore()
    with store.unit_of_work() as uow:
        uow.repository(ACCOUNTS).add(
            Account(id="A-1", customer_id="C-1", opened_on=date(2024, 1, 1))
        )
        uow.repository(BILLING_PROFILES).add(
            BillingProfile(
                account_id=AccountId("A-1"),
                customer_id=CustomerId("C-1"),
                tariff_code="TWO-PART",
                meter_ids=(MeterId("M-1"),),
                facts=AccountFacts(capacity_history=history),
            )
        )
        uow.commit()
    return store.unit_of_work, FixedClock(AT)


def _open(make: UnitOfWorkFactory, clock: FixedClock, details: ChangeOfUseDetails) -> None:
    intake_case(
        make,
        clock=clock,
        case_id="K-1",
        kind=CaseKind.CHANGE_OF_USE,
        customer_id="C-1",
        channel=IntakeChannel.COUNTER,
        received_by="clerk-1",
        at=AT,
        subject=f"变更用电: {details.label}",
        change_of_use=details,
    )


def _suspend(on: str = "2025-07-11") -> ChangeOfUseDetails:
    return ChangeOfUseDetails(
        account_id="A-1",
        change=CapacityChange(kind="suspend", on=on, kva=315, applied_on="2025-07-03"),
    )


def _profile(make: UnitOfWorkFactory) -> BillingProfile:
    with make() as uow:
        return uow.repository(BILLING_PROFILES).get(AccountId("A-1")).entity


class TestASuspensionAsAServiceCase:
    def _run(self) -> UnitOfWorkFactory:
        make, clock = _book(CapacityHistory(installed_kva=630))
        _open(make, clock, _suspend())
        checked = check_change_of_use(
            make, clock=clock, case_id="K-1", policy=SEED_POLICY, actor=CLERK, at=AT.add(hours=1)
        )
        assert checked.state is CaseState.CHECKED
        fire_step(
            make,
            clock=clock,
            case_id="K-1",
            event_name=CaseEvent.APPROVE,
            policy=SEED_POLICY,
            actor=MANAGER,
            at=AT.add(hours=2),
        )
        done = carry_out_change_of_use(
            make,
            clock=clock,
            case_id="K-1",
            on="2025-07-11",
            policy=SEED_POLICY,
            actor=CLERK,
            at=pendulum.datetime(2025, 7, 11, 10, tz="Asia/Shanghai"),
        )
        assert done.state is CaseState.CARRIED_OUT
        return make

    def test_the_july_bill_splits_at_the_sealing_day(self) -> None:
        make = self._run()
        profile = _profile(make)
        july = price_bill(
            TARIFF,
            Determinants(energy_kwh={"total": "90000"}),
            DateRange.month(2025, 7),
            profile.facts,
        )
        basic = [
            (line.quantity, str(line.amount.amount)) for line in july.lines if line.code == "basic"
        ]
        assert basic == [(630, "4914.00"), (315, "5733.00")]

    def test_the_change_is_written_once_even_when_carried_out_again(self) -> None:
        make = self._run()
        carry_out_change_of_use(
            make,
            clock=FixedClock(AT),
            case_id="K-1",
            on="2025-07-11",
            policy=SEED_POLICY,
            actor=CLERK,
            at=pendulum.datetime(2025, 7, 11, 10, tz="Asia/Shanghai"),
        )
        history = _profile(make).facts.capacity_history
        assert history is not None
        assert [(c.kind.value, c.on, c.kva) for c in history.changes] == [
            ("suspend", date(2025, 7, 11), 315)
        ]

    def test_events_name_each_step_and_the_case_closes_on_the_follow_up(self) -> None:
        make = self._run()
        with make() as uow:
            types = [e.event_type for e in uow.outbox.events_for("service_case", "K-1")]
        assert types == [
            "CaseOpened",
            "ChangeOfUseChecked",
            "CaseApprove",
            "ChangeOfUseCarriedOut",
        ]
        closed = close_case(
            make,
            clock=FixedClock(AT),
            case_id="K-1",
            satisfaction=Satisfaction.SATISFIED,
            policy=SEED_POLICY,
            actor=CLERK,
            at=pendulum.datetime(2025, 7, 12, 10, tz="Asia/Shanghai"),
        )
        assert closed.state is CaseState.CLOSED


def test_a_third_suspension_in_a_year_is_refused_naming_the_rule() -> None:
    history = CapacityHistory(
        installed_kva=630,
        changes=(
            CapacityChange(kind="suspend", on="2025-02-01", kva=315),
            CapacityChange(kind="resume", on="2025-03-01", kva=315),
            CapacityChange(kind="suspend", on="2025-04-01", kva=315),
            CapacityChange(kind="resume", on="2025-05-01", kva=315),
        ),
    )
    make, clock = _book(history)
    _open(make, clock, _suspend())

    refused = check_change_of_use(
        make, clock=clock, case_id="K-1", policy=SEED_POLICY, actor=CLERK, at=AT.add(hours=1)
    )

    assert refused.state is CaseState.REFUSED
    assert refused.is_closed
    assert refused.change_of_use is not None
    assert "暂停每一日历年内不超过2次" in refused.change_of_use.rule
    assert refused.change_of_use.reason == "2 suspensions already in 2025"
    assert "暂停每一日历年内不超过2次" in refused.history[-1].why
    with make() as uow:
        last = uow.outbox.events_for("service_case", "K-1")[-1]
    assert last.event_type == "ChangeOfUseRefused"
    assert _profile(make).facts.capacity_history == history


def test_a_change_of_name_to_the_same_holder_is_refused_naming_article_29() -> None:
    make, clock = _book(CapacityHistory(installed_kva=630))
    _open(make, clock, ChangeOfUseDetails(account_id="A-1", new_customer_id="C-1"))

    refused = check_change_of_use(
        make, clock=clock, case_id="K-1", policy=SEED_POLICY, actor=CLERK, at=AT.add(hours=1)
    )

    assert refused.state is CaseState.REFUSED
    assert refused.change_of_use is not None
    assert "第二十九条" in refused.change_of_use.rule


class TestApproval:
    def _checked(self) -> tuple[UnitOfWorkFactory, FixedClock]:
        make, clock = _book(CapacityHistory(installed_kva=630))
        _open(make, clock, _suspend())
        check_change_of_use(
            make, clock=clock, case_id="K-1", policy=SEED_POLICY, actor=CLERK, at=AT.add(hours=1)
        )
        return make, clock

    def _approve(self, make: UnitOfWorkFactory, clock: FixedClock, actor: Actor) -> None:
        fire_step(
            make,
            clock=clock,
            case_id="K-1",
            event_name=CaseEvent.APPROVE,
            policy=SEED_POLICY,
            actor=actor,
            at=AT.add(hours=2),
        )

    def test_a_key_account_manager_approves_and_the_grant_is_audited(self) -> None:
        make, clock = self._checked()
        self._approve(make, clock, MANAGER)
        with make() as uow:
            records = uow.audit.records(operation="approve_change_of_use")
        assert [(r.actor, r.decision.value) for r in records] == [("m-1", "granted")]

    def test_a_clerk_is_refused_and_the_refusal_is_audited(self) -> None:
        make, clock = self._checked()
        with pytest.raises(CommandRefused, match="approve_change_of_use"):
            self._approve(make, clock, CLERK)
        with make() as uow:
            records = uow.audit.records(operation="approve_change_of_use")
        assert [(r.actor, r.decision.value) for r in records] == [("clerk-1", "refused")]

    def test_an_unapproved_change_is_not_carried_out(self) -> None:
        make, clock = self._checked()
        with pytest.raises(CommandRefused):
            carry_out_change_of_use(
                make,
                clock=clock,
                case_id="K-1",
                on="2025-07-11",
                policy=SEED_POLICY,
                actor=CLERK,
                at=AT.add(days=8),
            )
        history = _profile(make).facts.capacity_history
        assert history is not None
        assert history.changes == ()


def test_an_approved_change_refused_on_the_day_names_the_rule() -> None:
    make, clock = _book(CapacityHistory(installed_kva=630))
    _open(make, clock, _suspend())
    check_change_of_use(
        make, clock=clock, case_id="K-1", policy=SEED_POLICY, actor=CLERK, at=AT.add(hours=1)
    )
    fire_step(
        make,
        clock=clock,
        case_id="K-1",
        event_name=CaseEvent.APPROVE,
        policy=SEED_POLICY,
        actor=MANAGER,
        at=AT.add(hours=2),
    )
    with make() as uow:
        stored = uow.repository(BILLING_PROFILES).get(AccountId("A-1"))
        later = CapacityHistory(
            installed_kva=630,
            changes=(CapacityChange(kind="reduce", on="2025-07-05", kva=630),),
        )
        facts = AccountFacts(capacity_history=later)
        uow.repository(BILLING_PROFILES).save(
            BillingProfile(
                account_id=AccountId("A-1"),
                customer_id=CustomerId("C-1"),
                tariff_code="TWO-PART",
                meter_ids=(MeterId("M-1"),),
                facts=facts,
            ),
            stored.version,
        )
        uow.commit()
    with pytest.raises(CommandRefused, match="0 kVA runs"):
        carry_out_change_of_use(
            make,
            clock=clock,
            case_id="K-1",
            on="2025-07-11",
            policy=SEED_POLICY,
            actor=CLERK,
            at=AT.add(days=8),
        )


class TestTheDecisionClockOn2026:
    """5 working days from Wed 30 Sep 2026, over National Day (Oct 1-7) and the make-up Sat 10 Oct.

    Day 1 is the first working day after the start day: Oct 8, 9, Sat 10, 12, 13, so the decision
    is due at 24:00 of Tue 13 Oct (2026-10-14 00:00, Asia/Shanghai). powerretail's own default.
    """

    OPENED = pendulum.datetime(2026, 9, 30, 10, tz="Asia/Shanghai")
    DUE = pendulum.datetime(2026, 10, 14, tz="Asia/Shanghai")

    def _decided(self, at: pendulum.DateTime) -> object:
        from powerretail.repositories.service import SERVICE_CASES  # noqa: PLC0415
        from powerretail.service.cases import case_clocks  # noqa: PLC0415

        make, _ = _book(CapacityHistory(installed_kva=630))
        clock = FixedClock(self.OPENED)
        details = ChangeOfUseDetails(
            account_id="A-1",
            change=CapacityChange(
                kind="suspend", on="2026-10-20", kva=315, applied_on="2026-09-30"
            ),
        )
        intake_case(
            make,
            clock=clock,
            case_id="K-1",
            kind=CaseKind.CHANGE_OF_USE,
            customer_id="C-1",
            channel=IntakeChannel.COUNTER,
            received_by="clerk-1",
            at=self.OPENED,
            subject="变更用电",
            change_of_use=details,
        )
        check_change_of_use(
            make,
            clock=clock,
            case_id="K-1",
            policy=SEED_POLICY,
            actor=CLERK,
            at=self.OPENED.add(hours=1),
        )
        fire_step(
            make,
            clock=FixedClock(at),
            case_id="K-1",
            event_name=CaseEvent.APPROVE,
            policy=SEED_POLICY,
            actor=MANAGER,
            at=at,
        )
        with make() as uow:
            case = uow.repository(SERVICE_CASES).get("K-1").entity.case_with_history()
        return next(c for c in case_clocks(case) if c.name == "decision")

    def test_approved_at_the_due_instant_is_on_time(self) -> None:
        from powerretail.service.cases import ClockStatus  # noqa: PLC0415

        decision = self._decided(self.DUE)

        assert decision.clock.due_at == self.DUE  # type: ignore[attr-defined]
        assert decision.status(self.DUE) is ClockStatus.MET  # type: ignore[attr-defined]

    def test_approved_a_minute_later_is_a_breach(self) -> None:
        from powerretail.service.cases import ClockStatus  # noqa: PLC0415

        late = self.DUE.add(minutes=1)

        assert self._decided(late).status(late) is ClockStatus.BREACHED  # type: ignore[attr-defined]


class TestASwapBackAtItsLimit:
    """A 10 kV user swapped 630 kVA for 800 kVA on 11 May 2025: the swap back is due by 11 July
    (第二十五条, two months at 10 kV and below); carried out on the 12th it is refused."""

    def _approved(self) -> tuple[UnitOfWorkFactory, FixedClock]:
        swap = CapacityChange(kind="swap", on="2025-05-11", kva=630, to_kva=800)
        make, clock = _book(
            CapacityHistory(installed_kva=630, changes=(swap,), supply_voltage=VoltageLevel.KV10)
        )
        back = CapacityChange(kind="swap_back", on="2025-07-11", kva=630, applied_on="2025-07-03")
        _open(make, clock, ChangeOfUseDetails(account_id="A-1", change=back))
        check_change_of_use(
            make, clock=clock, case_id="K-1", policy=SEED_POLICY, actor=CLERK, at=AT.add(hours=1)
        )
        fire_step(
            make,
            clock=clock,
            case_id="K-1",
            event_name=CaseEvent.APPROVE,
            policy=SEED_POLICY,
            actor=MANAGER,
            at=AT.add(hours=2),
        )
        return make, clock

    def _carry_out(self, make: UnitOfWorkFactory, clock: FixedClock, on: str) -> None:
        carry_out_change_of_use(
            make,
            clock=clock,
            case_id="K-1",
            on=on,
            policy=SEED_POLICY,
            actor=CLERK,
            at=AT.add(days=9),
        )

    def test_on_the_last_day_the_swap_ends(self) -> None:
        make, clock = self._approved()

        self._carry_out(make, clock, "2025-07-11")

        history = _profile(make).facts.capacity_history
        assert history is not None
        assert history.running_kva_on(date(2025, 7, 10)) == 800
        assert history.running_kva_on(date(2025, 7, 11)) == 630

    def test_a_day_later_it_is_refused_naming_the_rule(self) -> None:
        make, clock = self._approved()

        with pytest.raises(CommandRefused, match="10千伏及以下的不得超过2个月") as refused:
            self._carry_out(make, clock, "2025-07-12")

        assert "swap back on 2025-07-11 at the latest" in str(refused.value)
        history = _profile(make).facts.capacity_history
        assert history is not None
        assert len(history.changes) == 1


@pytest.mark.parametrize(
    ("opened_at", "cited"),
    [
        (pendulum.datetime(2024, 5, 31, 23, 59, tz="Asia/Shanghai"), "(1996, 电力工业部令第8号)"),
        # 2024-05-31 16:00 UTC: the local day is 1 June, the 2024 revision's first day
        (pendulum.datetime(2024, 6, 1, 0, 0, tz="Asia/Shanghai"), "(2024), article not verified"),
    ],
)
def test_a_change_of_name_is_checked_under_the_rules_of_the_day_it_was_asked(
    opened_at: pendulum.DateTime, cited: str
) -> None:
    make, _ = _book(CapacityHistory(installed_kva=630))
    clock = FixedClock(opened_at)
    intake_case(
        make,
        clock=clock,
        case_id="K-1",
        kind=CaseKind.CHANGE_OF_USE,
        customer_id="C-1",
        channel=IntakeChannel.COUNTER,
        received_by="clerk-1",
        at=opened_at.in_timezone("UTC"),
        subject="变更用电: 过户 to C-1",
        change_of_use=ChangeOfUseDetails(account_id="A-1", new_customer_id="C-1"),
    )

    refused = check_change_of_use(
        make, clock=clock, case_id="K-1", policy=SEED_POLICY, actor=CLERK, at=opened_at.add(days=3)
    )

    assert refused.change_of_use is not None
    assert refused.change_of_use.rule.startswith(f"《供电营业规则》{cited}")
    assert "第二十九条 (过户: 用电地址、容量、类别不变)" in refused.change_of_use.rule
