"""Publish tariffs, bill one account, and run a billing cycle over many accounts.

:func:`run_billing_cycle` bills every active account for a period, key by key: each account is
one :func:`~powerretail.repositories.commands.run_idempotent` command under the key
``billing-cycle/{account}/{period}`` — the stored reads become determinants, the determinants a
draft bill, the draft is issued or (when implausible, R15) held, and an issued bill is charged to
the account's receivable, all in one unit of work with its ``BillIssued`` or ``BillHeld`` event.
A cycle stopped half-way (a crash, a kill) is finished by running it again: accounts already
billed return their stored result, so nothing is billed twice (R8). A period that shares days
with a bill the account already has (issued or held) is refused for that account
(:class:`BillingPeriodOverlaps`) and the cycle goes on with the others, so no day is billed twice
(R4). :func:`claim_period` makes that check, for the cycle and for a move-out's final bill, and
keeps two units billing one account at once from both committing.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from datetime import date, timedelta

import attrs

from powerretail.access import CHANGE_TARIFF_ARCHIVE, AccessPolicy, Actor, PermissionDenied
from powerretail.billing.bill import Bill, BillState
from powerretail.billing.lifecycle import PlausibilityBounds, issue
from powerretail.errors import (
    ConcurrencyConflict,
    InvalidInput,
    NotFound,
    RuleViolation,
    describe_value,
)
from powerretail.ids import AccountId, BillId
from powerretail.repositories.audit import authorize_in, store_refusal
from powerretail.repositories.billing import BILLING_PROFILES, BILLS, BillingProfile
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import CommandRefused, recorded, run_idempotent
from powerretail.repositories.payments import RECEIVABLES
from powerretail.repositories.tariffs import TARIFF_DOCUMENTS, TariffDocument, latest_tariff
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.tariffs.model import Tariff
from powerretail.timeframe import DEFAULT_TIMEZONE, DateRange
from powerretail.workflows._common import (
    ReadsMissing,
    TariffEngines,
    announce,
    bill_id_for,
    covering_bills,
    draft_bill,
    fitted_id,
    tier_year_position,
)
from powerretail.workflows._plausibility import plausibility_facts
from powerretail.workflows.ledger import post_bill

__all__ = [
    "AccountOutcome",
    "BillingPeriodOverlaps",
    "CycleProgress",
    "CycleReport",
    "Outcome",
    "bill_account",
    "claim_period",
    "cycle_key",
    "issue_and_charge",
    "publish_tariff",
    "run_billing_cycle",
    "tier_year_position",
    "unused_bill_id",
]


class BillingPeriodOverlaps(RuleViolation):
    """Some days of the period are already billed to the account, by ``bill_id`` (R4).

    Not stored as the command's outcome: once the covering bill is discarded (a held bill) the
    period may be billed, so billing it again asks again.
    """

    def __init__(self, account_id: str, bill_id: str, state: BillState, days: DateRange) -> None:
        self.account_id = account_id
        self.bill_id = bill_id
        self.state = state
        self.days = days
        super().__init__(account_id, bill_id, state, days)

    def __str__(self) -> str:
        return (
            f"account {describe_value(self.account_id)} is already billed from "
            f"{self.days.start} to {self.days.last_day} ({self.days.days} days) by bill "
            f"{describe_value(self.bill_id)} ({self.state.value})"
        )


def _replaces(uow: UnitOfWork, bill: Bill, bill_id: str) -> bool:
    """Return whether ``bill`` is ``bill_id`` or a rebill (of a rebill…) of it."""
    while bill.bill_id != bill_id:
        found = None if bill.corrects is None else uow.repository(BILLS).find(BillId(bill.corrects))
        if found is None:
            return False
        bill = found.entity
    return True


def claim_period(
    uow: UnitOfWork, *, account_id: str, period: DateRange, bill_id: str
) -> Bill | None:
    """Return the stored bill of ``period`` (``bill_id`` or its rebill), or ``None`` (unbilled).

    Also makes this unit of work the only one billing the account: it saves the account's
    billing profile (unchanged) before it looks at the bills, so of two units billing the
    account at once the second to commit gets a
    :class:`~powerretail.errors.VersionConflict`, and its retry sees the first one's bill —
    whatever the bills' totals or states (a held bill or one of 0.00 leaves the receivable
    alone). Call it before reading the profile's version for a save of your own.

    Raises:
        BillingPeriodOverlaps: another issued or held bill (or rebill) of the account covers
            days of ``period``.
        NotFound: the account has no billing profile.
    """
    profiles = uow.repository(BILLING_PROFILES)
    profile, version = profiles.get(AccountId(account_id))
    profiles.save(profile, version)
    covering = covering_bills(uow, account_id, period)
    for bill, days in covering:
        if not _replaces(uow, bill, bill_id):
            raise BillingPeriodOverlaps(account_id, bill.bill_id, bill.state, days)
    return covering[0][0] if covering else None


def publish_tariff(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    tariff: Tariff,
    actor: Actor,
    policy: AccessPolicy,
    clock: Clock,
    why: str,
) -> TariffDocument:
    """Store ``tariff`` as a new revision unless its latest revision is the same document.

    Changing the tariff archive (电价档案) is the billing auditor's alone
    (供电所农电营销工作管理制度 四(二)审核制度
    1: 其他人无权更改): ``actor`` is authorised for
    :data:`~powerretail.access.CHANGE_TARIFF_ARCHIVE` under ``policy`` first. The grant is stored
    in the audit log with the new revision; a refusal's record is stored on its own. Publishing
    the same document again changes nothing and stores nothing.

    Returns the revision now latest.

    Raises:
        PermissionDenied: ``policy`` does not let ``actor`` change the tariff archive (nothing
            is published; the refusal is audited).
        InvalidInput: ``why`` is blank.
    """
    try:
        with make_unit_of_work() as uow:
            authorize_in(
                uow,
                policy,
                actor,
                CHANGE_TARIFF_ARCHIVE,
                subject=f"tariff {tariff.code}",
                at=clock.now(),
                why=why,
            )
            documents = uow.repository(TARIFF_DOCUMENTS)
            try:
                latest: TariffDocument | None = latest_tariff(documents, tariff.code)
            except NotFound:
                latest = None
            revision = 1 if latest is None else latest.revision + 1
            candidate = TariffDocument.of(tariff, revision=revision)
            if latest is not None and latest.sha256 == candidate.sha256:
                return latest
            documents.add(candidate)
            uow.commit()
            return candidate
    except PermissionDenied as refused:
        store_refusal(make_unit_of_work, refused)
        raise


def cycle_key(account_id: str, period: DateRange, *, draft: int = 1) -> str:
    """Return the idempotency key of billing ``account_id`` for ``period`` (its ``draft``-th time).

    ``billing-cycle/{account}/{start}..{end}``; after a held bill of the period was discarded,
    the period is billed again under ``…#2`` (``#3`` after a second discard, …). A key longer
    than 128 characters (an account id over about 90) keeps the period and as much of the
    account id as fits, with the SHA-256 of the whole id
    (:func:`~powerretail.workflows._common.fitted_id`): ``billing-cycle~{account…}~{hash}/…``.

    >>> cycle_key("A-1", DateRange.month(2025, 7))
    'billing-cycle/A-1/2025-07-01..2025-08-01'
    >>> cycle_key("A-1", DateRange.month(2025, 7), draft=2)
    'billing-cycle/A-1/2025-07-01..2025-08-01#2'
    """
    tail = f"/{period.start.isoformat()}..{period.end}" + (f"#{draft}" if draft > 1 else "")
    return fitted_id("billing-cycle/", account_id, tail, long_head="billing-cycle~")


def unused_bill_id(uow: UnitOfWork, account_id: str, period: DateRange) -> BillId:
    """Return the id a new bill of ``account_id`` for ``period`` gets.

    :func:`~powerretail.workflows._common.bill_id_for` (``A-1-20250701``) unless a discarded
    bill has it: then ``A-1-20250701-2``, ``-3``, … — the first id no discarded bill has. A
    discarded bill stays stored as it is; its days are billed again under the next id.
    """
    base = bill_id_for(account_id, period)
    bills = uow.repository(BILLS)
    candidate, number = base, 1
    while (found := bills.find(candidate)) is not None and (
        found.entity.state is BillState.DISCARDED
    ):
        number += 1
        candidate = BillId(f"{base}-{number}")
    return candidate


def _cycle_draft(make_unit_of_work: UnitOfWorkFactory, account_id: str, period: DateRange) -> int:
    """Return the draft of the cycle's key to run under: past those whose bill was discarded."""
    draft = 1
    with make_unit_of_work() as uow:
        bills = uow.repository(BILLS)
        while True:
            record = recorded(
                uow.idempotency, "bill_account", cycle_key(account_id, period, draft=draft)
            )
            bill_id = None if record is None else record.result.get("bill_id")
            found = None if not isinstance(bill_id, str) else bills.find(BillId(bill_id))
            if found is None or found.entity.state is not BillState.DISCARDED:
                return draft
            draft += 1


def issue_and_charge(
    uow: UnitOfWork,
    *,
    draft: Bill,
    profile: BillingProfile,
    command: str,
    key: str,
    clock: Clock,
    issued_on: date,
    by: str,
    bounds: PlausibilityBounds | None,
    zone: str = DEFAULT_TIMEZONE,
) -> Bill:
    """Issue (or hold) ``draft``, store it, charge it to the receivable and announce it.

    The draft is held, never issued, when it breaks a bound — the profile's typical bill, the
    energy its capacity can deliver, its meters' registers, its own history — or is built on a
    read with a ``hold_bill`` finding (see ``workflows._plausibility``).

    Returns the stored bill.
    The event is ``command``'s under ``key`` (:func:`~powerretail.workflows._common.event_id`).
    """
    at = clock.now()
    facts = plausibility_facts(uow, profile=profile, bill=draft, zone=zone)
    bill, _record = issue(
        draft, on=issued_on, at=at, by=by, bounds=bounds, typical=profile.typical, facts=facts
    )
    uow.repository(BILLS).add(bill)
    payload: dict[str, JsonValue] = {
        "bill_id": bill.bill_id,
        "account_id": bill.account_id,
        "kind": bill.kind.value,
        "total": str(bill.total.amount),
        "currency": bill.currency,
        "period": [bill.period.start.isoformat(), str(bill.period.end)],
    }
    if bill.state is BillState.ISSUED:
        receivables = uow.repository(RECEIVABLES)
        receivable, version = receivables.get(profile.account_id)
        due = issued_on + timedelta(days=profile.due_days)
        if bill.total.amount > 0:
            charged = receivable.charge(bill.bill_id, bill.total, dated=due)
            receivables.save(charged, version)
            post_bill(uow, bill, before=receivable, after=charged, due=due, at=at)
        payload["content_hash"] = bill.content_hash
        payload["due_on"] = due.isoformat()
        event_type = "BillIssued"
    else:
        payload["findings"] = list(bill.findings)
        event_type = "BillHeld"
    announce(
        uow,
        command=command,
        key=key,
        kind=BILLS.kind,
        aggregate_id=bill.bill_id,
        event_type=event_type,
        payload=payload,
        at=at,
    )
    return bill


def _result(bill: Bill) -> dict[str, JsonValue]:
    result: dict[str, JsonValue] = {
        "bill_id": bill.bill_id,
        "account_id": bill.account_id,
        "state": bill.state.value,
        "total": str(bill.total.amount),
    }
    if bill.findings:
        result["findings"] = list(bill.findings)
    return result


def bill_account(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    account_id: str,
    period: DateRange,
    issued_on: date,
    by: str = "billing-cycle",
    bounds: PlausibilityBounds | None = None,
    engines: TariffEngines | None = None,
    zone: str = DEFAULT_TIMEZONE,
) -> dict[str, JsonValue]:
    """Bill one account for ``period`` once, and return ``{bill_id, account_id, state, total}``.

    A held bill's result also has ``findings``: every bound it broke and every VEE finding that
    holds it, each naming its rule.

    Runs under :func:`cycle_key`, whose payload is the account and the period: a second call
    returns the stored result (the bill of the first run stands, whatever ``issued_on`` says).
    When another command (a move-out's final bill) already billed exactly ``period``, that bill
    is the result. When the stored result's bill was discarded (a held bill), the period is
    billed again under the key's next draft (``…#2``) with a new bill id
    (:func:`unused_bill_id`: ``A-1-20250701-2``).

    Raises:
        ReadsMissing: the reads are not stored yet (nothing is recorded; call again later).
        BillingPeriodOverlaps: another bill of the account covers some days of ``period``
            (nothing is recorded).
        CommandRefused: the bill could not be made (a bad tariff or reads); stored.
    """
    engines = engines if engines is not None else TariffEngines()
    key = cycle_key(account_id, period, draft=_cycle_draft(make_unit_of_work, account_id, period))

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        bill_id = unused_bill_id(uow, account_id, period)
        billed = claim_period(uow, account_id=account_id, period=period, bill_id=bill_id)
        if billed is not None:  # this period's bill (or its rebill), made under another key
            return _result(billed)
        profile = uow.repository(BILLING_PROFILES).get(AccountId(account_id)).entity
        draft = draft_bill(
            uow, profile=profile, period=period, engines=engines, bill_id=bill_id, zone=zone
        )
        bill = issue_and_charge(
            uow,
            draft=draft,
            profile=profile,
            command="bill_account",
            key=key,
            clock=clock,
            issued_on=issued_on,
            by=by,
            bounds=bounds,
            zone=zone,
        )
        return _result(bill)

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="bill_account",
        payload={"account_id": account_id, "period": [period.start.isoformat(), str(period.end)]},
        action=action,
        unrecorded=(BillingPeriodOverlaps,),
    )


class Outcome(enum.Enum):
    """What the cycle did with one account."""

    ISSUED = "issued"
    HELD = "held"
    WAITING = "waiting"  # reads, a meter or the tariff missing: billed on a later run
    REFUSED = "refused"


@attrs.frozen(kw_only=True)
class AccountOutcome:
    """One account's outcome: the bill made (if any) or why not (held: the bill's findings)."""

    account_id: str
    outcome: Outcome
    bill_id: str | None = None
    total: str | None = None
    reason: str = ""


@attrs.frozen(kw_only=True)
class CycleProgress:
    """Reported after each account: how far the cycle is and what happened to the account."""

    done: int
    total: int
    account: AccountOutcome


@attrs.frozen(kw_only=True)
class CycleReport:
    """What a billing cycle did, account by account."""

    period: DateRange
    outcomes: tuple[AccountOutcome, ...]

    def of(self, outcome: Outcome) -> tuple[AccountOutcome, ...]:
        """Return the accounts that ended with ``outcome``."""
        return tuple(o for o in self.outcomes if o.outcome is outcome)

    @property
    def bill_ids(self) -> tuple[str, ...]:
        """The bills issued or held in this cycle (including those of an earlier, crashed run)."""
        return tuple(o.bill_id for o in self.outcomes if o.bill_id is not None)

    def summary(self) -> str:
        """Return one line: how many accounts ended each way."""
        counts = ", ".join(f"{len(self.of(o))} {o.value}" for o in Outcome)
        return f"billing cycle {self.period.start}..{self.period.end}: {counts}"


def _account_ids(make_unit_of_work: UnitOfWorkFactory) -> tuple[AccountId, ...]:
    with make_unit_of_work() as uow:
        return uow.repository(BILLING_PROFILES).keys(active=True)


def run_billing_cycle(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    period: DateRange,
    issued_on: date,
    accounts: Sequence[str] | None = None,
    progress: Callable[[CycleProgress], None] | None = None,
    by: str = "billing-cycle",
    bounds: PlausibilityBounds | None = None,
    zone: str = DEFAULT_TIMEZONE,
) -> CycleReport:
    """Bill every active account (or ``accounts``) for ``period``, one unit of work each.

    Re-running a cycle — after a crash, or once missing reads arrived — bills only what is not
    billed yet; accounts already billed report their stored bill.

    Raises:
        InvalidInput: an open-ended period.
    """
    if period.end is None:
        raise InvalidInput("period", period, "a closed billing period")
    ids = tuple(accounts) if accounts is not None else _account_ids(make_unit_of_work)
    engines = TariffEngines()
    outcomes: list[AccountOutcome] = []
    for done, account_id in enumerate(ids, start=1):
        try:
            result = bill_account(
                make_unit_of_work,
                clock=clock,
                account_id=account_id,
                period=period,
                issued_on=issued_on,
                by=by,
                bounds=bounds,
                engines=engines,
                zone=zone,
            )
        except ReadsMissing as err:
            outcome = AccountOutcome(
                account_id=account_id, outcome=Outcome.WAITING, reason=err.what
            )
        except NotFound as err:  # a tariff or meter not stored yet: nothing recorded
            outcome = AccountOutcome(
                account_id=account_id, outcome=Outcome.WAITING, reason=str(err)
            )
        except BillingPeriodOverlaps as err:
            outcome = AccountOutcome(
                account_id=account_id, outcome=Outcome.REFUSED, reason=str(err)
            )
        except CommandRefused as err:
            outcome = AccountOutcome(
                account_id=account_id, outcome=Outcome.REFUSED, reason=f"{err.error}: {err.message}"
            )
        except (InvalidInput, RuleViolation, ConcurrencyConflict) as err:
            # This account's data (an id no key or bill can carry) or other writers kept
            # winning: the account is refused, named, and the cycle goes on with the others.
            outcome = AccountOutcome(
                account_id=account_id,
                outcome=Outcome.REFUSED,
                reason=f"account {describe_value(account_id)} not billed: {err}",
            )
        else:
            state = str(result["state"])
            held = result.get("findings")
            outcome = AccountOutcome(
                account_id=account_id,
                outcome=Outcome.ISSUED if state == BillState.ISSUED.value else Outcome.HELD,
                bill_id=str(result["bill_id"]),
                total=str(result["total"]),
                reason="; ".join(str(f) for f in held) if isinstance(held, list) else "",
            )
        outcomes.append(outcome)
        if progress is not None:
            progress(CycleProgress(done=done, total=len(ids), account=outcome))
    return CycleReport(period=period, outcomes=tuple(outcomes))
