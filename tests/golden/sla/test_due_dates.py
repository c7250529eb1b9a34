"""The golden SLA due dates of rules.md §19.7 on the mainland calendar (day 1 = next WD)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from powerretail.calendars.china import ChinaMainlandCalendar
from powerretail.sla.catalogue import rule_set
from powerretail.sla.clock import SlaClock, SlaEvent
from powerretail.sla.policy import SlaPolicy, SlaUnit
from powerretail.timeframe import as_instant

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "due_dates.json").read_text(encoding="utf-8")
)
CHINA = ChinaMainlandCalendar.default()


def _policy(case: dict[str, Any]) -> SlaPolicy:
    return SlaPolicy(
        key="golden",
        name=case["description"],
        limit=case["input"]["limit"],
        unit=SlaUnit(case["input"]["unit"]),
        rule_set="GOLDEN",
        source="rules.md §19.7",
    )


@pytest.mark.parametrize("case", CASES, ids=[c["expected"]["due_date"] for c in CASES])
class TestGoldenDueDates:
    def test_gives_the_due_date_of_section_19_7(self, case: dict[str, Any]) -> None:
        accepted_on = as_instant(case["input"]["accepted_at"]).date()

        due = _policy(case).due_date(accepted_on, calendar=CHINA)

        assert due == date.fromisoformat(case["expected"]["due_date"])

    def test_the_clock_is_due_at_midnight_ending_that_date(self, case: dict[str, Any]) -> None:
        accepted = SlaEvent("accepted", as_instant(case["input"]["accepted_at"]))

        clock = SlaClock(policy=_policy(case), events=(accepted,), calendar=CHINA)

        assert clock.due_at == as_instant(case["expected"]["due_at"])
        assert clock.due_date == date.fromisoformat(case["expected"]["due_date"])


class TestCatalogueOnTheGoldenDates:
    def test_sgcc_hv_single_scheme_reply_is_due_on_14_february_2025(self) -> None:
        policy = rule_set("SGCC10").policy("supply_scheme_reply_hv_single")

        assert policy.due_date(date(2025, 1, 20), calendar=CHINA) == date(2025, 2, 14)

    def test_sgcc_hv_single_whole_process_is_due_on_25_february_2025(self) -> None:
        policy = rule_set("SGCC10").policy("connection_hv_single")

        assert policy.due_date(date(2025, 1, 20), calendar=CHINA) == date(2025, 2, 25)

    def test_seed_complaint_reply_is_due_on_5_october_2025(self) -> None:
        policy = rule_set("SEED").policy("complaint_reply")

        assert policy.due_date(date(2025, 9, 30), calendar=CHINA) == date(2025, 10, 5)
