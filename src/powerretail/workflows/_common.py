"""What the workflows share: events, a process step's runner, the service window, and usage."""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import attrs
import pendulum

from powerretail.access import Actor, AuditRecord
from powerretail.billing.bill import Bill, BillKind, BillState
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import BillingEngine
from powerretail.billing.usage import IntervalSeries as BillingSeries
from powerretail.errors import InvalidInput, PowerRetailError
from powerretail.ids import BillId
from powerretail.metering.consumption import consumption, demand, reactive_consumption
from powerretail.metering.meters import Meter, RegisterKind
from powerretail.metering.reads import IntervalQuality, RegisterRead
from powerretail.repositories.aggregates import Aggregate
from powerretail.repositories.billing import BILLS, BILLS_BY_END, BillingProfile
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import run_idempotent
from powerretail.repositories.events import DomainEvent
from powerretail.repositories.metering import (
    METERS,
    READS,
    SERIES,
    reads_in,
    series_ending_from,
)
from powerretail.repositories.tariffs import TARIFF_DOCUMENTS, TariffDocument, latest_tariff
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.statemachine import TransitionRecord
from powerretail.tariffs.model import AnnualTiers
from powerretail.timeframe import DEFAULT_TIMEZONE, DateRange

__all__ = [
    "ReadsMissing",
    "TariffEngines",
    "announce",
    "bill_id_for",
    "covering_bills",
    "draft_bill",
    "event",
    "event_id",
    "fitted_id",
    "run_step",
    "tier_year_position",
    "usage_for",
]


class ReadsMissing(PowerRetailError, LookupError):
    """The reads a bill needs are not stored yet: submit or estimate them, then bill again.

    Not a refusal: a billing cycle reports the account as waiting and bills it on a re-run.
    """

    def __init__(self, account_id: str, what: str) -> None:
        self.account_id = account_id
        self.what = what
        super().__init__(account_id, what)

    def __str__(self) -> str:
        return f"account {self.account_id!r} cannot be billed yet: {self.what}"


#: The longest event id a store takes (an identifier: :func:`powerretail.ids.require_id`).
_MAX_EVENT_ID = 128


def event_id(command: str, key: str, event_type: str) -> str:
    """Return the id of the ``event_type`` event of ``command`` run under the caller's ``key``.

    The id names the command and the key, as the command's idempotency record does, so two
    commands given the same key never emit the same id: ``E-{command}:{key}-{event_type}``.
    When that is longer than 128 characters (a key near the 128 a key may have), the id is
    ``EH-`` with as much of ``{command}:{key}`` as fits, then ``~`` and the first 32 hex digits
    of the SHA-256 of the whole ``{command}:{key}``, then ``-{event_type}``: still 128
    characters at most, the same for every retry, and never equal to a short id (those start
    ``E-``).

    >>> event_id("move_out", "desk-7", "BillIssued")
    'E-move_out:desk-7-BillIssued'
    >>> long = event_id("move_out", "k" * 128, "BillIssued")
    >>> len(long), long[:14], long[-44:]
    (128, 'EH-move_out:kk', '~d9df79c8c55c06988050c0c16fad3622-BillIssued')
    """
    return fitted_id("E-", f"{command}:{key.strip()}", f"-{event_type}", long_head="EH-")


def fitted_id(head: str, body: str, tail: str, *, long_head: str) -> str:
    """Return ``{head}{body}{tail}``, or when longer than 128 characters a stable shorter id.

    The shorter id is ``long_head``, as much of ``body`` as fits, ``~`` and the first 32 hex
    digits of the SHA-256 of the whole ``body``, then ``tail``: 128 characters at most, the same
    on every call. Give a ``long_head`` no plain id starts with, so the two never meet.

    >>> fitted_id("K/", "a-1", "/x", long_head="K~")
    'K/a-1/x'
    >>> long = fitted_id("K/", "a" * 200, "/x", long_head="K~")
    >>> len(long), long[:5], long[-35:]
    (128, 'K~aaa', '~c2a908d98f5df987ade41b5fce213067/x')
    """
    plain = f"{head}{body}{tail}"
    if len(plain) <= _MAX_EVENT_ID:
        return plain
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]
    ending = f"~{digest}{tail}"
    room = max(_MAX_EVENT_ID - len(long_head) - len(ending), 0)
    return f"{long_head}{body[:room]}{ending}"


def event(
    *,
    command: str,
    key: str,
    kind: str,
    aggregate_id: str,
    event_type: str,
    payload: Mapping[str, JsonValue],
    at: _dt.datetime,
) -> DomainEvent:
    """Return the event of ``command`` run under ``key`` (its id: :func:`event_id`)."""
    return DomainEvent(
        event_id=event_id(command, key, event_type),
        aggregate_kind=kind,
        aggregate_id=aggregate_id,
        event_type=event_type,
        schema_major=1,
        payload=dict(payload),
        occurred_at=at,
    )


def announce(
    uow: UnitOfWork,
    *,
    command: str,
    key: str,
    kind: str,
    aggregate_id: str,
    event_type: str,
    payload: Mapping[str, JsonValue],
    at: _dt.datetime,
) -> None:
    """Append the :func:`event` of ``command`` run under ``key`` to ``uow``'s outbox."""
    uow.outbox.append(
        event(
            command=command,
            key=key,
            kind=kind,
            aggregate_id=aggregate_id,
            event_type=event_type,
            payload=payload,
            at=at,
        )
    )


class Stepped(Protocol):
    """A process step done: its transition record and the grant (None if it needs none)."""

    @property
    def record(self) -> TransitionRecord[Any, Any]: ...  # pragma: no cover - a protocol

    @property
    def audit(self) -> AuditRecord | None: ...  # pragma: no cover - a protocol


StepT = TypeVar("StepT", bound=Stepped)
StoredT = TypeVar("StoredT")


def _nothing(_step: object) -> dict[str, JsonValue]:
    return {}


def _no_events(_step: object) -> tuple[str, ...]:
    return ()


def run_step(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    command: str,
    key: str,
    aggregate: Aggregate[str, StoredT],
    aggregate_id: str,
    id_field: str,
    take: Callable[[StoredT], StepT],
    stored: Callable[[StepT], StoredT],
    moved: str,
    actor: Actor,
    at: _dt.datetime,
    payload: Mapping[str, JsonValue],
    details: Callable[[StepT], Mapping[str, JsonValue]] = _nothing,
    also: Callable[[StepT], Sequence[str]] = _no_events,
    outcome: Callable[[StepT], Mapping[str, JsonValue]] = _nothing,
    unrecorded: tuple[type[PowerRetailError], ...] = (),
) -> StoredT:
    """Take one step of a process case, once for ``key``; return the case as stored after it.

    In one unit of work (:func:`~powerretail.repositories.commands.run_idempotent` under
    ``command`` with ``payload``): the case ``aggregate_id`` is loaded, ``take`` moves it (a
    pure step, authorising ``actor``), the grant is appended to the audit log, the case saved
    (``stored``) and ``moved`` announced (then each of ``also``), with ``{id_field, from, to,
    by, why}`` and ``details`` as the payload, at ``at``. The command's result is ``{id_field,
    state}`` and ``outcome``. A refused permission is stored with its audit record by
    ``run_idempotent``; the refusals in ``unrecorded`` are raised with nothing stored.
    """

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        repository = uow.repository(aggregate)
        found, version = repository.get(aggregate_id)
        step = take(found)
        if step.audit is not None:
            uow.audit.append(step.audit)
        repository.save(stored(step), version)
        record = step.record
        for event_type in (moved, *also(step)):
            announce(
                uow,
                command=command,
                key=key,
                kind=aggregate.kind,
                aggregate_id=aggregate_id,
                event_type=event_type,
                payload={
                    id_field: aggregate_id,
                    **details(step),
                    "from": record.source.value,
                    "to": record.target.value,
                    "by": actor.id,
                    "why": record.why,
                },
                at=at,
            )
        return {id_field: aggregate_id, "state": record.target.value, **outcome(step)}

    run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command=command,
        payload=payload,
        action=action,
        unrecorded=unrecorded,
    )
    with make_unit_of_work() as uow:
        return uow.repository(aggregate).get(aggregate_id).entity


def bill_id_for(account_id: str, period: DateRange) -> BillId:
    """Return the id of ``account_id``'s bill for ``period``.

    A calendar month is ``A-1-20250701``; any other period names its first and last day,
    ``A-1-20250701-20250720``. So two periods never share an id, even with the same start,
    and the monthly ids stay those stored bills already have. :func:`covering_bills` keeps
    the days of different periods from being billed twice.
    """
    start = f"{account_id}-{period.start:%Y%m%d}"
    if period == DateRange.month(period.start.year, period.start.month):
        return BillId(start)
    return BillId(f"{start}-{period.last_day:%Y%m%d}")


#: The documents whose days are billed: issued or held (it is issued once reviewed) bills and
#: rebills. A credit note takes days back out, and a reversed bill's days are its rebill's.
_COVERING_STATES = frozenset({BillState.ISSUED, BillState.HELD})


def covering_bills(
    uow: UnitOfWork, account_id: str, period: DateRange
) -> tuple[tuple[Bill, DateRange], ...]:
    """Return the stored bills of ``account_id`` that bill days of ``period``, with those days.

    Bills and rebills that are issued or held count; credit notes, reversed and discarded bills
    do not. Ordered by bill id.
    """
    found = []
    for bill in _ending_after(uow, account_id, _COVERING_STATES, period.start):
        if bill.kind is BillKind.CREDIT_NOTE:
            continue
        days = bill.period.intersection(period)
        if days is not None:
            found.append((bill, days))
    return tuple(sorted(found, key=lambda pair: pair[0].bill_id))


def _ending_after(
    uow: UnitOfWork, account_id: str, states: frozenset[BillState], day: date
) -> list[Bill]:
    """Return the bills of ``account_id`` in ``states`` whose period ends after ``day``.

    Only they can bill ``day`` or a later day: read through the bills' ordered index, so the
    cost follows the bills from ``day`` on, not the account's whole history.
    """
    bills = uow.repository(BILLS)
    after = day + timedelta(days=1)  # period ends are exclusive
    return [
        stored.entity
        for state in sorted(states, key=lambda s: s.value)
        for stored in bills.query_range(
            BILLS_BY_END, after, None, account_id=account_id, state=state
        )
    ]


def service_window(period: DateRange, facts: AccountFacts) -> DateRange:
    """Return the days of ``period`` with service (after move-in, before move-out).

    Raises:
        InvalidInput: no day of ``period`` has service.
    """
    start = max(period.start, facts.opened_on) if facts.opened_on else period.start
    end = period.end
    assert end is not None  # billing periods are closed
    if facts.closed_on is not None:
        end = min(end, facts.closed_on)
    if end <= start:
        raise InvalidInput(
            "period", str(period), "a period with at least one day of service for the account"
        )
    return DateRange(start, end)


def midnight(day: date, zone: str) -> pendulum.DateTime:
    """Return the start of local ``day`` in ``zone``."""
    return pendulum.datetime(day.year, day.month, day.day, tz=zone)


_BUCKETS = {
    RegisterKind.ACTIVE_TOTAL: "total",
    RegisterKind.PEAK: "peak",
    RegisterKind.FLAT: "flat",
    RegisterKind.VALLEY: "valley",
    RegisterKind.CRITICAL_PEAK: "critical",  # the tariffs' bucket of critical-peak energy
}


@attrs.define
class TariffEngines:
    """A billing engine per stored tariff document, parsed once per run (keyed by its hash).

    One run (a billing cycle) also reads each tariff's latest revision once: a revision stored
    while the cycle runs applies from the next run.
    """

    engines: dict[str, BillingEngine] = attrs.field(factory=dict)
    latest: dict[str, TariffDocument] = attrs.field(factory=dict)

    def latest_of(self, uow: UnitOfWork, code: str) -> TariffDocument:
        """Return the latest revision of tariff ``code`` (read once per run).

        Raises:
            NotFound: no revision of ``code`` is stored.
        """
        document = self.latest.get(code)
        if document is None:
            document = self.latest[code] = latest_tariff(uow.repository(TARIFF_DOCUMENTS), code)
        return document

    def engine(self, document: TariffDocument) -> BillingEngine:
        """Return the engine of ``document``."""
        engine = self.engines.get(document.sha256)
        if engine is None:
            engine = self.engines[document.sha256] = BillingEngine(document.tariff())
        return engine


def _series_usage(
    uow: UnitOfWork, profile: BillingProfile, start: pendulum.DateTime, end: pendulum.DateTime
) -> BillingSeries | None:
    for meter_id in profile.meter_ids:
        stored = [
            s for s in series_ending_from(uow.repository(SERIES), meter_id, end) if s.billable
        ]
        for active in stored:
            series = active.series  # methods and events do not change the energy
            if active.channel is not RegisterKind.ACTIVE_TOTAL or not (
                series.start <= start and series.end >= end
            ):
                continue
            if any(q is IntervalQuality.MISSING for q in series.quality):
                continue
            reactive = next(
                (
                    s.series
                    for s in stored
                    if s.channel is RegisterKind.REACTIVE
                    and s.series.start == series.start
                    and len(s.series.values) == len(series.values)
                    and IntervalQuality.MISSING not in s.series.quality
                ),
                None,
            )
            return BillingSeries(
                start=series.start,
                minutes=series.step_minutes,
                active_kwh=series.values,
                reactive_kvarh=None if reactive is None else reactive.values,
            )
    return None


def _boundary_reads(
    reads: list[RegisterRead],
    start: pendulum.DateTime,
    end: pendulum.DateTime,
    *,
    installed_within: bool,
) -> tuple[RegisterRead | None, RegisterRead | None]:
    """Return the reads a period's advance runs between: before (or at) its start and its last.

    A meter installed inside the period starts from its first read there (its initial read);
    ``last`` is then a later read, or ``None`` while only the initial read is stored.
    """
    within = sorted((r for r in reads if start < r.read_at <= end), key=lambda r: r.read_at)
    if installed_within:
        if len(within) < 2:  # an initial read and a later one are needed
            return (within[0] if within else None), None
        return within[0], within[-1]
    before = [r for r in reads if r.read_at <= start]
    first = max(before, key=lambda r: r.read_at) if before else None
    return first, (within[-1] if within else None)


#: Days before a period's start searched for the read it starts from, before the whole history.
_LOOK_BACK = timedelta(days=1)


def _billable_reads(
    uow: UnitOfWork, meter: Meter, start: pendulum.DateTime, until: pendulum.DateTime
) -> list[RegisterRead]:
    """Return the billable reads of ``meter`` that bill ``(start, until]``.

    Reads the days of the period (and the day before its start), where every register's last
    read at or before ``start`` usually is: a period starts where the previous one ended. Only
    when a register of the meter has no such read there is the meter's whole history read, so
    the result is what the whole history gives either way.
    """
    repository = uow.repository(READS)
    window = reads_in(repository, meter.id, start - _LOOK_BACK, until)
    reads = [stored.read for stored in window if stored.billable]
    started = {read.register for read in reads if read.read_at <= start}
    if not (meter.registers - {RegisterKind.MAX_DEMAND}) <= started:
        history = repository.query(meter_id=meter.id)
        reads = [stored.entity.read for stored in history if stored.entity.billable]
    return reads


def _register_usage(
    uow: UnitOfWork,
    profile: BillingProfile,
    start: pendulum.DateTime,
    end: pendulum.DateTime,
    zone: str,
) -> Determinants:
    energy: dict[str, Decimal] = {}
    reactive: Decimal | None = None
    #: Demand of meters in service the whole period (they add up), and of meters exchanged
    #: inside it (never in service at once: the larger counts).
    whole_demand: Decimal | None = None
    exchanged_demand: Decimal | None = None
    for meter_id in profile.meter_ids:
        meter: Meter = uow.repository(METERS).get(meter_id).entity
        installed = None if meter.installed_on is None else midnight(meter.installed_on, zone)
        removed = None if meter.removed_on is None else midnight(meter.removed_on, zone)
        if (removed is not None and removed <= start) or (
            installed is not None and installed >= end
        ):
            continue  # exchanged before the period, or installed after it
        installed_within = installed is not None and installed > start
        exchanged = installed_within or (removed is not None and removed <= end)
        until = end if removed is None else min(end, removed)  # no read counts after removal
        by_register: dict[RegisterKind, list[RegisterRead]] = {}
        for read in _billable_reads(uow, meter, start, until):
            by_register.setdefault(read.register, []).append(read)
        for register, reads in sorted(by_register.items(), key=lambda item: item[0].value):
            if register is RegisterKind.MAX_DEMAND:
                latest = max(
                    (r for r in reads if start < r.read_at <= until),
                    key=lambda r: r.read_at,
                    default=None,
                )
                if latest is not None:
                    value = demand(latest, meter).value
                    if exchanged:
                        exchanged_demand = (
                            value if exchanged_demand is None else max(exchanged_demand, value)
                        )
                    else:
                        whole_demand = (whole_demand or Decimal(0)) + value
                continue
            first, last = _boundary_reads(reads, start, until, installed_within=installed_within)
            if first is None or last is None:
                missing = "before" if first is None else "after"
                moment = start if first is None else end
                raise ReadsMissing(
                    profile.account_id,
                    f"no {register.value} read of meter {meter_id} at or {missing} {moment}",
                )
            if register is RegisterKind.REACTIVE:
                reactive = (reactive or Decimal(0)) + reactive_consumption(first, last, meter).value
            else:
                bucket = _BUCKETS[register]
                energy[bucket] = (
                    energy.get(bucket, Decimal(0)) + consumption(first, last, meter).kwh
                )
    if not energy:
        raise ReadsMissing(profile.account_id, "no active-energy reads of its meters")
    peak_demand = (
        None
        if whole_demand is None and exchanged_demand is None
        else (whole_demand or Decimal(0)) + (exchanged_demand or Decimal(0))
    )
    return Determinants(energy_kwh=energy, max_demand_kw=peak_demand, reactive_kvarh=reactive)


def usage_for(
    uow: UnitOfWork, profile: BillingProfile, period: DateRange, zone: str = DEFAULT_TIMEZONE
) -> Determinants | BillingSeries:
    """Return what bills ``profile`` over ``period``: an interval series, or register determinants.

    A stored active interval series covering the service window (no gap left) wins; otherwise
    every register read by the account's meters must have a billable read at or before the
    window's start and one after it, up to its end.

    Raises:
        ReadsMissing: neither is stored.
    """
    window = service_window(period, profile.facts)
    assert window.end is not None
    start, end = midnight(window.start, zone), midnight(window.end, zone)
    series = _series_usage(uow, profile, start, end)
    if series is not None:
        return series
    return _register_usage(uow, profile, start, end, zone)


#: Documents whose lines count towards the tier year: issued ones, and reversed originals (their
#: credit notes, issued, take the energy back out; the rebill puts the corrected energy in).
_COUNTED = frozenset({BillState.ISSUED, BillState.REVERSED})


def annual_tier_prefixes(engine: BillingEngine) -> tuple[str, ...]:
    """Return the line-code prefixes of the annual-tier lines ``engine``'s tariff can bill."""
    return tuple(
        f"{charge.code}.tier"
        for version in engine.tariff.versions
        for charge in version.charges
        if isinstance(charge, AnnualTiers)
    )


def tier_year_position(
    uow: UnitOfWork, *, profile: BillingProfile, engine: BillingEngine, before: date
) -> Decimal | None:
    """Return the energy billed to ``profile``'s account in the tier year before ``before`` [kWh].

    Derived from what is stored, not from a counter: the annual-tier lines of the account's
    issued bills, credit notes (negative) and rebills whose service days fall in the tier year
    containing ``before`` and start before it. Re-running, correcting an earlier bill or billing
    a month out of order therefore always sees the position the stored documents give. Held
    bills do not count until they are released. The profile's ``ytd_kwh`` is an opening
    balance (energy billed elsewhere, e.g. before migration): it counts in the tier year of the
    account's earliest stored bill (or, with none stored yet, the tier year of ``before``) and
    in no other. ``None`` when the tariff in force on ``before`` has no annual tiers.

    Source: the national residential tier frame (2012): the tier year's energy so far decides.
    """
    found = engine.tier_year(profile.facts, before)
    if found is None:
        return None
    year, _code = found
    prefixes = annual_tier_prefixes(engine)
    position = Decimal(0)
    earliest: date | None = None
    bills = uow.repository(BILLS)
    after = year.start + timedelta(days=1)
    for state in _COUNTED:  # a counted bill ending by the tier year's start started before it
        if bills.query_range(
            BILLS_BY_END, None, after, limit=1, account_id=profile.account_id, state=state
        ):
            earliest = date.min
    for bill in _ending_after(uow, profile.account_id, _COUNTED, year.start):
        if earliest is None or bill.period.start < earliest:
            earliest = bill.period.start
        for line in bill.lines:
            if year.start <= line.period.start < before and line.code.startswith(prefixes):
                position += line.quantity
    if earliest is None or earliest in year:
        position += profile.facts.ytd_kwh
    return position


def draft_bill(
    uow: UnitOfWork,
    *,
    profile: BillingProfile,
    period: DateRange,
    engines: TariffEngines,
    bill_id: str,
    zone: str = DEFAULT_TIMEZONE,
) -> Bill:
    """Return the draft bill of ``profile`` over ``period`` from the stored reads and tariff.

    Under annual tiers the year-to-date energy is :func:`tier_year_position` at the first day of
    service in ``period`` (the profile's ``ytd_kwh`` is its opening balance).

    Raises:
        ReadsMissing: the reads are not stored yet.
        NotFound: the tariff or a meter is not stored.
    """
    engine = engines.engine(engines.latest_of(uow, profile.tariff_code))
    usage = usage_for(uow, profile, period, zone)
    facts = profile.facts
    start = service_window(period, facts).start
    position = tier_year_position(uow, profile=profile, engine=engine, before=start)
    if position is not None:
        facts = attrs.evolve(facts, ytd_kwh=position)
    if isinstance(usage, BillingSeries):
        return engine.bill_intervals(
            usage, period, facts, account_id=profile.account_id, bill_id=bill_id
        )
    return engine.bill(usage, period, facts, account_id=profile.account_id, bill_id=bill_id)
