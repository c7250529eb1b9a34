"""``powerretail demo``: the whole path on a SQLite file — load, read, bill, explain, pay.

The customers (``powerretail/data/samples/demo.toml``): a Jiangsu household on annual tiers with
peak/valley prices, a single-part commercial user who moved in mid-month, the two-part foundry of
the worked example in docs/explanation/sources.md (from register reads with a multiplier) and a
Guangdong factory billed from 15-minute interval data.

The command creates a SQLite store (``--store``, default a new file in a temporary folder) and
runs the workflows on it, as an embedding app would: it loads the sample customers, meters and
tariffs (:func:`load_sample_book`), submits their reads, runs the July billing cycle, prints the
explained bills, posts a payment and shows each account's balance. Run it twice on the same
``--store``: every step is idempotent, so nothing is loaded, billed or paid twice.

:func:`bill_customers` bills the samples directly from their usage, without a store.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import tomllib
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import attrs
import pendulum

from powerretail.access import SEED_POLICY, Actor
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.sqlite import SqliteStore
from powerretail.adapters.tariff_library import load_shipped, sample_text
from powerretail.billing.bill import Bill
from powerretail.billing.determinants import AccountFacts
from powerretail.billing.usage import IntervalSeries, RegisterRead
from powerretail.cli._demo_dunning import dunning_demo
from powerretail.cli._demo_outages import run_outages_demo
from powerretail.cli._demo_retail import retail_demo
from powerretail.cli._demo_service import run_service_demo
from powerretail.cli.bill import bill_usage, usage_from_csv
from powerretail.collections.late_fees import CustomerKind
from powerretail.customers.parties import Account, Customer, Sector
from powerretail.errors import InvalidInput
from powerretail.ids import AccountId, BillId, CustomerId, MeterId, PaymentId
from powerretail.metering import reads as metering
from powerretail.metering.meters import Meter, MeterType, RegisterKind
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLS, BillingProfile
from powerretail.repositories.clock import Clock
from powerretail.repositories.customers import CUSTOMERS
from powerretail.repositories.payments import PAYMENTS
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.tariffs.model import Tariff
from powerretail.timeframe import DEFAULT_TIMEZONE, DateRange
from powerretail.workflows.billing_cycle import (
    CycleProgress,
    Outcome,
    publish_tariff,
    run_billing_cycle,
)
from powerretail.workflows.moves import move_in
from powerretail.workflows.payments import account_balance, post_payment
from powerretail.workflows.reads import submit_reads, submit_series

__all__ = [
    "DEMO_AUDITOR",
    "DemoCustomer",
    "bill_customers",
    "load_demo_customers",
    "load_sample_book",
    "register",
    "run_demo",
]

#: When the demo happens: the morning after the July period.
DEMO_NOW = pendulum.datetime(2025, 8, 1, 9, tz=DEFAULT_TIMEZONE)
_SINCE = date(2020, 1, 1)


@attrs.frozen(kw_only=True)
class DemoCustomer:
    """A sample customer: who, under which tariff, what they used, over which period."""

    account_id: str
    name: str
    note: str
    tariff: Tariff
    period: DateRange
    account: AccountFacts
    usage: list[RegisterRead] | IntervalSeries
    name_zh: str = ""
    note_zh: str = ""

    def title(self, language: str) -> tuple[str, str]:
        """Return the name and the note in ``language`` (the English ones when no Chinese)."""
        if language == "zh" and self.name_zh:
            return self.name_zh, self.note_zh or self.note
        return self.name, self.note


def _usage(entry: dict[str, Any]) -> list[RegisterRead] | IntervalSeries:
    if "reads" in entry:
        return usage_from_csv(sample_text(entry["reads"]))
    if "intervals" in entry:
        return usage_from_csv(sample_text(entry["intervals"]))
    if "registers" in entry:
        return [RegisterRead(**fields) for fields in entry["registers"]]
    raise InvalidInput(
        f"customers.{entry.get('account_id')}", entry, "reads, intervals or registers"
    )


def load_demo_customers(text: str | None = None) -> tuple[DemoCustomer, ...]:
    """Return the sample customers described in ``text`` (default: the shipped ``demo.toml``).

    Raises:
        InvalidInput: not TOML, or a customer that misses a field or holds one it cannot.
        NotFound: a tariff or sample file it names is not shipped.
    """
    source = text if text is not None else sample_text("demo.toml")
    if not isinstance(source, str):
        raise InvalidInput("demo", type(source).__name__, "TOML text")
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as err:
        raise InvalidInput("demo", str(err), "TOML text") from None
    entries = data.get("customers")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InvalidInput("customers", entries, "an array of tables [[customers]]")
    return tuple(_customer(entry, f"customers[{index}]") for index, entry in enumerate(entries))


def _customer(entry: dict[str, Any], path: str) -> DemoCustomer:
    try:
        return DemoCustomer(
            account_id=entry["account_id"],
            name=entry["name"],
            note=entry.get("note", ""),
            name_zh=entry.get("name_zh", ""),
            note_zh=entry.get("note_zh", ""),
            tariff=load_shipped(entry["tariff"]),
            period=DateRange(*entry["period"]),
            account=AccountFacts(**entry.get("account", {})),
            usage=_usage(entry),
        )
    except KeyError as err:
        raise InvalidInput(f"{path}.{err.args[0]}", None, "a value (it is required)") from None
    except TypeError as err:  # a table where a text was due, a period that is not a pair, …
        raise InvalidInput(path, str(err), "the fields of a demo customer") from None


def bill_customers(customers: Sequence[DemoCustomer]) -> tuple[Bill, ...]:
    """Return the draft bill of each customer, in order (straight from usage, no store)."""
    return tuple(
        bill_usage(
            customer.tariff,
            customer.usage,
            customer.period,
            customer.account,
            account_id=customer.account_id,
            bill_id=f"{customer.account_id}-{customer.period.start:%Y%m}",
        )
        for customer in customers
    )


# ---------------------------------------------------------------- the sample book in a store

_ACTIVE = {
    "total": RegisterKind.ACTIVE_TOTAL,
    "peak": RegisterKind.PEAK,
    "flat": RegisterKind.FLAT,
    "valley": RegisterKind.VALLEY,
    "critical": RegisterKind.CRITICAL_PEAK,
}


def _register_kind(read: RegisterRead) -> RegisterKind:
    if read.kind == "reactive":
        return RegisterKind.REACTIVE
    if read.kind == "demand":
        return RegisterKind.MAX_DEMAND
    return _ACTIVE[read.register]


def _midnight(day: date) -> pendulum.DateTime:
    return pendulum.datetime(day.year, day.month, day.day, tz=DEFAULT_TIMEZONE)


def _meter(customer: DemoCustomer) -> Meter:
    multipliers = (
        {read.multiplier for read in customer.usage}
        if isinstance(customer.usage, list)
        else {Decimal(1)}
    )
    if len(multipliers) != 1:
        raise InvalidInput(f"{customer.account_id}.multiplier", multipliers, "one multiplier")
    registers = (
        frozenset(_register_kind(read) for read in customer.usage)
        if isinstance(customer.usage, list)
        else frozenset({RegisterKind.ACTIVE_TOTAL, RegisterKind.REACTIVE})
    )
    return Meter(
        id=MeterId(f"M-{customer.account_id}"),
        serial=f"S-{customer.account_id}",
        meter_type=MeterType.SMART,
        accuracy_class="0.5S",
        ct_ratio=multipliers.pop(),
        register_digits=7,
        registers=registers,
        installed_on=_SINCE,
    )


def _register_reads(customer: DemoCustomer, meter: Meter) -> tuple[metering.RegisterRead, ...]:
    assert isinstance(customer.usage, list)
    opened = customer.account.opened_on
    start_day = max(customer.period.start, opened) if opened else customer.period.start
    assert customer.period.end is not None
    reads: list[metering.RegisterRead] = []
    for read in customer.usage:
        register = _register_kind(read)
        pairs = [(customer.period.end, read.current)]
        if read.previous is not None:
            pairs.insert(0, (start_day, read.previous))
        reads.extend(
            metering.RegisterRead(
                meter_id=meter.id,
                register=register,
                read_at=_midnight(day),
                value=value,
                source=metering.ReadSource.ACTUAL,
                produced_by="demo meter reader",
            )
            for day, value in pairs
        )
    return tuple(reads)


def _series(customer: DemoCustomer, meter: Meter) -> tuple[metering.IntervalSeries, ...]:
    assert isinstance(customer.usage, IntervalSeries)
    usage = customer.usage
    series = [
        metering.IntervalSeries.of_actuals(
            meter_id=meter.id,
            start=usage.start,
            values=usage.active_kwh,
            step_minutes=usage.minutes,
        )
    ]
    if usage.reactive_kvarh is not None:
        series.append(
            metering.IntervalSeries.of_actuals(
                meter_id=meter.id,
                start=usage.start,
                values=usage.reactive_kvarh,
                step_minutes=usage.minutes,
                channel=RegisterKind.REACTIVE,
            )
        )
    return tuple(series)


#: The demo's billing auditor (电费审核专责): a made-up actor that publishes the sample tariffs.
DEMO_AUDITOR: Final = Actor(
    id="demo-billing-auditor",
    name="Demo billing auditor (not a real person)",
    roles=frozenset({"billing_auditor"}),
)


def load_sample_book(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    customers: Sequence[DemoCustomer],
) -> None:
    """Store the sample customers: tariffs, customers, accounts, meters, reads and series.

    Every step is idempotent: loading the book twice stores it once.
    """
    for customer in customers:
        publish_tariff(
            make_unit_of_work,
            tariff=customer.tariff,
            actor=DEMO_AUDITOR,
            policy=SEED_POLICY,
            clock=clock,
            why="demo: load the sample tariff",
        )
        meter = _meter(customer)
        opened = customer.account.opened_on or _SINCE
        customer_id = CustomerId(f"C-{customer.account_id}")
        move_in(
            make_unit_of_work,
            clock=clock,
            key=f"demo-move-in/{customer.account_id}",
            customer=Customer(
                id=customer_id,
                name=customer.name,
                sector=Sector.INDUSTRY,
                industry="demo",
                region=customer.account_id[:2],
            ),
            account=Account(id=customer.account_id, customer_id=customer_id, opened_on=opened),
            profile=BillingProfile(
                account_id=AccountId(customer.account_id),
                customer_id=customer_id,
                tariff_code=customer.tariff.code,
                meter_ids=(meter.id,),
                facts=customer.account,
                customer_kind=(
                    CustomerKind.RESIDENTIAL
                    if customer.account.residential
                    else CustomerKind.NON_RESIDENTIAL
                ),
            ),
            meters=(meter,),
            deposit=Money("500.00"),
            deposit_clause="供用电合同 电费保证金条款",
        )
        if isinstance(customer.usage, list):
            submit_reads(make_unit_of_work, clock=clock, reads=_register_reads(customer, meter))
        else:
            submit_series(make_unit_of_work, series=_series(customer, meter))


#: The demo's words: key → (English, Chinese).
_SAY = {
    "store": ("store: {path}", "数据库：{path}"),
    "book_loaded": ("sample book: {n} customers loaded", "样例客户：已载入 {n} 户"),
    "book_there": (
        "sample book: already in the store ({n} customers), nothing loaded twice",
        "样例客户：库中已有 {n} 户，不重复载入",
    ),
    "cycle": ("billing cycle {start} to {end}:", "计费周期 {start} 至 {end} 出账："),
    "issued": ("issued", "已出账"),
    "held": ("held", "暂缓出账"),
    "waiting": ("waiting", "待抄表数据"),
    "refused": ("refused", "拒绝出账"),
    "already": ("already issued", "此前已出账"),
    "payment": (
        "payment {id} of {amount} to {account}: {applied} applied, {credit} left as credit",
        "缴费 {id}：{account} 交 {amount}，冲抵 {applied}，余 {credit} 预存",
    ),
    "payment_there": (
        "payment {id} of {amount} to {account}: already posted, not posted twice",
        "缴费 {id}：{account} 交 {amount}，此前已入账，不重复入账",
    ),
    "balances": (
        "balances (open items − credit; deposit held):",
        "账户余额（欠费 − 预存；押金另计）：",
    ),
    "owes": ("owes {amount}", "欠费 {amount}"),
    "credit": ("in credit {amount}", "预存 {amount}"),
    "settled": ("settled", "已结清"),
    "detail": (
        "(issued {issued}, paid {paid}, deposit {deposit})",
        "（应收 {issued}，已缴 {paid}，押金 {deposit}）",
    ),
}


def _money(value: Money, language: str) -> str:
    """Return ``12.30 元`` in Chinese (as the bills say it), ``12.30 CNY`` in English."""
    unit = "元" if language == "zh" and value.currency == "CNY" else value.currency
    return f"{value.amount} {unit}"


def _say(key: str, language: str, **values: object) -> str:
    english, chinese = _SAY[key]
    text = chinese if language == "zh" else english
    shown = {
        name: _money(value, language) if isinstance(value, Money) else value
        for name, value in values.items()
    }
    return text.format(**shown)


def _balance(owed: Money, language: str) -> str:
    if owed.amount > 0:
        return _say("owes", language, amount=owed)
    if owed.amount < 0:
        return _say("credit", language, amount=-owed)
    return _say("settled", language)


def run_demo(store_path: Path, *, language: str = "en") -> tuple[str, list[Bill]]:
    """Run the whole demo on the SQLite file ``store_path``; return its text and the bills.

    On a store an earlier run filled, the text says what was already there: the book is not
    loaded again, the bills are the stored ones and the payment is not posted twice.
    """
    customers = load_demo_customers()
    clock = FixedClock(DEMO_NOW)
    store = SqliteStore(store_path)
    out: list[str] = [_say("store", language, path=store_path)]
    first = customers[0].account_id
    payment = Money("500.00")
    payment_key = f"demo-payment/{first}"
    try:
        make_unit_of_work = store.unit_of_work
        with make_unit_of_work() as uow:
            known = [
                c
                for c in customers
                if uow.repository(CUSTOMERS).find(CustomerId(f"C-{c.account_id}")) is not None
            ]
            billed_before = set(uow.repository(BILLS).keys())
            paid_before = uow.repository(PAYMENTS).find(PaymentId(f"P-{payment_key}")) is not None
        load_sample_book(make_unit_of_work, clock=clock, customers=customers)
        there = len(known) == len(customers)
        out.append(_say("book_there" if there else "book_loaded", language, n=len(customers)))
        period = customers[0].period

        def progress(step: CycleProgress) -> None:
            account = step.account
            outcome = _say(account.outcome.value, language)
            if account.bill_id is not None and account.outcome is Outcome.ISSUED:
                before = BillId(account.bill_id) in billed_before
                outcome = _say("already" if before else "issued", language)
            out.append(
                f"  [{step.done}/{step.total}] {account.account_id}: {outcome}"
                + (f" {account.bill_id} {account.total}" if account.bill_id else "")
            )

        out.append(_say("cycle", language, start=period.start, end=period.last_day))
        report = run_billing_cycle(
            make_unit_of_work,
            clock=clock,
            period=period,
            issued_on=DEMO_NOW.date(),
            accounts=[c.account_id for c in customers],
            progress=progress,
        )
        bills: list[Bill] = []
        with make_unit_of_work() as uow:
            for bill_id in report.bill_ids:
                bills.append(uow.repository(BILLS).get(BillId(bill_id)).entity)
        out.append("")
        for customer, bill in zip(customers, bills, strict=True):
            name, note = customer.title(language)
            out.append(f"=== {name}")
            if note:
                out.append(f"    {note}")
            out.append(bill.explain(language))
            out.append("")
        out.extend(run_service_demo(make_unit_of_work, clock=clock, at=DEMO_NOW, language=language))
        out.extend([*run_outages_demo(make_unit_of_work, clock=clock, language=language), ""])
        receipt = post_payment(
            make_unit_of_work,
            clock=clock,
            key=payment_key,
            account_id=first,
            amount=payment,
            received_on=date(2025, 8, 5),
        )
        out.append(
            _say(
                "payment_there" if paid_before else "payment",
                language,
                id=receipt.payment_id,
                amount=payment,
                account=first,
                applied=receipt.applied,
                credit=receipt.credit,
            )
        )
        out.append(_say("balances", language))
        for customer in customers:
            owed = account_balance(make_unit_of_work, account_id=customer.account_id)
            detail = _say(
                "detail", language, issued=owed.issued, paid=owed.paid, deposit=owed.deposit
            )
            out.append(f"  {customer.account_id:<10} {_balance(owed.balance, language)}  {detail}")
        out.extend(retail_demo(make_unit_of_work, clock=clock, language=language))
        out.extend(dunning_demo(language))
    finally:
        store.close()
    return "\n".join(out), bills


def _handle(args: argparse.Namespace) -> int:
    path = (
        Path(args.store)
        if args.store
        else Path(tempfile.mkdtemp(prefix="powerretail-demo-")) / "powerretail-demo.sqlite3"
    )
    text, bills = run_demo(path, language=args.lang)
    if args.json:
        print(json.dumps([bill.to_dict() for bill in bills], ensure_ascii=False, indent=2))
        return 0
    print(text)
    return 0


def register(subparsers: Any) -> None:
    """Add the ``demo`` command."""
    parser = subparsers.add_parser(
        "demo", help="load sample customers into a SQLite store, bill them, explain, take a payment"
    )
    parser.add_argument(
        "--store", help="the SQLite file to use (default: a new file in a temporary folder)"
    )
    parser.add_argument("--lang", choices=["en", "zh"], default="en", help="language")
    parser.add_argument("--json", action="store_true", help="print the bills as JSON")
    parser.set_defaults(handler=_handle)
