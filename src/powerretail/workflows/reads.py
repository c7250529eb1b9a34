"""Submit register reads and interval series: validate (VEE), store, estimate where needed.

:func:`submit_reads` checks each read against the meter's earlier billable reads with the VEE
rule set (:mod:`powerretail.metering.vee`), stores it with its findings, and — when a finding
rejects it — stores an estimate in its place
(:func:`~powerretail.metering.estimation.estimate_register_read`); :func:`estimate_reads`
estimates the reads of a meter that could not be read. Each read is its own unit of
work, keyed by meter, register and instant: submitting a file twice stores each read once (R22).

Each read is checked with what the seed's rules need from the store: whether the meter's
customer is a large customer (last year's average monthly consumption on the meter, by
:func:`~powerretail.customers.tiering.classify_large_customer`) and the consumption of the same
period a year before. The work orders the findings call for (an exception ticket after two
unread cycles, a termination notice after six, a consumption investigation, a meter test …)
are stored with the read, in the same unit of work
(:func:`~powerretail.workflows.work_orders.raise_work_orders`): submitting the same reads again
raises none twice.

:func:`submit_series` fills the gaps of an interval series (linear or like-day) and checks it
(:func:`~powerretail.metering.process.validate_intervals`) before storing it; its findings'
actions are honoured as for reads.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import attrs
import pendulum
from dateutil.relativedelta import relativedelta

from powerretail.customers.tiering import (
    SEED_LARGE_CUSTOMER,
    LargeCustomerPolicy,
    UsageYear,
    classify_large_customer,
)
from powerretail.errors import InvalidInput
from powerretail.ids import MeterId
from powerretail.metering.consumption import consumption
from powerretail.metering.estimation import (
    NATIONAL_POLICY,
    EstimationPolicy,
    estimate_register_read,
)
from powerretail.metering.meters import Meter, RegisterKind
from powerretail.metering.process import validate_intervals, validate_read
from powerretail.metering.reads import IntervalSeries, RegisterRead
from powerretail.metering.rules import CATALOGUE_RULES
from powerretail.metering.vee import Action, Finding, IntervalSubject, ReadSubject, RuleSet
from powerretail.quantities import Energy
from powerretail.repositories.clock import Clock
from powerretail.repositories.metering import (
    METERS,
    READS,
    SERIES,
    StoredRead,
    StoredSeries,
    read_key,
    series_key,
)
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.service.work_orders import from_finding
from powerretail.timeframe import DEFAULT_TIMEZONE, as_instant, local_date
from powerretail.workflows.work_orders import raise_work_orders

__all__ = [
    "YEAR_AGO_TOLERANCE_DAYS",
    "ReadSubmission",
    "SeriesSubmission",
    "estimate_reads",
    "is_large_customer",
    "same_period_last_year",
    "submit_reads",
    "submit_series",
]

#: Actions that keep a read out of billing: the value is refused, ignored, or to be estimated.
#: ``hold_bill`` keeps the read billable; the bill built over it is held (the billing cycle
#: reads the stored findings).
_REJECTING = frozenset({Action.REJECT, Action.DROP, Action.ESTIMATE})
#: Actions that keep an interval series out of billing. ``estimate`` does not: the gaps it
#: names are estimated before the series is stored, so the estimate is what is billed.
_REJECTING_SERIES = frozenset({Action.REJECT, Action.DROP})

#: How far (days) a read a year before may be from the anniversary of a period's end to stand
#: for it (reading days move a little from year to year).
YEAR_AGO_TOLERANCE_DAYS = 3


def _active_pairs(
    reads: Sequence[RegisterRead], meter: Meter
) -> list[tuple[RegisterRead, RegisterRead]]:
    """Consecutive reads of the registers that add up to the active energy (the total register
    if read, else the time-of-use registers)."""
    active = [r for r in reads if r.register.is_active_energy and r.meter_id == meter.id]
    kinds = {r.register for r in active}
    if RegisterKind.ACTIVE_TOTAL in kinds:
        kinds = {RegisterKind.ACTIVE_TOTAL}
    pairs: list[tuple[RegisterRead, RegisterRead]] = []
    for kind in sorted(kinds, key=lambda k: k.value):
        ordered = sorted((r for r in active if r.register is kind), key=lambda r: r.read_at)
        pairs.extend((a, b) for a, b in itertools.pairwise(ordered) if a.read_at < b.read_at)
    return pairs


def is_large_customer(
    meter: Meter,
    reads: Sequence[RegisterRead],
    *,
    at: object,
    policy: LargeCustomerPolicy = SEED_LARGE_CUSTOMER,
    zone: str = DEFAULT_TIMEZONE,
) -> bool:
    """Return whether ``meter``'s customer is a large customer for a read at ``at``.

    Last calendar year's active consumption on the meter (the total register, or the sum of
    the time-of-use registers), month by month (each period counted in the month of its
    closing read), is classified by ``policy``; a meter with no reads closing last year is not
    large.
    """
    year = local_date(as_instant(at, "at"), zone).year - 1
    monthly: dict[int, Energy] = {}
    for start, end in _active_pairs(reads, meter):
        closing = local_date(end.read_at, zone)
        if closing.year != year:
            continue
        try:
            used = consumption(start, end, meter)
        except InvalidInput:
            continue
        monthly[closing.month] = monthly.get(closing.month, Energy(0)) + used
    if not monthly:
        return False
    usage = UsageYear(year=year, monthly_kwh=[monthly[m] for m in sorted(monthly)])
    return classify_large_customer(usage, policy).outcome


def _near(
    reads: Sequence[RegisterRead], target: pendulum.DateTime, zone: str
) -> RegisterRead | None:
    day = local_date(target, zone)
    best: tuple[int, RegisterRead] | None = None
    for read in reads:
        gap = abs((local_date(read.read_at, zone) - day).days)
        if gap <= YEAR_AGO_TOLERANCE_DAYS and (best is None or gap < best[0]):
            best = (gap, read)
    return None if best is None else best[1]


def same_period_last_year(
    meter: Meter,
    read: RegisterRead,
    history: Sequence[RegisterRead],
    *,
    zone: str = DEFAULT_TIMEZONE,
) -> Energy | None:
    """Return the consumption of the period ending at ``read`` one year earlier, or None.

    The period runs from the latest earlier read of the register to ``read``; a year before,
    it is bounded by the reads of the same register nearest (within
    :data:`YEAR_AGO_TOLERANCE_DAYS`) to each end's anniversary.
    """
    same = [
        r
        for r in history
        if r.register is read.register and r.meter_id == meter.id and r.read_at < read.read_at
    ]
    if not same or not read.register.is_active_energy:
        return None
    previous = max(same, key=lambda r: r.read_at)
    start = _near(same, previous.read_at - relativedelta(years=1), zone)
    end = _near(same, read.read_at - relativedelta(years=1), zone)
    if start is None or end is None or not start.read_at < end.read_at:
        return None
    try:
        return consumption(start, end, meter)
    except InvalidInput:
        return None


def _raise_orders(
    uow: UnitOfWork, findings: Sequence[Finding], *, read_key: str, meter_id: str, at: object
) -> tuple[str, ...]:
    instant = as_instant(at, "at")
    orders = [
        order
        for order in (
            from_finding(finding, read_key=read_key, subject=meter_id, at=instant)
            for finding in findings
        )
        if order is not None
    ]
    return raise_work_orders(uow, orders, command="read_work_orders")


@attrs.frozen(kw_only=True)
class ReadSubmission:
    """What a submission did, read by read (by read key)."""

    accepted: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()
    estimated: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    #: The ids of the work orders the findings raised.
    work_orders: tuple[str, ...] = ()

    def __str__(self) -> str:
        return (
            f"{len(self.accepted)} accepted, {len(self.rejected)} rejected, "
            f"{len(self.estimated)} estimated, {len(self.duplicates)} already stored, "
            f"{len(self.work_orders)} work orders raised"
        )


def submit_reads(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    reads: Sequence[RegisterRead],
    rule_set: RuleSet = CATALOGUE_RULES,
    policy: EstimationPolicy = NATIONAL_POLICY,
    estimate: bool = True,
    large_customer: LargeCustomerPolicy = SEED_LARGE_CUSTOMER,
    zone: str = DEFAULT_TIMEZONE,
) -> ReadSubmission:
    """Validate and store ``reads``; estimate in place of a rejected read.

    Every finding's action is honoured: a read with a ``reject``, ``drop`` or ``estimate``
    finding is stored not billable (with an estimate in its place unless ``estimate`` is off);
    one with a ``hold_bill`` finding is billable, and the bill built over it is held naming the
    finding (:func:`~powerretail.workflows.billing_cycle.run_billing_cycle`).

    An estimate is stored under ``{read key}/estimate`` and ``replaces`` the read; it needs
    enough earlier billable reads (two for the national previous-period method), otherwise the
    read stays rejected and the account waits for a re-read.

    Each read is checked knowing whether the customer is large (``large_customer`` applied to
    last year's reads, :func:`is_large_customer`) and the consumption of the same period last
    year (:func:`same_period_last_year`); the work orders its findings call for are stored with
    it (their ids in ``work_orders``).

    Raises:
        NotFound: a read of a meter that is not stored.
    """
    accepted: list[str] = []
    rejected: list[str] = []
    estimated: list[str] = []
    duplicates: list[str] = []
    findings: list[Finding] = []
    orders: list[str] = []
    for read in sorted(reads, key=lambda r: r.read_at):
        key = read_key(read.meter_id, read.register, read.read_at)
        with make_unit_of_work() as uow:
            repository = uow.repository(READS)
            if repository.find(key) is not None:
                duplicates.append(key)
                continue
            meter = uow.repository(METERS).get(read.meter_id).entity
            billable = tuple(
                stored.entity.read
                for stored in repository.query(meter_id=read.meter_id)
                if stored.entity.billable
            )
            history = tuple(r for r in billable if r.register is read.register)
            now = clock.now()
            found = validate_read(
                ReadSubject(
                    meter=meter,
                    read=read,
                    history=history,
                    as_of=now,
                    same_period_last_year=same_period_last_year(meter, read, history, zone=zone),
                    is_large_customer=is_large_customer(
                        meter, billable, at=read.read_at, policy=large_customer, zone=zone
                    ),
                    zone=zone,
                ),
                rule_set,
            )
            findings.extend(found)
            orders.extend(_raise_orders(uow, found, read_key=key, meter_id=read.meter_id, at=now))
            refused = any(finding.action in _REJECTING for finding in found)
            repository.add(
                StoredRead(
                    read_id=key,
                    meter_id=read.meter_id,
                    read=read,
                    findings=found,
                    billable=not refused,
                )
            )
            (rejected if refused else accepted).append(key)
            if refused and estimate:
                try:
                    made = estimate_register_read(
                        meter=meter,
                        history=history,
                        at=read.read_at,
                        method=policy.register_method,
                    )
                except InvalidInput:
                    pass  # too little history: the read stays rejected, billing waits
                else:
                    repository.add(
                        StoredRead(
                            read_id=f"{key}/estimate",
                            meter_id=read.meter_id,
                            read=made.read,
                            replaces=key,
                        )
                    )
                    estimated.append(f"{key}/estimate")
            uow.commit()
    return ReadSubmission(
        accepted=tuple(accepted),
        rejected=tuple(rejected),
        estimated=tuple(estimated),
        duplicates=tuple(duplicates),
        findings=tuple(findings),
        work_orders=tuple(orders),
    )


def estimate_reads(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    meter_id: str,
    at: object,
    registers: Sequence[RegisterKind] | None = None,
    policy: EstimationPolicy = NATIONAL_POLICY,
    unreadable: bool = True,
    rule_set: RuleSet | None = None,
) -> tuple[str, ...]:
    """Store an estimate of each register of ``meter_id`` at ``at`` that has no read there.

    For a meter that could not be read (``unreadable``, VEE V05) or a read that never came.
    Each estimate is billable until an actual read of the same instant replaces it. Returns the
    keys stored; a register with too little history is skipped (billing waits for it).

    With a ``rule_set``, each estimate is checked as it is stored (the seed's unread-cycle
    rules count these estimates: two in a row raise the exception ticket, six the termination
    notice); its findings are stored with it and the work orders they call for are raised,
    created at ``at``.

    Raises:
        NotFound: the meter is not stored.
    """
    instant = as_instant(at, "at")
    stored: list[str] = []
    with make_unit_of_work() as uow:
        meter = uow.repository(METERS).get(MeterId(meter_id)).entity
        repository = uow.repository(READS)
        billable = [s.entity.read for s in repository.query(meter_id=meter_id) if s.entity.billable]
        kinds = (
            registers
            if registers is not None
            else sorted({read.register for read in billable}, key=lambda kind: kind.value)
        )
        for register in kinds:
            key = read_key(meter_id, register, instant)
            if repository.find(key) is not None or repository.find(f"{key}/estimate"):
                continue
            history = [read for read in billable if read.register is register]
            try:
                made = estimate_register_read(
                    meter=meter,
                    history=history,
                    at=instant,
                    method=policy.register_method,
                    unreadable=unreadable,
                )
            except InvalidInput:
                continue
            found: tuple[Finding, ...] = ()
            if rule_set is not None:
                found = validate_read(
                    ReadSubject(meter=meter, read=made.read, history=history, as_of=instant),
                    rule_set,
                )
                _raise_orders(uow, found, read_key=key, meter_id=meter_id, at=instant)
            repository.add(
                StoredRead(
                    read_id=f"{key}/estimate", meter_id=meter.id, read=made.read, findings=found
                )
            )
            stored.append(f"{key}/estimate")
        uow.commit()
    return tuple(stored)


@attrs.frozen(kw_only=True)
class SeriesSubmission:
    """What a series submission did: the keys stored, those already stored, every finding.

    ``rejected`` are the keys among ``stored`` that a finding rejected: stored for provenance,
    never billed.
    """

    stored: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    rejected: tuple[str, ...] = ()


def submit_series(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    series: Sequence[IntervalSeries],
    rule_set: RuleSet = CATALOGUE_RULES,
    policy: EstimationPolicy = NATIONAL_POLICY,
    zone: str = DEFAULT_TIMEZONE,
) -> SeriesSubmission:
    """Estimate the gaps of each series, check it, and store it (once per meter, channel, start).

    Every finding's action is honoured, as :func:`submit_reads` does for reads:

    * ``reject`` or ``drop`` (a channel the meter does not have, VEE V01): the series is stored
      with its findings for provenance but not billable — billing never uses it, and a series
      with the right channel is a new submission (another key);
    * ``estimate`` (missing intervals, V04, V14, V15): the gaps are estimated before the series
      is stored (linear or like-day, each value marked estimated with its method), so the bill
      is built on the estimate, never on the raw gaps; a gap that cannot be estimated stays
      missing and no bill is built on the series;
    * ``hold_bill``: the series is billable and the bill built over it is held naming the
      finding (:func:`~powerretail.workflows.billing_cycle.run_billing_cycle`).

    Raises:
        NotFound: a series of a meter that is not stored.
    """
    stored: list[str] = []
    duplicates: list[str] = []
    rejected: list[str] = []
    findings: list[Finding] = []
    for one in series:
        key = series_key(one)
        with make_unit_of_work() as uow:
            repository = uow.repository(SERIES)
            if repository.find(key) is not None:
                duplicates.append(key)
                continue
            meter = uow.repository(METERS).get(one.meter_id).entity
            outcome = validate_intervals(
                IntervalSubject(series=one, zone=zone, meter=meter), rule_set, policy=policy
            )
            findings.extend(outcome.findings)
            refused = any(finding.action in _REJECTING_SERIES for finding in outcome.findings)
            repository.add(StoredSeries.of(outcome.series, outcome.findings, billable=not refused))
            uow.commit()
            stored.append(key)
            if refused:
                rejected.append(key)
    return SeriesSubmission(
        stored=tuple(stored),
        duplicates=tuple(duplicates),
        findings=tuple(findings),
        rejected=tuple(rejected),
    )
