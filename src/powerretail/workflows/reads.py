"""Submit register reads and interval series: validate (VEE), store, estimate where needed.

:func:`submit_reads` checks each read against the meter's earlier billable reads with the VEE
rule set (:mod:`powerretail.metering.vee`), stores it with its findings, and — when a finding
rejects it — stores an estimate in its place
(:func:`~powerretail.metering.estimation.estimate_register_read`); :func:`estimate_reads`
estimates the reads of a meter that could not be read. Each read is its own unit of
work, keyed by meter, register and instant: submitting a file twice stores each read once (R22).

:func:`submit_series` fills the gaps of an interval series (linear or like-day) and checks it
(:func:`~powerretail.metering.process.validate_intervals`) before storing it; its findings'
actions are honoured as for reads.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from powerretail.errors import InvalidInput
from powerretail.ids import MeterId
from powerretail.metering.estimation import (
    NATIONAL_POLICY,
    EstimationPolicy,
    estimate_register_read,
)
from powerretail.metering.meters import RegisterKind
from powerretail.metering.process import validate_intervals, validate_read
from powerretail.metering.reads import IntervalSeries, RegisterRead
from powerretail.metering.rules import CATALOGUE_RULES
from powerretail.metering.vee import Action, Finding, IntervalSubject, ReadSubject, RuleSet
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
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.timeframe import DEFAULT_TIMEZONE, as_instant

__all__ = [
    "ReadSubmission",
    "SeriesSubmission",
    "estimate_reads",
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


@attrs.frozen(kw_only=True)
class ReadSubmission:
    """What a submission did, read by read (by read key)."""

    accepted: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()
    estimated: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()

    def __str__(self) -> str:
        return (
            f"{len(self.accepted)} accepted, {len(self.rejected)} rejected, "
            f"{len(self.estimated)} estimated, {len(self.duplicates)} already stored"
        )


def submit_reads(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    reads: Sequence[RegisterRead],
    rule_set: RuleSet = CATALOGUE_RULES,
    policy: EstimationPolicy = NATIONAL_POLICY,
    estimate: bool = True,
) -> ReadSubmission:
    """Validate and store ``reads``; estimate in place of a rejected read.

    Every finding's action is honoured: a read with a ``reject``, ``drop`` or ``estimate``
    finding is stored not billable (with an estimate in its place unless ``estimate`` is off);
    one with a ``hold_bill`` finding is billable, and the bill built over it is held naming the
    finding (:func:`~powerretail.workflows.billing_cycle.run_billing_cycle`).

    An estimate is stored under ``{read key}/estimate`` and ``replaces`` the read; it needs
    enough earlier billable reads (two for the national previous-period method), otherwise the
    read stays rejected and the account waits for a re-read.

    Raises:
        NotFound: a read of a meter that is not stored.
    """
    accepted: list[str] = []
    rejected: list[str] = []
    estimated: list[str] = []
    duplicates: list[str] = []
    findings: list[Finding] = []
    for read in sorted(reads, key=lambda r: r.read_at):
        key = read_key(read.meter_id, read.register, read.read_at)
        with make_unit_of_work() as uow:
            repository = uow.repository(READS)
            if repository.find(key) is not None:
                duplicates.append(key)
                continue
            meter = uow.repository(METERS).get(read.meter_id).entity
            history = tuple(
                stored.entity.read
                for stored in repository.query(meter_id=read.meter_id)
                if stored.entity.billable and stored.entity.read.register is read.register
            )
            found = validate_read(
                ReadSubject(meter=meter, read=read, history=history, as_of=clock.now()),
                rule_set,
            )
            findings.extend(found)
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
    )


def estimate_reads(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    meter_id: str,
    at: object,
    registers: Sequence[RegisterKind] | None = None,
    policy: EstimationPolicy = NATIONAL_POLICY,
    unreadable: bool = True,
) -> tuple[str, ...]:
    """Store an estimate of each register of ``meter_id`` at ``at`` that has no read there.

    For a meter that could not be read (``unreadable``, VEE V05) or a read that never came.
    Each estimate is billable until an actual read of the same instant replaces it. Returns the
    keys stored; a register with too little history is skipped (billing waits for it).

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
            repository.add(StoredRead(read_id=f"{key}/estimate", meter_id=meter.id, read=made.read))
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
