"""A residential household on JS-RES-TOU (peak/valley meter), billed month by month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pendulum

from powerretail.access import SEED_POLICY, Actor
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.tariff_library import load_shipped
from powerretail.billing.bill import Bill
from powerretail.billing.determinants import AccountFacts
from powerretail.billing.lifecycle import PlausibilityBounds
from powerretail.collections.late_fees import CustomerKind
from powerretail.customers.parties import Account, Customer, Sector
from powerretail.ids import AccountId, BillId, CustomerId, MeterId
from powerretail.metering.meters import Meter, MeterType, RegisterKind
from powerretail.metering.reads import ReadSource, RegisterRead
from powerretail.repositories.billing import BILLS, BillingProfile
from powerretail.repositories.metering import READS, read_key
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.timeframe import DateRange
from powerretail.workflows._common import bill_id_for
from powerretail.workflows.billing_cycle import bill_account, publish_tariff
from powerretail.workflows.moves import move_in
from powerretail.workflows.reads import submit_reads

ZONE = "Asia/Shanghai"
REGISTERS = (RegisterKind.PEAK, RegisterKind.VALLEY)
#: After every read of the tier years the tests bill (reads may not lie in the future, V02).
LATER = pendulum.datetime(2027, 2, 1, 9, tz=ZONE)
AUDITOR = Actor(id="auditor", name="Billing auditor", roles=frozenset({"billing_auditor"}))


def midnight(day: date) -> pendulum.DateTime:
    return pendulum.datetime(day.year, day.month, day.day, tz=ZONE)


def month(year: int, number: int) -> DateRange:
    return DateRange.month(year, number)


def reads_at(meter_id: str, day: date, peak: Decimal, valley: Decimal) -> tuple[RegisterRead, ...]:
    return tuple(
        RegisterRead(
            meter_id=MeterId(meter_id),
            register=register,
            read_at=midnight(day),
            value=value,
            source=ReadSource.ACTUAL,
            produced_by="reader",
        )
        for register, value in zip(REGISTERS, (peak, valley), strict=True)
    )


@attrs.define
class Household:
    """One household: its store, clock and the meter's running totals (peak, valley) [kWh]."""

    make_unit_of_work: UnitOfWorkFactory
    clock: FixedClock
    account_id: str = "H-1"
    peak: Decimal = Decimal(10000)
    valley: Decimal = Decimal(5000)

    @property
    def meter_id(self) -> str:
        return f"M-{self.account_id}"

    def open(
        self,
        day: date = date(2025, 1, 1),
        opened_on: date = date(2024, 1, 1),
        ytd_kwh: Decimal | str = "0",
    ) -> None:
        """Move the household in on ``opened_on`` and read the meter on ``day``."""
        publish_tariff(
            self.make_unit_of_work,
            tariff=load_shipped("JS-RES-TOU"),
            actor=AUDITOR,
            policy=SEED_POLICY,
            clock=self.clock,
            why="residential tariff in force",
        )
        meter = Meter(
            id=MeterId(self.meter_id),
            serial=f"S-{self.meter_id}",
            meter_type=MeterType.SMART,
            accuracy_class="2",
            registers=frozenset(REGISTERS),
            installed_on=date(2020, 1, 1),
        )
        customer_id = f"C-{self.account_id}"
        move_in(
            self.make_unit_of_work,
            clock=self.clock,
            key=f"move-in/{self.account_id}",
            customer=Customer(
                id=CustomerId(customer_id),
                name=f"Household {self.account_id}",
                sector=Sector.RESIDENTIAL,
                industry="household",
                region="gusu",
            ),
            account=Account(id=self.account_id, customer_id=customer_id, opened_on=opened_on),
            profile=BillingProfile(
                account_id=AccountId(self.account_id),
                customer_id=CustomerId(customer_id),
                tariff_code="JS-RES-TOU",
                meter_ids=(meter.id,),
                facts=AccountFacts(residential=True, ytd_kwh=ytd_kwh),
                customer_kind=CustomerKind.RESIDENTIAL,
            ),
            meters=(meter,),
        )
        self.submit(day)

    def submit(self, day: date) -> None:
        submit_reads(
            self.make_unit_of_work,
            clock=self.clock,
            reads=reads_at(self.meter_id, day, self.peak, self.valley),
        )

    def use(self, period: DateRange, peak: Decimal | str, valley: Decimal | str) -> None:
        """Record ``peak`` and ``valley`` kWh used in ``period`` (the reads at its end)."""
        assert period.end is not None
        self.peak += Decimal(peak)
        self.valley += Decimal(valley)
        self.submit(period.end)

    def bill(self, period: DateRange, bounds: PlausibilityBounds | None = None) -> Bill:
        """Bill ``period`` through the workflow and return the stored bill."""
        assert period.end is not None
        result = bill_account(
            self.make_unit_of_work,
            clock=self.clock,
            account_id=self.account_id,
            period=period,
            issued_on=period.end,
            bounds=bounds,
        )
        return self.stored(str(result["bill_id"]))

    def stored(self, bill_id: str) -> Bill:
        with self.make_unit_of_work() as uow:
            return uow.repository(BILLS).get(BillId(bill_id)).entity

    def bill_id(self, period: DateRange) -> str:
        return bill_id_for(self.account_id, period)

    def fix_end_reads(self, period: DateRange, peak: Decimal | str) -> None:
        """Correct the stored peak read at the end of ``period`` (a misread digit)."""
        assert period.end is not None
        key = read_key(self.meter_id, RegisterKind.PEAK, midnight(period.end))
        with self.make_unit_of_work() as uow:
            reads = uow.repository(READS)
            stored, version = reads.get(key)
            read = attrs.evolve(stored.read, value=Decimal(peak))
            reads.save(attrs.evolve(stored, read=read), version)
            uow.commit()


def surcharge(bill: Bill) -> Decimal:
    """Return the annual-tier surcharge of ``bill`` [元]."""
    return sum(
        (line.amount.amount for line in bill.lines if line.code.startswith("tier.")), Decimal(0)
    )


def tier_kwh(bill: Bill) -> dict[str, Decimal]:
    """Return the kWh of ``bill`` in each tier line (``tier.tier1`` …)."""
    out: dict[str, Decimal] = {}
    for line in bill.lines:
        if line.code.startswith("tier."):
            out[line.code] = out.get(line.code, Decimal(0)) + line.quantity
    return out
