"""The rules that ship: the seed documents' rules and the VEE catalogue V01–V18.

Two named rule sets:

* :data:`SEED_RULES` — the supply company's own rules (供电所抄、核、收管理制度): consumption
  changed by more than 20 % against last month or the same month last year; large customers'
  weekly check at +30 % / −20 %; 2 consecutive unreadable cycles raise an exception ticket, 6 a
  proposal to terminate supply.
* :data:`CATALOGUE_RULES` — V01–V18 of the VEE catalogue, with their defaults.

Every threshold is a :class:`~powerretail.metering.vee.Threshold` with its default and source;
:func:`rule_table` renders them (the reference page is checked against it).

>>> print(*(rule.rule_id for rule in SEED_RULES.rules))
SEED-MONTHLY-CHANGE SEED-LARGE-WEEKLY SEED-UNREAD-2 SEED-UNREAD-6
>>> len(CATALOGUE_RULES.rules)
18
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from powerretail.metering.consumption import energy_from_advance, register_advance
from powerretail.metering.estimation import find_gaps
from powerretail.metering.meters import MeterEvent
from powerretail.metering.reads import (
    ESTIMATED_QUALITIES,
    IntervalQuality,
    RegisterRead,
    elapsed,
    expected_interval_count,
    utc_instants,
)
from powerretail.metering.vee import (
    Action,
    Checker,
    Finding,
    IntervalSubject,
    ReadSubject,
    Rule,
    RuleSet,
    ServiceStatus,
    Severity,
    Subject,
    Threshold,
    WorkOrderKind,
)
from powerretail.quantities import MONEY_CONTEXT, Energy
from powerretail.timeframe import local_date, timezone

__all__ = ["CATALOGUE_RULES", "SEED_RULES", "consecutive_unread", "rule_table"]

_SEED_AUDIT = "SEED 供电所抄、核、收管理制度 (二)4"
_SEED_LARGE = "SEED 供电所大客户维护与管理办法 第七条"
_SEED_READING = "SEED 供电所抄、核、收管理制度 (一)5"
_UNSET = "the catalogue gives no number (param); powerretail placeholder — set your own"


def _pct(ratio: Decimal) -> str:
    return f"{(ratio * 100).normalize():f} %"


def _change(current: Decimal, reference: Decimal) -> Decimal:
    return MONEY_CONTEXT.divide(current - reference, reference)


# ---------------------------------------------------------------------- seed rules


def _monthly_change(
    rule: Rule, subject: Subject, limits: Mapping[str, Decimal]
) -> Iterator[Finding]:
    if not isinstance(subject, ReadSubject):
        return
    current = subject.period_consumption()
    if current is None:
        return
    previous = subject.previous_period()
    references = (
        ("last month", previous[0] if previous else None),
        ("the same month last year", subject.same_period_last_year),
    )
    limit = limits["max_change"]
    for label, reference in references:
        if reference is None or reference.kwh == 0:
            continue
        change = _change(current.kwh, reference.kwh)
        if abs(change) > limit:
            yield rule.finding(
                subject,
                f"consumption {current} changed by {_pct(change.quantize(Decimal('0.0001')))} "
                f"against {label} ({reference}); limit {_pct(limit)}",
            )


def _large_weekly(rule: Rule, subject: Subject, limits: Mapping[str, Decimal]) -> Iterator[Finding]:
    if not isinstance(subject, ReadSubject) or not subject.is_large_customer:
        return
    current = subject.period_consumption()
    days = subject.period_days()
    if current is None or not days:
        return
    daily = MONEY_CONTEXT.divide(current.kwh, days)
    reference = subject.reference_daily
    label = "the same period last month"
    if reference is None:
        previous = subject.previous_period()
        if previous is None:
            return
        reference = Energy(MONEY_CONTEXT.divide(previous[0].kwh, previous[1]))
        label = "last week"
    if reference.kwh == 0:
        return
    change = _change(daily, reference.kwh)
    if change >= limits["increase"] or change <= -limits["decrease"]:
        yield rule.finding(
            subject,
            f"daily average {daily.quantize(Decimal('0.01'))} kWh/day changed by "
            f"{_pct(change.quantize(Decimal('0.0001')))} against {label} "
            f"({reference.kwh.quantize(Decimal('0.01'))} kWh/day); limits "
            f"+{_pct(limits['increase'])} / -{_pct(limits['decrease'])}",
        )


def consecutive_unread(reads: tuple[RegisterRead, ...]) -> int:
    """Return how many of the latest ``reads`` (oldest first) in a row stand for unread cycles."""
    count = 0
    for read in reversed(reads):
        if not read.unreadable:
            break
        count += 1
    return count


def _unread(rule: Rule, subject: Subject, limits: Mapping[str, Decimal]) -> Iterator[Finding]:
    if not isinstance(subject, ReadSubject):
        return
    reads = (*subject.earlier(), subject.read)
    count = consecutive_unread(reads)
    if count >= limits["cycles"]:
        yield rule.finding(
            subject,
            f"{count} consecutive cycles unreadable for the customer's reasons "
            f"(limit {limits['cycles']})",
        )


SEED_RULES = RuleSet(
    name="seed",
    rules=(
        Rule(
            rule_id="SEED-MONTHLY-CHANGE",
            title="Consumption changed by more than 20 % against last month or last year",
            source=_SEED_AUDIT,
            severity=Severity.WARNING,
            action=Action.FLAG,
            work_order=WorkOrderKind.CONSUMPTION_ANALYSIS,
            thresholds=(
                Threshold(name="max_change", default="0.20", unit="ratio", source=_SEED_AUDIT),
            ),
            checker=_monthly_change,
        ),
        Rule(
            rule_id="SEED-LARGE-WEEKLY",
            title="Large customer's daily average up 30 % or down 20 % (weekly check)",
            source=_SEED_LARGE,
            severity=Severity.WARNING,
            action=Action.FLAG,
            work_order=WorkOrderKind.CONSUMPTION_ANALYSIS,
            thresholds=(
                Threshold(name="increase", default="0.30", unit="ratio", source=_SEED_LARGE),
                Threshold(name="decrease", default="0.20", unit="ratio", source=_SEED_LARGE),
            ),
            checker=_large_weekly,
        ),
        Rule(
            rule_id="SEED-UNREAD-2",
            title="Consecutive cycles unreadable for the customer's reasons: exception ticket",
            source=_SEED_READING,
            severity=Severity.WARNING,
            action=Action.RAISE_WORK_ORDER,
            work_order=WorkOrderKind.EXCEPTION_TICKET,
            thresholds=(Threshold(name="cycles", default=2, unit="cycles", source=_SEED_READING),),
            checker=_unread,
        ),
        Rule(
            rule_id="SEED-UNREAD-6",
            title="Consecutive months unreadable: propose terminating supply",
            source=_SEED_READING + "; 《供电营业规则》(1996, 电力工业部令第8号) (6 months)",
            severity=Severity.ERROR,
            action=Action.RAISE_WORK_ORDER,
            work_order=WorkOrderKind.SUPPLY_TERMINATION_PROPOSAL,
            thresholds=(Threshold(name="cycles", default=6, unit="cycles", source=_SEED_READING),),
            checker=_unread,
        ),
    ),
)

# ---------------------------------------------------------------------- catalogue V01-V18


def _v01(rule: Rule, subject: Subject, limits: Mapping[str, Decimal]) -> Iterator[Finding]:
    if isinstance(subject, IntervalSubject):
        meter = subject.meter
        if meter is not None and subject.series.meter_id != meter.id:
            yield rule.finding(
                subject, f"series of meter {subject.series.meter_id} offered for meter {meter.id}"
            )
        if meter is not None and subject.series.channel not in meter.registers:
            yield rule.finding(
                subject, f"meter {meter.id} has no channel {subject.series.channel.value}"
            )
        return
    read, meter = subject.read, subject.meter
    if read.meter_id != meter.id:
        yield rule.finding(subject, f"read of meter {read.meter_id} offered for meter {meter.id}")
    if read.register not in meter.registers:
        names = ", ".join(sorted(kind.value for kind in meter.registers))
        yield rule.finding(
            subject, f"meter {meter.id} has no register {read.register.value} (has {names})"
        )


def _v02(rule: Rule, subject: Subject, limits: Mapping[str, Decimal]) -> Iterator[Finding]:
    if not isinstance(subject, ReadSubject):
        return
    read = subject.read
    if read.read_at > subject.as_of:
        yield rule.finding(
            subject, f"read at {read.read_at.isoformat()} is after {subject.as_of.isoformat()}"
        )
    later = [
        r
        for r in subject.history
        if r.register is read.register and r.read_at > read.read_at and r.is_actual
    ]
    if later and read.is_actual:
        yield rule.finding(
            subject,
            f"read at {read.read_at.isoformat()} is before the latest read "
            f"({later[-1].read_at.isoformat()})",
            severity=Severity.WARNING,
            action=Action.FLAG,
        )
    day = local_date(read.read_at, subject.zone)
    if not subject.meter.is_installed_on(day):
        window = f"[{subject.meter.installed_on}, {subject.meter.removed_on or '…'})"
        yield rule.finding(
            subject, f"read on {day} is outside meter {subject.meter.id}'s installation {window}"
        )


def _v03(rule: Rule, subject: Subject, limits: Mapping[str, Decimal]) -> Iterator[Finding]:
    if not isinstance(subject, ReadSubject):
        return
    for held in subject.history:
        if held.key != subject.read.key:
            continue
        if held.value == subject.read.value:
            yield rule.finding(
                subject,
                f"same read already held ({held.value}, {held.source.value}); dropped",
                severity=Severity.INFO,
                action=Action.DROP,
            )
        else:
            yield rule.finding(
                subject,
                f"a read at the same instant holds {held.value}, this one {subject.read.value}",
            )


def _v04(rule: Rule, subject: Subject, limits: Mapping[str, Decimal]) -> Iterator[Finding]:
    if not isinstance(subject, IntervalSubject):
        return
    series = subject.series
    tz = timezone(subject.zone)
    first_day = series.start.in_timezone(tz).date()
    last_day = (series.end - timedelta(microseconds=1)).in_timezone(tz).date()
    received: dict[object, int] = {}
    instants = utc_instants(series.start, series.step, len(series.values))
    for instant, flag in zip(instants, series.quality, strict=True):
        if flag in (IntervalQuality.MISSING, IntervalQuality.ESTIMATED):
            continue
        day = instant.astimezone(tz).date()
        received[day] = received.get(day, 0) + 1
    day = first_day
    while day <= last_day:
        expected = expected_interval_count(day, subject.zone, series.step_minutes)
        got = received.get(day, 0)
        if got != expected:
            yield rule.finding(
                subject,
                f"{day}: {got} of {expected} {series.step_minutes}-minute intervals received",
            )
        day += timedelta(days=1)


def _v05(rule: Rule, subject: Subject, limits: Mapping[str, Decimal]) -> Iterator[Finding]:
    if not isinstance(subject, ReadSubject) or subject.read.meter_clock_at is None:
        return
    offset = elapsed(subject.read.read_at, subject.read.meter_clock_at)
    drift = abs(Decimal(offset // timedelta(microseconds=1)).scaleb(-6))
    if drift > limits["tolerance_seconds"]:
        yield rule.finding(
            subject,
            f"meter clock {subject.read.meter_clock_at.isoformat()} is {drift.normalize():f} s off "
            f"(tolerance {limits['tolerance_seconds']} s)",
        )


def _max_recent(subject: ReadSubject) -> Energy | None:
    earlier = subject.earlier()
    year_before = subject.read.read_at - relativedelta(months=12)
    pairs = [
        (earlier[i], earlier[i + 1])
        for i in range(len(earlier) - 1)
        if earlier[i + 1].read_at >= year_before and earlier[i + 1].value >= earlier[i].value
    ]
    if not pairs:
        return None
    return max(energy_from_advance(b.value - a.value, subject.meter.multiplier) for a, b in pairs)


def _v06(rule: Rule, subject: Subject, limits: Mapping[str, Decimal]) -> Iterator[Finding]:
    if not isinstance(subject, ReadSubject):
        return
    previous = subject.previous
    read = subject.read
    if previous is None or read.value >= previous.value or not read.register.is_cumulative:
        return
    capacity = subject.meter.rollover_at
    if read.value >= capacity or previous.value >= capacity:
        yield rule.finding(
            subject,
            f"register value above the meter's {subject.meter.register_digits} dials",
            action=Action.REJECT,
            work_order=WorkOrderKind.METER_TEST,
        )
        return
    advance = register_advance(previous.value, read.value, digits=subject.meter.register_digits)
    energy = energy_from_advance(advance.units, subject.meter.multiplier)
    recent = _max_recent(subject)
    bound = None if recent is None else recent.scaled(limits["rollover_factor"])
    if bound is not None and energy <= bound:
        yield rule.finding(
            subject,
            f"register fell from {previous.value} to {read.value}: roll-over of "
            f"{subject.meter.register_digits} dials, advance {advance.units} = {energy}, "
            f"within {limits['rollover_factor']} × the 12-month maximum ({recent})",
            severity=Severity.WARNING,
            action=Action.FLAG,
            work_order=None,
        )
        return
    basis = "no 12-month history to judge it" if bound is None else f"above the bound {bound}"
    yield rule.finding(
        subject,
        f"register fell from {previous.value} to {read.value}; as a roll-over it would be "
        f"{energy}, {basis}: needs a meter-change record",
    )


def _expected(subject: ReadSubject) -> Energy | None:
    if subject.expected is not None:
        return subject.expected
    previous = subject.previous_period()
    days = subject.period_days()
    if previous is None or not days or not previous[1]:
        return None
    return Energy(MONEY_CONTEXT.divide(previous[0].kwh * days, previous[1]))


def _v07(rule: Rule, subject: Subject, limits: Mapping[str, Decimal]) -> Iterator[Finding]:
    if not isinstance(subject, ReadSubject):
        return
    current = subject.period_consumption()
    expected = _expected(subject)
    if current is None or expected is None:
        return
    bound = expected.scaled(limits["factor"])
    if current > bound:
        yield rule.finding(
            subject,
            f"consumption {current} is above {limits['factor']} × expected "
            f"({expected.kwh.quantize(Decimal('0.01'))} kWh)",
        )


def _v08(rule: Rule, subject: Subject, limits: Mapping[str, Decimal]) -> Iterator[Finding]:
    if not isinstance(subject, ReadSubject) or subject.service is not ServiceStatus.ENERGISED:
        return
    if MeterEvent.OUTAGE in subject.read.events:
        return
    current = subject.period_consumption()
    if current is not None and current.kwh <= limits["min_kwh"]:
        yield rule.finding(
            subject,
            f"consumption {current} on an energised service (at or below {limits['min_kwh']} kWh)",
        )


def _v09(rule: Rule, subject: Subject, limits: Mapping[str, Decimal]) -> Iterator[Finding]:
    if not isinstance(subject, ReadSubject) or subject.service is ServiceStatus.ENERGISED:
        return
    current = subject.period_consumption()
    if current is not None and current.kwh > limits["max_kwh"]:
        yield rule.finding(subject, f"consumption {current} on a {subject.service.value} service")


def _mismatch(subject: IntervalSubject) -> tuple[Decimal, Decimal] | None:
    if subject.register_advance is None or subject.register_advance.kwh == 0:
        return None
    total = subject.series.total()
    advance = subject.register_advance.kwh
    return total, abs(MONEY_CONTEXT.divide(total - advance, advance))


def _v10(rule: Rule, subject: Subject, limits: Mapping[str, Decimal]) -> Iterator[Finding]:
    if not isinstance(subject, IntervalSubject) or ESTIMATED_QUALITIES & set(
        subject.series.quality
    ):
        return
    mismatch = _mismatch(subject)
    if mismatch is not None and mismatch[1] > limits["tolerance"]:
        yield rule.finding(
            subject,
            f"intervals add up to {mismatch[0]} kWh, the register advanced "
            f"{subject.register_advance} ({_pct(mismatch[1].quantize(Decimal('0.0001')))} "
            f"apart, tolerance {_pct(limits['tolerance'])})",
        )


def _v11(rule: Rule, subject: Subject, limits: Mapping[str, Decimal]) -> Iterator[Finding]:
    if not isinstance(subject, IntervalSubject):
        return
    series = subject.series
    ratio = limits["ratio"]
    for index in range(1, len(series.values)):
        before, value = series.values[index - 1], series.values[index]
        if before is None or value is None or before <= 0:
            continue
        if value > before * ratio:
            yield rule.finding(
                subject,
                f"interval {index} ({series.instant(index).isoformat()}) is {value} kWh after "
                f"{before} kWh: more than {ratio} × the one before",
            )


_EVENT_ORDERS = {
    MeterEvent.OUTAGE: None,
    MeterEvent.RESET: WorkOrderKind.METER_TEST,
    MeterEvent.OVERFLOW: WorkOrderKind.METER_TEST,
    MeterEvent.TAMPER: WorkOrderKind.FIELD_VISIT,
    MeterEvent.PHASE_LOSS: WorkOrderKind.FIELD_VISIT,
}


def _v12(rule: Rule, subject: Subject, limits: Mapping[str, Decimal]) -> Iterator[Finding]:
    reported: list[tuple[str, MeterEvent]] = []
    if isinstance(subject, ReadSubject):
        reported = [("the read", event) for event in subject.read.events]
    else:
        for index in sorted(subject.series.events):
            reported.extend((f"interval {index}", event) for event in subject.series.events[index])
    for where, event in sorted(reported, key=lambda pair: (pair[0], pair[1].value)):
        yield rule.finding(
            subject,
            f"meter reported {event.value} with {where}",
            severity=Severity.INFO if event is MeterEvent.OUTAGE else Severity.WARNING,
            work_order=_EVENT_ORDERS[event],
        )


def _v13(rule: Rule, subject: Subject, limits: Mapping[str, Decimal]) -> Iterator[Finding]:
    if not isinstance(subject, ReadSubject):
        return
    count = 0
    for read in reversed((*subject.earlier(), subject.read)):
        if read.is_actual:
            break
        count += 1
    if count >= limits["max_estimates"]:
        yield rule.finding(
            subject, f"{count} consecutive estimated reads (limit {limits['max_estimates']})"
        )


def _gap_rule(method_name: str) -> Checker:
    def checker(rule: Rule, subject: Subject, limits: Mapping[str, Decimal]) -> Iterator[Finding]:
        if not isinstance(subject, IntervalSubject):
            return
        series = subject.series
        minutes = int(limits["short_gap_minutes"])
        for gap in find_gaps(series, short_gap_minutes=minutes):
            if gap.method.value != method_name:
                continue
            yield rule.finding(
                subject,
                f"gap of {gap.length} intervals ({gap.length * series.step_minutes} min) from "
                f"{series.instant(gap.first).isoformat()}: "
                f"estimate {method_name.replace('_', '-')}",
            )

    return checker


def _v16(rule: Rule, subject: Subject, limits: Mapping[str, Decimal]) -> Iterator[Finding]:
    if not isinstance(subject, IntervalSubject) or not ESTIMATED_QUALITIES & set(
        subject.series.quality
    ):
        return
    mismatch = _mismatch(subject)
    if mismatch is not None and mismatch[1] > limits["tolerance"]:
        assert subject.register_advance is not None
        fixed = sum(
            (
                value
                for value, flag in zip(subject.series.values, subject.series.quality, strict=True)
                if value is not None and flag not in ESTIMATED_QUALITIES
            ),
            Decimal(0),
        )
        estimated = mismatch[0] - fixed
        target = subject.register_advance.kwh - fixed
        factor = MONEY_CONTEXT.divide(target, estimated) if estimated else None
        scale = (
            ""
            if factor is None
            else f"; scale the estimates by {factor.quantize(Decimal('0.0001'))}"
        )
        yield rule.finding(
            subject,
            f"intervals with estimates add up to {mismatch[0]} kWh, the register advanced "
            f"{subject.register_advance}{scale}",
        )


def _v17(rule: Rule, subject: Subject, limits: Mapping[str, Decimal]) -> Iterator[Finding]:
    if not isinstance(subject, ReadSubject):
        return
    read = subject.read
    same_register = [r for r in subject.history if r.register is read.register]
    if not read.is_actual:
        actual = [r for r in same_register if r.is_actual and r.read_at >= read.read_at]
        if actual:
            yield rule.finding(
                subject,
                f"estimate would overwrite the actual read at {actual[0].read_at.isoformat()} "
                f"({actual[0].value}); estimates never overwrite actuals",
            )
        final = [r for r in same_register if r.is_final and r.read_at == read.read_at]
        if final and not read.is_final:
            yield rule.finding(
                subject, f"a final estimate ({final[0].value}) is held at this instant; kept"
            )
        return
    last_actual = max(
        (r.read_at for r in same_register if r.is_actual and r.read_at < read.read_at),
        default=None,
    )
    superseded = [
        r
        for r in same_register
        if not r.is_actual
        and not r.is_final
        and r.read_at <= read.read_at
        and (last_actual is None or r.read_at > last_actual)
    ]
    if superseded:
        yield rule.finding(
            subject,
            f"actual read supersedes {len(superseded)} estimate(s) since "
            f"{superseded[0].read_at.isoformat()}: re-bill from the actual",
            severity=Severity.INFO,
            action=Action.SUPERSEDE,
            work_order=WorkOrderKind.REBILL,
        )


def _v18(rule: Rule, subject: Subject, limits: Mapping[str, Decimal]) -> Iterator[Finding]:
    if not isinstance(subject, ReadSubject) or not subject.read.is_actual:
        return
    earlier_actuals = [r for r in subject.earlier() if r.is_actual]
    if not earlier_actuals:
        return
    since = earlier_actuals[-1].read_at
    months = int(limits["cap_months"])
    cap_start = subject.read.read_at - relativedelta(months=months)
    if since < cap_start:
        yield rule.finding(
            subject,
            f"the last actual read was {since.isoformat()}, more than {months} months before this "
            f"one: energy before {cap_start.isoformat()} is past the back-billing cap",
        )


_GB = "VEE V07 (GB: > 2 × expected)"

CATALOGUE_RULES = RuleSet(
    name="catalogue",
    rules=(
        Rule(
            rule_id="V01",
            title="Identity: meter and register match the installation",
            source="VEE V01",
            severity=Severity.ERROR,
            action=Action.REJECT,
            checker=_v01,
        ),
        Rule(
            rule_id="V02",
            title="Chronology: not in the future, after the latest read, inside installation",
            source="VEE V02",
            severity=Severity.ERROR,
            action=Action.REJECT,
            checker=_v02,
        ),
        Rule(
            rule_id="V03",
            title="Duplicate read (same key: same value dropped, different value flagged)",
            source="VEE V03 (a repeated read is stored once)",
            severity=Severity.WARNING,
            action=Action.FLAG,
            checker=_v03,
        ),
        Rule(
            rule_id="V04",
            title="Interval count equals the day's expected count (DST-aware)",
            source="VEE V04",
            severity=Severity.WARNING,
            action=Action.ESTIMATE,
            checker=_v04,
        ),
        Rule(
            rule_id="V05",
            title="Meter clock within tolerance",
            source="VEE V05",
            severity=Severity.WARNING,
            action=Action.FLAG,
            work_order=WorkOrderKind.METER_TEST,
            thresholds=(
                Threshold(
                    name="tolerance_seconds",
                    default=300,
                    unit="s",
                    source="VEE V05 (regulator value); powerretail placeholder 300 s",
                ),
            ),
            checker=_v05,
        ),
        Rule(
            rule_id="V06",
            title="Negative advance: roll-over if plausible, else hold for a meter-change record",
            source="VEE V06; register roll-over",
            severity=Severity.ERROR,
            action=Action.HOLD_BILL,
            work_order=WorkOrderKind.METER_CHANGE_RECORD,
            thresholds=(
                Threshold(
                    name="rollover_factor",
                    default=3,
                    unit="× 12-month maximum",
                    source="powerretail default (3 × the 12-month maximum)",
                ),
            ),
            checker=_v06,
        ),
        Rule(
            rule_id="V07",
            title="High usage against expected",
            source=_GB,
            severity=Severity.WARNING,
            action=Action.HOLD_BILL,
            work_order=WorkOrderKind.BILL_REVIEW,
            thresholds=(Threshold(name="factor", default=2, unit="× expected", source=_GB),),
            checker=_v07,
        ),
        Rule(
            rule_id="V08",
            title="Low or zero usage on an energised service",
            source="VEE V08",
            severity=Severity.WARNING,
            action=Action.FLAG,
            work_order=WorkOrderKind.FIELD_VISIT,
            thresholds=(
                Threshold(name="min_kwh", default=0, unit="kWh", source="VEE V08 (zero use)"),
            ),
            checker=_v08,
        ),
        Rule(
            rule_id="V09",
            title="Usage on a de-energised or inactive service",
            source="VEE V09",
            severity=Severity.ERROR,
            action=Action.FLAG,
            work_order=WorkOrderKind.FIELD_VISIT,
            thresholds=(
                Threshold(name="max_kwh", default=0, unit="kWh", source="VEE V09 (any use > 0)"),
            ),
            checker=_v09,
        ),
        Rule(
            rule_id="V10",
            title="Interval sum against register advance",
            source="VEE V10",
            severity=Severity.WARNING,
            action=Action.FLAG,
            thresholds=(Threshold(name="tolerance", default="0.01", unit="ratio", source=_UNSET),),
            checker=_v10,
        ),
        Rule(
            rule_id="V11",
            title="Spike between consecutive intervals",
            source="VEE V11",
            severity=Severity.WARNING,
            action=Action.FLAG,
            thresholds=(
                Threshold(name="ratio", default=5, unit="× previous interval", source=_UNSET),
            ),
            checker=_v11,
        ),
        Rule(
            rule_id="V12",
            title="Meter events (outage, reset, overflow, tamper, phase loss)",
            source="VEE V12",
            severity=Severity.WARNING,
            action=Action.FLAG,
            checker=_v12,
        ),
        Rule(
            rule_id="V13",
            title="Consecutive estimates: raise a read order",
            source="VEE V13",
            severity=Severity.WARNING,
            action=Action.RAISE_WORK_ORDER,
            work_order=WorkOrderKind.READ_ORDER,
            thresholds=(Threshold(name="max_estimates", default=3, unit="reads", source=_UNSET),),
            checker=_v13,
        ),
        Rule(
            rule_id="V14",
            title="Short gap: estimate linearly",
            source="VEE V14 (CA ≤ 2 h)",
            severity=Severity.INFO,
            action=Action.ESTIMATE,
            thresholds=(
                Threshold(name="short_gap_minutes", default=120, unit="min", source="VEE V14"),
            ),
            checker=_gap_rule("linear"),
        ),
        Rule(
            rule_id="V15",
            title="Long gap: estimate from like days",
            source="VEE V15 (> 2 h; 3 like days)",
            severity=Severity.WARNING,
            action=Action.ESTIMATE,
            thresholds=(
                Threshold(name="short_gap_minutes", default=120, unit="min", source="VEE V15"),
            ),
            checker=_gap_rule("like_day"),
        ),
        Rule(
            rule_id="V16",
            title="Re-validate estimates: scale them to the boundary reads",
            source="VEE V16 (validating again changes nothing)",
            severity=Severity.WARNING,
            action=Action.FLAG,
            thresholds=(Threshold(name="tolerance", default="0.01", unit="ratio", source=_UNSET),),
            checker=_v16,
        ),
        Rule(
            rule_id="V17",
            title="Provenance: estimates never overwrite actuals; actuals supersede estimates",
            source="VEE V17 (nothing lost or counted twice)",
            severity=Severity.ERROR,
            action=Action.REJECT,
            checker=_v17,
        ),
        Rule(
            rule_id="V18",
            title="Back-billing guard: energy older than the cap",
            source="VEE V18 (GB 12 months)",
            severity=Severity.ERROR,
            action=Action.HOLD_BILL,
            work_order=WorkOrderKind.BILL_REVIEW,
            thresholds=(
                Threshold(name="cap_months", default=12, unit="months", source="VEE V18 (GB)"),
            ),
            checker=_v18,
        ),
    ),
)


def rule_table(*rule_sets: RuleSet) -> str:
    """Return a Markdown table of every rule: id, title, threshold defaults, action, source."""
    sets = rule_sets or (SEED_RULES, CATALOGUE_RULES)
    lines = [
        "| rule set | id | rule | thresholds (default) | action | work order | source |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for rule_set in sets:
        for rule in rule_set.rules:
            limits = rule_set.limits_for(rule)
            thresholds = (
                "; ".join(
                    f"{t.name} = {limits[t.name]} {t.unit} ({t.source})" for t in rule.thresholds
                )
                or "exact"
            )
            action = getattr(rule, "action", None)
            work_order = getattr(rule, "work_order", None)
            lines.append(
                f"| {rule_set.name} | {rule.rule_id} | {rule.title} | {thresholds} | "
                f"{action.value if action else '—'} | {work_order.value if work_order else '—'} | "
                f"{rule.source} |"
            )
    return "\n".join(lines) + "\n"
