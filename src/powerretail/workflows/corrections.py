"""Correct an issued bill (credit note and rebill), and release a held bill after review.

:func:`correct_bill` re-bills the period from what is stored now (corrected reads, a corrected
tariff revision, corrected account facts) and corrects the original through the billing
lifecycle (:func:`~powerretail.billing.lifecycle.correct`): the original is marked reversed with
its content and hash unchanged (R5), a credit note reverses every line, and a rebill charges the
corrected data. The receivable is credited with the credit note and charged with the rebill; the
unit of work announces ``BillCorrected``. It runs once per idempotency key.

Both commands are sensitive: the ``actor`` is authorised under ``policy``
(:data:`~powerretail.access.CORRECT_BILL`, :data:`~powerretail.access.RELEASE_HELD_BILL`), for
a magnitude of the correction's net amount or the held bill's total [元], before anything is
stored. The grant is stored in the audit log with the command's writes; a refusal is stored as
the command's outcome and its audit record in the audit log, and nothing else changes.
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs

from powerretail.access import CORRECT_BILL, RELEASE_HELD_BILL, AccessPolicy, Actor
from powerretail.billing.bill import BillState
from powerretail.billing.determinants import AccountFacts
from powerretail.billing.lifecycle import PlausibilityBounds, correct, release
from powerretail.ids import AccountId, BillId
from powerretail.repositories.audit import authorize_in
from powerretail.repositories.billing import BILLING_PROFILES, BILLS
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import command_payload, run_idempotent
from powerretail.repositories.payments import RECEIVABLES
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.timeframe import DEFAULT_TIMEZONE
from powerretail.workflows._common import TariffEngines, announce, draft_bill
from powerretail.workflows._plausibility import plausibility_facts
from powerretail.workflows.ledger import post_bill, post_credit_note

__all__ = ["correct_bill", "release_held_bill"]


def correct_bill(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    bill_id: str,
    on: date,
    actor: Actor,
    policy: AccessPolicy,
    why: str,
    facts: AccountFacts | None = None,
    bounds: PlausibilityBounds | None = None,
    zone: str = DEFAULT_TIMEZONE,
) -> dict[str, JsonValue]:
    """Correct issued bill ``bill_id`` from the data stored now, once for ``key``.

    ``facts`` replaces the account's billing facts for the rebill (and from now on) when the
    mistake was in them. The credit note is ``{bill_id}-CN`` and the rebill ``{bill_id}-R``.
    ``actor`` must hold :data:`~powerretail.access.CORRECT_BILL` for the net amount. The whole
    command (bill, day, actor, reason, facts, bounds, zone) is what the key stands for: the same
    key with any of them different is an idempotency conflict.
    Returns ``{original, credit_note, rebill, rebill_state, net}``.

    Raises:
        CommandRefused: the actor may not correct bills (or not by this much), the bill is a
            credit note, or not issued (already corrected) — stored.
        IdempotencyConflict: ``key`` was used for another command or another correction.
        NotFound: no such bill (nothing stored).
    """

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        bills = uow.repository(BILLS)
        original, version = bills.get(BillId(bill_id))
        profiles = uow.repository(BILLING_PROFILES)
        profile, profile_version = profiles.get(AccountId(original.account_id))
        new_facts = facts is not None and facts != profile.facts
        if facts is not None and new_facts:
            profile = attrs.evolve(profile, facts=facts)
        corrected = draft_bill(
            uow,
            profile=profile,
            period=original.period,
            engines=TariffEngines(),
            bill_id=f"{bill_id}-R",
            zone=zone,
        )
        at = clock.now()
        correction = correct(
            original,
            corrected,
            credit_note_id=f"{bill_id}-CN",
            rebill_id=f"{bill_id}-R",
            on=on,
            at=at,
            by=actor.id,
            why=why,
            bounds=bounds,
            typical=profile.typical,
            facts=plausibility_facts(uow, profile=profile, bill=corrected, zone=zone),
        )
        authorize_in(
            uow,
            policy,
            actor,
            CORRECT_BILL,
            subject=f"bill {bill_id}",
            at=at,
            why=why,
            magnitude=abs(correction.net.amount),
        )
        if new_facts:
            profiles.save(profile, profile_version)
        bills.save(correction.original, version)
        bills.add(correction.credit_note)
        bills.add(correction.rebill)
        receivables = uow.repository(RECEIVABLES)
        receivable, receivable_version = receivables.get(profile.account_id)
        credit = -correction.credit_note.total
        if credit.amount > 0:
            before, receivable = receivable, receivable.credit_note(bill_id, credit)
            post_credit_note(
                uow,
                correction.credit_note,
                corrects=bill_id,
                before=before,
                after=receivable,
                at=at,
                dated=on,
            )
        rebill = correction.rebill
        if rebill.state is BillState.ISSUED and rebill.total.amount > 0:
            due = on + timedelta(days=profile.due_days)
            before, receivable = (
                receivable,
                receivable.charge(rebill.bill_id, rebill.total, dated=due),
            )
            post_bill(uow, rebill, before=before, after=receivable, due=due, at=at)
        receivables.save(receivable, receivable_version)
        result: dict[str, JsonValue] = {
            "original": bill_id,
            "credit_note": correction.credit_note.bill_id,
            "rebill": rebill.bill_id,
            "rebill_state": rebill.state.value,
            "net": str(correction.net.amount),
        }
        announce(
            uow,
            command="correct_bill",
            key=key,
            kind=BILLS.kind,
            aggregate_id=bill_id,
            event_type="BillCorrected",
            payload={
                **result,
                "why": why,
                "by": actor.id,
                "account_id": profile.account_id,
            },
            at=at,
        )
        return result

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="correct_bill",
        payload=command_payload(
            bill_id=bill_id,
            on=on,
            actor=actor.id,
            why=why,
            facts=facts,
            bounds=bounds,
            zone=zone,
        ),
        action=action,
    )


def release_held_bill(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    bill_id: str,
    on: date,
    actor: Actor,
    policy: AccessPolicy,
    why: str,
) -> dict[str, JsonValue]:
    """Issue held bill ``bill_id`` after review and charge it, once for ``key``.

    ``actor`` must hold :data:`~powerretail.access.RELEASE_HELD_BILL` for the bill's total.
    Returns ``{bill_id, state, total}``.

    Raises:
        CommandRefused: the actor may not release held bills (or not this large), the bill is
            not held, or no reason is given (stored).
        NotFound: no such bill.
    """

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        bills = uow.repository(BILLS)
        held, version = bills.get(BillId(bill_id))
        at = clock.now()
        bill, _record = release(held, on=on, at=at, by=actor.id, why=why)
        authorize_in(
            uow,
            policy,
            actor,
            RELEASE_HELD_BILL,
            subject=f"bill {bill_id}",
            at=at,
            why=why,
            magnitude=abs(held.total.amount),
        )
        bills.save(bill, version)
        profile = uow.repository(BILLING_PROFILES).get(AccountId(bill.account_id)).entity
        due = on + timedelta(days=profile.due_days)
        if bill.total.amount > 0:
            receivables = uow.repository(RECEIVABLES)
            receivable, receivable_version = receivables.get(profile.account_id)
            charged = receivable.charge(bill.bill_id, bill.total, dated=due)
            receivables.save(charged, receivable_version)
            post_bill(uow, bill, before=receivable, after=charged, due=due, at=at)
        result: dict[str, JsonValue] = {
            "bill_id": bill.bill_id,
            "state": bill.state.value,
            "total": str(bill.total.amount),
        }
        announce(
            uow,
            command="release_held_bill",
            key=key,
            kind=BILLS.kind,
            aggregate_id=bill_id,
            event_type="BillIssued",
            payload={**result, "due_on": due.isoformat(), "why": why, "by": actor.id},
            at=at,
        )
        return result

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="release_held_bill",
        payload={"bill_id": bill_id, "on": on.isoformat(), "actor": actor.id, "why": why},
        action=action,
    )
