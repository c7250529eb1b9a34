"""Bills and their lines: every amount rounded once, the total the exact sum of the lines.

A :class:`LineItem` says what was charged and why: the component code, a description in Chinese
and English, the quantity and its unit, the rate, the factor for part months, the amount
(``quantity × rate × factor`` rounded once), the tariff version and the rule it applies.
A :class:`Bill` is a tuple of lines; :meth:`Bill.explain` and :meth:`Bill.to_dict` give the
readable and the structured breakdown, and :meth:`Bill.content_hash_of` the hash an issued bill
carries.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from powerretail.billing._text import display_width, pad, percent_text, rate_text, wrap
from powerretail.errors import InvalidInput
from powerretail.quantities import Money, Rounding, exact_decimal
from powerretail.timeframe import DateRange

__all__ = ["Bill", "BillKind", "BillState", "LineItem", "line_amount"]

_ONE = Fraction(1)


class BillKind(enum.Enum):
    """What a billing document is: a bill, a credit note reversing one, or its replacement."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    REBILL = "rebill"


class BillState(enum.Enum):
    """Where a billing document is in its lifecycle (see :mod:`powerretail.billing.lifecycle`)."""

    DRAFT = "draft"
    HELD = "held"
    ISSUED = "issued"
    REVERSED = "reversed"
    DISCARDED = "discarded"


def line_amount(quantity: Decimal, rate: Decimal, factor: Fraction, rounding: Rounding) -> Money:
    """Return ``quantity × rate × factor`` [元] rounded once by ``rounding``.

    The product is exact when ``factor`` is 1; a part-month factor such as 22/30 is applied in
    a 50-digit context, which decides every tie exactly (a tie is a terminating decimal).
    """
    product = quantity * rate
    if factor != _ONE:
        product = product * factor.numerator / factor.denominator
    return rounding.to_money(product)


def _fraction(value: object) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Fraction(value)
    if isinstance(value, str):
        try:
            return Fraction(value)
        except (ValueError, ZeroDivisionError):
            pass
    raise InvalidInput("factor", value, "a fraction such as 1 or 22/30")


def _dec_quantity(value: object) -> Decimal:
    return exact_decimal(value, "quantity")


def _dec_rate(value: object) -> Decimal:
    return exact_decimal(value, "rate")


@attrs.frozen(kw_only=True, slots=False)
class LineItem:
    """One charged line: ``amount = round(quantity × rate × factor)``.

    The engine builds lines so that ``amount`` is ``quantity × rate × factor`` rounded once by the
    tariff's rounding; a hand-made line is only checked for the kinds of its values (Money, a
    closed period), since the rounding belongs to the tariff.
    """

    code: str
    description_zh: str
    description_en: str
    quantity: Decimal = attrs.field(converter=_dec_quantity)
    unit: str
    rate: Decimal = attrs.field(converter=_dec_rate)
    rate_unit: str
    factor: Fraction = attrs.field(default=_ONE, converter=_fraction)
    amount: Money
    tariff_code: str
    tariff_version: str
    source: str
    period: DateRange
    note: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.amount, Money):
            raise InvalidInput("amount", self.amount, "Money")
        if not isinstance(self.period, DateRange) or self.period.end is None:
            raise InvalidInput("period", self.period, "a closed DateRange")

    def negated(self) -> LineItem:
        """Return this line reversed: the same quantity with the opposite amount (a credit)."""
        return attrs.evolve(self, quantity=-self.quantity, amount=-self.amount)

    def to_dict(self) -> dict[str, str]:
        """Return the line as JSON-ready strings (money and quantities as exact text)."""
        return {
            "code": self.code,
            "description_zh": self.description_zh,
            "description_en": self.description_en,
            "quantity": str(self.quantity),
            "unit": self.unit,
            "rate": str(self.rate),
            "rate_unit": self.rate_unit,
            "factor": str(self.factor),
            "amount": str(self.amount.amount),
            "tariff_code": self.tariff_code,
            "tariff_version": self.tariff_version,
            "source": self.source,
            "period_start": self.period.start.isoformat(),
            "period_end": self.period.end.isoformat() if self.period.end else "",
            "note": self.note,
        }


def _lines(value: Iterable[LineItem]) -> tuple[LineItem, ...]:
    lines = tuple(value)
    for index, line in enumerate(lines):
        if not isinstance(line, LineItem):
            raise InvalidInput(f"lines[{index}]", line, "a LineItem")
    return lines


@attrs.frozen(kw_only=True, slots=False)
class Bill:
    """A billing document: its lines, the period, and where it is in its lifecycle.

    The total is always the exact sum of the lines. ``content_hash`` is set when the document is
    issued and covers :meth:`canonical_content` (everything but the state).
    """

    bill_id: str
    account_id: str
    kind: BillKind = BillKind.INVOICE
    state: BillState = BillState.DRAFT
    period: DateRange
    tariff_code: str
    currency: str = "CNY"
    lines: tuple[LineItem, ...] = attrs.field(converter=_lines)
    corrects: str | None = None
    issued_on: date | None = None
    content_hash: str | None = None
    findings: tuple[str, ...] = ()
    #: What the bill says about itself: a charge left out for want of a fact, a method used.
    notes: tuple[str, ...] = attrs.field(default=(), converter=tuple)

    @property
    def total(self) -> Money:
        """The exact sum of the lines."""
        total = Decimal(0)
        for line in self.lines:
            total += line.amount.amount
        return Money(total, self.currency)

    def canonical_content(self) -> dict[str, Any]:
        """Return what the content hash covers: every field except state and hash, as strings."""
        return {
            "bill_id": self.bill_id,
            "account_id": self.account_id,
            "kind": self.kind.value,
            "period": [self.period.start.isoformat(), str(self.period.end)],
            "tariff_code": self.tariff_code,
            "currency": self.currency,
            "corrects": self.corrects,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "lines": [line.to_dict() for line in self.lines],
            "total": str(self.total.amount),
            # Only when there are notes, so bills without notes keep the hash they always had.
            **({"notes": list(self.notes)} if self.notes else {}),
        }

    def content_hash_of(self) -> str:
        """Return the SHA-256 of the canonical content (sorted-key JSON, UTF-8)."""
        text = json.dumps(self.canonical_content(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """Return the bill as a JSON-ready mapping (money as strings)."""
        content = self.canonical_content()
        content["state"] = self.state.value
        content["content_hash"] = self.content_hash
        content["findings"] = list(self.findings)
        content["notes"] = list(self.notes)
        return content

    def explain(self, language: str = "en") -> str:
        """Return the bill as readable text, one line per charge, in ``"en"`` or ``"zh"``.

        Raises:
            InvalidInput: another language.
        """
        if language not in ("en", "zh"):
            raise InvalidInput("language", language, '"en" or "zh"')
        zh = language == "zh"
        end = self.period.last_day.isoformat()
        title = (
            f"电费账单 {self.bill_id}  户号 {self.account_id}  {self.period.start}～{end}"
            if zh
            else f"Bill {self.bill_id}  account {self.account_id}  {self.period.start} to {end}"
        )
        out = [title, f"{'电价' if zh else 'tariff'} {self.tariff_code}"]
        folded: dict[int, list[str]] = {}
        for index, line in enumerate(self.lines):
            name = line.description_zh if zh else line.description_en
            sibling = _priced_sibling(self.lines, index) if _is_free(line) else None
            if sibling is not None:
                first_note = line.note.split("; ")[0]
                free = "不计费" if zh else "no charge"
                fold = f"{name}: {line.quantity} {line.unit}, {free}"
                folded.setdefault(sibling, []).append(
                    f"{fold} ({first_note})" if line.note else fold
                )
                continue
            out.extend(_charge_rows(name, _sums(line, zh), line.amount.amount, free=_is_free(line)))
            detail = [*folded.pop(index, []), *([line.note] if line.note else [])]
            detail.append(f"{'依据' if zh else 'rule'}: {line.source}; v{line.tariff_version}")
            for text in detail:
                out.extend(_detail_rows(text))
        total = pad(f"  {'合计' if zh else 'total'}", _AMOUNT_AT)
        out.append(f"{total}{self.total.amount:>{_AMOUNT_WIDTH}} {self.currency}")
        for note in self.notes:
            out.extend(_detail_rows(("说明: " if zh else "note: ") + note))
        if self.findings:
            out.append(("暂缓出账: " if zh else "held: ") + "; ".join(self.findings))
        return "\n".join(out)


# ---------------------------------------------------------------- text layout of explain()

#: Columns of a bill's text: charge names, then the sums, then amounts right-aligned at the edge.
_WIDTH = 80
_NAME_WIDTH = 30
_AMOUNT_WIDTH = 12
_AMOUNT_AT = _WIDTH - _AMOUNT_WIDTH  # the column the amount field starts at
_SUMS_AT = 2 + _NAME_WIDTH + 1
_DETAIL_INDENT = "      "


def _is_free(line: LineItem) -> bool:
    """Return whether ``line`` prices something at a zero rate (a tier below the surcharge)."""
    return not line.rate and line.amount.is_zero()


def _priced_sibling(lines: tuple[LineItem, ...], index: int) -> int | None:
    """Return the index of the next priced line of the same charge (``code.part``), if any."""
    family = lines[index].code.rpartition(".")[0]
    if not family:
        return None
    for later in range(index + 1, len(lines)):
        other = lines[later]
        if other.code.rpartition(".")[0] != family:
            return None
        if not _is_free(other) and other.tariff_version == lines[index].tariff_version:
            return later
    return None


def _sums(line: LineItem, zh: bool) -> str:
    """Return how ``line`` was computed, in words a customer reads."""
    if line.unit == "元" and line.rate_unit == "×":  # a percentage of a base amount
        return f"{'基数' if zh else 'base'} {line.quantity} 元 × {percent_text(line.rate)}"
    if _is_free(line):
        return f"{line.quantity} {line.unit}, {'不计费' if zh else 'no charge'}"
    factor = "" if line.factor == _ONE else f" × {line.factor}"
    return f"{line.quantity} {line.unit} × {rate_text(line.rate)} {line.rate_unit}{factor}"


def _charge_rows(name: str, sums: str, amount: Decimal, *, free: bool) -> list[str]:
    """Return the rows of one charge: the amount always ends at the right edge.

    A name wider than its column, or sums wider than theirs, go on a row of their own.
    """
    money = "" if free else f"{amount:>{_AMOUNT_WIDTH}}"
    if display_width(name) <= _NAME_WIDTH and _SUMS_AT + display_width(sums) < _AMOUNT_AT:
        return [(pad(f"  {pad(name, _NAME_WIDTH)} {sums}", _AMOUNT_AT) + money).rstrip()]
    rows = [f"  {text}" for text in wrap(name, _WIDTH - 2)]
    rows.append((pad(f"    {sums}", _AMOUNT_AT) + money).rstrip())
    return rows


def _detail_rows(text: str) -> list[str]:
    """Return a note or rule line wrapped to the bill's width, continuations indented."""
    first, *rest = wrap(text, _WIDTH - len(_DETAIL_INDENT))
    rows = [f"{_DETAIL_INDENT}{first}"]
    for part in rest:
        rows.extend(f"{_DETAIL_INDENT}  {piece}" for piece in wrap(part, _WIDTH - 8))
    return rows
