"""Inject storage faults into any adapter, on a seeded schedule you can replay (RELIABILITY R21).

:class:`FaultSchedule` decides, from a seeded random stream, where faults strike:

* **before commit** — the unit of work is rolled back and :class:`InjectedFault` raised, as if
  the process died or the database timed out before committing;
* **after commit** — the unit of work commits, then :class:`InjectedFault` is raised, as if the
  reply was lost: the caller cannot tell whether its command took effect;
* **duplicate delivery** — a command or an event is delivered twice;
* **reordered delivery** — a batch of events reaches the consumer shuffled.

Wrap any unit-of-work factory with :meth:`FaultSchedule.wrap`; deliver commands and events with
:meth:`FaultSchedule.deliver`. The same seed strikes the same faults in the same order (for a
single-threaded caller), so a failure is replayed by re-running its seed:
:func:`reporting_seed` adds the seed to the failure and prints it.

:func:`simulate_ledger` is a complete seeded simulation on the sample ledger: clients retry
through faults, events are published and consumed with duplicates, and after every step the
invariants are checked — each idempotency key takes effect once (R8), every balance is the fold
of its postings and nothing is lost (R20), each posting has exactly one event, in order (R19).

>>> from powerretail.adapters.memory import MemoryStore
>>> report = simulate_ledger(MemoryStore().unit_of_work, seed=7, steps=40)
>>> report.commands_applied > 0 and report.faults_injected > 0
True
"""

from __future__ import annotations

import contextlib
import enum
import functools
import random
import threading
import types
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any, Self, TypeVar

import attrs
import pendulum

from powerretail.errors import IdempotencyConflict
from powerretail.ids import AccountId
from powerretail.quantities import Energy, Money, sum_money
from powerretail.repositories.aggregates import Aggregate, AggregateRepository
from powerretail.repositories.audit import AuditLog
from powerretail.repositories.commands import CommandRefused
from powerretail.repositories.events import (
    EventOutOfOrder,
    Inbox,
    Outbox,
    OutboxEvent,
    consume_once,
    publish_pending,
)
from powerretail.repositories.idempotency import IdempotencyStore
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.testing.ledger import (
    LEDGER_ACCOUNTS,
    LEDGER_POSTINGS,
    LEDGER_PROJECTIONS,
    close_ledger_account,
    open_ledger_account,
    post_to_ledger,
    project_ledger_event,
)

__all__ = [
    "DelegatingUnitOfWork",
    "FaultPoint",
    "FaultSchedule",
    "FaultyUnitOfWork",
    "InjectedFault",
    "InvariantBroken",
    "SimulationReport",
    "reporting_seed",
    "require_invariant",
    "retry_through_faults",
    "simulate_ledger",
]

K = TypeVar("K", bound=str)
E = TypeVar("E")
R = TypeVar("R")
T = TypeVar("T")


class FaultPoint(enum.Enum):
    """Where a fault strikes."""

    BEFORE_COMMIT = "before commit"
    AFTER_COMMIT = "after commit, before the reply"
    DUPLICATE_DELIVERY = "duplicate delivery"
    REORDERED_DELIVERY = "reordered delivery"


class InjectedFault(Exception):
    """A fault the schedule injected (a crash, a timeout, a lost reply)."""

    def __init__(self, point: FaultPoint, number: int) -> None:
        self.point = point
        self.number = number
        super().__init__(point, number)

    def __str__(self) -> str:
        return f"injected fault #{self.number}: {self.point.value}"


class InvariantBroken(AssertionError):
    """A storage invariant failed during a simulation."""


@attrs.frozen
class _Rates:
    before_commit: Fraction
    after_commit: Fraction
    duplicate: Fraction
    reorder: Fraction


class FaultSchedule:
    """Decide from a seeded random stream where faults strike.

    Args:
        seed: the seed; the same seed gives the same decisions in the same order.
        before_commit: the share of commits that fail before committing (0 to 1).
        after_commit: the share of commits whose reply is lost after committing.
        duplicate: the share of deliveries made twice.
        reorder: the share of batches delivered in a shuffled order.
    """

    def __init__(
        self,
        seed: int,
        *,
        before_commit: Fraction | str = "1/10",
        after_commit: Fraction | str = "1/10",
        duplicate: Fraction | str = "1/5",
        reorder: Fraction | str = "1/2",
    ) -> None:
        self.seed = seed
        self._rates = _Rates(
            Fraction(before_commit), Fraction(after_commit), Fraction(duplicate), Fraction(reorder)
        )
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.injected: list[tuple[FaultPoint, int]] = []
        self._decisions = 0

    def __repr__(self) -> str:
        rates = self._rates
        return (
            f"FaultSchedule(seed={self.seed}, before_commit='{rates.before_commit}', "
            f"after_commit='{rates.after_commit}', duplicate='{rates.duplicate}', "
            f"reorder='{rates.reorder}')"
        )

    def strikes(self, point: FaultPoint) -> bool:
        """Return whether a fault strikes at ``point`` now (and record it if so)."""
        rate = {
            FaultPoint.BEFORE_COMMIT: self._rates.before_commit,
            FaultPoint.AFTER_COMMIT: self._rates.after_commit,
            FaultPoint.DUPLICATE_DELIVERY: self._rates.duplicate,
            FaultPoint.REORDERED_DELIVERY: self._rates.reorder,
        }[point]
        with self._lock:
            self._decisions += 1
            roll = self._random.randrange(rate.denominator)
            if roll < rate.numerator:
                self.injected.append((point, self._decisions))
                return True
            return False

    def _fault(self, point: FaultPoint) -> InjectedFault:
        return InjectedFault(point, len(self.injected))

    def reordered(self, items: Iterable[T]) -> list[T]:
        """Return ``items`` shuffled when a reordered delivery strikes, else in their order."""
        order = list(items)
        if self.strikes(FaultPoint.REORDERED_DELIVERY):
            with self._lock:
                self._random.shuffle(order)
        return order

    def wrap(self, make_unit_of_work: UnitOfWorkFactory) -> Callable[[], FaultyUnitOfWork]:
        """Return a factory of units of work that fail before or after commit on schedule."""

        def make() -> FaultyUnitOfWork:
            return FaultyUnitOfWork(make_unit_of_work(), self)

        return make

    def deliver(self, receive: Callable[..., R], *args: Any, **kwargs: Any) -> R:
        """Call ``receive(*args, **kwargs)``, twice when a duplicate delivery strikes.

        Returns the last call's result: for an idempotent receiver it equals the first.
        """
        result = receive(*args, **kwargs)
        if self.strikes(FaultPoint.DUPLICATE_DELIVERY):
            result = receive(*args, **kwargs)
        return result


class DelegatingUnitOfWork:
    """A unit of work that hands every call to ``inner``: subclass it to change one behaviour."""

    def __init__(self, inner: UnitOfWork) -> None:
        self._inner = inner

    @property
    def idempotency(self) -> IdempotencyStore:
        """The inner unit's idempotency records."""
        return self._inner.idempotency

    @property
    def outbox(self) -> Outbox:
        """The inner unit's outbox."""
        return self._inner.outbox

    @property
    def inbox(self) -> Inbox:
        """The inner unit's inbox."""
        return self._inner.inbox

    @property
    def audit(self) -> AuditLog:
        """The inner unit's audit log."""
        return self._inner.audit

    def repository(self, aggregate: Aggregate[K, E]) -> AggregateRepository[K, E]:
        """Return the inner unit's repository of ``aggregate``."""
        return self._inner.repository(aggregate)

    def commit(self) -> None:
        """Commit the inner unit."""
        self._inner.commit()

    def rollback(self) -> None:
        """Roll the inner unit back."""
        self._inner.rollback()

    def __enter__(self) -> Self:
        self._inner.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: types.TracebackType | None,
    ) -> None:
        self._inner.__exit__(exc_type, exc, traceback)


class FaultyUnitOfWork(DelegatingUnitOfWork):
    """A unit of work that commits through a :class:`FaultSchedule`."""

    def __init__(self, inner: UnitOfWork, schedule: FaultSchedule) -> None:
        super().__init__(inner)
        self._schedule = schedule

    def commit(self) -> None:
        """Commit, unless a fault strikes before; raise after, if a fault strikes there.

        Raises:
            InjectedFault: the schedule struck before the commit (nothing written) or after it
                (everything written, reply lost).
        """
        if self._schedule.strikes(FaultPoint.BEFORE_COMMIT):
            self._inner.rollback()
            raise self._schedule._fault(FaultPoint.BEFORE_COMMIT)
        self._inner.commit()
        if self._schedule.strikes(FaultPoint.AFTER_COMMIT):
            raise self._schedule._fault(FaultPoint.AFTER_COMMIT)


@contextlib.contextmanager
def reporting_seed(schedule: FaultSchedule) -> Iterator[FaultSchedule]:
    """Run a block; if it fails, print the schedule to replay and add it to the error's notes."""
    try:
        yield schedule
    except BaseException as err:
        note = f"failing seed {schedule.seed}: replay with {schedule!r}"
        err.add_note(note)
        print(note)
        raise


@attrs.frozen(kw_only=True)
class SimulationReport:
    """What a simulation did."""

    seed: int
    steps: int
    commands_applied: int
    commands_refused: int
    conflicts_refused: int
    faults_injected: int
    events_projected: int


_ACCOUNTS = ("A-1", "A-2", "A-3")
_CONSUMER = "ledger-projection"


class _Client:
    """Retry a call through injected faults, like a client whose request timed out."""

    def __init__(self, tries: int = 50) -> None:
        self.tries = tries

    def call(self, step: Callable[[], R]) -> R:
        return retry_through_faults(step, self.tries)


def retry_through_faults(step: Callable[[], R], tries: int = 50) -> R:
    """Run ``step`` until it gets through the injected faults (the last try raises what it gets)."""
    for _ in range(tries - 1):
        try:
            return step()
        except InjectedFault:
            continue
    return step()


def simulate_ledger(
    make_unit_of_work: UnitOfWorkFactory, *, seed: int, steps: int = 60
) -> SimulationReport:
    """Run a seeded simulation of idempotent postings through injected faults; check invariants.

    The store behind ``make_unit_of_work`` must be empty. Faults strike commits (before and
    after) and deliveries (duplicates) on a :class:`FaultSchedule` seeded with ``seed``.

    Raises:
        InvariantBroken: an invariant failed (the seed is in the error's notes and printed).
    """
    schedule = FaultSchedule(seed)
    with reporting_seed(schedule):
        return _simulate(make_unit_of_work, schedule, steps)


def _simulate(
    make_unit_of_work: UnitOfWorkFactory, schedule: FaultSchedule, steps: int
) -> SimulationReport:
    from powerretail.adapters.clocks import FixedClock  # noqa: PLC0415 - layer 5, used here only

    choose = random.Random(schedule.seed ^ 0x5EED)
    clock = FixedClock(pendulum.datetime(2025, 1, 1, tz="Asia/Shanghai"))
    faulty = schedule.wrap(make_unit_of_work)
    client = _Client()
    for account_id in _ACCOUNTS:
        open_ledger_account(make_unit_of_work, account_id, holder=f"holder of {account_id}")
    accepted: dict[str, tuple[str, Money]] = {}  # key → (account, amount) of the first payload
    refused: set[str] = set()
    closed: set[str] = set()
    conflicts = 0
    for step in range(steps):
        clock.advance(pendulum.duration(minutes=15))
        move = choose.randrange(10)
        key = f"K-{choose.randrange(max(steps // 2, 1))}"
        if move < 7:
            account_id = choose.choice(_ACCOUNTS)
            amount = Money(Decimal(choose.randrange(-5_000, 50_000)).scaleb(-2))
            # A used key is mostly a retry of the same request, sometimes another payload.
            if key in accepted and choose.randrange(4):
                account_id, amount = accepted[key]
            try:
                client.call(
                    functools.partial(
                        schedule.deliver,
                        post_to_ledger,
                        faulty,
                        clock=clock,
                        key=key,
                        account_id=account_id,
                        amount=amount,
                        energy=Energy(amount.amount.copy_abs()),
                    )
                )
            except CommandRefused:
                require_invariant(
                    key not in accepted or key in refused,
                    f"step {step}: {key} was applied once and is refused now",
                )
                refused.add(key)
                accepted.setdefault(key, (account_id, amount))
            except IdempotencyConflict:
                require_invariant(
                    key in accepted and accepted[key] != (account_id, amount),
                    f"step {step}: {key} conflicted with its own payload",
                )
                conflicts += 1
            else:
                require_invariant(
                    key not in refused, f"step {step}: {key} was refused once and applied now"
                )
                accepted.setdefault(key, (account_id, amount))
        elif move == 7 and len(closed) < 1:
            account_id = choose.choice(_ACCOUNTS)
            client.call(functools.partial(close_ledger_account, faulty, account_id))
            closed.add(account_id)
        else:
            _drain(faulty, schedule, client)
        _check_ledger(make_unit_of_work, accepted, refused, step)
    _drain(faulty, schedule, client)
    projected = _check_projection(make_unit_of_work)
    return SimulationReport(
        seed=schedule.seed,
        steps=steps,
        commands_applied=len(accepted) - len(refused),
        commands_refused=len(refused),
        conflicts_refused=conflicts,
        faults_injected=len(schedule.injected),
        events_projected=projected,
    )


def require_invariant(holds: bool, failure: str) -> None:
    """Raise :class:`InvariantBroken` saying ``failure`` unless ``holds``."""
    if not holds:
        raise InvariantBroken(failure)


def _drain(faulty: UnitOfWorkFactory, schedule: FaultSchedule, client: _Client) -> None:
    """Publish the outbox to a broker that may repeat and reorder, and consume from it."""
    broker: list[OutboxEvent] = []
    client.call(functools.partial(publish_pending, faulty, broker.append, batch_size=7))
    pending = schedule.reordered(broker)
    while pending:
        refused: list[OutboxEvent] = []
        for event in pending:
            try:
                schedule.deliver(
                    client.call,
                    functools.partial(consume_once, faulty, _CONSUMER, event, project_ledger_event),
                )
            except EventOutOfOrder:  # the broker redelivers it later
                refused.append(event)
        require_invariant(len(refused) < len(pending), "no event of the batch could be consumed")
        pending = refused


def _check_ledger(
    make_unit_of_work: UnitOfWorkFactory,
    accepted: dict[str, tuple[str, Money]],
    refused: set[str],
    step: int,
) -> None:
    with make_unit_of_work() as uow:
        postings = uow.repository(LEDGER_POSTINGS)
        for account_id in _ACCOUNTS:
            account, _version = uow.repository(LEDGER_ACCOUNTS).get(AccountId(account_id))
            stored = [entry for entry, _ in postings.query(account_id=account_id)]
            expected = sorted(
                f"P-{key}"
                for key, (target, _) in accepted.items()
                if target == account_id and key not in refused
            )
            found = sorted(posting.posting_id for posting in stored)
            require_invariant(
                found == expected,
                f"step {step}: {account_id} postings {found}, expected {expected}",
            )
            folded = sum_money(posting.amount for posting in stored)
            require_invariant(
                account.balance == folded and account.postings == len(stored),
                f"step {step}: {account_id} balance {account.balance} is not the sum "
                f"{folded} of its {len(stored)} postings",
            )
            events = uow.outbox.events_for(LEDGER_ACCOUNTS.kind, account_id)
            require_invariant(
                [event.sequence for event in events] == list(range(1, len(stored) + 1))
                and sorted(event.event_id for event in events)
                == sorted("E-" + posting_id[2:] for posting_id in found),
                f"step {step}: {account_id} events {[e.event_id for e in events]} do not match "
                f"postings {found} one to one, in sequence",
            )


def _check_projection(make_unit_of_work: UnitOfWorkFactory) -> int:
    projected_postings = 0
    with make_unit_of_work() as uow:
        require_invariant(not uow.outbox.unpublished(), "events left unpublished after draining")
        for account_id in _ACCOUNTS:
            account, _ = uow.repository(LEDGER_ACCOUNTS).get(AccountId(account_id))
            found = uow.repository(LEDGER_PROJECTIONS).find(AccountId(account_id))
            projected = (
                (Money.zero(), 0)
                if found is None
                else (
                    found.entity.balance,
                    found.entity.postings,
                )
            )
            require_invariant(
                projected == (account.balance, account.postings),
                f"{account_id}: projection {projected} differs from the ledger "
                f"({account.balance}, {account.postings}): an event was lost or applied twice",
            )
            projected_postings += projected[1]
    return projected_postings
