"""``powerretail bill``: price a CSV of register reads or interval data under a tariff.

``--reads`` takes the CSV that ``powerretail validate`` reads (columns in
:mod:`powerretail.metering.rows`): register reads (``meter_id,read_at,value[,register,
multiplier…]``; the first and the last read of each register are the period's opening and
closing reads; a ``max_demand`` register's last read is the period's maximum) or intervals
(``meter_id,interval_start,kwh[,channel,step_minutes…]``, one meter, channels ``active_total``
and ``reactive``). A period summary (``register,previous,current[,multiplier,meter_id]``) reads
too. Registers are named as in ``validate``: ``active_total``, ``peak``, ``flat``, ``valley``,
``critical_peak``, ``reactive``, ``max_demand`` (or another bucket of the tariff, such as
``deep_valley``). ``--period`` is a month (``2025-07``) or a half-open range
(``2025-07-10..2025-08-01``). ``--format`` prints the explained text, JSON, or a printable
HTML notice (电费通知单).
"""

from __future__ import annotations

import argparse
import csv
import json
from typing import Any

from powerretail.adapters.read_csv import LoadedReads, load_reads_text
from powerretail.adapters.tariff_library import load
from powerretail.billing.bill import Bill
from powerretail.billing.determinants import AccountFacts
from powerretail.billing.engine import BillingEngine
from powerretail.billing.notice import NoticeDetails, NoticeRead, render_notice_html
from powerretail.billing.usage import IntervalSeries, RegisterRead, determinants_from_registers
from powerretail.cli._files import add_encoding_option, read_file
from powerretail.errors import InvalidInput
from powerretail.ids import MeterId
from powerretail.metering import reads as metering
from powerretail.metering.meters import RegisterKind
from powerretail.metering.rows import MissedRead
from powerretail.tariffs.model import Tariff
from powerretail.timeframe import DateRange, as_date

__all__ = ["REGISTERS", "bill_usage", "notice_reads", "parse_period", "register", "usage_from_csv"]

#: The register names of a CSV (those of ``validate``) → (the tariff's bucket, the read's kind).
REGISTERS: dict[str, tuple[str, str]] = {
    RegisterKind.ACTIVE_TOTAL.value: ("total", "active"),
    RegisterKind.PEAK.value: ("peak", "active"),
    RegisterKind.FLAT.value: ("flat", "active"),
    RegisterKind.VALLEY.value: ("valley", "active"),
    RegisterKind.CRITICAL_PEAK.value: ("critical", "active"),
    RegisterKind.REACTIVE.value: ("reactive", "reactive"),
    RegisterKind.MAX_DEMAND.value: ("demand", "demand"),
}
#: Names of the tariff's buckets that are another register's name in a CSV.
_RENAMED = {"total": "active_total", "critical": "critical_peak", "demand": "max_demand"}
_SUMMARY_COLUMNS = {"register", "previous", "current", "multiplier", "meter_id"}
_VOCABULARY = ", ".join(REGISTERS)


def parse_period(text: str) -> DateRange:
    """Return the billing period ``2025-07`` (a month) or ``2025-07-10..2025-08-01``.

    Raises:
        InvalidInput: neither form.
    """
    if ".." in text:
        start, _, end = text.partition("..")
        return DateRange(start, end)
    parts = text.split("-")
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return DateRange.month(int(parts[0]), int(parts[1]))
    raise InvalidInput("period", text, "a month YYYY-MM or a range YYYY-MM-DD..YYYY-MM-DD")


def _bucket(name: str, field: str) -> tuple[str, str]:
    """Return the bucket and kind of the CSV register ``name``."""
    if name in REGISTERS:
        return REGISTERS[name]
    if name in _RENAMED:
        raise InvalidInput(field, name, f"{_RENAMED[name]} (registers: {_VOCABULARY})")
    if not name:
        raise InvalidInput(field, name, f"a register ({_VOCABULARY})")
    return name, "active"  # another bucket of the tariff (deep_valley …)


def _summary_reads(text: str) -> list[RegisterRead]:
    try:
        rows = list(csv.DictReader(text.splitlines()))
    except csv.Error as err:
        raise InvalidInput("reads", str(err), "CSV text") from None
    reads = []
    for number, row in enumerate(rows, start=2):
        if None in row:  # more fields than the header names
            raise InvalidInput(
                f"line {number}", len(row) - 1 + len(row[None]), "a field per column"
            )
        fields: dict[str, Any] = {k: v for k, v in row.items() if v not in ("", None)}
        for column in ("register", "current"):  # a short row leaves them out
            if column not in fields:
                raise InvalidInput(f"line {number}.{column}", "", "a value (it is required)")
        try:
            bucket, kind = _bucket(fields.pop("register", ""), "register")
            meter = fields.pop("meter_id", "")
            if kind == "demand":
                fields.pop("previous", None)
            reads.append(RegisterRead(register=bucket, kind=kind, meter=meter, **fields))
        except InvalidInput as err:
            raise InvalidInput(f"line {number}.{err.field}", err.value, err.expected) from None
    return reads


def _refuse_problems(loaded: LoadedReads) -> None:
    if loaded.problems:
        problem = loaded.problems[0]
        where = f"line {problem.line}" + (f".{problem.column}" if problem.column else "")
        raise InvalidInput(where, problem.message, "a row that reads (see powerretail validate)")


def _reads_from_metering(loaded: LoadedReads) -> list[RegisterRead]:
    groups: dict[tuple[MeterId, RegisterKind], list[metering.RegisterRead]] = {}
    for read in loaded.reads:
        if isinstance(read, MissedRead):
            raise InvalidInput(
                f"line {read.line}.value",
                "",
                "a value (estimate missed reads with powerretail validate --write-estimates)",
            )
        groups.setdefault((read.meter_id, read.register), []).append(read)
    reads = []
    for (meter_id, kind), group in groups.items():
        group.sort(key=lambda read: read.read_at)
        bucket, read_kind = REGISTERS[kind.value]
        multiplier = loaded.meters[meter_id].multiplier
        if read_kind == "demand":
            reads.append(
                RegisterRead(
                    register=bucket,
                    kind=read_kind,
                    current=group[-1].value,
                    multiplier=multiplier,
                    meter=meter_id,
                )
            )
            continue
        if len(group) < 2:
            raise InvalidInput(
                f"{meter_id}/{kind.value}", len(group), "an opening and a closing read"
            )
        reads.append(
            RegisterRead(
                register=bucket,
                kind=read_kind,
                previous=group[0].value,
                current=group[-1].value,
                multiplier=multiplier,
                meter=meter_id,
            )
        )
    return reads


def _series_from_metering(loaded: LoadedReads) -> IntervalSeries:
    channels: dict[RegisterKind, metering.IntervalSeries] = {}
    for series in loaded.series:
        if series.channel not in (RegisterKind.ACTIVE_TOTAL, RegisterKind.REACTIVE):
            raise InvalidInput("channel", series.channel.value, "active_total or reactive")
        if series.channel in channels or (
            channels and series.meter_id not in {one.meter_id for one in channels.values()}
        ):
            raise InvalidInput(
                "intervals", series.meter_id, "one meter's intervals, one run per channel"
            )
        if any(value is None for value in series.values):
            raise InvalidInput(
                f"{series.meter_id}/{series.channel.value}",
                "a missing interval",
                "every interval (fill gaps with powerretail validate --write-estimates)",
            )
        channels[series.channel] = series
    active = channels.get(RegisterKind.ACTIVE_TOTAL)
    if active is None:
        raise InvalidInput(
            "channel", ",".join(c.value for c in channels), "an active_total channel"
        )
    reactive = channels.get(RegisterKind.REACTIVE)
    if reactive is not None and (reactive.start, len(reactive.values)) != (
        active.start,
        len(active.values),
    ):
        raise InvalidInput(
            "reactive", reactive.start, f"the active channel's intervals from {active.start}"
        )
    return IntervalSeries(
        start=active.start,
        minutes=active.step_minutes,
        active_kwh=active.values,
        reactive_kvarh=None if reactive is None else reactive.values,
    )


def usage_from_csv(text: str) -> list[RegisterRead] | IntervalSeries:
    """Return the register reads or the interval series in CSV ``text``.

    Raises:
        InvalidInput: unknown columns, a row that does not read, a register without an opening
            and a closing read, a missed read or a missing interval.
    """
    header = next(csv.reader(text.removeprefix("\ufeff").splitlines()[:1]), [])
    columns = {name.strip().lower() for name in header}
    if columns and columns <= _SUMMARY_COLUMNS and {"register", "current"} <= columns:
        return _summary_reads(text.removeprefix("\ufeff"))
    if "read_at" in columns or "interval_start" in columns:
        loaded = load_reads_text(text)
        _refuse_problems(loaded)
        if loaded.kind == "reads":
            return _reads_from_metering(loaded)
        return _series_from_metering(loaded)
    raise InvalidInput(
        "reads",
        ",".join(sorted(columns)) or "nothing",
        "the columns of powerretail validate (meter_id,read_at,value,… or "
        "meter_id,interval_start,kwh,…) or a summary (register,previous,current,…)",
    )


def notice_reads(usage: list[RegisterRead] | IntervalSeries) -> tuple[NoticeRead, ...]:
    """Return the meter reads a notice prints (none for interval data)."""
    if isinstance(usage, IntervalSeries):
        return ()
    units = {"active": "kWh", "reactive": "kvarh", "demand": "kW"}
    return tuple(
        NoticeRead(
            register=read.register if read.kind == "active" else read.kind,
            previous=read.previous,
            current=read.current,
            multiplier=read.multiplier,
            unit=units[read.kind],
        )
        for read in usage
    )


def bill_usage(
    tariff: Tariff,
    usage: list[RegisterRead] | IntervalSeries,
    period: DateRange,
    account: AccountFacts,
    *,
    account_id: str = "",
    bill_id: str = "",
) -> Bill:
    """Return the draft bill of register reads or an interval series."""
    engine = BillingEngine(tariff)
    if isinstance(usage, IntervalSeries):
        return engine.bill_intervals(usage, period, account, account_id=account_id, bill_id=bill_id)
    return engine.bill(
        determinants_from_registers(usage), period, account, account_id=account_id, bill_id=bill_id
    )


def _account(args: argparse.Namespace) -> AccountFacts:
    return AccountFacts(
        capacity_kva=args.capacity_kva,
        contract_demand_kw=args.contract_demand_kw,
        basic_charge_basis=args.basis,
        pf_standard=args.pf_standard,
        residential=args.residential,
        use_category=args.use_category,
        ytd_kwh=args.ytd_kwh,
        opened_on=args.opened_on,
        closed_on=args.closed_on,
    )


def _handle(args: argparse.Namespace) -> int:
    tariff = load(args.tariff, encoding=args.encoding)
    usage = usage_from_csv(read_file(args, args.reads, "reads file"))
    bill = bill_usage(
        tariff, usage, parse_period(args.period), _account(args), account_id=args.account or ""
    )
    form = "json" if args.json else args.format
    if form == "json":
        print(json.dumps(bill.to_dict(), ensure_ascii=False, indent=2))
    elif form == "html":
        details = NoticeDetails(
            customer_name=args.customer or "",
            reads=notice_reads(usage),
            due_on=as_date(args.due_on, "--due-on") if args.due_on else None,
            payment=tuple(args.pay_to or ()),
        )
        print(render_notice_html(bill, language=args.lang, details=details), end="")
    else:
        print(bill.explain(args.lang))
    return 0


def register(subparsers: Any) -> None:
    """Add the ``bill`` command."""
    parser = subparsers.add_parser(
        "bill",
        help="price reads or interval data under a tariff",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--tariff", required=True, help="a shipped tariff code or a tariff file")
    parser.add_argument(
        "--reads", required=True, help="CSV of register reads or intervals (as validate reads)"
    )
    parser.add_argument("--period", required=True, help="2025-07 or 2025-07-10..2025-08-01")
    parser.add_argument("--account", help="the account id printed on the bill")
    parser.add_argument("--capacity-kva", help="contracted transformer capacity [kVA]")
    parser.add_argument("--contract-demand-kw", help="contract maximum demand [kW]")
    parser.add_argument("--basis", choices=["capacity", "demand"], help="basic-charge basis")
    parser.add_argument("--pf-standard", choices=["0.90", "0.85", "0.80"], help="PF standard")
    parser.add_argument("--residential", action="store_true", help="a residential account")
    parser.add_argument(
        "--use-category",
        choices=["industrial", "commercial", "agricultural"],
        help="the kind of user (time-of-use overlays for some kinds: Jiangsu's critical peak)",
    )
    parser.add_argument("--ytd-kwh", default="0", help="energy billed this tier year [kWh]")
    parser.add_argument("--opened-on", help="first day of service (move-in)")
    parser.add_argument("--closed-on", help="first day without service (move-out)")
    parser.add_argument(
        "--lang",
        choices=["en", "zh"],
        default="en",
        help="language of the bill: zh prints headings, units, notes and rules in Chinese",
    )
    parser.add_argument(
        "--format",
        choices=["text", "json", "html"],
        default="text",
        help="explained text, JSON, or a printable HTML bill notice (电费通知单)",
    )
    parser.add_argument("--json", action="store_true", help="the same as --format json")
    parser.add_argument("--customer", help="the customer's name on the HTML notice")
    parser.add_argument("--due-on", help="the payment deadline on the HTML notice (YYYY-MM-DD)")
    parser.add_argument(
        "--pay-to", action="append", help="a line on how to pay, for the HTML notice (repeatable)"
    )
    add_encoding_option(parser)
    parser.set_defaults(handler=_handle)
