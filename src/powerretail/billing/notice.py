"""A printable bill notice (电费通知单): one A4 page of HTML, from the same lines as the text.

:func:`render_notice_html` is pure: it takes a :class:`~powerretail.billing.bill.Bill` and what
the notice shows besides (:class:`NoticeDetails`: the customer's name, the meter reads, the
payment deadline and how to pay) and returns the page as text. Every value is HTML-escaped. The
charges are :func:`~powerretail.billing.bill.explained_lines`, the rows of
:meth:`~powerretail.billing.bill.Bill.explain`: name, quantity × rate = amount, notes and rule.

>>> from powerretail.billing.bill import Bill
>>> from powerretail.timeframe import DateRange
>>> page = render_notice_html(
...     Bill(bill_id="B<1>", account_id="A-1", period=DateRange.month(2025, 7),
...          tariff_code="T", lines=()),
...     language="en",
... )
>>> "B&lt;1&gt;" in page, "B<1>" in page, page.startswith("<!DOCTYPE html>")
(True, False, True)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from html import escape

import attrs

from powerretail.billing._i18n import money_text, note_text, unit_text, word
from powerretail.billing.bill import Bill, BillKind, BillState, explained_lines
from powerretail.errors import InvalidInput
from powerretail.quantities import exact_decimal

__all__ = ["NoticeDetails", "NoticeRead", "render_notice_html"]

#: Register names on a notice: what the register counts, in Chinese and English.
_REGISTERS = {
    "total": ("总", "total"),
    "critical": ("尖峰", "critical peak"),
    "peak": ("峰", "peak"),
    "flat": ("平", "flat"),
    "valley": ("谷", "valley"),
    "deep_valley": ("深谷", "deep valley"),
    "reactive": ("无功", "reactive"),
    "demand": ("最大需量", "maximum demand"),
}

_DEFAULT_PAYMENT = (
    "Pay at a service hall, by bank transfer or online, quoting the account number.",
    "可在营业厅、银行或线上渠道缴费，缴费时请注明户号。",
)


def _current(value: object) -> Decimal:
    return exact_decimal(value, "current")


def _previous(value: object) -> Decimal | None:
    return None if value is None else exact_decimal(value, "previous")


def _multiplier(value: object) -> Decimal:
    return exact_decimal(value, "multiplier")


@attrs.frozen(kw_only=True)
class NoticeRead:
    """One register's reads as the notice prints them: previous, current, multiplier, usage.

    ``register`` is a bucket (``peak``, ``flat`` …), ``reactive`` or ``demand``; ``previous`` is
    ``None`` for a demand register (it shows the period's maximum).
    """

    register: str
    current: Decimal = attrs.field(converter=_current)
    previous: Decimal | None = attrs.field(default=None, converter=_previous)
    multiplier: Decimal = attrs.field(default=Decimal(1), converter=_multiplier)
    unit: str = "kWh"

    @property
    def usage(self) -> Decimal:
        """``(current − previous) × multiplier``, or ``current × multiplier`` for a demand."""
        if self.previous is None:
            return self.current * self.multiplier
        return (self.current - self.previous) * self.multiplier


def _reads(value: Iterable[NoticeRead]) -> tuple[NoticeRead, ...]:
    reads = tuple(value)
    for index, read in enumerate(reads):
        if not isinstance(read, NoticeRead):
            raise InvalidInput(f"reads[{index}]", read, "a NoticeRead")
    return reads


def _payment(value: Iterable[str]) -> tuple[str, ...]:
    lines = tuple(value)
    for index, line in enumerate(lines):
        if not isinstance(line, str):
            raise InvalidInput(f"payment[{index}]", line, "text")
    return lines


def _due_days(_instance: object, _attribute: object, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput("due_days", value, "a whole number of days, zero or more")


@attrs.frozen(kw_only=True)
class NoticeDetails:
    """What a notice shows besides the bill.

    ``due_on`` is the payment deadline; when it is not given, a bill issued on a day is due
    ``due_days`` days later. ``payment`` holds the lines saying how to pay (a default when empty).
    """

    customer_name: str = ""
    address: str = ""
    reads: tuple[NoticeRead, ...] = attrs.field(default=(), converter=_reads)
    due_on: dt.date | None = None
    due_days: int = attrs.field(default=15, validator=_due_days)
    payment: tuple[str, ...] = attrs.field(default=(), converter=_payment)

    def due_date(self, bill: Bill) -> dt.date | None:
        """Return the payment deadline of ``bill``: ``due_on``, or issue day + ``due_days``."""
        if self.due_on is not None:
            return self.due_on
        if bill.issued_on is not None:
            return bill.issued_on + dt.timedelta(days=self.due_days)
        return None


_STYLE = """
@page { size: A4; margin: 12mm 12mm 12mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei",
  "PingFang SC", sans-serif; font-size: 9.5pt; color: #111; margin: 0; }
.page { width: 186mm; margin: 0 auto; }
header { display: flex; justify-content: space-between; align-items: flex-end;
  border-bottom: 2px solid #1f4e79; padding-bottom: 3mm; margin-bottom: 4mm; }
h1 { font-size: 19pt; margin: 0; color: #1f4e79; letter-spacing: 0.15em; }
h2 { font-size: 10.5pt; margin: 4mm 0 1.5mm; color: #1f4e79; border-left: 3px solid #1f4e79;
  padding-left: 2mm; }
.meta { text-align: right; font-size: 9.5pt; line-height: 1.5; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 1px solid #9aa9b8; padding: 0.8mm 1.6mm; vertical-align: top; }
th { background: #e8eef5; font-weight: 600; text-align: left; }
.facts th { width: 14%; }
.facts td { width: 36%; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.charges td.sums { white-space: nowrap; width: 34%; }
.charges td.amount { width: 14%; }
.detail { font-size: 7.5pt; line-height: 1.3; color: #444; margin-top: 0.5mm; }
tr.total td { font-weight: 700; font-size: 12pt; background: #f3f6fa; }
.pay { display: flex; gap: 4mm; margin-top: 5mm; }
.pay > div { flex: 1; border: 1px solid #9aa9b8; padding: 3mm; }
.due { font-size: 13pt; font-weight: 700; }
.warning { border: 2px solid #b00020; color: #b00020; padding: 2mm 3mm; margin: 3mm 0; }
tr { page-break-inside: avoid; }
footer { margin-top: 5mm; font-size: 8pt; color: #666; }
@media screen { body { padding: 8mm 0; background: #f4f4f4; } .page { background: #fff;
  padding: 10mm 12mm; box-shadow: 0 0 3mm #bbb; width: 210mm; } }
@media print { .page { width: auto; } }
"""


def _colon(language: str) -> str:
    return "：" if language == "zh" else ": "


def _cell(text: object, css: str = "") -> str:
    attribute = f' class="{css}"' if css else ""
    return f"<td{attribute}>{escape(str(text))}</td>"


def _facts(bill: Bill, details: NoticeDetails, language: str) -> str:
    facts = []
    if details.customer_name:
        facts.append((word("customer", language), details.customer_name))
    if bill.account_id:
        facts.append((word("account", language), bill.account_id))
    if details.address:
        facts.append((word("address", language), details.address))
    joiner = " 至 " if language == "zh" else " to "
    facts.append((word("period", language), f"{bill.period.start}{joiner}{bill.last_day}"))
    facts.append((word("tariff", language), bill.tariff_code))
    cells = [f"<th>{escape(name)}</th>{_cell(value)}" for name, value in facts]
    if len(cells) % 2:
        cells.append("<th></th><td></td>")
    rows = "".join(f"<tr>{cells[i]}{cells[i + 1]}</tr>" for i in range(0, len(cells), 2))
    return f'<table class="facts">{rows}</table>'


def _register_name(register: str, language: str) -> str:
    names = _REGISTERS.get(register)
    if names is None:
        return register
    return names[0] if language == "zh" else names[1]


def _reads_table(reads: tuple[NoticeRead, ...], language: str) -> str:
    if not reads:
        return ""
    titles = ("register", "previous", "current", "multiplier", "usage")
    head = "".join(f"<th>{escape(word(t, language))}</th>" for t in titles)
    rows = []
    for read in reads:
        rows.append(
            "<tr>"
            + _cell(_register_name(read.register, language))
            + _cell("—" if read.previous is None else read.previous, "num")
            + _cell(read.current, "num")
            + _cell(read.multiplier, "num")
            + _cell(f"{read.usage} {unit_text(read.unit, language)}", "num")
            + "</tr>"
        )
    return (
        f"<h2>{escape(word('reads', language))}</h2>"
        f'<table class="reads"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _charges_table(bill: Bill, language: str) -> str:
    titles = ("charge", "calculation", "amount")
    head = "".join(f"<th>{escape(word(t, language))}</th>" for t in titles)
    rows = []
    for entry in explained_lines(bill.lines, language):
        details = "".join(f'<div class="detail">{escape(text)}</div>' for text in entry.details)
        amount = "" if entry.free else str(entry.amount)
        rows.append(
            f'<tr class="line" data-code="{escape(entry.line.code)}">'
            f"<td>{escape(entry.name)}{details}</td>"
            + _cell(entry.sums, "sums")
            + _cell(amount, "num amount")
            + "</tr>"
        )
    total = money_text(bill.total.amount, bill.currency, language)
    rows.append(
        f'<tr class="total"><td colspan="2">{escape(word("total", language))}</td>'
        f'<td class="num" id="total">{escape(total)}</td></tr>'
    )
    notes = "".join(
        f'<div class="detail note">{escape(word("note", language))}{_colon(language)}'
        f"{escape(note_text(note, language))}</div>"
        for note in bill.notes
    )
    return (
        f"<h2>{escape(word('charges', language))}</h2>"
        f'<table class="charges"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{notes}"
    )


def _payment_box(bill: Bill, details: NoticeDetails, language: str) -> str:
    due = details.due_date(bill)
    payment = details.payment or (
        (_DEFAULT_PAYMENT[1],) if language == "zh" else _DEFAULT_PAYMENT[:1]
    )
    total = money_text(bill.total.amount, bill.currency, language)
    lines = "".join(f"<p>{escape(line)}</p>" for line in payment)
    return (
        '<div class="pay">'
        f"<div><div>{escape(word('amount_due', language))}</div>"
        f'<div class="due">{escape(total)}</div>'
        f"<div>{escape(word('due_on', language))}{_colon(language)}"
        f'<span id="due">{escape(str(due) if due else "—")}</span></div></div>'
        f"<div><div>{escape(word('payment', language))}</div>{lines}</div>"
        "</div>"
    )


def _warnings(bill: Bill, language: str) -> str:
    out = []
    if bill.state is not BillState.ISSUED:
        state = word(bill.state.value, language)
        out.append(
            f"{word('not_issued', language)}（{state}）"
            if language == "zh"
            else f"{word('not_issued', language)} ({state})"
        )
    if bill.findings:
        out.extend(
            f"{word('held', language)}{_colon(language)}{note_text(finding, language)}"
            for finding in bill.findings
        )
    return "".join(f'<div class="warning">{escape(text)}</div>' for text in out)


def render_notice_html(
    bill: Bill, *, language: str = "zh", details: NoticeDetails | None = None
) -> str:
    """Return ``bill`` as a printable A4 notice (HTML) in ``"zh"`` or ``"en"``.

    Raises:
        InvalidInput: another language, or ``bill`` is not a Bill.
    """
    if language not in ("en", "zh"):
        raise InvalidInput("language", language, '"en" or "zh"')
    if not isinstance(bill, Bill):
        raise InvalidInput("bill", bill, "a Bill")
    details = details or NoticeDetails()
    title = word("bill_notice", language)
    number = f"{word('bill_no', language)} {bill.bill_id}" if bill.bill_id else ""
    kind = "" if bill.kind is BillKind.INVOICE else word(bill.kind.value, language)
    issued = f"{word('issued_on', language)} {bill.issued_on}" if bill.issued_on is not None else ""
    meta = "<br>".join(escape(part) for part in (number, issued, kind) if part)
    html_lang = "zh-CN" if language == "zh" else "en"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html_lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)} {escape(bill.bill_id)}</title>"
        f'<style>{_STYLE}</style></head><body><div class="page">'
        f'<header><h1>{escape(title)}</h1><div class="meta">{meta}</div></header>'
        + _warnings(bill, language)
        + _facts(bill, details, language)
        + _reads_table(details.reads, language)
        + _charges_table(bill, language)
        + _payment_box(bill, details, language)
        + f"<footer>{escape(word('footer', language))}</footer>"
        + "</div></body></html>\n"
    )
