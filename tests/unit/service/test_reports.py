"""SLA attainment per kind, channel, area and month; the rolling review; the backlog."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pytest

from powerretail.access import SEED_POLICY
from powerretail.errors import InvalidInput
from powerretail.service.cases import Case, IntakeChannel, reply, step
from powerretail.service.kinds import Area, CaseEvent, CaseKind
from powerretail.service.reports import Attainment, backlog, rolling_review, sla_report
from tests.unit.service.builders import CLERK, a_case, details, shanghai

AS_OF = shanghai(2026, 3, 20, 12)


def go(case: Case, event: CaseEvent, at: object) -> Case:
    return step(case, event, policy=SEED_POLICY, actor=CLERK, at=at, why="w").case  # type: ignore[arg-type]


def book() -> list[Case]:
    answered = go(a_case(), CaseEvent.ACCEPT, shanghai(2026, 3, 2, 10))
    answered = reply(
        answered, feedback="ok", policy=SEED_POLICY, actor=CLERK, at=shanghai(2026, 3, 5)
    ).case
    ignored = attrs.evolve(a_case(), id="K-2")
    repair = attrs.evolve(
        a_case(CaseKind.REPAIR, at=shanghai(2026, 3, 10, 9), area=Area.RURAL),
        id="K-3",
        channel=IntakeChannel.ONLINE,
    )
    for event, at in (
        (CaseEvent.DISPATCH, shanghai(2026, 3, 10, 9, 5)),
        (CaseEvent.ARRIVE, shanghai(2026, 3, 10, 11)),
        (CaseEvent.RESTORE_SUPPLY, shanghai(2026, 3, 10, 12)),
    ):
        repair = go(repair, event, at)
    waiting = go(attrs.evolve(a_case(), id="K-4"), CaseEvent.ACCEPT, shanghai(2026, 3, 2, 10))
    waiting = go(waiting, CaseEvent.WAIT_FOR_CUSTOMER, shanghai(2026, 3, 3))
    return [answered, ignored, repair, waiting]


class TestSlaReport:
    def test_counts_every_clock_judged_in_the_month(self) -> None:
        report = sla_report(book(), month=(2026, 3), as_of=AS_OF)

        assert report.total == Attainment(on_time=4, breached=3, paused=1, running=0)
        assert report.total.rate_percent == Decimal("57.1")  # 4 of 7 judged

    def test_splits_by_kind_channel_area_and_clock(self) -> None:
        report = sla_report(book(), month=(2026, 3), as_of=AS_OF)

        assert report.by_kind == {
            "complaint": Attainment(on_time=3, breached=2, paused=1),
            "repair": Attainment(on_time=1, breached=1),
        }
        assert report.by_channel["online"] == Attainment(on_time=1, breached=1)
        assert report.by_area == {
            "rural": Attainment(on_time=1, breached=1),
            "urban": Attainment(on_time=3, breached=2, paused=1),
        }
        assert report.by_clock["arrival"] == Attainment(breached=1)

    def test_another_month_has_nothing(self) -> None:
        report = sla_report(book(), month=(2026, 2), as_of=AS_OF)

        assert report.total == Attainment()
        assert report.total.rate_percent is None

    def test_a_running_clock_not_yet_due_counts_as_running(self) -> None:
        report = sla_report([a_case()], month=(2026, 3), as_of=shanghai(2026, 3, 2, 10))

        assert report.total == Attainment(running=2)

    def test_as_plain_data(self) -> None:
        data = sla_report(book(), month=(2026, 3), as_of=AS_OF).to_dict()

        assert data["month"] == "2026-03"
        assert data["total"] == {
            "on_time": 4,
            "breached": 3,
            "paused": 1,
            "running": 0,
            "on_time_percent": "57.1",
        }

    def test_refuses_a_month_13(self) -> None:
        with pytest.raises(InvalidInput, match="month"):
            sla_report([], month=(2026, 13), as_of=AS_OF)


class TestRollingReview:
    def test_lists_the_months_and_the_limits_most_breached_first(self) -> None:
        months, limits = rolling_review(book(), as_of=AS_OF, months=3)

        assert [row.label for row in months] == ["2026-01", "2026-02", "2026-03"]
        assert months[2].attainment.breached == 3
        assert limits[0].attainment.breached == 1
        assert limits[0].label == "complaint contact (24 hours, SGCC10)"
        assert limits[-1].attainment.breached == 0

    def test_spans_a_year_end(self) -> None:
        months, _ = rolling_review([], as_of=shanghai(2026, 1, 10), months=2)

        assert [row.label for row in months] == ["2025-12", "2026-01"]

    def test_refuses_no_months(self) -> None:
        with pytest.raises(InvalidInput, match="months"):
            rolling_review([], as_of=AS_OF, months=0)


class TestBacklog:
    def test_lists_open_cases_the_soonest_due_first(self) -> None:
        rows = backlog(book(), as_of=AS_OF)

        assert [row.case_id for row in rows] == ["K-2", "K-1", "K-3", "K-4"]
        assert rows[0].next_clock == "contact"
        assert rows[0].overdue_by == AS_OF - shanghai(2026, 3, 3, 9)
        assert rows[1].due_at is None

    def test_keeps_the_breached(self) -> None:
        assert [row.case_id for row in backlog(book(), as_of=AS_OF, breached_only=True)] == ["K-2"]

    def test_keeps_what_is_due_before_a_day(self) -> None:
        case = a_case()

        assert backlog([case], as_of=shanghai(2026, 3, 2, 10), due_before=date(2026, 3, 3)) == ()
        (row,) = backlog([case], as_of=shanghai(2026, 3, 2, 10), due_before=date(2026, 3, 4))
        assert row.overdue_by is None
        assert row.to_dict()["overdue_minutes"] is None

    def test_leaves_closed_cases_out(self) -> None:
        closed = go(a_case(), CaseEvent.WITHDRAW, shanghai(2026, 3, 2, 10))

        assert backlog([closed], as_of=AS_OF) == ()

    def test_as_plain_data(self) -> None:
        (row, *_) = backlog(book(), as_of=AS_OF)

        assert row.to_dict()["overdue_minutes"] == 17 * 24 * 60 + 3 * 60  # Mar 3 09:00 to 20 12:00


class TestUncoveredYears:
    def test_a_clock_running_into_2027_is_shown_with_the_reason_not_guessed(self) -> None:
        late = a_case(
            CaseKind.CONNECTION, at=shanghai(2026, 12, 20, 9), rules="SGCC10", connection=details()
        )
        late = go(late, CaseEvent.ACCEPT, shanghai(2026, 12, 21, 9))

        (row,) = backlog([late], as_of=shanghai(2026, 12, 22))

        assert row.next_clock == "hand-off to marketing"  # 5 WD: Dec 22-25, 28, inside 2026
        assert row.due_at == shanghai(2026, 12, 29)
        assert row.problems[0].startswith("scheme reply: CN mainland: no holiday schedule for 2027")
        assert sla_report(  # the hand-off runs; the scheme reply is left out, not guessed
            [late], month=(2026, 12), as_of=shanghai(2026, 12, 22)
        ).total == Attainment(running=1)


def test_a_clock_started_after_as_of_is_left_out() -> None:
    report = sla_report(book(), month=(2026, 3), as_of=shanghai(2026, 3, 5, 12))

    assert report.by_kind.get("repair") is None  # the repair was called in on 10 March


def test_a_case_opened_after_as_of_is_not_in_the_backlog() -> None:
    assert [row.case_id for row in backlog(book(), as_of=shanghai(2026, 3, 5))] == [
        "K-2",
        "K-1",
        "K-4",
    ]


class TestHandOffToMarketing:
    """The seed's hand-off of a high-voltage application to marketing (5 working days from the
    supply office's acceptance), in the report, the review and the backlog."""

    def accepted(self) -> Case:
        case = a_case(CaseKind.CONNECTION, at=shanghai(2026, 9, 17, 9), connection=details())
        case = go(case, CaseEvent.ACCEPT, shanghai(2026, 9, 17, 10))
        return go(case, CaseEvent.SURVEY, shanghai(2026, 9, 18, 10))

    def test_the_backlog_shows_it_due_after_the_make_up_sunday(self) -> None:
        (row,) = backlog([self.accepted()], as_of=shanghai(2026, 9, 23, 12))

        assert (row.next_clock, row.due_at) == ("hand-off to marketing", shanghai(2026, 9, 24))
        assert row.overdue_by is None

    def test_the_backlog_shows_it_breached_a_minute_past_its_due(self) -> None:
        (row,) = backlog([self.accepted()], as_of=shanghai(2026, 9, 24, 0, 1))

        assert row.next_clock == "hand-off to marketing"
        assert row.to_dict()["overdue_minutes"] == 1

    def test_the_report_and_the_review_count_it_under_the_seed_limit(self) -> None:
        late = go(self.accepted(), CaseEvent.HAND_TO_MARKETING, shanghai(2026, 9, 24, 0, 1))
        on_time = go(
            attrs.evolve(self.accepted(), id="K-2"),
            CaseEvent.HAND_TO_MARKETING,
            shanghai(2026, 9, 24),
        )

        report = sla_report([late, on_time], month=(2026, 9), as_of=shanghai(2026, 9, 30))
        _, limits = rolling_review([late, on_time], as_of=shanghai(2026, 9, 30), months=1)

        assert report.by_clock["hand-off to marketing"] == Attainment(on_time=1, breached=1)
        assert "connection hand-off to marketing (5 working_days, SEED)" in [
            row.label for row in limits
        ]
