"""The risk register's workflows on both shipped stores: proposals, steps, refusals, reviews."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pendulum
import pytest

from powerretail.access import Actor
from powerretail.adapters.clocks import FixedClock
from powerretail.collections.allocation import ItemKind, OpenItem
from powerretail.collections.arrears import AccountArrears
from powerretail.customers.credit import CreditScore
from powerretail.errors import IdempotencyConflict, InvalidInput, NotFound
from powerretail.ids import CustomerId
from powerretail.quantities import Money
from powerretail.repositories.commands import CommandRefused
from powerretail.repositories.retail_risk import RISKS
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.retail.forecast import Month
from powerretail.retail.plans import PositionLine, PositionReport
from powerretail.retail.risk import (
    RISK_POLICY,
    Response,
    RiskState,
    propose_credit_risks,
    propose_market_risks,
)
from powerretail.workflows.retail_risk import (
    RiskStep,
    arrears_facts,
    overdue_reviews,
    record_risk_proposals,
    step_risk,
)

MANAGER = Actor(id="r-1", name="Zhao", roles={"risk_manager"})
CLERK = Actor(id="c-1", name="Li", roles={"customer_service"})
NOW = pendulum.datetime(2026, 9, 30, 10, tz="Asia/Shanghai")
AS_OF = date(2026, 9, 30)


def position(bought: str) -> PositionReport:
    return PositionReport(
        (
            PositionLine(
                month=Month.parse("2026-10"),
                band="peak",
                planned_kwh=Decimal(1000),
                purchased_kwh=Decimal(bought),
            ),
        )
    )


RISK_ID = "market/hedge_ratio_below_minimum/2026-10"


def recorded(make_unit_of_work: UnitOfWorkFactory, bought: str = "650", day: date = AS_OF) -> None:
    record_risk_proposals(
        make_unit_of_work,
        proposals=propose_market_risks(position(bought)),
        as_of=day,
        clock=FixedClock(NOW),
    )


def step(
    make_unit_of_work: UnitOfWorkFactory, key: str, action: RiskStep, actor: Actor = CLERK
) -> RiskState:
    return step_risk(
        make_unit_of_work,
        risk_id=RISK_ID,
        step=action,
        key=key,
        clock=FixedClock(NOW),
        policy=RISK_POLICY,
        actor=actor,
    ).state


class TestRecordRiskProposals:
    def test_opens_a_risk_once_and_says_why(self, make_unit_of_work: UnitOfWorkFactory) -> None:
        clock = FixedClock(NOW)
        proposals = propose_market_risks(position("650"))

        first = record_risk_proposals(
            make_unit_of_work, proposals=proposals, as_of=AS_OF, clock=clock
        )
        again = record_risk_proposals(
            make_unit_of_work, proposals=proposals, as_of=AS_OF, clock=clock
        )

        assert first == again
        assert first.to_dict() == {"opened": [RISK_ID], "updated": [], "unchanged": []}
        with make_unit_of_work() as uow:
            stored = uow.repository(RISKS).get(RISK_ID).entity.risk
            events = uow.outbox.events_for(RISKS.kind, RISK_ID)
        assert stored.rule == "RISK-MEASURES.hedge_ratio_below_minimum"
        assert "hedge ratio 0.6500" in stored.cause
        assert [e.event_type for e in events] == ["RiskIdentified"]

    def test_updates_an_open_risk_when_the_numbers_change(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        recorded(make_unit_of_work)

        record_risk_proposals(
            make_unit_of_work,
            proposals=propose_market_risks(position("650")),
            as_of=date(2026, 10, 1),
            clock=FixedClock(NOW),
        )
        report = record_risk_proposals(
            make_unit_of_work,
            proposals=propose_market_risks(position("700")),
            as_of=date(2026, 10, 2),
            clock=FixedClock(NOW),
        )

        assert report.updated == (RISK_ID,)
        with make_unit_of_work() as uow:
            risk = uow.repository(RISKS).get(RISK_ID).entity.risk
        assert risk.measured.startswith("hedge ratio 0.7000")

    def test_a_closed_risk_that_fires_again_opens_a_new_one(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        recorded(make_unit_of_work)
        step(make_unit_of_work, "close-1", RiskStep(action="close", note="bought"), MANAGER)

        report = record_risk_proposals(
            make_unit_of_work,
            proposals=propose_market_risks(position("650")),
            as_of=date(2026, 10, 3),
            clock=FixedClock(NOW),
        )

        assert report.opened == (f"{RISK_ID}#2",)

    def test_refuses_the_same_day_with_other_proposals(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        recorded(make_unit_of_work)

        with pytest.raises(IdempotencyConflict):
            recorded(make_unit_of_work, bought="700")


class TestStepRisk:
    def test_takes_a_risk_through_its_lifecycle_audited(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        recorded(make_unit_of_work)

        states = [
            step(make_unit_of_work, "a", RiskStep(action="assess", likelihood=4, impact=4)),
            step(
                make_unit_of_work,
                "b",
                RiskStep(
                    action="respond",
                    response=Response.REDUCE,
                    measures=("buy in the monthly auction",),
                    owner="trading",
                ),
            ),
            step(make_unit_of_work, "c", RiskStep(action="implement")),
            step(make_unit_of_work, "d", RiskStep(action="review", note="ok", impact=2)),
            step(make_unit_of_work, "d", RiskStep(action="review", note="ok", impact=2)),
            step(make_unit_of_work, "e", RiskStep(action="reassess", note="moved")),
            step(make_unit_of_work, "f", RiskStep(action="accept", owner="CFO"), MANAGER),
            step(make_unit_of_work, "g", RiskStep(action="close"), MANAGER),
        ]

        assert states[-1] is RiskState.CLOSED
        with make_unit_of_work() as uow:
            risk = uow.repository(RISKS).get(RISK_ID).entity.risk_with_history()
            grants = uow.audit.records(actor=MANAGER.id)
            events = uow.outbox.events_for(RISKS.kind, RISK_ID)
        assert len(risk.history) == 7  # the repeated review "d" ran once
        assert [r.operation for r in grants] == ["accept_risk", "close_risk"]
        assert len(events) == 1 + 7

    def test_a_refused_close_is_audited_and_recorded(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        recorded(make_unit_of_work)

        with pytest.raises(CommandRefused, match="PermissionDenied"):
            step(make_unit_of_work, "x", RiskStep(action="close"))
        with pytest.raises(CommandRefused):
            step(make_unit_of_work, "x", RiskStep(action="close"))

        with make_unit_of_work() as uow:
            refusals = uow.audit.records(actor=CLERK.id, operation="close_risk")
            state = uow.repository(RISKS).get(RISK_ID).entity.risk.state
        assert len(refusals) == 1
        assert state is RiskState.IDENTIFIED

    def test_an_unknown_risk_is_not_found(self, make_unit_of_work: UnitOfWorkFactory) -> None:
        with pytest.raises(NotFound):
            step(make_unit_of_work, "y", RiskStep(action="implement"))

    @pytest.mark.parametrize(
        ("fields", "match"),
        [
            ({"action": "escalate"}, "assess, respond"),
            ({"action": "assess", "likelihood": 3}, "likelihood"),
            ({"action": "respond"}, "avoid"),
        ],
    )
    def test_a_step_without_what_it_needs_is_refused(
        self, fields: dict[str, object], match: str
    ) -> None:
        with pytest.raises(InvalidInput, match=match):
            RiskStep(**fields)  # type: ignore[arg-type]


class TestOverdueReviews:
    def test_lists_the_monitored_risks_past_their_review(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        recorded(make_unit_of_work)
        step(make_unit_of_work, "a", RiskStep(action="assess", likelihood=2, impact=2))
        step(make_unit_of_work, "b", RiskStep(action="accept", owner="o"), MANAGER)

        assert overdue_reviews(make_unit_of_work, as_of=NOW) == ()
        # a low risk: 60 calendar days from 2026-09-30 is 2026-11-29
        assert overdue_reviews(make_unit_of_work, as_of=NOW.add(days=61)) == (
            (
                f"risk {RISK_ID}: review due 2026-11-29 (60 calendar_days for a low risk from "
                "2026-09-30), not reviewed by 2026-11-30"
            ),
        )


def test_arrears_facts_feed_credit_proposals() -> None:
    accounts = [
        AccountArrears(
            account_id="A-1",
            customer_class="industrial",
            area="T-1",
            open_items=(
                OpenItem(
                    bill_id="B-1",
                    kind=ItemKind.PRINCIPAL,
                    amount=Money("800.00"),
                    dated=date(2026, 8, 15),
                ),
                OpenItem(
                    bill_id="B-1",
                    kind=ItemKind.LATE_FEE,
                    amount=Money("12.00"),
                    dated=date(2026, 9, 15),
                ),
            ),
        ),
        AccountArrears(account_id="A-2", customer_class="x", area="T-1"),
    ]

    facts = arrears_facts(accounts, as_of=AS_OF, customer_of={"A-1": "C-1"})
    found = propose_credit_risks(
        [CreditScore(customer_id=CustomerId("C-1"), points=Decimal(80))], facts
    )

    assert [(f.customer_id, f.amount, f.days_overdue) for f in facts] == [
        ("C-1", Money("812.00"), 46)
    ]
    assert [p.cause for p in found] == ["812.00 CNY owed, 46 days overdue (limit 30)"]
