"""The aggregates of the domain: receivables, stored contracts, tariff documents, read keys."""

from __future__ import annotations

from datetime import date

import attrs
import pendulum
import pytest
from hypothesis import given, settings

from powerretail.adapters.memory import MemoryStore
from powerretail.adapters.tariff_library import load_shipped
from powerretail.collections.allocation import AllocationOrder, ItemKind
from powerretail.contracts.lifecycle import ContractState, submit_for_review
from powerretail.errors import InvalidInput, NotFound
from powerretail.metering.meters import RegisterKind
from powerretail.quantities import Money
from powerretail.repositories.billing import BillingProfile
from powerretail.repositories.contracts import CONTRACTS, StoredContract
from powerretail.repositories.metering import read_key
from powerretail.repositories.payments import NothingToWriteOff, Receivable
from powerretail.repositories.tariffs import TARIFF_DOCUMENTS, TariffDocument, latest_tariff
from powerretail.testing.entities import stored_contracts

DAY = date(2025, 8, 16)


def owing(*amounts: str) -> Receivable:
    receivable = Receivable.open(account_id="A-1", customer_id="C-1")
    for index, amount in enumerate(amounts, start=1):
        receivable = receivable.charge(f"B-{index}", Money(amount), dated=date(2025, index, 1))
    return receivable


class TestReceivable:
    def test_charges_become_open_items_and_reconcile(self) -> None:
        receivable = owing("100.00", "50.00")

        assert receivable.owed == Money("150.00")
        assert receivable.issued == Money("150.00")
        assert receivable.reconciles

    def test_a_zero_charge_changes_nothing(self) -> None:
        receivable = owing("100.00")

        assert receivable.charge("B-9", Money("0.00"), dated=DAY) == receivable

    def test_a_negative_charge_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match="amount"):
            owing().charge("B-1", Money("-1.00"), dated=DAY)

    def test_a_payment_settles_the_oldest_first_and_keeps_the_rest_as_credit(self) -> None:
        receivable, allocation = owing("100.00", "50.00").receive(
            Money("120.00"), paid_on=DAY, order=AllocationOrder.PRINCIPAL_FIRST
        )

        assert [(p.bill_id, p.amount) for p in allocation.allocations] == [
            ("B-1", Money("100.00")),
            ("B-2", Money("20.00")),
        ]
        assert receivable.item("B-1") is None
        assert receivable.owed == Money("30.00")
        assert receivable.credit.is_zero()
        assert receivable.reconciles

    def test_credit_is_applied_to_the_next_charge(self) -> None:
        receivable, _ = owing("10.00").receive(Money("25.00"), paid_on=DAY)

        charged = receivable.charge("B-2", Money("40.00"), dated=DAY)

        assert charged.credit.is_zero()
        assert charged.owed == Money("25.00")
        assert charged.reconciles

    def test_a_credit_note_settles_the_bill_and_the_excess_becomes_credit(self) -> None:
        receivable, _ = owing("100.00").receive(Money("60.00"), paid_on=DAY)

        credited = receivable.credit_note("B-1", Money("100.00"))

        assert credited.item("B-1") is None
        assert credited.credit == Money("60.00")
        assert credited.reconciles

    def test_a_credit_note_of_a_settled_bill_is_all_credit(self) -> None:
        credited = owing().credit_note("B-7", Money("5.00"))

        assert credited.credit == Money("5.00")
        assert credited.reconciles

    def test_a_credit_note_must_be_above_zero(self) -> None:
        with pytest.raises(InvalidInput):
            owing("1.00").credit_note("B-1", Money("0.00"))

    def test_a_write_off_reduces_the_item(self) -> None:
        written = owing("100.00").write_off("B-1", Money("40.00"))

        assert written.owed == Money("60.00")
        assert written.written_off == Money("40.00")
        assert written.reconciles

    def test_a_write_off_beyond_the_item_is_refused(self) -> None:
        with pytest.raises(NothingToWriteOff, match=r"owes 10\.00"):
            owing("10.00").write_off("B-1", Money("11.00"))
        with pytest.raises(NothingToWriteOff, match=r"owes 0\.00"):
            owing().write_off("B-1", Money("1.00"))

    def test_late_fees_are_items_of_their_own(self) -> None:
        receivable = owing("10.00").charge("B-1", Money("1.00"), dated=DAY, kind=ItemKind.LATE_FEE)

        assert receivable.item("B-1", ItemKind.LATE_FEE) is not None
        assert receivable.owed == Money("11.00")


class TestTariffDocuments:
    def test_a_document_reads_back_to_the_tariff(self) -> None:
        tariff = load_shipped("JS-RES-TOU")

        document = TariffDocument.of(tariff, revision=2)

        assert document.document_id == "JS-RES-TOU@2"
        assert document.tariff() == tariff

    def test_the_latest_revision_is_the_highest(self) -> None:
        store = MemoryStore()
        tariff = load_shipped("GD-CI-TOU")
        with store.unit_of_work() as uow:
            for revision in (1, 3, 2):
                uow.repository(TARIFF_DOCUMENTS).add(TariffDocument.of(tariff, revision))
            uow.commit()
        with store.unit_of_work() as uow:
            assert latest_tariff(uow.repository(TARIFF_DOCUMENTS), "GD-CI-TOU").revision == 3
            with pytest.raises(NotFound):
                latest_tariff(uow.repository(TARIFF_DOCUMENTS), "NONE")

    def test_a_revision_below_one_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match="revision"):
            TariffDocument.of(load_shipped("GD-CI-TOU"), revision=0)


class TestReadKey:
    def test_names_the_instant_in_utc(self) -> None:
        at = pendulum.datetime(2025, 7, 1, tz="Asia/Shanghai")

        assert read_key("M-1", RegisterKind.VALLEY, at) == "M-1/valley/2025-06-30T16:00:00+00:00"


class TestStoredContract:
    @settings(max_examples=5)
    @given(stored_contracts())
    def test_keeps_the_history_as_plain_records_and_restores_it(
        self, drawn: StoredContract
    ) -> None:
        draft = attrs.evolve(drawn.contract_with_history(), history=(), state=ContractState.DRAFT)
        contract = submit_for_review(draft, at=pendulum.datetime(2025, 3, 1, tz="UTC"), by="sales")

        stored = StoredContract.of(contract)

        assert stored.history[0].source == "draft"
        assert CONTRACTS.decode(CONTRACTS.encode(stored)).contract_with_history() == contract


class TestBillingProfile:
    def test_refuses_negative_due_days(self) -> None:
        with pytest.raises(InvalidInput, match="due_days"):
            BillingProfile(
                account_id="A-1", customer_id="C-1", tariff_code="X", meter_ids=(), due_days=-1
            )
