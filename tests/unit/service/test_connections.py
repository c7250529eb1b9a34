"""New connections and capacity increases: checklists, schemes, validity, extension, fees."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pytest

from powerretail.access import SEED_POLICY, PermissionDenied
from powerretail.errors import InvalidInput
from powerretail.quantities import Money
from powerretail.service.cases import (
    Case,
    ClockStatus,
    case_clocks,
    extend_scheme,
    reply_scheme,
    step,
)
from powerretail.service.connections import (
    ILLUSTRATIVE_FEES,
    ConnectionClass,
    ConnectionPurpose,
    ConnectionRefused,
    Document,
    FeeItem,
    FeeSchedule,
    fees_for,
    missing_documents,
    valid_until,
)
from powerretail.service.kinds import CaseEvent, CaseKind, CaseState
from powerretail.statemachine import GuardRefused
from tests.unit.service.builders import CLERK, MANAGER, a_case, a_scheme, details, shanghai

HV = ConnectionClass.HV
MINE = ConnectionClass.FIRST_LEVEL_IMPORTANT
LV = ConnectionClass.LV_NON_RESIDENTIAL
HOME = ConnectionClass.RESIDENTIAL


def surveyed(klass: ConnectionClass = HV, **more: object) -> Case:
    case = a_case(CaseKind.CONNECTION, connection=details(klass), **more)  # type: ignore[arg-type]
    for event, day in ((CaseEvent.ACCEPT, 2), (CaseEvent.SURVEY, 4)):
        case = step(
            case, event, policy=SEED_POLICY, actor=CLERK, at=shanghai(2026, 3, day, 10), why="w"
        ).case
    if klass.is_high_voltage:  # the supply office hands a high-voltage application to marketing
        case = step(
            case,
            CaseEvent.HAND_TO_MARKETING,
            policy=SEED_POLICY,
            actor=CLERK,
            at=shanghai(2026, 3, 5, 10),
            why="w",
        ).case
    return case


def replied(klass: ConnectionClass = HV, at: object = None) -> Case:
    scheme = a_scheme("North", "South") if klass is MINE else a_scheme("North")
    return reply_scheme(
        surveyed(klass),
        scheme=scheme,
        policy=SEED_POLICY,
        actor=MANAGER,
        at=at or shanghai(2026, 3, 19, 10),  # type: ignore[arg-type]
    ).case


class TestAcceptance:
    def test_a_mine_without_its_licences_is_refused_naming_them(self) -> None:
        application = attrs.evolve(details(MINE), documents=details(HV).documents)
        case = a_case(CaseKind.CONNECTION, connection=application)

        with pytest.raises(ConnectionRefused) as refused:
            step(
                case,
                CaseEvent.ACCEPT,
                policy=SEED_POLICY,
                actor=CLERK,
                at=shanghai(2026, 3, 2, 10),
                why="w",
            )

        assert "采矿许可证" in str(refused.value)
        assert refused.value.refusals[0].rule == "documents_complete"

    def test_a_mine_increase_needs_the_six_certificates(self) -> None:
        application = attrs.evolve(
            details(MINE, ConnectionPurpose.INCREASE), documents=details(MINE).documents
        )

        assert missing_documents(application) == {
            Document.MINE_MANAGER_QUALIFICATION,
            Document.MINE_MANAGER_SAFETY,
            Document.SAFETY_PRODUCTION_LICENCE,
            Document.COAL_PRODUCTION_LICENCE,
        }

    def test_a_complete_application_is_accepted(self) -> None:
        assert surveyed(MINE).state is CaseState.WITH_MARKETING
        assert surveyed(LV).state is CaseState.SURVEYED


class TestScheme:
    def test_a_mine_needs_two_sources_from_different_substations(self) -> None:
        with pytest.raises(ConnectionRefused, match="dual_source_different_substations"):
            reply_scheme(
                surveyed(MINE),
                scheme=a_scheme("North", "North"),
                policy=SEED_POLICY,
                actor=MANAGER,
                at=shanghai(2026, 3, 19),
            )

    def test_a_scheme_short_of_the_capacity_is_refused(self) -> None:
        with pytest.raises(ConnectionRefused, match="capacity_covered"):
            reply_scheme(
                surveyed(),
                scheme=a_scheme("North", kva="400"),
                policy=SEED_POLICY,
                actor=MANAGER,
                at=shanghai(2026, 3, 19),
            )

    def test_a_scheme_without_a_source_is_refused(self) -> None:
        with pytest.raises(ConnectionRefused, match="has_source"):
            reply_scheme(
                surveyed(),
                scheme=a_scheme(),
                policy=SEED_POLICY,
                actor=MANAGER,
                at=shanghai(2026, 3, 19),
            )

    def test_a_clerk_may_not_approve_a_scheme(self) -> None:
        with pytest.raises(PermissionDenied) as denied:
            reply_scheme(
                surveyed(),
                scheme=a_scheme("North"),
                policy=SEED_POLICY,
                actor=CLERK,
                at=shanghai(2026, 3, 19),
            )

        assert denied.value.audit is not None
        assert denied.value.audit.operation == "approve_supply_scheme"

    def test_the_reply_needs_a_scheme(self) -> None:
        with pytest.raises(InvalidInput, match="scheme"):
            step(
                surveyed(),
                CaseEvent.REPLY_SCHEME,
                policy=SEED_POLICY,
                actor=MANAGER,
                at=shanghai(2026, 3, 19),
                why="w",
            )

    def test_only_a_connection_has_a_scheme(self) -> None:
        with pytest.raises(InvalidInput, match="connection"):
            reply_scheme(
                a_case(),
                scheme=a_scheme("North"),
                policy=SEED_POLICY,
                actor=MANAGER,
                at=shanghai(2026, 3, 19),
            )

    def test_a_mines_scheme_reply_runs_on_the_dual_source_limit(self) -> None:
        (scheme_clock,) = [c for c in case_clocks(replied(MINE)) if c.name == "scheme reply"]

        assert scheme_clock.policy is not None
        assert (scheme_clock.policy.key, scheme_clock.policy.limit) == (
            "supply_scheme_reply_hv_dual",
            30,
        )


class TestValidity:
    def test_hv_is_valid_a_year_lv_three_months(self) -> None:
        assert valid_until(details(HV), shanghai(2026, 3, 19, 10)) == date(2027, 3, 18)
        assert valid_until(details(LV), shanghai(2026, 3, 19, 10)) == date(2026, 6, 18)

    def test_extension_requested_ten_days_before_expiry_is_granted_once(self) -> None:
        case = replied(LV)

        extended = extend_scheme(
            case, policy=SEED_POLICY, actor=CLERK, at=shanghai(2026, 6, 9)
        ).case

        assert extended.connection is not None
        assert extended.connection.valid_until == date(2026, 9, 18)
        with pytest.raises(ConnectionRefused, match="extended_once"):
            extend_scheme(extended, policy=SEED_POLICY, actor=CLERK, at=shanghai(2026, 6, 9))

    def test_extension_a_minute_late_is_refused(self) -> None:
        with pytest.raises(ConnectionRefused, match="requested_before_expiry"):
            extend_scheme(
                replied(LV), policy=SEED_POLICY, actor=CLERK, at=shanghai(2026, 6, 9, 0, 1)
            )

    def test_extension_needs_a_replied_scheme(self) -> None:
        with pytest.raises(InvalidInput, match="replied scheme"):
            extend_scheme(surveyed(), policy=SEED_POLICY, actor=CLERK, at=shanghai(2026, 6, 9))

    def test_work_on_an_expired_scheme_is_refused_and_the_case_lapses(self) -> None:
        case = replied(LV)
        late = shanghai(2026, 6, 19, 9)

        with pytest.raises(GuardRefused):
            step(
                case, CaseEvent.REPORT_COMPLETION, policy=SEED_POLICY, actor=CLERK, at=late, why="w"
            )
        with pytest.raises(GuardRefused):
            step(
                case,
                CaseEvent.LAPSE,
                policy=SEED_POLICY,
                actor=CLERK,
                at=shanghai(2026, 6, 18, 23),
                why="w",
            )
        lapsed = step(
            case, CaseEvent.LAPSE, policy=SEED_POLICY, actor=CLERK, at=late, why="expired"
        ).case

        assert lapsed.state is CaseState.LAPSED
        assert lapsed.is_closed


class TestPaths:
    def test_hv_goes_through_design_review_and_mid_inspection(self) -> None:
        case = replied(HV)

        with pytest.raises(GuardRefused):
            step(
                case,
                CaseEvent.REPORT_COMPLETION,
                policy=SEED_POLICY,
                actor=CLERK,
                at=shanghai(2026, 3, 20),
                why="w",
            )
        for day, event in enumerate(
            (
                CaseEvent.SUBMIT_DESIGN,
                CaseEvent.APPROVE_DESIGN,
                CaseEvent.REQUEST_MID_INSPECTION,
                CaseEvent.PASS_MID_INSPECTION,
                CaseEvent.REPORT_COMPLETION,
            ),
            start=20,
        ):
            case = step(
                case, event, policy=SEED_POLICY, actor=CLERK, at=shanghai(2026, 3, day, 10), why="w"
            ).case
        with pytest.raises(PermissionDenied):
            step(
                case,
                CaseEvent.ACCEPT_EQUIPMENT,
                policy=SEED_POLICY,
                actor=CLERK,
                at=shanghai(2026, 3, 26),
                why="w",
            )
        case = step(
            case,
            CaseEvent.ACCEPT_EQUIPMENT,
            policy=SEED_POLICY,
            actor=MANAGER,
            at=shanghai(2026, 3, 26),
            why="验收",
        ).case
        case = step(
            case,
            CaseEvent.ENERGISE,
            policy=SEED_POLICY,
            actor=CLERK,
            at=shanghai(2026, 3, 27),
            why="送电",
            feedback="energised",
        ).case

        statuses = {c.name: c.status(shanghai(2026, 4, 1)) for c in case_clocks(case)}

        assert set(statuses.values()) == {ClockStatus.MET}
        assert sorted(statuses) == [
            "completion inspection",
            "design review",
            "energisation",
            "hand-off to marketing",
            "mid-construction inspection",
            "scheme reply",
        ]

    def test_lv_reports_completion_straight_after_the_scheme(self) -> None:
        case = step(
            replied(LV),
            CaseEvent.REPORT_COMPLETION,
            policy=SEED_POLICY,
            actor=CLERK,
            at=shanghai(2026, 3, 20),
            why="w",
        ).case

        assert case.state is CaseState.COMPLETION_REPORTED

    def test_a_residential_connection_runs_the_whole_power_on_clock(self) -> None:
        names = [c.name for c in case_clocks(surveyed(HOME))]

        assert "residential power-on" in names
        assert "design review" not in names


class TestFees:
    def test_the_high_reliability_fee_is_charged_on_dual_sources(self) -> None:
        case = replied(MINE)
        assert case.connection is not None

        (line,) = fees_for(case.connection, ILLUSTRATIVE_FEES)

        assert line.amount == Money("500000.00")
        assert line.explanation == "5000 kVA x 100 元/kVA"

    def test_no_fee_on_a_single_source(self) -> None:
        case = replied(HV)
        assert case.connection is not None

        assert fees_for(case.connection, ILLUSTRATIVE_FEES) == ()

    def test_a_fixed_fee_and_a_rate_rounded_once(self) -> None:
        schedule = FeeSchedule(
            key="X",
            items=(
                FeeItem(name="fixed", classes={LV}, fixed=Money("50.00")),
                FeeItem(name="rate", classes={LV}, yuan_per_kva=Decimal("0.125")),
                FeeItem(name="hv only", classes={HV}, fixed=Money("1.00")),
            ),
        )

        lines = fees_for(details(LV, kva="1"), schedule)

        assert [(line.name, line.amount) for line in lines] == [
            ("fixed", Money("50.00")),
            ("rate", Money("0.13")),
        ]

    def test_a_fee_item_needs_a_rate_or_an_amount(self) -> None:
        with pytest.raises(InvalidInput):
            FeeItem(name="none", classes={LV})

    def test_refuses_no_capacity(self) -> None:
        with pytest.raises(InvalidInput, match="capacity"):
            details(kva="0")


class TestHandOffToMarketing:
    def test_a_high_voltage_scheme_is_not_replied_before_the_hand_off(self) -> None:
        case = a_case(CaseKind.CONNECTION, connection=details(HV))
        for event, day in ((CaseEvent.ACCEPT, 2), (CaseEvent.SURVEY, 4)):
            case = step(
                case, event, policy=SEED_POLICY, actor=CLERK, at=shanghai(2026, 3, day), why="w"
            ).case

        with pytest.raises(ConnectionRefused) as refused:
            reply_scheme(
                case,
                scheme=a_scheme("North"),
                policy=SEED_POLICY,
                actor=MANAGER,
                at=shanghai(2026, 3, 19),
            )

        assert [r.rule for r in refused.value.refusals] == ["handed_to_marketing"]
        assert "供电所传递到市场营销部" in refused.value.refusals[0].source

    def test_a_low_voltage_application_is_not_handed_to_marketing(self) -> None:
        case = surveyed(LV)

        with pytest.raises(GuardRefused):
            step(
                case,
                CaseEvent.HAND_TO_MARKETING,
                policy=SEED_POLICY,
                actor=CLERK,
                at=shanghai(2026, 3, 5),
                why="w",
            )
        assert "hand-off to marketing" not in {c.name for c in case_clocks(case)}

    def test_the_hand_off_stops_its_clock_on_the_seed_limit(self) -> None:
        (clock,) = [c for c in case_clocks(surveyed(HV)) if c.name == "hand-off to marketing"]

        assert clock.policy is not None
        assert (clock.policy.key, clock.policy.limit, clock.policy.rule_set) == (
            "scheme_handover_to_marketing",
            5,
            "SEED",
        )
        assert clock.status(shanghai(2026, 4, 1)) is ClockStatus.MET  # Mar 2 10:00 to Mar 5 10:00

    def test_a_withdrawal_with_marketing_stops_every_clock(self) -> None:
        case = step(
            surveyed(MINE),
            CaseEvent.WITHDRAW,
            policy=SEED_POLICY,
            actor=CLERK,
            at=shanghai(2026, 3, 6),
            why="w",
        ).case

        assert case.state is CaseState.WITHDRAWN
        assert ClockStatus.RUNNING not in {
            c.status(shanghai(2026, 12, 1)) for c in case_clocks(case)
        }
