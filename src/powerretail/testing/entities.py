"""Hypothesis strategies for every stored entity of powerretail, and their round-trip cases.

Use them to test your own adapter beyond the contract suite, or your own code on random but
valid entities. :data:`ENTITY_CASES` pairs each aggregate of :mod:`powerretail.repositories`
with a strategy of its entities; :class:`~powerretail.testing.contract.StorageContract` round-trips
every one of them.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import pendulum
from hypothesis import strategies as st

from powerretail.access import SEED_POLICY, Actor
from powerretail.adapters.tariff_library import load_shipped, shipped_codes
from powerretail.billing.bill import Bill, BillKind, BillState, LineItem
from powerretail.billing.capacity import CapacityChange
from powerretail.billing.determinants import AccountFacts
from powerretail.collections.allocation import Allocation, AllocationOrder, ItemKind, OpenItem
from powerretail.collections.cash import (
    CashMovement,
    HandOver,
    MovementKind,
    PublishedLine,
    PublishedList,
)
from powerretail.collections.deposits import DepositMovement
from powerretail.collections.deposits import MovementKind as DepositKind
from powerretail.collections.dunning import DUNNING_RULE_SETS, open_case, pay, remind
from powerretail.collections.late_fees import CustomerKind
from powerretail.collections.ledger import (
    BANK,
    CUSTOMER_CREDIT,
    RECEIVABLE,
    AccountBalance,
    Entry,
    LedgerPosting,
    PostingKind,
    Side,
)
from powerretail.collections.payment_plans import (
    complete_plan,
    default_plan,
    grant_plan,
)
from powerretail.collections.prepayment import PrepaymentAlert, PrepaymentStatus
from powerretail.collections.receipts import ReceiptBook
from powerretail.collections.write_off import Evidence, EvidenceKind, WriteOffRecord
from powerretail.contracts.lifecycle import Contract, submit_for_review
from powerretail.contracts.terms import (
    ContractKind,
    ContractTerm,
    Liability,
    MeteringTerms,
    Party,
    PartyRole,
    PriceTerms,
    SettlementTerms,
)
from powerretail.customers.contacts import Channel, ContactRecord, record_contact
from powerretail.customers.credit import CreditScore
from powerretail.customers.parties import (
    Account,
    Customer,
    LoadImportance,
    Sector,
    ServicePoint,
    VoltageLevel,
)
from powerretail.ids import (
    AccountId,
    BillId,
    ContractId,
    CustomerId,
    MeterId,
    PaymentId,
    ServicePointId,
)
from powerretail.metering.meters import Bearing, Meter, MeterEvent, MeterType, RegisterKind
from powerretail.metering.reads import (
    EstimationMethod,
    IntervalQuality,
    IntervalSeries,
    ReadSource,
    RegisterRead,
)
from powerretail.metering.vee import Action, Finding, Severity, WorkOrderKind
from powerretail.quantities import Energy, Money, sum_money
from powerretail.repositories.aggregates import Aggregate
from powerretail.repositories.billing import BILLING_PROFILES, BILLS, BillingProfile
from powerretail.repositories.collections import (
    DEPOSIT_MOVEMENTS,
    PAYMENT_PLANS,
    PREPAYMENT_ALERTS,
    WRITE_OFFS,
    StoredPaymentPlan,
)
from powerretail.repositories.contracts import CONTRACTS, StoredContract
from powerretail.repositories.customers import (
    ACCOUNTS,
    CONTACT_RECORDS,
    CREDIT_SCORES,
    CUSTOMERS,
    SERVICE_POINTS,
)
from powerretail.repositories.dunning import (
    DUNNING_CASES,
    DUNNING_ORDERS,
    DunningOrder,
    OrderKind,
    StoredDunningCase,
)
from powerretail.repositories.ledger import LEDGER_HEADS, LEDGER_POSTINGS, LedgerHead
from powerretail.repositories.metering import (
    METERS,
    READS,
    SERIES,
    StoredRead,
    StoredSeries,
    read_key,
)
from powerretail.repositories.outages import OUTAGES, StoredOutage
from powerretail.repositories.payments import PAYMENTS, RECEIVABLES, Payment, Receivable
from powerretail.repositories.receipts import (
    CASH_MOVEMENTS,
    HANDOVERS,
    PUBLISHED_LISTS,
    RECEIPT_BOOKS,
)
from powerretail.repositories.retail_forecast import (
    MONTHLY_USAGE,
    SALES_PLANS,
    MonthlyUsage,
    StoredSalesPlan,
)
from powerretail.repositories.retail_risk import RISKS, StoredRisk
from powerretail.repositories.service import SERVICE_CASES, StoredCase
from powerretail.repositories.tariffs import TARIFF_DOCUMENTS, TariffDocument
from powerretail.repositories.work_orders import WORK_ORDERS, StoredWorkOrder
from powerretail.retail import risk as retail_risk
from powerretail.retail.forecast import Month
from powerretail.retail.plans import SalesPlanLine
from powerretail.service import outages as out
from powerretail.service import work_orders as wo
from powerretail.service.cases import (
    KINDS,
    IntakeChannel,
    hand_off,
    reply_scheme,
    step,
    take_over,
)
from powerretail.service.cases import open_case as open_service_case
from powerretail.service.changes import ChangeOfUseDetails
from powerretail.service.connections import (
    CHECKLISTS,
    AccessPart,
    ConnectionClass,
    ConnectionDetails,
    ConnectionPurpose,
    ReceivingPart,
    Source,
    SupplyScheme,
)
from powerretail.service.kinds import Area, CaseEvent, CaseKind
from powerretail.tariffs.model import BasicChargeBasis
from powerretail.testing.retail_entities import RETAIL_CASES
from powerretail.testing.strategies import (
    aware_datetimes,
    dates,
    energy,
    identifiers,
    money,
    plain_decimals,
)
from powerretail.timeframe import DateRange

__all__ = [
    "ENTITY_CASES",
    "accounts",
    "billing_profiles",
    "bills",
    "cash_movements",
    "contact_records",
    "credit_scores",
    "customers",
    "deposit_movements",
    "double_entry_postings",
    "dunning_cases",
    "dunning_orders",
    "findings",
    "handovers",
    "ledger_heads",
    "meters",
    "monthly_usage",
    "open_items",
    "outages",
    "payment_plans",
    "payments",
    "prepayment_alerts",
    "published_lists",
    "receipt_books",
    "receivables",
    "retail_risks",
    "sales_plans",
    "service_cases",
    "service_points",
    "stored_contracts",
    "stored_reads",
    "stored_series",
    "tariff_documents",
    "work_orders",
    "write_offs",
]

_WORDS = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N")), min_size=1, max_size=12
)
_NAMES = st.sampled_from(["Wang", "李", "Chen", "张三", "Gu"])


def customers() -> st.SearchStrategy[Customer]:
    """Draw customers."""
    return st.builds(
        Customer,
        id=identifiers("C").map(CustomerId),
        name=_WORDS,
        sector=st.sampled_from(Sector),
        industry=st.sampled_from(["manufacturing", "retail", "public"]),
        region=st.sampled_from(["gusu", "wuzhong"]),
        designated_important=st.booleans(),
    )


def credit_scores() -> st.SearchStrategy[CreditScore]:
    """Draw credit scores (0 to 100 points, to one decimal)."""
    return st.builds(
        CreditScore,
        customer_id=identifiers("C").map(CustomerId),
        points=st.integers(0, 1000).map(lambda tenths: Decimal(tenths) / 10),
    )


def accounts() -> st.SearchStrategy[Account]:
    """Draw accounts, some closed."""
    return st.builds(
        lambda account_id, customer_id, opened, days: Account(
            id=account_id,
            customer_id=customer_id,
            opened_on=opened,
            closed_on=None if days is None else opened + timedelta(days=days),
        ),
        identifiers("A"),
        identifiers("C"),
        dates(max_value=date(2050, 1, 1)),
        st.none() | st.integers(min_value=1, max_value=3000),
    )


def service_points() -> st.SearchStrategy[ServicePoint]:
    """Draw service points."""
    return st.builds(
        ServicePoint,
        id=identifiers("SP").map(ServicePointId),
        account_id=identifiers("A").map(AccountId),
        address=_WORDS,
        voltage_level=st.sampled_from(VoltageLevel),
        contracted_capacity=plain_decimals("0", "100000", 1),
        load_importance=st.sampled_from(LoadImportance),
        industry=st.sampled_from(["manufacturing", "retail"]),
        region=st.sampled_from(["gusu", "wuzhong"]),
    )


def contact_records() -> st.SearchStrategy[ContactRecord]:
    """Draw contact records of one to three contacts, in time order."""

    def build(customer_id: str, start: Any, notes: list[tuple[str, Channel, str]]) -> ContactRecord:
        record: ContactRecord | None = None
        for hours, (who, channel, what) in enumerate(notes):
            record = record_contact(
                record,
                customer_id=CustomerId(customer_id),
                who=who,
                at=start.add(hours=hours),
                channel=channel,
                what=what,
            )
        assert record is not None
        return record

    note = st.tuples(_NAMES, st.sampled_from(Channel), _WORDS)
    return st.builds(
        build, identifiers("C"), aware_datetimes(), st.lists(note, min_size=1, max_size=3)
    )


def meters() -> st.SearchStrategy[Meter]:
    """Draw meters with their ratios, digits and registers (and a bearing, or none, when
    electromechanical)."""

    def with_bearing(meter: Meter) -> st.SearchStrategy[Meter]:
        if meter.meter_type not in (
            MeterType.ELECTROMECHANICAL_SINGLE_PHASE,
            MeterType.ELECTROMECHANICAL_THREE_PHASE,
        ):
            return st.just(meter)
        return st.sampled_from((None, *Bearing)).map(
            lambda bearing: attrs.evolve(meter, bearing=bearing)
        )

    return st.builds(
        Meter,
        id=identifiers("M").map(MeterId),
        serial=identifiers("S"),
        meter_type=st.sampled_from(MeterType),
        accuracy_class=st.sampled_from(["0.5S", "1", "2"]),
        ct_ratio=st.sampled_from(["1", "100/5", "10000/5"]),
        vt_ratio=st.sampled_from(["1", "10000/100"]),
        register_digits=st.integers(min_value=4, max_value=8),
        registers=st.frozensets(st.sampled_from(RegisterKind), min_size=1),
        service_point=st.none() | identifiers("SP").map(ServicePointId),
        installed_on=st.none() | dates(),
    ).flatmap(with_bearing)


def findings() -> st.SearchStrategy[Finding]:
    """Draw VEE findings."""
    return st.builds(
        Finding,
        rule_id=st.sampled_from(["V01", "V05", "V07", "V12"]),
        severity=st.sampled_from(Severity),
        message=_WORDS,
        action=st.sampled_from(Action),
        work_order=st.none(),
        subject=identifiers("M"),
        source=st.just("VEE catalogue"),
    )


def _reads() -> st.SearchStrategy[RegisterRead]:
    def build(
        meter_id: str, register: RegisterKind, at: Any, value: Decimal, actual: bool
    ) -> RegisterRead:
        return RegisterRead(
            meter_id=MeterId(meter_id),
            register=register,
            read_at=at,
            value=value,
            source=ReadSource.ACTUAL if actual else ReadSource.ESTIMATED,
            produced_by="reader",
            method=None if actual else EstimationMethod.PREVIOUS_PERIOD,
        )

    return st.builds(
        build,
        identifiers("M"),
        st.sampled_from(RegisterKind),
        aware_datetimes(),
        plain_decimals("0", "999999", 2),
        st.booleans(),
    )


def stored_reads() -> st.SearchStrategy[StoredRead]:
    """Draw stored register reads with findings."""
    return st.builds(
        lambda read, found, billable: StoredRead(
            read_id=read_key(read.meter_id, read.register, read.read_at),
            meter_id=read.meter_id,
            read=read,
            findings=tuple(found),
            billable=billable,
        ),
        _reads(),
        st.lists(findings(), max_size=2),
        st.booleans(),
    )


def stored_series() -> st.SearchStrategy[StoredSeries]:
    """Draw stored 15-minute series with missing and estimated values."""

    def build(meter_id: str, start: Any, values: list[Decimal | None]) -> StoredSeries:
        quality = tuple(
            IntervalQuality.MISSING if v is None else IntervalQuality.ACTUAL for v in values
        )
        series = IntervalSeries(
            meter_id=MeterId(meter_id), start=start, values=tuple(values), quality=quality
        )
        estimated = {
            index: EstimationMethod.LINEAR for index, v in enumerate(values) if v is not None
        }
        return StoredSeries.of(
            attrs.evolve(
                series,
                methods=dict(list(estimated.items())[:2]),
                events={0: frozenset({MeterEvent.OUTAGE})},
            )
        )

    start = st.datetimes(
        min_value=pendulum.datetime(2020, 1, 1).naive(),
        max_value=pendulum.datetime(2030, 1, 1).naive(),
    ).map(
        lambda moment: pendulum.instance(
            moment.replace(minute=0, second=0, microsecond=0), tz="Asia/Shanghai"
        )
    )
    values = st.lists(st.none() | plain_decimals("0", "500", 3), min_size=1, max_size=96)
    return st.builds(build, identifiers("M"), start, values)


def tariff_documents() -> st.SearchStrategy[TariffDocument]:
    """Draw revisions of the shipped tariffs' canonical documents."""
    return st.builds(
        TariffDocument.of,
        st.sampled_from(shipped_codes()).map(load_shipped),
        st.integers(min_value=1, max_value=50),
    )


def stored_contracts() -> st.SearchStrategy[StoredContract]:
    """Draw retail contracts (drafts, or submitted for review with a history record)."""

    def build(contract_id: str, customer_id: str, submitted: bool, at: Any) -> StoredContract:
        contract = Contract(
            id=ContractId(contract_id),
            kind=ContractKind.RETAIL,
            seller=Party(role=PartyRole.SELLER, name="Suzhou Power Retail", representative="Chen"),
            buyer=Party(
                role=PartyRole.BUYER,
                name="Wuzhong Textiles",
                representative="Gu",
                customer_id=CustomerId(customer_id),
            ),
            scope=(ServicePointId("SP-1"),),
            price=PriceTerms(retail_package_id="FIXED-2025"),
            settlement=SettlementTerms(
                billing_day=1,
                payment_due_days=15,
                method="bank transfer",
                late_fee_daily_rate="0.002",
            ),
            metering=MeteringTerms(metered_points=(ServicePointId("SP-1"),)),
            liabilities=(Liability(clause="9.1", text="late payment: 2‰ a day"),),
            term=ContractTerm(start="2025-04-01", end="2026-04-01", renewal_months=12),
        )
        if submitted:
            contract = submit_for_review(contract, at=at, by="sales")
        return StoredContract.of(contract)

    return st.builds(build, identifiers("K"), identifiers("C"), st.booleans(), aware_datetimes())


def _lines(period: DateRange) -> st.SearchStrategy[LineItem]:
    return st.builds(
        lambda code, quantity, rate, factor, amount: LineItem(
            code=code,
            description_zh="电度电费",
            description_en="energy charge",
            quantity=quantity,
            unit="kWh",
            rate=rate,
            rate_unit="元/kWh",
            factor=factor,
            amount=amount,
            tariff_code="JS-RES-TOU",
            tariff_version="2025",
            source="illustrative",
            period=period,
        ),
        st.sampled_from(["energy.peak", "energy.valley", "basic", "pf"]),
        plain_decimals("-100000", "100000", 4),
        plain_decimals("0", "5", 6),
        st.sampled_from([Fraction(1), Fraction(22, 30), Fraction(1, 3)]),
        money(),
    )


def bills() -> st.SearchStrategy[Bill]:
    """Draw bills, credit notes and rebills in every state."""

    @st.composite
    def build(draw: st.DrawFn) -> Bill:
        start = draw(dates(max_value=date(2050, 1, 1)))
        period = DateRange(start, start + timedelta(days=draw(st.integers(1, 62))))
        kind = draw(st.sampled_from(BillKind))
        return Bill(
            bill_id=draw(identifiers("B").map(BillId)),
            account_id=draw(identifiers("A")),
            kind=kind,
            state=draw(st.sampled_from(BillState)),
            period=period,
            tariff_code="JS-RES-TOU",
            lines=tuple(draw(st.lists(_lines(period), max_size=4))),
            corrects=None if kind is BillKind.INVOICE else draw(identifiers("B")),
            issued_on=draw(st.none() | dates()),
            content_hash=draw(st.none() | st.just("ab" * 32)),
            findings=tuple(draw(st.lists(_WORDS, max_size=2))),
        )

    return build()


def billing_profiles() -> st.SearchStrategy[BillingProfile]:
    """Draw billing profiles with account facts."""
    facts = st.builds(
        AccountFacts,
        capacity_kva=st.none() | plain_decimals("0", "5000", 1),
        contract_demand_kw=st.none() | plain_decimals("0.1", "5000", 1),
        basic_charge_basis=st.none() | st.sampled_from(BasicChargeBasis),
        pf_standard=st.none() | st.sampled_from([Decimal("0.90"), Decimal("0.85")]),
        residential=st.booleans(),
        ytd_kwh=energy(max_kwh="100000").map(lambda e: e.kwh),
        opened_on=st.none() | dates(),
    )
    return st.builds(
        BillingProfile,
        account_id=identifiers("A").map(AccountId),
        customer_id=identifiers("C").map(CustomerId),
        tariff_code=st.sampled_from(shipped_codes()),
        meter_ids=st.lists(identifiers("M").map(MeterId), min_size=1, max_size=3).map(tuple),
        facts=facts,
        customer_kind=st.sampled_from(CustomerKind),
        typical=st.none() | money("0", "10000"),
        due_days=st.integers(min_value=0, max_value=60),
        active=st.booleans(),
    )


def open_items() -> st.SearchStrategy[OpenItem]:
    """Draw open items (bill principals and late fees)."""
    return st.builds(
        OpenItem,
        bill_id=identifiers("B"),
        kind=st.sampled_from(ItemKind),
        amount=money("0.01", "100000"),
        dated=dates(),
    )


def receivables() -> st.SearchStrategy[Receivable]:
    """Draw receivables (their totals are random: use them for storage, not for R20)."""
    return st.builds(
        Receivable,
        account_id=identifiers("A").map(AccountId),
        customer_id=identifiers("C").map(CustomerId),
        open_items=st.lists(open_items(), max_size=4, unique_by=lambda i: (i.bill_id, i.kind)).map(
            tuple
        ),
        credit=money("0", "10000"),
        deposit=money("0", "10000"),
        issued=money("0"),
        credited=money("0"),
        paid=money("0"),
        written_off=money("0"),
    )


def payments() -> st.SearchStrategy[Payment]:
    """Draw payments with their allocations."""
    allocation = st.builds(
        Allocation,
        bill_id=identifiers("B"),
        kind=st.sampled_from(ItemKind),
        amount=money("0.01", "10000"),
        settles_item=st.booleans(),
    )
    return st.builds(
        Payment,
        payment_id=identifiers("P").map(PaymentId),
        account_id=identifiers("A").map(AccountId),
        amount=money("0.01", "100000"),
        received_on=dates(),
        order=st.sampled_from(AllocationOrder),
        allocations=st.lists(allocation, max_size=3).map(tuple),
        credit=money("0", "10000"),
    )


def dunning_cases() -> st.SearchStrategy[StoredDunningCase]:
    """Draw stored dunning cases moved by the machine: reminded some times, maybe paid."""
    clerk = Actor(id="clerk", name="Li", roles={"customer_service"})

    def build(
        *,
        bill: str,
        amount: Any,
        due: Any,
        rules: str,
        flags: tuple[bool, bool, bool],
        steps: list[Channel],
        paid: bool,
    ) -> StoredDunningCase:
        case = open_case(
            account_id=f"A-{bill}",
            customer_id=f"C-{bill}",
            bill_id=bill,
            amount=amount,
            due_date=due,
            rules=rules,
            is_residential=flags[0],
            is_important=flags[1],
            is_moved_out=flags[2],
        )
        for day, channel in enumerate(steps, start=1):
            at = pendulum.datetime(due.year, due.month, due.day, 9, tz="Asia/Shanghai").add(
                days=day
            )
            case = remind(
                case, channel=channel, what="催交", policy=SEED_POLICY, actor=clerk, at=at
            ).case
        if paid:
            at = pendulum.datetime(due.year, due.month, due.day, 18, tz="Asia/Shanghai")
            case = pay(case, policy=SEED_POLICY, actor=clerk, at=at.add(days=len(steps) + 1)).case
        return StoredDunningCase.of(case)

    return st.builds(
        build,
        bill=identifiers("B"),
        amount=money("0.01", "100000"),
        due=dates(),
        rules=st.sampled_from(sorted(DUNNING_RULE_SETS)),
        flags=st.tuples(st.booleans(), st.booleans(), st.booleans()),
        steps=st.lists(
            st.sampled_from([Channel.PHONE, Channel.SMS, Channel.LETTER, Channel.VISIT]), max_size=3
        ),
        paid=st.booleans(),
    )


def dunning_orders() -> st.SearchStrategy[DunningOrder]:
    """Draw dunning orders."""
    return st.builds(
        DunningOrder,
        order_id=identifiers("O"),
        case_id=identifiers("DUN"),
        account_id=identifiers("A"),
        kind=st.sampled_from(OrderKind),
        issued_at=aware_datetimes(),
        due_at=aware_datetimes(),
        detail=_WORDS,
        source=_WORDS,
    )


def monthly_usage() -> st.SearchStrategy[MonthlyUsage]:
    """Draw an account's energy in a month."""

    def build(
        *, account: str, year: int, month: int, kwh: Any, customer_class: str
    ) -> MonthlyUsage:
        stamp = f"{year:04d}-{month:02d}"
        return MonthlyUsage(
            usage_id=f"{account}/{stamp}",
            account_id=account,
            month=stamp,
            kwh=kwh,
            customer_class=customer_class,
        )

    return st.builds(
        build,
        account=identifiers("A"),
        year=st.integers(2000, 2060),
        month=st.integers(1, 12),
        kwh=plain_decimals("0", "1000000000", 3),
        customer_class=st.sampled_from(["", "industrial", "商业"]),
    )


def sales_plans() -> st.SearchStrategy[StoredSalesPlan]:
    """Draw a month's stored sales plan."""

    def build(*, year: int, month: int, cells: dict[tuple[str, str], Any]) -> StoredSalesPlan:
        when = Month(year, month)
        lines = tuple(
            SalesPlanLine(account_id=a, month=when, band=b, kwh=k, basis="drawn")
            for (a, b), k in sorted(cells.items())
        )
        return StoredSalesPlan(month=str(when), revision=1, lines=lines, note="drawn")

    return st.builds(
        build,
        year=st.integers(2000, 2060),
        month=st.integers(1, 12),
        cells=st.dictionaries(
            st.tuples(identifiers("A"), st.sampled_from(["peak", "flat", "valley"])),
            plain_decimals("0", "100000000", 3),
            max_size=4,
        ),
    )


def retail_risks() -> st.SearchStrategy[StoredRisk]:
    """Draw stored risks moved some steps along the risk machine."""
    manager = Actor(id="risk-1", name="Zhao", roles={"risk_manager"})
    policy = retail_risk.RISK_POLICY

    def build(
        *, risk_id: str, kind: Any, cause: str, at: Any, scores: tuple[int, int], steps: int
    ) -> StoredRisk:
        risk = retail_risk.identify(
            risk_id=risk_id, kind=kind, title=cause, cause=cause, impact=cause, at=at
        )
        if steps >= 1:
            risk = retail_risk.assess(
                risk, likelihood=scores[0], impact=scores[1], policy=policy, actor=manager, at=at
            ).risk
        if steps >= 2:
            risk = retail_risk.respond(
                risk,
                response=retail_risk.Response.TRANSFER,
                measures=[cause],
                owner="Zhao",
                policy=policy,
                actor=manager,
                at=at.add(days=1),
            ).risk
        if steps >= 3:
            risk = retail_risk.implement(risk, policy=policy, actor=manager, at=at.add(days=2)).risk
        if steps >= 4:
            risk = retail_risk.close(
                risk, why=cause, policy=policy, actor=manager, at=at.add(days=3)
            ).risk
        return StoredRisk.of(risk)

    return st.builds(
        build,
        risk_id=identifiers("RISK"),
        kind=st.sampled_from(retail_risk.RiskKind),
        cause=_WORDS,
        at=aware_datetimes(),
        scores=st.tuples(st.integers(1, 5), st.integers(1, 5)),
        steps=st.integers(0, 4),
    )


def service_cases() -> st.SearchStrategy[StoredCase]:
    """Draw stored service cases of every kind, moved some steps by their machines."""
    clerk = Actor(id="clerk", name="Li", roles={"customer_service"})
    manager = Actor(id="m-1", name="Zhou", roles={"regional_key_account_manager"})

    def build(
        *,
        case_id: str,
        kind: CaseKind,
        channel: IntakeChannel,
        area: Area,
        rules: str,
        klass: ConnectionClass,
        opened: date,
        picks: list[int],
        handed: bool,
    ) -> StoredCase:
        at = pendulum.datetime(opened.year, opened.month, opened.day, 9, tz="Asia/Shanghai")
        connection = None
        if kind is CaseKind.CONNECTION:
            connection = ConnectionDetails(
                customer_class=klass,
                purpose=ConnectionPurpose.NEW,
                capacity_kva=Decimal(400),
                documents=CHECKLISTS[klass, ConnectionPurpose.NEW],
            )
        case = open_service_case(
            case_id=case_id,
            kind=kind,
            customer_id="C-1",
            channel=channel,
            received_by="clerk",
            at=at,
            subject="a demand",
            area=area,
            rules=rules,
            connection=connection,
            change_of_use=(
                ChangeOfUseDetails(
                    account_id="A-1",
                    change=CapacityChange(kind="suspend", on=opened, kva=Decimal(315)),
                )
                if kind is CaseKind.CHANGE_OF_USE
                else None
            ),
        ).case
        if handed:
            case = hand_off(case, to_owner="m-1", to_role="manager", at=at.add(minutes=1), why="w")
            case = take_over(case, by="m-1", at=at.add(minutes=2))
        machine = KINDS[kind].machine
        for minutes, pick in enumerate(picks, start=3):
            when = at.add(minutes=minutes)
            arrows = [
                a
                for a in machine.transitions
                if a.source == case.state and a.guard is None and a.permission is None
            ]
            if case.state.name == "SURVEYED" and klass.is_high_voltage:
                case = step(
                    case,
                    CaseEvent.HAND_TO_MARKETING,
                    policy=SEED_POLICY,
                    actor=clerk,
                    at=when,
                    why="报客户服务中心业扩专责审批",
                ).case
                continue
            if case.state.name in ("SURVEYED", "WITH_MARKETING"):
                scheme = SupplyScheme(
                    access=AccessPart(
                        voltage_kv=Decimal(10),
                        capacity_kva=Decimal(400),
                        sources=(Source("North", "I"), Source("South", "II")),
                    ),
                    receiving=ReceivingPart(
                        main_wiring="single bus",
                        protection="relay",
                        metering="HV",
                        ownership_boundary="switch",
                    ),
                )
                case = reply_scheme(
                    case, scheme=scheme, policy=SEED_POLICY, actor=manager, at=when
                ).case
                continue
            if not arrows:
                break
            arrow = arrows[pick % len(arrows)]
            extra: dict[str, Any] = (
                {"feedback": "answered"}
                if arrow.event in (CaseEvent.REPLY, CaseEvent.ENERGISE)
                else {}
            )
            case = step(
                case, arrow.event, policy=SEED_POLICY, actor=clerk, at=when, why="step", **extra
            ).case
        return StoredCase.of(case)

    return st.builds(
        build,
        case_id=identifiers("K"),
        kind=st.sampled_from(CaseKind),
        channel=st.sampled_from(IntakeChannel),
        area=st.sampled_from(Area),
        rules=st.sampled_from(["SEED", "SGCC10", "JGBF", "GYGZ1996"]),
        klass=st.sampled_from(ConnectionClass),
        opened=dates(date(2024, 1, 1), date(2026, 12, 31)),
        picks=st.lists(st.integers(min_value=0, max_value=5), max_size=6),
        handed=st.booleans(),
    )


def payment_plans() -> st.SearchStrategy[StoredPaymentPlan]:
    """Draw stored payment plans granted by a key-account manager: active, completed or missed."""
    manager = Actor(id="kam", name="Zhou", roles={"company_key_account_manager"})

    def build(*, bill: str, parts: list[Any], start: Any, gaps: list[int], end: str) -> Any:
        due = start
        instalments = []
        for part, gap in zip(parts, gaps, strict=False):
            due = due + timedelta(days=gap)
            instalments.append((due, part))
        owed = sum((part for part in parts[1:]), parts[0])
        at = pendulum.datetime(start.year, start.month, start.day, 10, tz="Asia/Shanghai")
        plan = grant_plan(
            account_id=f"A-{bill}",
            customer_id=f"C-{bill}",
            bill_id=bill,
            owed=owed,
            instalments=instalments,
            policy=SEED_POLICY,
            actor=manager,
            at=at,
            why="灵活付款",
            known_payments=[f"P-{bill}"],
        ).plan
        if end == "completed":
            plan = complete_plan(plan, paid=owed, at=at.add(days=1), by="system")
        elif end == "defaulted":
            late = instalments[0][0] + timedelta(days=1)
            plan = default_plan(plan, paid=owed - owed, day=late, at=at.add(days=2), by="system")
        return StoredPaymentPlan.of(plan)

    return st.builds(
        build,
        bill=identifiers("B"),
        parts=st.lists(money("0.01", "10000"), min_size=1, max_size=4),
        start=dates(),
        gaps=st.lists(st.integers(1, 40), min_size=4, max_size=4),
        end=st.sampled_from(["active", "completed", "defaulted"]),
    )


def deposit_movements() -> st.SearchStrategy[DepositMovement]:
    """Draw deposit movements."""
    return st.builds(
        DepositMovement,
        movement_id=identifiers("DEP"),
        account_id=identifiers("A"),
        kind=st.sampled_from(DepositKind),
        amount=money("0.01", "100000"),
        on=dates(),
        basis=_WORDS,
        detail=_WORDS,
    )


def prepayment_alerts() -> st.SearchStrategy[PrepaymentAlert]:
    """Draw low-balance alerts."""
    return st.builds(
        PrepaymentAlert,
        alert_id=identifiers("PRE"),
        account_id=identifiers("A"),
        raised_on=dates(),
        balance=money("-1000", "1000"),
        threshold=money("0", "1000"),
        status=st.sampled_from(PrepaymentStatus),
        source=_WORDS,
    )


def write_offs() -> st.SearchStrategy[WriteOffRecord]:
    """Draw bad-debt write-off records with their evidence."""
    return st.builds(
        WriteOffRecord,
        write_off_id=identifiers("WO"),
        account_id=identifiers("A"),
        bill_id=identifiers("B"),
        amount=money("0.01", "100000"),
        on=dates(),
        by=identifiers("U"),
        rules=_WORDS,
        evidence=st.lists(
            st.builds(Evidence, kind=st.sampled_from(EvidenceKind), reference=_WORDS), max_size=3
        ),
        why=_WORDS,
    )


def work_orders() -> st.SearchStrategy[StoredWorkOrder]:
    """Draw stored work orders raised by a finding, an inspection or a case, moved some steps."""
    manager = Actor(id="mm-1", name="Zhou", roles={"marketing_manager"})

    def build(*, ref: str, kind: Any, origin: int, at: Any, steps: int) -> StoredWorkOrder:
        if origin == 0:
            order = wo.from_case(case_id=ref, kind=kind, subject="M-1", at=at, detail="case")
        else:
            order = wo.from_inspection(
                inspection_id=ref, kind=kind, subject="SP-1", at=at, detail="检查"
            )
        if steps >= 1:
            order = wo.dispatch(
                order, assignee="r-1", policy=SEED_POLICY, actor=manager, at=at
            ).order
        if steps >= 2:
            order = wo.complete(
                order, result="done", policy=SEED_POLICY, actor=manager, at=at
            ).order
        if steps >= 3:
            order = wo.verify(order, policy=SEED_POLICY, actor=manager, at=at).order
        return StoredWorkOrder.of(order)

    return st.builds(
        build,
        ref=identifiers("REF"),
        kind=st.sampled_from(WorkOrderKind),
        origin=st.integers(0, 1),
        at=aware_datetimes(),
        steps=st.integers(0, 3),
    )


def outages() -> st.SearchStrategy[StoredOutage]:
    """Draw stored outages affecting a key customer: requested, approved, notified, started."""
    head = Actor(id="head-1", name="Zhang", roles={"supply_office_head"})
    key = out.AffectedCustomer(
        customer_id="C-1",
        account_id="A-1",
        service_point_id="SP-1",
        name="医院",
        needs_notice=True,
        why="important customer",
    )

    def build(*, outage_id: str, kind: Any, rules: str, start: Any, steps: int) -> StoredOutage:
        begin = pendulum.instance(start)
        outage = out.request(
            id=outage_id,
            kind=kind,
            feeder="10kV 城东线",
            area="3号台区",
            service_points=("SP-1",),
            window_start=begin,
            window_end=begin.add(hours=6),
            reason="检修",
            at=begin.subtract(days=10),
            by="planner",
            affected=(key,),
            rules=rules,
        )
        if steps >= 1:
            approved = out.approve(outage, policy=SEED_POLICY, actor=head, at=outage.requested_at)
            outage = approved.outage
        if steps >= 2:
            outage = out.notify(
                outage,
                customer_id="C-1",
                channel=Channel.PHONE,
                what="停电通知",
                policy=SEED_POLICY,
                actor=head,
                at=begin.subtract(days=8),
            ).outage
        if steps >= 3:
            outage = out.start(outage, policy=SEED_POLICY, actor=head, at=begin).outage
        return StoredOutage.of(outage)

    return st.builds(
        build,
        outage_id=identifiers("OUT"),
        kind=st.sampled_from(out.OutageKind),
        rules=st.sampled_from(sorted(out.OUTAGE_RULE_SETS)),
        start=aware_datetimes(),
        steps=st.integers(0, 3),
    )


def double_entry_postings() -> st.SearchStrategy[LedgerPosting]:
    """Draw balanced postings: a debit line and the credits it is split into."""

    def build(
        *,
        posting_id: str,
        party: str,
        kind: PostingKind,
        at: Any,
        dated: date,
        parts: list[Money],
    ) -> LedgerPosting:
        total = sum_money(parts)
        debit = Entry(
            account=RECEIVABLE,
            side=Side.DEBIT,
            amount=total,
            document="B-1",
            item=ItemKind.PRINCIPAL,
            dated=dated,
        )
        credits = [
            Entry(account=f"6001.c{n}", side=Side.CREDIT, amount=part)
            for n, part in enumerate(parts)
        ]
        return LedgerPosting(
            posting_id=posting_id,
            party=party,
            kind=kind,
            at=at,
            dated=dated,
            entries=(debit, *credits),
            memo="drawn",
        )

    return st.builds(
        build,
        posting_id=identifiers("LP"),
        party=identifiers("A"),
        kind=st.sampled_from(PostingKind),
        at=aware_datetimes(),
        dated=dates(),
        parts=st.lists(money("0.01", "10000"), min_size=1, max_size=3),
    )


def ledger_heads() -> st.SearchStrategy[LedgerHead]:
    """Draw ledger heads with cached balances."""
    balance = st.builds(
        AccountBalance,
        account=st.sampled_from([RECEIVABLE, CUSTOMER_CREDIT, BANK]),
        debits=money("0", "10000"),
        credits=money("0", "10000"),
        party=st.just(""),
    )
    return st.builds(
        LedgerHead,
        party=identifiers("A"),
        sequence=st.integers(0, 10_000),
        balances=st.lists(balance, max_size=3, unique_by=lambda b: b.account).map(tuple),
    )


def receipt_books() -> st.SearchStrategy[ReceiptBook]:
    """Draw receipt books with some forms used (some voided) and maybe returned."""

    def build(
        *, book_id: str, first: int, size: int, amounts: list[Money], voids: list[bool], back: bool
    ) -> ReceiptBook:
        on = date(2025, 8, 1)
        book = ReceiptBook.issue(
            book_id=book_id, collector="c-1", first=first, last=first + size, issued_on=on
        )
        for amount, voided in zip(amounts[: size + 1], voids, strict=False):
            if voided:
                book = book.void(book.next_number or 0, by="o-1", why="spoiled", on=on)
            else:
                book, _ = book.receipt(
                    account_id="A-1", amount=amount, energy=Energy("12.5"), payment_id="P", on=on
                )
        if back:
            book = book.returned(range(book.first, book.last + 1), to="finance", on=on)
        return book

    return st.builds(
        build,
        book_id=identifiers("RB"),
        first=st.integers(1, 10**7),
        size=st.integers(0, 5),
        amounts=st.lists(money("0.01", "10000"), max_size=6),
        voids=st.lists(st.booleans(), min_size=6, max_size=6),
        back=st.booleans(),
    )


def handovers() -> st.SearchStrategy[HandOver]:
    """Draw hand-over lists (over and short with a reason)."""
    return st.builds(
        HandOver.count,
        handover_id=identifiers("H"),
        office=identifiers("SO"),
        on=dates(),
        giver=st.just("c-1"),
        giver_role=st.just("fee_collector"),
        taker=st.just("o-1"),
        taker_role=st.just("fee_recovery_officer"),
        numbers=st.lists(st.integers(1, 10**6), max_size=5, unique=True),
        expected=money("0", "10000"),
        counted=money("0", "10000"),
        reason=_WORDS,
    )


def cash_movements() -> st.SearchStrategy[CashMovement]:
    """Draw deposits and month-end transfers."""
    return st.builds(
        CashMovement,
        movement_id=identifiers("D"),
        office=identifiers("SO"),
        kind=st.sampled_from(MovementKind),
        on=dates(),
        amount=money("0.01", "100000"),
        by=_NAMES,
        covers=st.lists(identifiers("H"), max_size=3).map(tuple),
    )


def published_lists() -> st.SearchStrategy[PublishedList]:
    """Draw published area receivable lists."""
    line = st.builds(
        PublishedLine,
        account_id=identifiers("A"),
        name=_NAMES,
        energy=energy(),
        amount=money("0.01", "10000"),
    )
    return st.builds(
        lambda list_id, area, day, lines: PublishedList(
            list_id=list_id,
            area=area,
            as_of=day,
            pay_at="供电所营业厅",
            pay_from=day + timedelta(days=1),
            pay_until=day + timedelta(days=20),
            lines=tuple(lines),
        ),
        identifiers("L"),
        _WORDS,
        dates(),
        st.lists(line, max_size=3),
    )


#: Every aggregate of :mod:`powerretail.repositories` with a strategy of its entities.
ENTITY_CASES: tuple[tuple[Aggregate[Any, Any], st.SearchStrategy[Any]], ...] = (
    (CUSTOMERS, customers()),
    (ACCOUNTS, accounts()),
    (SERVICE_POINTS, service_points()),
    (CONTACT_RECORDS, contact_records()),
    (CREDIT_SCORES, credit_scores()),
    (METERS, meters()),
    (READS, stored_reads()),
    (SERIES, stored_series()),
    (TARIFF_DOCUMENTS, tariff_documents()),
    (CONTRACTS, stored_contracts()),
    (BILLS, bills()),
    (BILLING_PROFILES, billing_profiles()),
    (RECEIVABLES, receivables()),
    (PAYMENTS, payments()),
    (DUNNING_CASES, dunning_cases()),
    (DUNNING_ORDERS, dunning_orders()),
    (RISKS, retail_risks()),
    (MONTHLY_USAGE, monthly_usage()),
    (SALES_PLANS, sales_plans()),
    (SERVICE_CASES, service_cases()),
    *RETAIL_CASES,
    (PAYMENT_PLANS, payment_plans()),
    (DEPOSIT_MOVEMENTS, deposit_movements()),
    (PREPAYMENT_ALERTS, prepayment_alerts()),
    (WRITE_OFFS, write_offs()),
    (WORK_ORDERS, work_orders()),
    (OUTAGES, outages()),
    (LEDGER_POSTINGS, double_entry_postings()),
    (LEDGER_HEADS, ledger_heads()),
    (RECEIPT_BOOKS, receipt_books()),
    (HANDOVERS, handovers()),
    (CASH_MOVEMENTS, cash_movements()),
    (PUBLISHED_LISTS, published_lists()),
)
