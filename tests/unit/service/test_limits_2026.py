"""Golden: every service time limit on the 2026 calendar, at its edge.

Each row is worked by hand on the 2026 mainland schedule (holidays Jan 1-3, Feb 15-23, Apr 4-6,
May 1-5, Jun 19-21, Sep 25-27, Oct 1-7; make-up working days Sun Jan 4, Sat Feb 14, Sat Feb 28,
Sat May 9, Sun Sep 20, Sat Oct 10). Day 1 is the first counted day after the start day; a
day-based limit ends at 24:00 of its due date (Asia/Shanghai). A stop at the due instant is on
time; one minute later is a breach.
"""

from __future__ import annotations

import pendulum
import pytest

from powerretail.access import SEED_POLICY
from powerretail.service.cases import (
    Case,
    ClockStatus,
    case_clocks,
    hand_off,
    hand_off_clocks,
    reply,
    reply_scheme,
    step,
    take_over,
)
from powerretail.service.connections import ConnectionClass
from powerretail.service.kinds import Area, CaseEvent, CaseKind, service_rules
from tests.unit.service.builders import CLERK, MANAGER, a_case, a_scheme, details, shanghai

E = CaseEvent
C = ConnectionClass
_HV_PATH = (
    E.ACCEPT,
    E.SURVEY,
    E.HAND_TO_MARKETING,
    E.REPLY_SCHEME,
    E.SUBMIT_DESIGN,
    E.APPROVE_DESIGN,
    E.REQUEST_MID_INSPECTION,
    E.PASS_MID_INSPECTION,
    E.REPORT_COMPLETION,
    E.ACCEPT_EQUIPMENT,
    E.ENERGISE,
)
_LV_PATH = (
    E.ACCEPT,
    E.SURVEY,
    E.REPLY_SCHEME,
    E.REPORT_COMPLETION,
    E.ACCEPT_EQUIPMENT,
    E.ENERGISE,
)

#: (id, rules, kind, area, class, clock, path up to the clock's stop, start event or None for
#: "opened", start instant, due instant worked by hand, the working)
ROWS = [
    ("seed complaint reply", "SEED", CaseKind.COMPLAINT, Area.URBAN, None, "reply",
     (E.ACCEPT, E.REPLY), None, shanghai(2026, 3, 2, 9), shanghai(2026, 3, 8),
     "5 calendar days: Mar 3..7"),
    ("complaint contact", "SEED", CaseKind.COMPLAINT, Area.URBAN, None, "contact",
     (E.ACCEPT,), None, shanghai(2026, 3, 2, 9), shanghai(2026, 3, 3, 9),
     "24 h (SGCC10, filled in)"),
    ("sgcc complaint over national day", "SGCC10", CaseKind.COMPLAINT, Area.URBAN, None,
     "reply", (E.ACCEPT, E.REPLY), None, shanghai(2026, 9, 24, 9), shanghai(2026, 10, 10),
     "5 WD: Sep 28, 29, 30, Oct 8, 9"),
    ("sgcc complaint ending on the oct 10 make-up day", "SGCC10", CaseKind.COMPLAINT,
     Area.URBAN, None, "reply", (E.ACCEPT, E.REPLY), None, shanghai(2026, 9, 28, 9),
     shanghai(2026, 10, 11), "5 WD: Sep 29, 30, Oct 8, 9, Sat 10"),
    ("national complaint", "JGBF", CaseKind.COMPLAINT, Area.URBAN, None, "reply",
     (E.ACCEPT, E.REPLY), None, shanghai(2026, 3, 2, 9), shanghai(2026, 3, 17),
     "10 WD: Mar 3-6, 9-13, 16"),
    ("seed report over spring festival", "SEED", CaseKind.REPORT, Area.URBAN, None, "reply",
     (E.ACCEPT, E.REPLY), None, shanghai(2026, 2, 13, 9), shanghai(2026, 2, 24),
     "10 calendar days: Feb 14..23"),
    ("repair arrival urban", "SEED", CaseKind.REPAIR, Area.URBAN, None, "arrival",
     (E.DISPATCH, E.ARRIVE), None, shanghai(2026, 2, 16, 23, 30), shanghai(2026, 2, 17, 0, 15),
     "45 min, on a holiday night"),
    ("repair arrival rural", "SEED", CaseKind.REPAIR, Area.RURAL, None, "arrival",
     (E.DISPATCH, E.ARRIVE), None, shanghai(2026, 3, 2, 9), shanghai(2026, 3, 2, 10, 30),
     "90 min"),
    ("repair arrival remote", "SEED", CaseKind.REPAIR, Area.REMOTE, None, "arrival",
     (E.DISPATCH, E.ARRIVE), None, shanghai(2026, 3, 2, 9), shanghai(2026, 3, 2, 11), "2 h"),
    ("restoration urban", "SEED", CaseKind.REPAIR, Area.URBAN, None, "restoration",
     (E.DISPATCH, E.ARRIVE, E.RESTORE_SUPPLY), E.ARRIVE, shanghai(2026, 3, 2, 9, 30),
     shanghai(2026, 3, 2, 12, 30), "3 h from arrival"),
    ("restoration rural", "SEED", CaseKind.REPAIR, Area.RURAL, None, "restoration",
     (E.DISPATCH, E.ARRIVE, E.RESTORE_SUPPLY), E.ARRIVE, shanghai(2026, 3, 2, 9, 30),
     shanghai(2026, 3, 2, 13, 30), "4 h from arrival"),
    ("meter test from a holiday", "SEED", CaseKind.METER_TEST, Area.URBAN, None,
     "test result", (E.ACCEPT, E.TEST), None, shanghai(2026, 1, 3, 9), shanghai(2026, 1, 9),
     "5 WD: Sun Jan 4 (make-up), 5, 6, 7, 8"),
    ("meter test gygz1996 from the fee, calendar days", "GYGZ1996", CaseKind.METER_TEST,
     Area.URBAN, None, "test result", (E.ACCEPT, E.PAY_TEST_FEE, E.TEST), E.PAY_TEST_FEE,
     shanghai(2026, 9, 25, 10), shanghai(2026, 10, 3),
     "7 calendar days from the fee (Art. 79): Sep 26..Oct 2, holidays counted"),
    ("meter test sgcc over mid-autumn and national day", "SGCC10", CaseKind.METER_TEST,
     Area.URBAN, None, "test result", (E.ACCEPT, E.PAY_TEST_FEE, E.TEST), None,
     shanghai(2026, 9, 25, 10), shanghai(2026, 10, 10),
     "5 WD from the request: Sep 28, 29, 30, Oct 8, 9"),
    ("seed hand-off to marketing over the sep 20 make-up day", "SEED", CaseKind.CONNECTION,
     Area.URBAN, C.HV, "hand-off to marketing", (E.ACCEPT, E.SURVEY, E.HAND_TO_MARKETING),
     E.ACCEPT, shanghai(2026, 9, 17, 10), shanghai(2026, 9, 24),
     "5 WD (seed): Sep 18, Sun 20, 21, 22, 23"),
    ("seed hand-off to marketing over national day", "SGCC10", CaseKind.CONNECTION,
     Area.URBAN, C.FIRST_LEVEL_IMPORTANT, "hand-off to marketing",
     (E.ACCEPT, E.SURVEY, E.HAND_TO_MARKETING), E.ACCEPT, shanghai(2026, 9, 30, 10),
     shanghai(2026, 10, 14), "5 WD (seed, filled in): Oct 8, 9, Sat 10, 12, 13"),
    ("scheme reply hv single", "SEED", CaseKind.CONNECTION, Area.URBAN, C.HV, "scheme reply",
     (E.ACCEPT, E.SURVEY, E.HAND_TO_MARKETING, E.REPLY_SCHEME), E.ACCEPT, shanghai(2026, 2, 13, 10),
     shanghai(2026, 3, 20), "20 WD: Sat Feb 14, Feb 24-27, Sat 28, Mar 2-6, 9-13, 16-19"),
    ("scheme reply hv dual", "SEED", CaseKind.CONNECTION, Area.URBAN,
     C.FIRST_LEVEL_IMPORTANT, "scheme reply",
     (E.ACCEPT, E.SURVEY, E.HAND_TO_MARKETING, E.REPLY_SCHEME), E.ACCEPT,
     shanghai(2026, 2, 13, 10), shanghai(2026, 4, 3), "30 WD: the 20 above, Mar 20-Apr 2"),
    ("scheme reply lv", "SEED", CaseKind.CONNECTION, Area.URBAN, C.LV_NON_RESIDENTIAL,
     "scheme reply", (E.ACCEPT, E.SURVEY, E.REPLY_SCHEME), E.ACCEPT, shanghai(2026, 9, 23, 10),
     shanghai(2026, 10, 13), "8 WD (JGBF): Sep 24, 28-30, Oct 8, 9, Sat 10, 12"),
    ("scheme reply residential", "SEED", CaseKind.CONNECTION, Area.URBAN, C.RESIDENTIAL,
     "scheme reply", (E.ACCEPT, E.SURVEY, E.REPLY_SCHEME), E.ACCEPT, shanghai(2026, 4, 1, 10),
     shanghai(2026, 4, 8), "3 WD (JGBF): Apr 2, 3, 7"),
    ("design review hv", "SEED", CaseKind.CONNECTION, Area.URBAN, C.HV, "design review",
     _HV_PATH[:6], E.SUBMIT_DESIGN, shanghai(2026, 6, 12, 10), shanghai(2026, 6, 30),
     "10 WD (SGCC10): Jun 15-18, 22-26, 29"),
    ("mid-construction inspection hv", "SEED", CaseKind.CONNECTION, Area.URBAN, C.HV,
     "mid-construction inspection", _HV_PATH[:8], E.REQUEST_MID_INSPECTION,
     shanghai(2026, 4, 3, 10), shanghai(2026, 4, 14), "5 WD (SGCC10): Apr 7-10, 13"),
    ("completion inspection hv", "SEED", CaseKind.CONNECTION, Area.URBAN, C.HV,
     "completion inspection", _HV_PATH[:10], E.REPORT_COMPLETION, shanghai(2026, 4, 30, 10),
     shanghai(2026, 5, 12), "5 WD (SGCC10): May 6, 7, 8, Sat 9, 11"),
    ("completion inspection lv", "SEED", CaseKind.CONNECTION, Area.URBAN, C.LV_NON_RESIDENTIAL,
     "completion inspection", _LV_PATH[:5], E.REPORT_COMPLETION, shanghai(2026, 12, 9, 10),
     shanghai(2026, 12, 17), "5 WD (JGBF): Dec 10, 11, 14, 15, 16"),
    ("energisation hv", "SEED", CaseKind.CONNECTION, Area.URBAN, C.HV, "energisation",
     _HV_PATH, E.ACCEPT_EQUIPMENT, shanghai(2026, 2, 13, 10), shanghai(2026, 2, 28),
     "5 WD (seed non-residential): Sat Feb 14, Feb 24, 25, 26, 27"),
    ("energisation residential", "SEED", CaseKind.CONNECTION, Area.URBAN, C.RESIDENTIAL,
     "energisation", _LV_PATH, E.ACCEPT_EQUIPMENT, shanghai(2026, 2, 27, 10),
     shanghai(2026, 3, 4), "3 WD (JGBF): Sat Feb 28, Mar 2, 3"),
    ("residential power-on", "SEED", CaseKind.CONNECTION, Area.URBAN, C.RESIDENTIAL,
     "residential power-on", _LV_PATH, None, shanghai(2026, 4, 29, 10), shanghai(2026, 5, 10),
     "5 WD (seed): Apr 30, May 6, 7, 8, Sat 9"),
]  # fmt: skip


def drive(case: Case, event: CaseEvent, at: pendulum.DateTime) -> Case:
    klass = None if case.connection is None else case.connection.customer_class
    if event is E.REPLY_SCHEME:
        scheme = a_scheme("N", "S") if klass is C.FIRST_LEVEL_IMPORTANT else a_scheme("N")
        return reply_scheme(case, scheme=scheme, policy=SEED_POLICY, actor=MANAGER, at=at).case
    if event is E.REPLY:
        return reply(case, feedback="answered", policy=SEED_POLICY, actor=CLERK, at=at).case
    actor = MANAGER if event is E.ACCEPT_EQUIPMENT else CLERK
    return step(case, event, policy=SEED_POLICY, actor=actor, at=at, why=event.value).case


def run(row: tuple[object, ...], stop_at: pendulum.DateTime) -> Case:
    _, rules, kind, area, klass, _, path, start_event, start, _, _ = row
    assert isinstance(start, pendulum.DateTime)
    assert isinstance(path, tuple)
    begin = path.index(start_event) if start_event is not None else -1
    opened = start if begin == -1 else start.subtract(minutes=begin + 1)
    connection = None if klass is None else details(klass, kva="400")  # type: ignore[arg-type]
    case = a_case(kind, at=opened, rules=rules, area=area, connection=connection)  # type: ignore[arg-type]
    for index, event in enumerate(path):
        if index == len(path) - 1:
            at = stop_at
        elif index < begin:
            at = start.subtract(minutes=begin - index)
        elif index == begin:
            at = start
        else:
            at = start.add(minutes=index - max(begin, -1))
        case = drive(case, event, at)
    return case


def the_clock(case: Case, name: str) -> object:
    return next(c for c in case_clocks(case) if c.name == name)


@pytest.mark.parametrize("row", ROWS, ids=[row[0] for row in ROWS])
class TestEveryLimitOn2026:
    def test_is_due_when_worked_by_hand(self, row: tuple[object, ...]) -> None:
        due = row[9]
        assert isinstance(due, pendulum.DateTime)

        clock = the_clock(run(row, due), str(row[5]))

        assert clock.clock.due_at == due  # type: ignore[attr-defined]

    def test_a_stop_at_the_due_instant_is_on_time(self, row: tuple[object, ...]) -> None:
        due = row[9]
        assert isinstance(due, pendulum.DateTime)

        clock = the_clock(run(row, due), str(row[5]))

        assert clock.status(due) is ClockStatus.MET  # type: ignore[attr-defined]

    def test_a_stop_one_minute_later_is_a_breach(self, row: tuple[object, ...]) -> None:
        due = row[9]
        assert isinstance(due, pendulum.DateTime)
        late = due.add(minutes=1)

        clock = the_clock(run(row, late), str(row[5]))

        assert clock.status(late) is ClockStatus.BREACHED  # type: ignore[attr-defined]


class TestInternalHandOff:
    START = shanghai(2026, 2, 13, 10)

    def handed(self, taken: pendulum.DateTime) -> Case:
        case = hand_off(a_case(at=self.START), to_owner="m-1", to_role="r", at=self.START, why="w")
        return take_over(case, by="m-1", at=taken)

    def test_one_calendar_day_even_before_a_make_up_saturday(self) -> None:
        (clock,) = hand_off_clocks(self.handed(shanghai(2026, 2, 15)))

        assert clock.clock is not None
        assert clock.clock.due_at == shanghai(2026, 2, 15)
        assert clock.status(shanghai(2026, 2, 15)) is ClockStatus.MET

    def test_taken_a_minute_late_is_a_breach(self) -> None:
        (clock,) = hand_off_clocks(self.handed(shanghai(2026, 2, 15, 0, 1)))

        assert clock.status(shanghai(2026, 2, 16)) is ClockStatus.BREACHED


class TestMeterTestRuleSets:
    """A meter test under State Grid (5 working days from the request) and under 《供电营业规则》
    (1996) 第79条 (7 calendar days from the test fee), selected by the case's rules."""

    OPENED = shanghai(2026, 9, 24, 9)

    def accepted(self, rules: str) -> Case:
        case = a_case(CaseKind.METER_TEST, at=self.OPENED, rules=rules)
        return drive(case, E.ACCEPT, self.OPENED.add(hours=1))

    def test_the_1996_clock_waits_for_the_fee(self) -> None:
        (clock,) = case_clocks(self.accepted("GYGZ1996"))

        assert clock.policy is not None
        assert (clock.policy.limit, clock.policy.unit.value) == (7, "calendar_days")
        assert clock.clock is None  # not started: nothing to breach until the fee is paid
        assert clock.status(shanghai(2026, 12, 1)) is None

    def test_the_1996_limit_names_its_article_and_the_2024_gap(self) -> None:
        (clock,) = case_clocks(self.accepted("GYGZ1996"))

        assert clock.policy is not None
        assert clock.policy.source == "《供电营业规则》(1996, 电力工业部令第8号) 第79条"
        assert "2024 revision" in clock.policy.status
        assert "not verified" in clock.policy.status

    def test_the_1996_clock_counts_from_the_fee_not_the_request(self) -> None:
        paid = drive(self.accepted("GYGZ1996"), E.PAY_TEST_FEE, shanghai(2026, 9, 28, 15))

        (clock,) = case_clocks(paid)

        assert clock.clock is not None
        assert clock.clock.due_at == shanghai(2026, 10, 6)  # Sep 29..Oct 5, holidays counted

    def test_state_grid_counts_from_the_request_whether_or_not_a_fee_is_paid(self) -> None:
        paid = drive(self.accepted("SGCC10"), E.PAY_TEST_FEE, shanghai(2026, 9, 28, 15))

        (clock,) = case_clocks(paid)

        assert clock.policy is not None
        assert clock.policy.rule_set == "SGCC10"
        assert clock.clock is not None
        assert clock.clock.due_at == shanghai(2026, 10, 10)  # Sep 25 holiday: Sep 28-30, Oct 8, 9

    def test_the_same_case_under_both_rule_sets(self) -> None:
        paid = drive(self.accepted("SGCC10"), E.PAY_TEST_FEE, shanghai(2026, 9, 28, 15))

        (gygz,) = case_clocks(paid, rules=service_rules("GYGZ1996"))
        (sgcc,) = case_clocks(paid, rules=service_rules("SGCC10"))

        assert gygz.clock is not None
        assert sgcc.clock is not None
        assert (gygz.clock.due_at, sgcc.clock.due_at) == (
            shanghai(2026, 10, 6),
            shanghai(2026, 10, 10),
        )
