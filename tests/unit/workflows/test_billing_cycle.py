"""The billing cycle: reads → determinants → bill, held when implausible, resumable."""

from __future__ import annotations

from datetime import date

import attrs
import pendulum
import pytest

from powerretail.access import CHANGE_TARIFF_ARCHIVE, SEED_POLICY, Actor, Decision, PermissionDenied
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.adapters.tariff_library import load_shipped
from powerretail.billing.bill import BillState
from powerretail.billing.lifecycle import verify
from powerretail.cli.demo import bill_customers, load_demo_customers, load_sample_book
from powerretail.errors import InvalidInput
from powerretail.ids import AccountId, BillId
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLING_PROFILES, BILLS
from powerretail.repositories.commands import CommandRefused
from powerretail.repositories.payments import RECEIVABLES
from powerretail.repositories.tariffs import TARIFF_DOCUMENTS, TariffDocument
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.tariffs.model import Tariff
from powerretail.timeframe import DateRange
from powerretail.workflows.billing_cycle import (
    CycleProgress,
    Outcome,
    bill_account,
    publish_tariff,
    run_billing_cycle,
)
from powerretail.workflows.corrections import release_held_bill
from powerretail.workflows.reads import submit_reads
from tests.unit.workflows.conftest import AUDITOR, CLERK, JULY, open_account, reads

ISSUED_ON = date(2025, 8, 1)
ISSUED_AT = pendulum.datetime(2025, 8, 1, 9, tz="Asia/Shanghai")


def all_bills(make_unit_of_work: UnitOfWorkFactory) -> list[str]:
    with make_unit_of_work() as uow:
        return list(uow.repository(BILLS).keys())


class TestTheCycle:
    def test_bills_the_samples_from_the_store_exactly_as_from_their_usage(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        customers = load_demo_customers()
        load_sample_book(store.unit_of_work, clock=clock, customers=customers)

        report = run_billing_cycle(
            store.unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON
        )

        assert len(report.of(Outcome.ISSUED)) == 4
        expected = {bill.account_id: bill.lines for bill in bill_customers(customers)}
        with store.unit_of_work() as uow:
            for bill_id in report.bill_ids:
                bill = uow.repository(BILLS).get(BillId(bill_id)).entity
                verify(bill)
                assert bill.lines == expected[bill.account_id]

    def test_reports_progress_after_every_account(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        seen: list[CycleProgress] = []

        run_billing_cycle(book, clock=clock, period=JULY, issued_on=ISSUED_ON, progress=seen.append)

        assert [(p.done, p.total, p.account.outcome) for p in seen] == [(1, 1, Outcome.ISSUED)]

    def test_charges_the_issued_bill_to_the_receivable_and_announces_it(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        report = run_billing_cycle(book, clock=clock, period=JULY, issued_on=ISSUED_ON)

        (outcome,) = report.outcomes
        with book() as uow:
            receivable = uow.repository(RECEIVABLES).get(AccountId("A-1")).entity
            events = uow.outbox.events_for(BILLS.kind, "A-1-20250701")
        assert receivable.owed == Money(outcome.total or "0")
        assert receivable.reconciles
        assert [e.event_type for e in events] == ["BillIssued"]
        assert events[0].payload["due_on"] == "2025-08-16"

    def test_a_second_run_bills_nothing_twice(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        first = run_billing_cycle(book, clock=clock, period=JULY, issued_on=ISSUED_ON)

        again = run_billing_cycle(book, clock=clock, period=JULY, issued_on=ISSUED_ON)

        assert again.outcomes == first.outcomes
        assert all_bills(book) == ["A-1-20250701"]
        with book() as uow:
            assert len(uow.outbox.unpublished(limit=1000)) == 2  # moved in, bill issued

    def test_an_account_without_its_end_reads_waits_and_is_billed_once_they_arrive(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        open_account(store.unit_of_work, clock)

        waiting = run_billing_cycle(
            store.unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON
        )
        submit_reads(
            store.unit_of_work, clock=clock, reads=reads("M-A-1", JULY.end, ("1100", "2200", "560"))
        )
        billed = run_billing_cycle(
            store.unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON
        )

        assert [o.outcome for o in waiting.outcomes] == [Outcome.WAITING]
        assert "no flat read of meter M-A-1" in waiting.outcomes[0].reason
        assert [o.outcome for o in billed.outcomes] == [Outcome.ISSUED]

    def test_an_account_without_any_start_read_waits(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        open_account(store.unit_of_work, clock, start_day=date(2025, 7, 2))
        submit_reads(
            store.unit_of_work, clock=clock, reads=reads("M-A-1", JULY.end, ("1100", "2200", "560"))
        )

        report = run_billing_cycle(
            store.unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON
        )

        assert "at or before" in report.outcomes[0].reason

    def test_an_implausible_bill_is_held_and_released_after_review(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        open_account(store.unit_of_work, clock, typical=Money("10.00"))
        submit_reads(
            store.unit_of_work, clock=clock, reads=reads("M-A-1", JULY.end, ("1100", "2200", "560"))
        )

        report = run_billing_cycle(
            store.unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON
        )
        released = release_held_bill(
            store.unit_of_work,
            clock=clock,
            key="review-1",
            bill_id="A-1-20250701",
            on=date(2025, 8, 2),
            actor=AUDITOR,
            policy=SEED_POLICY,
            why="new machinery, confirmed by phone",
        )

        assert [o.outcome for o in report.outcomes] == [Outcome.HELD]
        assert "1 held" in report.summary()
        assert released["state"] == BillState.ISSUED.value
        with store.unit_of_work() as uow:
            receivable = uow.repository(RECEIVABLES).get(AccountId("A-1")).entity
        assert str(receivable.owed.amount) == released["total"]

    def test_an_account_whose_tariff_is_missing_waits(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        open_account(store.unit_of_work, clock)
        with store.unit_of_work() as uow:
            profiles = uow.repository(BILLING_PROFILES)
            profile, version = profiles.get(AccountId("A-1"))
            profiles.save(attrs.evolve(profile, tariff_code="NONE"), version)
            uow.commit()

        report = run_billing_cycle(
            store.unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON
        )

        assert report.outcomes[0].outcome is Outcome.WAITING
        assert "NONE" in report.outcomes[0].reason

    def test_a_bill_that_cannot_be_made_is_refused_and_stays_refused(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        open_account(store.unit_of_work, clock, opened_on=date(2025, 8, 1))
        submit_reads(
            store.unit_of_work, clock=clock, reads=reads("M-A-1", JULY.end, ("1100", "2200", "560"))
        )

        report = run_billing_cycle(
            store.unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON, accounts=["A-1"]
        )

        assert report.outcomes[0].outcome is Outcome.REFUSED
        with pytest.raises(CommandRefused):
            bill_account(
                store.unit_of_work, clock=clock, account_id="A-1", period=JULY, issued_on=ISSUED_ON
            )

    def test_an_open_ended_period_is_refused(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        with pytest.raises(InvalidInput, match="closed billing period"):
            run_billing_cycle(book, clock=clock, period=DateRange(JULY.start), issued_on=ISSUED_ON)


def publish(store: MemoryStore, tariff: Tariff, actor: Actor = AUDITOR) -> TariffDocument:
    return publish_tariff(
        store.unit_of_work,
        tariff=tariff,
        actor=actor,
        policy=SEED_POLICY,
        clock=FixedClock(ISSUED_AT),
        why="price notice 426",
    )


class TestPublishTariff:
    def test_stores_a_new_revision_only_when_the_document_changes(self, store: MemoryStore) -> None:
        tariff = load_shipped("GD-CI-TOU")
        first = publish(store, tariff)
        same = publish(store, tariff)
        changed = publish(store, attrs.evolve(tariff, name_en=tariff.name_en + " (corrected)"))

        assert (first.revision, same.revision, changed.revision) == (1, 1, 2)
        with store.unit_of_work() as uow:
            assert len(uow.repository(TARIFF_DOCUMENTS).keys(code="GD-CI-TOU")) == 2

    def test_only_the_billing_auditor_publishes_and_the_grant_is_stored(
        self, store: MemoryStore
    ) -> None:
        # Before the fix anyone could publish: publish_tariff took no actor at all.
        tariff = load_shipped("GD-CI-TOU")

        with pytest.raises(PermissionDenied, match=r'"clerk" .* no role grants it'):
            publish(store, tariff, actor=CLERK)
        published = publish(store, tariff)

        assert published.revision == 1
        with store.unit_of_work() as uow:
            audit = uow.audit.records(operation=CHANGE_TARIFF_ARCHIVE)
        assert [(r.actor, r.decision, r.subject) for r in audit] == [
            ("clerk", Decision.REFUSED, "tariff GD-CI-TOU"),
            ("auditor", Decision.GRANTED, "tariff GD-CI-TOU"),
        ]
        assert audit[1].granted_by == "billing_auditor"

    def test_a_refused_publication_stores_nothing_but_its_audit_record(
        self, store: MemoryStore
    ) -> None:
        with pytest.raises(PermissionDenied):
            publish(store, load_shipped("GD-CI-TOU"), actor=CLERK)

        with store.unit_of_work() as uow:
            assert uow.repository(TARIFF_DOCUMENTS).keys() == ()
            assert len(uow.audit.records()) == 1

    def test_publishing_the_same_document_again_stores_no_second_grant(
        self, store: MemoryStore
    ) -> None:
        tariff = load_shipped("GD-CI-TOU")
        publish(store, tariff)
        publish(store, tariff)

        with store.unit_of_work() as uow:
            assert len(uow.audit.records()) == 1
