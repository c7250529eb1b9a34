"""Golden: a change of name (过户) carried out on Wed 15 July 2026, on both shipped stores.

Account A-1 of customer C-1 (opened 2026-01-01, a 500.00 deposit held under its contract's
clause) passes to customer C-2 from 15 July 2026. The tariff is energy only, 0.60 元/kWh, so by
hand, from the reads at local midnight (peak / flat / valley):

* 1 July 1000 / 2000 / 500, 15 July 1060 / 2120 / 540, 1 August 1100 / 2200 / 560;
* the old holder's final bill A-1-20260701 covers 1–14 July (the transfer day is the new
  holder's first): 60 + 120 + 40 = 220 kWh × 0.60 = 132.00, issued 15 July, due 30 July;
* the new holder's July bill A-2-20260701 covers 15–31 July: 40 + 80 + 20 = 140 kWh × 0.60 =
  84.00 — together the month's 360 kWh = 216.00, no day billed twice.

Deposit moved (the new contract's clause agrees one, as the 2024 rules need): A-1's 500.00 goes
to A-2 and the final bill stays owed by C-1. Deposit returned: 132.00 of it pays the final bill
and 368.00 is refunded to C-1, who then owes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pendulum
import pytest

from powerretail.access import SEED_POLICY, Actor
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.billing.bill import BillState
from powerretail.billing.determinants import AccountFacts
from powerretail.collections.deposits import MovementKind
from powerretail.collections.ledger import deposit_of
from powerretail.contracts.lifecycle import (
    Contract,
    ContractState,
    Department,
    agree_revisions,
    complete_department_review,
    record_department_opinion,
    record_legal_opinion,
    sign,
    submit_for_review,
)
from powerretail.contracts.terms import Party, PartyRole
from powerretail.customers.parties import (
    Account,
    Customer,
    LoadImportance,
    Sector,
    ServicePoint,
    VoltageLevel,
)
from powerretail.ids import AccountId, BillId, ContractId, CustomerId, ServicePointId
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLING_PROFILES, BILLS, BillingProfile
from powerretail.repositories.collections import DEPOSIT_MOVEMENTS
from powerretail.repositories.contracts import CONTRACTS, StoredContract
from powerretail.repositories.customers import ACCOUNTS, CONTACT_RECORDS, SERVICE_POINTS
from powerretail.repositories.payments import RECEIVABLES
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.service.cases import IntakeChannel
from powerretail.service.changes import ChangeOfUseDetails
from powerretail.service.kinds import CaseEvent, CaseKind, CaseState
from powerretail.tariffs.model import CustomerCategory, EnergyCharge, Tariff, TariffVersion
from powerretail.testing.load import open_store
from powerretail.timeframe import DateRange
from powerretail.workflows.billing_cycle import bill_account, publish_tariff
from powerretail.workflows.change_of_use import (
    DepositAtTransfer,
    TransferTerms,
    carry_out_change_of_use,
    check_change_of_use,
)
from powerretail.workflows.ledger import ledger_problems, statement_of
from powerretail.workflows.moves import move_in
from powerretail.workflows.reads import submit_reads
from powerretail.workflows.service import fire_step, intake_case
from tests.postgres_server import fresh_schema, schema_dsn, server_dsn
from tests.strategies.customers import a_contract, an_opinion
from tests.unit.workflows.conftest import AUDITOR, a_meter, reads

ON = date(2026, 7, 15)
JULY = DateRange.month(2026, 7)
OPENED = pendulum.datetime(2026, 7, 6, 9, tz="Asia/Shanghai")
DONE_AT = pendulum.datetime(2026, 7, 15, 10, tz="Asia/Shanghai")
CLERK = Actor(id="clerk-1", name="Li", roles=frozenset({"customer_service"}))
#: A regional key-account manager: approves and carries out a change of use.
MANAGER = Actor(id="m-1", name="Zhou", roles=frozenset({"regional_key_account_manager"}))
#: The legal representative, who signs the new holder's contract.
BOSS = Actor(id="boss", name="Chen", roles=frozenset({"legal_representative"}))
FLAT = Tariff(
    code="FLAT-CI",
    name_zh="工商业单一电度",
    name_en="C&I energy only",
    category=CustomerCategory.COMMERCIAL_INDUSTRIAL,
    versions=[
        TariffVersion(
            label="2026",
            effective_from="2026-01-01",
            charges=[
                EnergyCharge(
                    code="energy",
                    name_zh="电度电费",
                    name_en="energy",
                    source="illustrative",
                    yuan_per_kwh="0.60",
                )
            ],
        )
    ],
)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def make_unit_of_work(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[UnitOfWorkFactory]:
    """Each store the library ships: in memory, a SQLite file, a fresh PostgreSQL schema."""
    if request.param == "memory":
        yield MemoryStore().unit_of_work
        return
    if request.param == "sqlite":
        location = str(tmp_path / "store.sqlite3")
    else:
        dsn = server_dsn()  # skips without a server (fails in CI)
        schemas = fresh_schema(dsn)
        location = schema_dsn(dsn, next(schemas))
    store = open_store(location)
    try:
        yield store.unit_of_work
    finally:
        store.close()
        if request.param == "postgres":
            next(schemas, None)  # drops the schema


def holder(customer_id: str) -> Customer:
    return Customer(
        id=CustomerId(customer_id),
        name=f"Holder {customer_id}",
        sector=Sector.INDUSTRY,
        industry="manufacturing",
        region="gusu",
    )


def ready_to_sign(contract_id: str, customer_id: str) -> Contract:
    """A supply contract of ``customer_id`` over SP-1, reviewed and agreed: awaiting signature."""
    buyer = Party(
        role=PartyRole.BUYER,
        name=f"Holder {customer_id}",
        representative="Gu",
        customer_id=CustomerId(customer_id),
    )
    at = pendulum.datetime(2026, 7, 1, 9, tz="Asia/Shanghai")
    contract = submit_for_review(a_contract(contract_id, buyer=buyer), at=at, by="sales")
    for minute, department in enumerate(
        (Department.MARKET, Department.FINANCE, Department.TECHNICAL)
    ):
        contract = record_department_opinion(contract, an_opinion(department, minute=minute))
    contract = complete_department_review(contract, at=at, by="sales")
    contract = record_legal_opinion(contract, an_opinion(Department.LEGAL, minute=5))
    return agree_revisions(contract, at=at, by="sales", why="customer agreed")


def a_book(make: UnitOfWorkFactory) -> FixedClock:
    """A-1 of C-1 with its meter, 500.00 deposit, 1 July reads, service point and contract."""
    clock = FixedClock(OPENED)
    publish_tariff(
        make, tariff=FLAT, actor=AUDITOR, policy=SEED_POLICY, clock=clock, why="tariff in force"
    )
    meter = a_meter("M-1")
    move_in(
        make,
        clock=clock,
        key="move-in/A-1",
        customer=holder("C-1"),
        account=Account(id="A-1", customer_id="C-1", opened_on=date(2026, 1, 1)),
        profile=BillingProfile(
            account_id=AccountId("A-1"),
            customer_id=CustomerId("C-1"),
            tariff_code="FLAT-CI",
            meter_ids=(meter.id,),
            facts=AccountFacts(capacity_kva=160),
        ),
        meters=(meter,),
        deposit=Money("500.00"),
        deposit_clause="供用电合同 第12条",
    )
    submit_reads(make, clock=clock, reads=reads("M-1", JULY.start, ("1000", "2000", "500")))
    old = sign(
        ready_to_sign("CT-1", "C-1"),
        signatory=BOSS,
        policy=SEED_POLICY,
        number="GD-2026-00001",
        at=OPENED,
        why="supply contract of C-1",
    )
    with make() as uow:
        uow.repository(CONTRACTS).add(StoredContract.of(old))
        uow.repository(SERVICE_POINTS).add(
            ServicePoint(
                id=ServicePointId("SP-1"),
                account_id=AccountId("A-1"),
                address="Gusu, 1 Renmin Road",
                voltage_level=VoltageLevel.KV10,
                contracted_capacity=160,
                load_importance=LoadImportance.THIRD,
                industry="manufacturing",
                region="gusu",
            )
        )
        uow.commit()
    return clock


def approved_transfer(make: UnitOfWorkFactory, clock: FixedClock) -> None:
    details = ChangeOfUseDetails(account_id="A-1", new_customer_id="C-2")
    intake_case(
        make,
        clock=clock,
        case_id="K-1",
        kind=CaseKind.CHANGE_OF_USE,
        customer_id="C-1",
        channel=IntakeChannel.COUNTER,
        received_by="clerk-1",
        at=OPENED,
        subject=f"变更用电: {details.label}",
        change_of_use=details,
    )
    checked = check_change_of_use(
        make, clock=clock, case_id="K-1", policy=SEED_POLICY, actor=CLERK, at=OPENED.add(hours=1)
    )
    assert checked.state is CaseState.CHECKED
    fire_step(
        make,
        clock=clock,
        case_id="K-1",
        event_name=CaseEvent.APPROVE,
        policy=SEED_POLICY,
        actor=MANAGER,
        at=OPENED.add(hours=2),
    )


def terms(deposit: DepositAtTransfer, clause: str | None = None) -> TransferTerms:
    return TransferTerms(
        new_account_id="A-2",
        final_reads=reads("M-1", ON, ("1060", "2120", "540")),
        new_customer=holder("C-2"),
        deposit=deposit,
        deposit_clause=clause,
        ends_contract=ContractId("CT-1"),
        new_contract=ready_to_sign("CT-2", "C-2"),
        contract_number="GD-2026-00002",
        by="counter-clerk",
    )


def transferred(make: UnitOfWorkFactory, deposit: DepositAtTransfer) -> FixedClock:
    clock = a_book(make)
    approved_transfer(make, clock)
    done = carry_out_change_of_use(
        make,
        clock=clock,
        case_id="K-1",
        on=ON,
        policy=SEED_POLICY,
        actor=MANAGER,
        at=DONE_AT,
        transfer=terms(deposit, "供用电合同(C-2) 第8条"),
        signatory=BOSS,
    )
    assert done.state is CaseState.CARRIED_OUT
    return clock


class TestDepositMoved:
    def test_the_old_holder_gets_the_final_bill_to_the_transfer_day(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        transferred(make_unit_of_work, DepositAtTransfer.TRANSFER)
        with make_unit_of_work() as uow:
            final = uow.repository(BILLS).get(BillId("A-1-20260701")).entity
            old = uow.repository(ACCOUNTS).get(AccountId("A-1")).entity
            owed = uow.repository(RECEIVABLES).get(AccountId("A-1")).entity
        assert final.state is BillState.ISSUED
        assert {line.period for line in final.lines} == {DateRange(JULY.start, ON)}
        assert final.total == Money("132.00")
        assert (old.customer_id, old.closed_on) == ("C-1", ON)
        assert owed.owed == Money("132.00")
        assert owed.deposit == Money("0.00")
        assert [(i.bill_id, i.dated) for i in owed.open_items] == [
            ("A-1-20260701", date(2026, 7, 30))
        ]

    def test_the_new_holder_continues_from_the_transfer_day_and_july_splits_there(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        transferred(make_unit_of_work, DepositAtTransfer.TRANSFER)
        clock = FixedClock(pendulum.datetime(2026, 8, 1, 9, tz="Asia/Shanghai"))
        submit_reads(
            make_unit_of_work, clock=clock, reads=reads("M-1", JULY.end, ("1100", "2200", "560"))
        )
        july = bill_account(
            make_unit_of_work,
            clock=clock,
            account_id="A-2",
            period=JULY,
            issued_on=date(2026, 8, 1),
        )
        with make_unit_of_work() as uow:
            bill = uow.repository(BILLS).get(BillId("A-2-20260701")).entity
            account = uow.repository(ACCOUNTS).get(AccountId("A-2")).entity
            profile = uow.repository(BILLING_PROFILES).get(AccountId("A-2")).entity
            new = uow.repository(RECEIVABLES).get(AccountId("A-2")).entity
            point = uow.repository(SERVICE_POINTS).get(ServicePointId("SP-1")).entity
        assert (july["bill_id"], july["total"]) == ("A-2-20260701", "84.00")
        assert {line.period for line in bill.lines} == {DateRange(ON, JULY.end)}
        assert (account.customer_id, account.opened_on, account.closed_on) == ("C-2", ON, None)
        assert (profile.customer_id, profile.tariff_code, profile.active) == (
            "C-2",
            "FLAT-CI",
            True,
        )
        assert profile.facts.opened_on == ON
        assert new.deposit == Money("500.00")
        assert new.owed == Money("84.00")
        assert point.account_id == "A-2"

    def test_the_deposit_is_moved_in_the_ledger_and_its_movements_name_the_clause(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        transferred(make_unit_of_work, DepositAtTransfer.TRANSFER)
        with make_unit_of_work() as uow:
            movements = sorted(
                (m.entity.account_id, m.entity.kind, str(m.entity.amount.amount), m.entity.basis)
                for m in uow.repository(DEPOSIT_MOVEMENTS).query()
                if m.entity.on == ON
            )
        assert movements == [
            (
                "A-1",
                MovementKind.TRANSFERRED_OUT,
                "500.00",
                "supply contract: 供用电合同(C-2) 第8条",
            ),
            (
                "A-2",
                MovementKind.TRANSFERRED_IN,
                "500.00",
                "supply contract: 供用电合同(C-2) 第8条",
            ),
        ]
        assert deposit_of(statement_of(make_unit_of_work, party="A-1"), "A-1") == Money("0.00")
        assert deposit_of(statement_of(make_unit_of_work, party="A-2"), "A-2") == Money("500.00")
        assert ledger_problems(make_unit_of_work) == ()

    def test_the_old_contract_ends_and_the_new_holder_signs_its_own(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        transferred(make_unit_of_work, DepositAtTransfer.TRANSFER)
        with make_unit_of_work() as uow:
            old = uow.repository(CONTRACTS).get(ContractId("CT-1")).entity
            new = uow.repository(CONTRACTS).get(ContractId("CT-2")).entity
            signed = uow.audit.records(operation="sign_contract")
            carried = uow.audit.records(operation="carry_out_transfer")
        assert old.contract.state is ContractState.TERMINATED
        assert old.history[-1].why == "过户 of account A-1 from C-1 to C-2 on 2026-07-15"
        assert (new.customer_id, new.contract.state, new.contract.number) == (
            "C-2",
            ContractState.ACTIVE,
            "GD-2026-00002",
        )
        assert [(r.actor, r.decision.value) for r in carried] == [("m-1", "granted")]
        assert [(r.actor, r.subject) for r in signed][-1] == ("boss", "CT-2/v1")

    def test_events_and_contact_records_name_the_transfer(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        transferred(make_unit_of_work, DepositAtTransfer.TRANSFER)
        with make_unit_of_work() as uow:
            case = [e.event_type for e in uow.outbox.events_for("service_case", "K-1")]
            account = uow.outbox.events_for(ACCOUNTS.kind, "A-1")
            bill = [e.event_type for e in uow.outbox.events_for(BILLS.kind, "A-1-20260701")]
            deposits = [e.event_type for e in uow.outbox.events_for(RECEIVABLES.kind, "A-2")]
            told = [
                uow.repository(CONTACT_RECORDS).get(CustomerId(c)).entity.latest.what
                for c in ("C-1", "C-2")
            ]
        assert case[-1] == "ChangeOfUseCarriedOut"
        assert [e.event_type for e in account][-1] == "AccountTransferred"
        transfer = account[-1].payload
        assert (transfer["final_total"], transfer["old_owes"], transfer["transferred"]) == (
            "132.00",
            "132.00",
            "500.00",
        )
        assert (transfer["ended_contract"], transfer["new_contract"]) == ("CT-1", "CT-2")
        assert bill == ["BillIssued"]
        assert "DepositTransferredIn" in deposits
        assert told[0] == told[1]
        assert told[0].startswith("过户 of account A-1 from C-1 to C-2 on 2026-07-15: final bill")


class TestDepositReturned:
    def test_the_deposit_pays_the_final_bill_and_the_rest_is_refunded(
        self, make_unit_of_work: UnitOfWorkFactory
    ) -> None:
        transferred(make_unit_of_work, DepositAtTransfer.REFUND)
        with make_unit_of_work() as uow:
            old = uow.repository(RECEIVABLES).get(AccountId("A-1")).entity
            new = uow.repository(RECEIVABLES).get(AccountId("A-2")).entity
            movements = sorted(
                (m.entity.kind.value, str(m.entity.amount.amount))
                for m in uow.repository(DEPOSIT_MOVEMENTS).query()
                if m.entity.account_id == "A-1" and m.entity.on == ON
            )
        assert movements == [("applied", "132.00"), ("refunded", "368.00")]
        assert (old.owed, old.deposit) == (Money("0.00"), Money("0.00"))
        assert new.deposit == Money("0.00")
        assert deposit_of(statement_of(make_unit_of_work, party="A-1"), "A-1") == Money("0.00")
        assert ledger_problems(make_unit_of_work) == ()
