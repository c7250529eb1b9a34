"""A change of name (过户) refused: the old holder still owes, a permission is missing, a deposit
the 2024 rules do not allow; each refusal names its rule, is stored, and changes nothing else.

The book is the golden one (``tests/golden/workflows/test_transfer_of_account.py``): account
A-1 of C-1 passes to C-2 on 15 July 2026.
"""

from __future__ import annotations

from datetime import date

import attrs
import pendulum
import pytest

from powerretail.access import SEED_POLICY, Actor
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.contracts.lifecycle import ContractState, sign
from powerretail.errors import InvalidInput
from powerretail.ids import AccountId, BillId, ContractId
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLS
from powerretail.repositories.commands import CommandRefused
from powerretail.repositories.contracts import CONTRACTS, StoredContract
from powerretail.repositories.customers import ACCOUNTS
from powerretail.repositories.payments import RECEIVABLES
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.service.kinds import CaseState
from powerretail.workflows.change_of_use import (
    DepositAtTransfer,
    TransferTerms,
    carry_out_change_of_use,
)
from powerretail.workflows.collections import refund_deposit
from powerretail.workflows.payments import post_payment
from powerretail.workflows.service import load_case
from tests.golden.workflows.test_transfer_of_account import (
    BOSS,
    CLERK,
    DONE_AT,
    MANAGER,
    ON,
    a_book,
    approved_transfer,
    ready_to_sign,
    terms,
)
from tests.unit.workflows.conftest import reads


def carry_out(
    make: UnitOfWorkFactory,
    clock: FixedClock,
    *,
    actor: Actor = MANAGER,
    signatory: Actor | None = BOSS,
    transfer: TransferTerms | None = None,
    at: pendulum.DateTime = DONE_AT,
) -> None:
    carry_out_change_of_use(
        make,
        clock=clock,
        case_id="K-1",
        on=ON,
        policy=SEED_POLICY,
        actor=actor,
        at=at,
        transfer=transfer or terms(DepositAtTransfer.REFUND),
        signatory=signatory,
    )


@pytest.fixture
def approved() -> tuple[UnitOfWorkFactory, FixedClock]:
    make = MemoryStore().unit_of_work
    clock = a_book(make)
    approved_transfer(make, clock)
    return make, clock


def assert_nothing_changed(make: UnitOfWorkFactory) -> None:
    with make() as uow:
        assert uow.repository(ACCOUNTS).get(AccountId("A-1")).entity.closed_on is None
        assert uow.repository(ACCOUNTS).find(AccountId("A-2")) is None
        assert uow.repository(BILLS).find(BillId("A-1-20260701")) is None
        assert uow.repository(RECEIVABLES).get(AccountId("A-1")).entity.deposit == Money("500.00")
        contract = uow.repository(CONTRACTS).get(ContractId("CT-1")).entity.contract
        assert contract.state is ContractState.ACTIVE
        assert uow.repository(CONTRACTS).find(ContractId("CT-2")) is None
    assert load_case(make, "K-1").state is CaseState.APPROVED


def owe(make: UnitOfWorkFactory, amount: str) -> None:
    with make() as uow:
        found, version = uow.repository(RECEIVABLES).get(AccountId("A-1"))
        charged = found.charge("A-1-20260601", Money(amount), dated=date(2026, 6, 30))
        uow.repository(RECEIVABLES).save(charged, version)
        uow.commit()


class TestTheOldHolderSettlesFirst:
    def test_arrears_refuse_the_transfer_naming_article_29(
        self, approved: tuple[UnitOfWorkFactory, FixedClock]
    ) -> None:
        make, clock = approved
        owe(make, "250.00")

        with pytest.raises(CommandRefused) as refused:
            carry_out(make, clock)

        message = str(refused.value)
        assert "TransferNotSettled" in message
        assert "250.00 CNY is still owed" in message
        assert "《供电营业规则》(2024), article not verified; as 1996 第二十九条第二项" in message
        assert "原用户应与供电企业结清债务" in message
        assert_nothing_changed(make)

    def test_once_paid_the_same_case_is_carried_out(
        self, approved: tuple[UnitOfWorkFactory, FixedClock]
    ) -> None:
        make, clock = approved
        owe(make, "250.00")
        with pytest.raises(CommandRefused):
            carry_out(make, clock)
        post_payment(
            make,
            clock=clock,
            key="pay-1",
            account_id="A-1",
            amount=Money("250.00"),
            received_on=date(2026, 7, 14),
        )

        carry_out(make, clock, at=DONE_AT.add(hours=1))

        assert load_case(make, "K-1").state is CaseState.CARRIED_OUT
        with make() as uow:
            assert uow.repository(ACCOUNTS).get(AccountId("A-2")).entity.customer_id == "C-2"


class TestPermissions:
    def test_a_clerk_may_not_carry_out_a_transfer_and_the_refusal_is_audited(
        self, approved: tuple[UnitOfWorkFactory, FixedClock]
    ) -> None:
        make, clock = approved
        with pytest.raises(CommandRefused, match="carry_out_transfer"):
            carry_out(make, clock, actor=CLERK)
        with make() as uow:
            records = uow.audit.records(operation="carry_out_transfer")
        assert [(r.actor, r.decision.value) for r in records] == [("clerk-1", "refused")]
        assert_nothing_changed(make)

    def test_a_signatory_without_sign_contract_is_refused_and_audited(
        self, approved: tuple[UnitOfWorkFactory, FixedClock]
    ) -> None:
        make, clock = approved
        with pytest.raises(CommandRefused, match="sign_contract"):
            carry_out(make, clock, signatory=CLERK)
        with make() as uow:
            records = uow.audit.records(operation="sign_contract")
        assert [(r.actor, r.decision.value) for r in records][-1] == ("clerk-1", "refused")
        assert_nothing_changed(make)

    def test_a_new_contract_without_a_signatory_is_refused(
        self, approved: tuple[UnitOfWorkFactory, FixedClock]
    ) -> None:
        make, clock = approved
        with pytest.raises(CommandRefused, match="signatory"):
            carry_out(make, clock, signatory=None)
        assert_nothing_changed(make)


class TestTerms:
    def test_a_deposit_moved_without_a_contract_clause_is_refused_under_the_2024_rules(
        self, approved: tuple[UnitOfWorkFactory, FixedClock]
    ) -> None:
        make, clock = approved
        with pytest.raises(CommandRefused, match=r"2024 revision.*removed the electricity-charge"):
            carry_out(make, clock, transfer=terms(DepositAtTransfer.TRANSFER, None))
        assert_nothing_changed(make)

    def test_a_transfer_without_terms_is_refused(
        self, approved: tuple[UnitOfWorkFactory, FixedClock]
    ) -> None:
        make, clock = approved
        with pytest.raises(CommandRefused, match="TransferTerms"):
            carry_out_change_of_use(
                make,
                clock=clock,
                case_id="K-1",
                on=ON,
                policy=SEED_POLICY,
                actor=MANAGER,
                at=DONE_AT,
            )
        assert_nothing_changed(make)

    def test_the_old_contract_must_be_the_old_holders(
        self, approved: tuple[UnitOfWorkFactory, FixedClock]
    ) -> None:
        make, clock = approved
        other = sign(
            ready_to_sign("CT-9", "C-3"),
            signatory=BOSS,
            policy=SEED_POLICY,
            number="GD-2026-00009",
            at=DONE_AT,
            why="another customer's contract",
        )
        with make() as uow:
            uow.repository(CONTRACTS).add(StoredContract.of(other))
            uow.commit()
        wrong = attrs.evolve(terms(DepositAtTransfer.REFUND), ends_contract=ContractId("CT-9"))
        with pytest.raises(CommandRefused, match="a contract of C-1"):
            carry_out(make, clock, transfer=wrong)
        assert_nothing_changed(make)

    def test_the_new_contract_must_be_the_new_holders(
        self, approved: tuple[UnitOfWorkFactory, FixedClock]
    ) -> None:
        make, clock = approved
        wrong = TransferTerms(
            new_account_id="A-2",
            final_reads=terms(DepositAtTransfer.REFUND).final_reads,
            new_contract=ready_to_sign("CT-2", "C-3"),
            contract_number="GD-2026-00002",
        )
        with pytest.raises(CommandRefused, match="the new holder C-2"):
            carry_out(make, clock, transfer=wrong)
        assert_nothing_changed(make)

    def test_a_contract_number_goes_with_a_new_contract(self) -> None:
        with pytest.raises(InvalidInput, match="contract_number"):
            TransferTerms(new_account_id="A-2", final_reads=(), contract_number="GD-1")


def test_without_contracts_or_a_deposit_the_account_still_passes_to_the_new_holder(
    approved: tuple[UnitOfWorkFactory, FixedClock],
) -> None:
    make, clock = approved
    refund_deposit(make, clock=clock, key="refund-1", account_id="A-1", on=date(2026, 7, 10))
    bare = TransferTerms(
        new_account_id="A-2",
        final_reads=terms(DepositAtTransfer.REFUND).final_reads,
        new_customer=terms(DepositAtTransfer.REFUND).new_customer,
    )

    carry_out(make, clock, transfer=bare, signatory=None)

    with make() as uow:
        old = uow.repository(RECEIVABLES).get(AccountId("A-1")).entity
        assert uow.repository(ACCOUNTS).get(AccountId("A-2")).entity.customer_id == "C-2"
        events = uow.outbox.events_for(ACCOUNTS.kind, "A-1")
        contract = uow.repository(CONTRACTS).get(ContractId("CT-1")).entity.contract
    assert old.owed == Money("132.00")
    assert (events[-1].payload["held"], events[-1].payload["old_owes"]) == ("0.00", "132.00")
    assert "ended_contract" not in events[-1].payload
    assert contract.state is ContractState.ACTIVE


def test_a_deposit_smaller_than_the_final_bill_is_all_applied_and_the_rest_stays_owed(
    approved: tuple[UnitOfWorkFactory, FixedClock],
) -> None:
    make, clock = approved
    big = attrs.evolve(  # 1000 + 0 + 0 kWh × 0.60 = 600.00 > the 500.00 deposit
        terms(DepositAtTransfer.REFUND), final_reads=reads("M-1", ON, ("2000", "2000", "500"))
    )

    carry_out(make, clock, transfer=big)

    with make() as uow:
        old = uow.repository(RECEIVABLES).get(AccountId("A-1")).entity
        transfer = uow.outbox.events_for(ACCOUNTS.kind, "A-1")[-1].payload
    assert (old.owed, old.deposit) == (Money("100.00"), Money("0.00"))
    assert (transfer["final_total"], transfer["applied"], transfer["old_owes"]) == (
        "600.00",
        "500.00",
        "100.00",
    )
    assert "refunded" not in transfer
