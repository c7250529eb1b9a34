"""SLA due dates on the mainland-China calendar: the worked examples of docs/explanation/sources.md.

Run: python examples/sla_due_dates.py
"""

from __future__ import annotations

from datetime import date

import pendulum

from powerretail.calendars import ChinaMainlandCalendar
from powerretail.sla import SlaClock, SlaEvent, SlaPolicy, SlaUnit, rule_set

#: (accepted on, limit, unit, the due date worked by hand)
EXAMPLES = (
    (date(2025, 9, 30), 5, SlaUnit.WORKING_DAYS, date(2025, 10, 14)),
    (date(2025, 9, 30), 5, SlaUnit.CALENDAR_DAYS, date(2025, 10, 5)),
    (date(2025, 9, 30), 10, SlaUnit.WORKING_DAYS, date(2025, 10, 21)),
    (date(2025, 1, 20), 15, SlaUnit.WORKING_DAYS, date(2025, 2, 14)),
    (date(2025, 1, 20), 22, SlaUnit.WORKING_DAYS, date(2025, 2, 25)),
    (date(2026, 2, 12), 5, SlaUnit.WORKING_DAYS, date(2026, 2, 26)),
)


def main() -> None:
    """Print each worked due date, then a complaint clock from the catalogue."""
    china = ChinaMainlandCalendar.default()
    print("Due dates on the mainland calendar (day 1 = the first counted day after acceptance)")
    for accepted, limit, unit, expected in EXAMPLES:
        policy = SlaPolicy(
            key="example",
            name="example",
            limit=limit,
            unit=unit,
            rule_set="EXAMPLE",
            source="worked example",
        )
        due = policy.due_date(accepted, calendar=china)
        check = "ok" if due == expected else f"MISMATCH, worked by hand: {expected}"
        print(
            f"  accepted {accepted:%a %Y-%m-%d} + {limit:>2} {unit.value:<13} "
            f"-> {due:%a %Y-%m-%d}  ({check})"
        )

    reply = rule_set("JGBF").policy("complaint_reply")
    accepted_at = pendulum.datetime(2025, 9, 30, 10, tz="Asia/Shanghai")
    clock = SlaClock(policy=reply, events=[SlaEvent("accepted", accepted_at)], calendar=china)
    as_of = pendulum.datetime(2025, 10, 20, 9, tz="Asia/Shanghai")
    print(f"\n{reply.name} under JGBF ({reply.limit} {reply.unit.value}; {reply.source})")
    print(f"  accepted {accepted_at}, due at {clock.due_at} (end of {clock.due_date})")
    left, breached = clock.remaining(as_of=as_of), clock.is_breached(as_of=as_of)
    print(f"  as of {as_of}: {left} left, breached: {breached}")


if __name__ == "__main__":
    main()
