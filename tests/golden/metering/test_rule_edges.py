"""Golden cases: every seed rule and every V-rule at its threshold edges (below, at, above).

Each case builds a subject by hand, runs the one rule (with the defaults of its rule set) and
states whether it fires and, where it matters, with which severity. Exact rules (no threshold)
have a passing and a failing case instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta

from powerretail.metering.meters import MeterEvent, RegisterKind
from powerretail.metering.reads import (
    EstimationMethod,
    IntervalQuality,
    IntervalSeries,
)
from powerretail.metering.rules import CATALOGUE_RULES, SEED_RULES
from powerretail.metering.vee import (
    IntervalSubject,
    RuleSet,
    ServiceStatus,
    Severity,
    Subject,
    WorkOrderKind,
    check,
)
from powerretail.quantities import Energy
from tests.strategies.metering import (
    a_meter,
    a_read,
    a_series,
    a_subject,
    an_estimate,
    at_day,
)


def fired(rule_id: str, subject: Subject) -> tuple[str, ...]:
    """Return the severities of the findings of rule ``rule_id`` (defaults of its set)."""
    source = SEED_RULES if rule_id.startswith("SEED") else CATALOGUE_RULES
    alone = RuleSet(name="one", rules=(source.rule(rule_id),))
    return tuple(finding.severity.value for finding in check(subject, alone).findings)


def monthly(value: str) -> Subject:
    # last month: 0 -> 100 kWh; this month ends at ``value``.
    return a_subject(a_read(60, value), a_read(0, "0"), a_read(30, "100"))


def last_year(value: str) -> Subject:
    return a_subject(a_read(30, value), a_read(0, "0"), same_period_last_year=Energy(100))


def weekly(advance: str, *, large: bool = True) -> Subject:
    # last week: 700 kWh in 7 days (100 kWh/day); this week: ``advance`` kWh a day.
    value = str(700 + 7 * Decimal(advance))
    return a_subject(a_read(14, value), a_read(0, "0"), a_read(7, "700"), is_large_customer=large)


def unread(count: int) -> Subject:
    history = [a_read(0, "0")] + [
        an_estimate(30 * i, str(i), unreadable=True) for i in range(1, count)
    ]
    return a_subject(an_estimate(30 * count, str(count), unreadable=True), *history)


def future(seconds: int) -> Subject:
    read = a_read(0, "5")
    return a_subject(read, as_of_day=0).__class__(
        meter=a_meter(), read=read, as_of=read.read_at + timedelta(seconds=seconds)
    )


def clock(seconds: int) -> Subject:
    return a_subject(a_read(1, "5", meter_clock_at=at_day(1) + timedelta(seconds=seconds)))


def rollover(advance: int) -> Subject:
    # 12-month maximum 300 kWh, so a roll-over up to 900 kWh is plausible.
    value = str(999800 + advance - 1000000)
    return a_subject(a_read(60, value), a_read(0, "999500"), a_read(30, "999800"))


def usage(kwh: str, service: ServiceStatus = ServiceStatus.ENERGISED, **kw: object) -> Subject:
    return a_subject(a_read(30, str(100 + Decimal(kwh)), **kw), a_read(0, "100"), service=service)  # type: ignore[arg-type]


def high(kwh: str) -> Subject:
    return a_subject(a_read(30, kwh), a_read(0, "0"), expected=Energy(100))


def day_series(missing: int, zone: str = "Asia/Shanghai", count: int = 96) -> Subject:
    values: list[str | None] = ["1"] * count
    for index in range(missing):
        values[index * 2 + 1] = None
    start = "2025-03-30T00:00+00:00" if zone == "Europe/London" else "2025-01-06T00:00+08:00"
    return IntervalSubject(series=a_series(values, start=start), zone=zone)


def interval_sum(total: str, *, estimated: bool = False) -> Subject:
    values = ["50", total and str(Decimal(total) - 50)]
    series = a_series(values)
    if estimated:
        series = IntervalSeries(
            meter_id="M-1",
            start=series.start,
            values=series.values,
            quality=(IntervalQuality.ACTUAL, IntervalQuality.ESTIMATED),
            methods={1: EstimationMethod.LINEAR},
        )
    return IntervalSubject(series=series, register_advance=Energy(100))


def spike(value: str) -> Subject:
    return IntervalSubject(series=a_series(["1", value]))


def events(*reported: MeterEvent) -> Subject:
    return a_subject(a_read(1, "5", events=frozenset(reported)))


def estimates(count: int) -> Subject:
    history = [a_read(0, "0")] + [an_estimate(i, str(i)) for i in range(1, count)]
    return a_subject(an_estimate(count, str(count)), *history)


def gap(length: int) -> Subject:
    return IntervalSubject(series=a_series(["1", *([None] * length), "2"]))


def months_since_actual(delta: relativedelta) -> Subject:
    previous = a_read(0, "0")
    return a_subject(
        a_read(0, "50").__class__(
            meter_id="M-1",
            read_at=previous.read_at + delta,
            value="50",
            source=previous.source,
            produced_by="test",
        ),
        previous,
        as_of_day=1000,
    )


Case = tuple[str, str, Callable[[], Subject], tuple[str, ...]]
W, E, INFO = ("warning",), ("error",), ("info",)

CASES: list[Case] = [
    # SEED-MONTHLY-CHANGE: more than 20 % (strictly) against last month / last year
    ("SEED-MONTHLY-CHANGE", "up 19.9 %", lambda: monthly("219.9"), ()),
    ("SEED-MONTHLY-CHANGE", "up 20 %", lambda: monthly("220"), ()),
    ("SEED-MONTHLY-CHANGE", "up 20.1 %", lambda: monthly("220.1"), W),
    ("SEED-MONTHLY-CHANGE", "down 19.9 %", lambda: monthly("180.1"), ()),
    ("SEED-MONTHLY-CHANGE", "down 20 %", lambda: monthly("180"), ()),
    ("SEED-MONTHLY-CHANGE", "down 20.1 %", lambda: monthly("179.9"), W),
    ("SEED-MONTHLY-CHANGE", "last year 19.9 %", lambda: last_year("119.9"), ()),
    ("SEED-MONTHLY-CHANGE", "last year 20 %", lambda: last_year("120"), ()),
    ("SEED-MONTHLY-CHANGE", "last year 20.1 %", lambda: last_year("120.1"), W),
    # SEED-LARGE-WEEKLY: daily average up 30 % or down 20 % (reached counts)
    ("SEED-LARGE-WEEKLY", "up 29.9 %", lambda: weekly("129.9"), ()),
    ("SEED-LARGE-WEEKLY", "up 30 %", lambda: weekly("130"), W),
    ("SEED-LARGE-WEEKLY", "up 30.1 %", lambda: weekly("130.1"), W),
    ("SEED-LARGE-WEEKLY", "down 19.9 %", lambda: weekly("80.1"), ()),
    ("SEED-LARGE-WEEKLY", "down 20 %", lambda: weekly("80"), W),
    ("SEED-LARGE-WEEKLY", "down 20.1 %", lambda: weekly("79.9"), W),
    ("SEED-LARGE-WEEKLY", "not a large customer", lambda: weekly("200", large=False), ()),
    # SEED-UNREAD-2 / -6: consecutive unreadable cycles
    ("SEED-UNREAD-2", "1 cycle", lambda: unread(1), ()),
    ("SEED-UNREAD-2", "2 cycles", lambda: unread(2), W),
    ("SEED-UNREAD-2", "3 cycles", lambda: unread(3), W),
    ("SEED-UNREAD-6", "5 cycles", lambda: unread(5), ()),
    ("SEED-UNREAD-6", "6 cycles", lambda: unread(6), E),
    ("SEED-UNREAD-6", "7 cycles", lambda: unread(7), E),
    # V01 identity (exact)
    ("V01", "matching meter", lambda: a_subject(a_read(1, "5")), ()),
    ("V01", "another meter", lambda: a_subject(a_read(1, "5", meter_id="M-2")), E),
    (
        "V01",
        "register not on the meter",
        lambda: a_subject(a_read(1, "5", register=RegisterKind.PEAK)),
        E,
    ),
    # V02 chronology: not after as_of
    ("V02", "1 s before as_of", lambda: future(1), ()),
    ("V02", "at as_of", lambda: future(0), ()),
    ("V02", "1 s after as_of", lambda: future(-1), E),
    (
        "V02",
        "before the latest read",
        lambda: a_subject(a_read(5, "5"), a_read(10, "9")),
        W,
    ),
    (
        "V02",
        "outside installation",
        lambda: a_subject(a_read(1, "5"), meter=a_meter(installed_on=at_day(30).date())),
        E,
    ),
    # V03 duplicates
    ("V03", "same key, same value", lambda: a_subject(a_read(1, "5"), a_read(1, "5")), INFO),
    ("V03", "same key, other value", lambda: a_subject(a_read(1, "5"), a_read(1, "6")), W),
    ("V03", "another instant", lambda: a_subject(a_read(2, "5"), a_read(1, "5")), ()),
    # V04 interval count, DST-aware
    ("V04", "96 of 96", lambda: day_series(0), ()),
    ("V04", "95 of 96", lambda: day_series(1), W),
    ("V04", "92 of 92 on a London spring day", lambda: day_series(0, "Europe/London", 92), ()),
    # V05 clock tolerance 300 s
    ("V05", "299 s", lambda: clock(299), ()),
    ("V05", "300 s", lambda: clock(300), ()),
    ("V05", "301 s", lambda: clock(-301), W),
    # V06 negative advance: roll-over within 3 x the 12-month maximum (300 kWh)
    ("V06", "roll-over 899 kWh", lambda: rollover(899), W),
    ("V06", "roll-over 900 kWh", lambda: rollover(900), W),
    ("V06", "roll-over 901 kWh", lambda: rollover(901), E),
    ("V06", "no fall", lambda: a_subject(a_read(30, "6"), a_read(0, "5")), ()),
    ("V06", "no history", lambda: a_subject(a_read(30, "4"), a_read(0, "5")), E),
    # V07 high usage: more than 2 x expected (100 kWh)
    ("V07", "199.9 kWh", lambda: high("199.9"), ()),
    ("V07", "200 kWh", lambda: high("200"), ()),
    ("V07", "200.1 kWh", lambda: high("200.1"), W),
    # V08 zero usage on an energised service
    ("V08", "0 kWh", lambda: usage("0"), W),
    ("V08", "0.1 kWh", lambda: usage("0.1"), ()),
    ("V08", "0 kWh with an outage", lambda: usage("0", events=frozenset({MeterEvent.OUTAGE})), ()),
    ("V08", "0 kWh de-energised", lambda: usage("0", ServiceStatus.DE_ENERGISED), ()),
    # V09 usage on a de-energised service
    ("V09", "0 kWh", lambda: usage("0", ServiceStatus.DE_ENERGISED), ()),
    ("V09", "0.1 kWh", lambda: usage("0.1", ServiceStatus.INACTIVE), E),
    ("V09", "energised", lambda: usage("5"), ()),
    # V10 interval sum within 1 % of the register advance (100 kWh)
    ("V10", "0.9 % apart", lambda: interval_sum("100.9"), ()),
    ("V10", "1 % apart", lambda: interval_sum("101"), ()),
    ("V10", "1.1 % apart", lambda: interval_sum("101.1"), W),
    # V11 spike: more than 5 x the interval before
    ("V11", "4.999 x", lambda: spike("4.999"), ()),
    ("V11", "5 x", lambda: spike("5"), ()),
    ("V11", "5.001 x", lambda: spike("5.001"), W),
    # V12 meter events
    ("V12", "no event", events, ()),
    ("V12", "outage", lambda: events(MeterEvent.OUTAGE), INFO),
    ("V12", "tamper and reset", lambda: events(MeterEvent.TAMPER, MeterEvent.RESET), W + W),
    # V13 consecutive estimates: 3 raise a read order
    ("V13", "2 estimates", lambda: estimates(2), ()),
    ("V13", "3 estimates", lambda: estimates(3), W),
    ("V13", "4 estimates", lambda: estimates(4), W),
    # V14 / V15 short gap up to 120 minutes
    ("V14", "105 min", lambda: gap(7), INFO),
    ("V14", "120 min", lambda: gap(8), INFO),
    ("V14", "135 min", lambda: gap(9), ()),
    ("V15", "105 min", lambda: gap(7), ()),
    ("V15", "120 min", lambda: gap(8), ()),
    ("V15", "135 min", lambda: gap(9), W),
    # V16 estimates reconcile with the register advance within 1 %
    ("V16", "0.9 % apart", lambda: interval_sum("100.9", estimated=True), ()),
    ("V16", "1 % apart", lambda: interval_sum("101", estimated=True), ()),
    ("V16", "1.1 % apart", lambda: interval_sum("101.1", estimated=True), W),
    # V17 provenance (exact)
    ("V17", "estimate before an actual", lambda: a_subject(an_estimate(1, "5"), a_read(2, "6")), E),
    (
        "V17",
        "estimate after the actuals",
        lambda: a_subject(an_estimate(3, "7"), a_read(2, "6")),
        (),
    ),
    (
        "V17",
        "actual supersedes an estimate",
        lambda: a_subject(a_read(2, "6"), a_read(0, "1"), an_estimate(1, "5")),
        INFO,
    ),
    # V18 back-billing cap 12 months since the last actual
    (
        "V18",
        "12 months - 1 day",
        lambda: months_since_actual(relativedelta(months=12, days=-1)),
        (),
    ),
    ("V18", "12 months", lambda: months_since_actual(relativedelta(months=12)), ()),
    ("V18", "12 months + 1 day", lambda: months_since_actual(relativedelta(months=12, days=1)), E),
]


@pytest.mark.parametrize(
    ("rule_id", "build", "expected"),
    [(rule_id, build, expected) for rule_id, _, build, expected in CASES],
    ids=[f"{rule_id}: {label}" for rule_id, label, _, _ in CASES],
)
def test_rule_fires_exactly_past_its_edge(
    rule_id: str, build: Callable[[], Subject], expected: tuple[str, ...]
) -> None:
    assert fired(rule_id, build()) == expected


def test_every_shipped_rule_has_golden_cases() -> None:
    shipped = {rule.rule_id for rule in (*SEED_RULES.rules, *CATALOGUE_RULES.rules)}

    assert {case[0] for case in CASES} == shipped


def test_unread_rules_call_for_their_work_orders() -> None:
    findings = check(unread(6), SEED_RULES).findings

    assert [f.work_order for f in findings] == [
        WorkOrderKind.EXCEPTION_TICKET,
        WorkOrderKind.SUPPLY_TERMINATION_PROPOSAL,
    ]


def test_a_finding_names_the_values() -> None:
    (finding,) = check(monthly("220.1"), SEED_RULES).findings

    assert "120.1 kWh" in finding.message
    assert "100 kWh" in finding.message
    assert "20 %" in finding.message
    assert finding.severity is Severity.WARNING


def test_a_check_returns_all_findings_not_only_the_first() -> None:
    subject = a_subject(
        an_estimate(30, "1000", unreadable=True),
        a_read(0, "0"),
        an_estimate(10, "10", unreadable=True),
        a_read(20, "20"),
        meter=a_meter(installed_on=at_day(40).date()),
    )

    result = check(subject, SEED_RULES.combined(CATALOGUE_RULES))

    assert {"SEED-MONTHLY-CHANGE", "V02", "V07"} <= set(result.rule_ids)
