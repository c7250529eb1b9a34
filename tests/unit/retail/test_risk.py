"""The risk register: assessment, responses, permissions, review dates and proposals."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import attrs
import pendulum
import pytest

from powerretail.access import SEED_POLICY, Actor, Decision, PermissionDenied
from powerretail.customers.credit import CreditScore
from powerretail.errors import InvalidInput, NotFound
from powerretail.ids import CustomerId
from powerretail.quantities import Money
from powerretail.retail.forecast import Month
from powerretail.retail.plans import PositionLine, PositionReport
from powerretail.retail.risk import (
    DEFAULT_ASSESSMENT,
    RISK_MACHINE,
    RISK_POLICY,
    ArrearsFact,
    AssessmentPolicy,
    LevelBand,
    MeasureRules,
    Response,
    Risk,
    RiskEvent,
    RiskKind,
    RiskLevel,
    RiskState,
    accept,
    apply_proposal,
    assess,
    assessment_policy,
    close,
    identify,
    implement,
    propose_credit_risks,
    propose_market_risks,
    reassess,
    respond,
    review,
    review_clock,
    review_overdue,
)
from powerretail.statemachine import GuardRefused, TransitionNotAllowed

MANAGER = Actor(id="r-1", name="Zhao", roles={"risk_manager"})
CLERK = Actor(id="c-1", name="Li", roles={"customer_service"})
SEPT_30 = pendulum.datetime(2026, 9, 30, 10, tz="Asia/Shanghai")


def at(day: date, hour: int = 10) -> pendulum.DateTime:
    return pendulum.datetime(day.year, day.month, day.day, hour, tz="Asia/Shanghai")


def a_risk(kind: RiskKind = RiskKind.MARKET) -> Risk:
    return identify(
        risk_id="R-1",
        kind=kind,
        title="spot exposure",
        cause="hedge ratio 0.6 in 2026-10",
        impact="open energy bought at spot",
        at=SEPT_30,
    )


def assessed(likelihood: int = 2, impact: int = 2) -> Risk:
    return assess(
        a_risk(), likelihood=likelihood, impact=impact, policy=RISK_POLICY, actor=CLERK, at=SEPT_30
    ).risk


def monitored(likelihood: int = 5, impact: int = 4) -> Risk:
    risk = respond(
        assessed(likelihood, impact),
        response=Response.REDUCE,
        measures=["buy 200 MWh in the monthly auction", ""],
        owner="trading desk",
        policy=RISK_POLICY,
        actor=CLERK,
        at=SEPT_30,
    ).risk
    return implement(risk, policy=RISK_POLICY, actor=CLERK, at=SEPT_30).risk


class TestAssessmentPolicy:
    @pytest.mark.parametrize(
        ("likelihood", "impact", "level"),
        [
            (1, 1, RiskLevel.LOW),
            (2, 2, RiskLevel.LOW),  # 4
            (1, 5, RiskLevel.MEDIUM),  # 5
            (3, 3, RiskLevel.MEDIUM),  # 9
            (2, 5, RiskLevel.HIGH),  # 10
            (3, 4, RiskLevel.HIGH),  # 12
            (5, 3, RiskLevel.CRITICAL),  # 15
            (5, 5, RiskLevel.CRITICAL),  # 25
        ],
    )
    def test_gives_the_level_of_the_score_band(
        self, likelihood: int, impact: int, level: RiskLevel
    ) -> None:
        assert DEFAULT_ASSESSMENT.level_of(likelihood, impact) is level

    @pytest.mark.parametrize(("likelihood", "impact"), [(0, 1), (6, 1), (1, 0), (True, 1)])
    def test_refuses_scores_off_the_scale(self, likelihood: int, impact: int) -> None:
        with pytest.raises(InvalidInput, match="from 1 to 5"):
            DEFAULT_ASSESSMENT.score(likelihood, impact)

    def test_refuses_bands_that_do_not_start_at_one_or_ascend(self) -> None:
        review = DEFAULT_ASSESSMENT.bands[0].review
        with pytest.raises(InvalidInput, match="from score 1"):
            AssessmentPolicy(key="X", title="x", bands=(LevelBand(RiskLevel.LOW, 2, review),))
        with pytest.raises(InvalidInput, match="ascending"):
            AssessmentPolicy(
                key="X",
                title="x",
                bands=(LevelBand(RiskLevel.HIGH, 1, review), LevelBand(RiskLevel.LOW, 5, review)),
            )

    def test_names_a_level_it_has_no_band_for(self) -> None:
        review = DEFAULT_ASSESSMENT.bands[0].review
        small = AssessmentPolicy(key="X", title="x", bands=(LevelBand(RiskLevel.LOW, 1, review),))

        with pytest.raises(NotFound, match="high"):
            small.review_for(RiskLevel.HIGH)

    def test_finds_policies_by_key(self) -> None:
        assert assessment_policy("RISK-5x5") is DEFAULT_ASSESSMENT
        with pytest.raises(NotFound):
            assessment_policy("RISK-3x3")


class TestLifecycle:
    def test_an_assessment_records_the_score_and_level(self) -> None:
        step = assess(a_risk(), likelihood=5, impact=4, policy=RISK_POLICY, actor=CLERK, at=SEPT_30)

        assert (step.risk.state, step.risk.level) == (RiskState.ASSESSED, RiskLevel.CRITICAL)
        assert step.record.why == "5 × 4 = 20: critical (RISK-5x5)"
        assert step.audit is None

    def test_a_response_names_its_measures_and_owner(self) -> None:
        risk = monitored()

        assert risk.state is RiskState.MONITORING
        assert (risk.response, risk.measures, risk.owner) == (
            Response.REDUCE,
            ("buy 200 MWh in the monthly auction",),
            "trading desk",
        )
        assert [r.event for r in risk.history] == [
            RiskEvent.ASSESS,
            RiskEvent.RESPOND,
            RiskEvent.IMPLEMENT,
        ]

    @pytest.mark.parametrize(
        ("response", "measures", "owner", "match"),
        [
            (Response.ACCEPT, ["x"], "o", "accept"),
            (Response.AVOID, [" "], "o", "measure"),
            (Response.TRANSFER, ["insure"], " ", "owner"),
        ],
    )
    def test_refuses_a_response_without_what_it_needs(
        self, response: Response, measures: list[str], owner: str, match: str
    ) -> None:
        with pytest.raises(InvalidInput, match=match):
            respond(
                assessed(),
                response=response,
                measures=measures,
                owner=owner,
                policy=RISK_POLICY,
                actor=CLERK,
                at=SEPT_30,
            )

    def test_identify_refuses_blank_texts_and_unknown_policies(self) -> None:
        with pytest.raises(InvalidInput, match="cause"):
            identify(risk_id="R", kind=RiskKind.LEGAL, title="t", cause=" ", impact="i", at=SEPT_30)
        with pytest.raises(NotFound):
            identify(
                risk_id="R",
                kind=RiskKind.LEGAL,
                title="t",
                cause="c",
                impact="i",
                at=SEPT_30,
                assessment="nope",
            )

    def test_a_review_rescores_and_notes(self) -> None:
        step = review(
            monitored(),
            note="half bought",
            likelihood=2,
            policy=RISK_POLICY,
            actor=CLERK,
            at=at(date(2026, 10, 9)),
        )

        assert (step.risk.likelihood, step.risk.impact_score, step.risk.level) == (
            2,
            4,
            RiskLevel.MEDIUM,
        )
        assert step.risk.notes == ("2026-10-09: half bought",)
        plain = review(monitored(), note="n", policy=RISK_POLICY, actor=CLERK, at=SEPT_30).risk
        assert plain.level is RiskLevel.CRITICAL

    def test_a_review_with_a_new_score_of_a_risk_not_monitored_is_not_allowed(self) -> None:
        # found by the stateful test: this failed an internal assertion before the fix
        with pytest.raises(TransitionNotAllowed):
            review(a_risk(), note="n", likelihood=1, policy=RISK_POLICY, actor=CLERK, at=SEPT_30)

    def test_a_changed_risk_goes_back_to_assessment(self) -> None:
        risk = reassess(
            monitored(), why="prices moved", policy=RISK_POLICY, actor=CLERK, at=SEPT_30
        )

        assert risk.risk.state is RiskState.ASSESSED


class TestPermissions:
    def test_a_risk_manager_accepts_a_medium_risk_audited(self) -> None:
        step = accept(
            assessed(3, 3), owner="CFO", why="small", policy=RISK_POLICY, actor=MANAGER, at=SEPT_30
        )

        assert (step.risk.state, step.risk.response) == (RiskState.MONITORING, Response.ACCEPT)
        assert step.audit is not None
        assert (step.audit.operation, step.audit.granted_by) == ("accept_risk", "risk_manager")

    def test_a_clerk_may_not_accept_and_the_refusal_is_audited(self) -> None:
        with pytest.raises(PermissionDenied) as refused:
            accept(assessed(), owner="CFO", why="w", policy=RISK_POLICY, actor=CLERK, at=SEPT_30)

        assert refused.value.audit is not None
        assert refused.value.audit.decision is Decision.REFUSED

    def test_the_seed_policy_alone_has_no_risk_manager(self) -> None:
        with pytest.raises(PermissionDenied):
            accept(assessed(), owner="CFO", why="w", policy=SEED_POLICY, actor=MANAGER, at=SEPT_30)

    def test_a_high_risk_may_not_be_accepted(self) -> None:
        with pytest.raises(GuardRefused, match="level_acceptable"):
            accept(
                assessed(2, 5), owner="CFO", why="w", policy=RISK_POLICY, actor=MANAGER, at=SEPT_30
            )

    def test_closing_needs_the_permission(self) -> None:
        with pytest.raises(PermissionDenied):
            close(monitored(), why="gone", policy=RISK_POLICY, actor=CLERK, at=SEPT_30)

        step = close(monitored(), why="gone", policy=RISK_POLICY, actor=MANAGER, at=SEPT_30)

        assert step.risk.state is RiskState.CLOSED
        assert step.audit is not None
        assert step.audit.granted

    def test_a_risk_identified_in_error_may_be_closed(self) -> None:
        step = close(a_risk(), why="duplicate", policy=RISK_POLICY, actor=MANAGER, at=SEPT_30)

        assert step.risk.state is RiskState.CLOSED


class TestReviewClock:
    def test_a_critical_review_runs_over_national_day_and_its_make_up_saturday(self) -> None:
        # 5 working days from Wed 30 Sep 2026: 1-7 Oct holiday; Thu 8, Fri 9, Sat 10 (make-up),
        # Mon 12, Tue 13 -> due 13 Oct
        clock = review_clock(monitored(5, 4))

        assert clock.due_date == date(2026, 10, 13)
        assert clock.due_at == at(date(2026, 10, 14), 0)  # the midnight that ends the 13th
        assert review_overdue(monitored(5, 4), as_of=at(date(2026, 10, 14), 0)) is None
        late = at(date(2026, 10, 14), 0).add(minutes=1)
        assert review_overdue(monitored(5, 4), as_of=late) == (
            "risk R-1: review due 2026-10-13 (5 working_days for a critical risk from "
            "2026-09-30), not reviewed by 2026-10-14"
        )

    def test_a_low_risk_is_reviewed_within_60_calendar_days(self) -> None:
        assert review_clock(monitored(1, 2)).due_date == date(2026, 11, 29)

    def test_a_review_restarts_the_clock(self) -> None:
        risk = review(
            monitored(), note="ok", policy=RISK_POLICY, actor=CLERK, at=at(date(2026, 10, 13))
        ).risk

        assert review_clock(risk).due_date == date(2026, 10, 20)
        assert review_overdue(risk, as_of=at(date(2026, 10, 12))) is None

    def test_only_a_monitored_risk_has_a_review_clock(self) -> None:
        with pytest.raises(InvalidInput, match="monitored"):
            review_clock(assessed())
        assert review_overdue(assessed(), as_of=SEPT_30) is None


EXPECTED = {
    (RiskState.IDENTIFIED, RiskEvent.ASSESS): RiskState.ASSESSED,
    (RiskState.IDENTIFIED, RiskEvent.CLOSE): RiskState.CLOSED,
    (RiskState.ASSESSED, RiskEvent.ASSESS): RiskState.ASSESSED,
    (RiskState.ASSESSED, RiskEvent.RESPOND): RiskState.RESPONDING,
    (RiskState.ASSESSED, RiskEvent.ACCEPT): RiskState.MONITORING,
    (RiskState.RESPONDING, RiskEvent.IMPLEMENT): RiskState.MONITORING,
    (RiskState.MONITORING, RiskEvent.REVIEW): RiskState.MONITORING,
    (RiskState.MONITORING, RiskEvent.REASSESS): RiskState.ASSESSED,
    (RiskState.MONITORING, RiskEvent.CLOSE): RiskState.CLOSED,
}


@pytest.mark.parametrize(
    ("state", "event"), list(itertools.product(RiskState, RiskEvent)), ids=lambda v: v.name
)
def test_every_state_and_event_pair_goes_where_the_table_says(
    state: RiskState, event: RiskEvent
) -> None:
    arrows = [a for a in RISK_MACHINE.transitions if (a.source, a.event) == (state, event)]
    expected = EXPECTED.get((state, event))
    if expected is None:
        assert arrows == []
        with pytest.raises(TransitionNotAllowed):
            RISK_MACHINE.next_state(state, event)
    else:
        assert [a.target for a in arrows] == [expected]


def test_the_arrows_that_need_a_permission() -> None:
    assert {(a.event, a.permission) for a in RISK_MACHINE.transitions if a.permission} == {
        (RiskEvent.ACCEPT, "accept_risk"),
        (RiskEvent.CLOSE, "close_risk"),
    }


OCTOBER, NOVEMBER, DECEMBER = Month.parse("2026-10"), Month.parse("2026-11"), Month.parse("2026-12")


def a_position() -> PositionReport:
    return PositionReport(
        (
            PositionLine(
                month=OCTOBER, band="peak", planned_kwh=Decimal(1000), purchased_kwh=Decimal(650)
            ),
            PositionLine(
                month=NOVEMBER, band="peak", planned_kwh=Decimal(1000), purchased_kwh=Decimal(900)
            ),
            PositionLine(
                month=DECEMBER, band="peak", planned_kwh=Decimal(1000), purchased_kwh=Decimal(1200)
            ),
            PositionLine(
                month=Month.parse("2027-01"),
                band="peak",
                planned_kwh=Decimal(0),
                purchased_kwh=Decimal(5),
            ),
        )
    )


class TestProposals:
    def test_a_month_outside_the_hedge_range_proposes_a_market_risk(self) -> None:
        found = propose_market_risks(a_position())

        assert [(p.risk_id, p.rule) for p in found] == [
            ("market/hedge_ratio_below_minimum/2026-10", "RISK-MEASURES.hedge_ratio_below_minimum"),
            ("market/hedge_ratio_above_maximum/2026-12", "RISK-MEASURES.hedge_ratio_above_maximum"),
        ]
        assert found[0].cause == (
            "hedge ratio 0.6500 (650 kWh bought of 1000 kWh planned, open 350 kWh) below 0.8000"
        )

    def test_the_range_is_policy_data(self) -> None:
        strict = MeasureRules(key="STRICT", min_hedge_ratio=Decimal("0.95"))

        assert [p.subject for p in propose_market_risks(a_position(), rules=strict)] == [
            "2026-10",
            "2026-11",
            "2026-12",
        ]

    def test_low_scores_and_old_arrears_propose_credit_risks(self) -> None:
        found = propose_credit_risks(
            [
                CreditScore(customer_id=CustomerId("C-1"), points=Decimal("59.5")),
                CreditScore(customer_id=CustomerId("C-2"), points=Decimal(60)),
            ],
            [
                ArrearsFact(customer_id="C-3", amount=Money("1200.00"), days_overdue=31),
                ArrearsFact(customer_id="C-4", amount=Money("50.00"), days_overdue=30),
                ArrearsFact(customer_id="C-5", amount=Money("0.00"), days_overdue=90),
            ],
        )

        assert [(p.risk_id, p.cause) for p in found] == [
            (
                "credit/arrears_overdue_beyond_limit/C-3",
                "1200.00 CNY owed, 31 days overdue (limit 30)",
            ),
            ("credit/credit_score_below_minimum/C-1", "credit score 59.5 below 60"),
        ]
        assert all(p.kind is RiskKind.CREDIT for p in found)

    def test_a_proposal_opens_a_risk_then_updates_it(self) -> None:
        first, again = (
            propose_market_risks(a_position())[0],
            attrs.evolve(propose_market_risks(a_position())[0], measured="hedge ratio 0.7000"),
        )

        risk = apply_proposal(first, None, at=SEPT_30)
        updated = apply_proposal(again, risk, at=at(date(2026, 10, 5)))

        assert (risk.state, risk.rule, risk.subject) == (
            RiskState.IDENTIFIED,
            "RISK-MEASURES.hedge_ratio_below_minimum",
            "2026-10",
        )
        assert updated.measured == "hedge ratio 0.7000"
        assert updated.notes == (
            "2026-10-05: RISK-MEASURES.hedge_ratio_below_minimum fired again: hedge ratio 0.7000",
        )

    def test_a_proposal_never_updates_a_closed_or_other_risk(self) -> None:
        proposal = propose_market_risks(a_position())[0]
        risk = apply_proposal(proposal, None, at=SEPT_30)
        closed = close(risk, why="x", policy=RISK_POLICY, actor=MANAGER, at=SEPT_30).risk

        with pytest.raises(InvalidInput):
            apply_proposal(proposal, closed, at=SEPT_30)
        with pytest.raises(InvalidInput):
            apply_proposal(proposal, a_risk(), at=SEPT_30)
