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

from powerretail.billing._i18n import currency_text, note_text, phrase, unit_text, word
from powerretail.billing._text import (
    display_width,
    pad,
    percent_text,
    quantity_text,
    rate_text,
    wrap,
)
from powerretail.errors import InvalidInput
from powerretail.quantities import Money, Rounding, exact_decimal
from powerretail.timeframe import DateRange

__all__ = [
    "Bill",
    "BillKind",
    "BillState",
    "ExplainedLine",
    "LineItem",
    "explained_lines",
    "factor_text",
    "line_amount",
]

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
    #: The rule in Chinese, printed on Chinese bills; empty (a tariff without one): ``source``.
    source_zh: str = ""

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
            "source_zh": self.source_zh,
        }

    def rule_text(self, language: str) -> str:
        """Return the rule the line applies in ``language``: Chinese when the line has it."""
        return (self.source_zh or self.source) if language == "zh" else self.source


def _canonical_line(line: LineItem) -> dict[str, str]:
    """Return what the hash covers of ``line``: without ``source_zh`` when it is empty.

    Lines made before Chinese rule texts existed keep the hash their bill was issued with.
    """
    data = line.to_dict()
    if not line.source_zh:
        del data["source_zh"]
    return data


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

    def __attrs_post_init__(self) -> None:
        for index, line in enumerate(self.lines):
            if line.amount.currency != self.currency:
                raise InvalidInput(
                    f"lines[{index}].amount",
                    str(line.amount),
                    f"an amount in the bill's currency {self.currency} (currencies never mix)",
                )

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
            "lines": [_canonical_line(line) for line in self.lines],
            "total": str(self.total.amount),
            # Only when there are notes, so bills without notes keep the hash they always had.
            **({"notes": list(self.notes)} if self.notes else {}),
        }

    def content_hash_of(self) -> str:
        """Return the SHA-256 of the canonical content (sorted-key JSON, UTF-8)."""
        text = json.dumps(self.canonical_content(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """Return the bill as a JSON-ready mapping (money as strings).

        ``period`` holds ``start``, ``last_day`` (the days :meth:`explain` shows) and ``end``, the
        first day not billed.
        """
        content = self.canonical_content()
        # The text shows the first and the last day; "end" is the first day not billed.
        content["period"] = {
            "start": self.period.start.isoformat(),
            "last_day": self.last_day.isoformat(),
            "end": str(self.period.end),
        }
        content["lines"] = [line.to_dict() for line in self.lines]
        content["state"] = self.state.value
        content["content_hash"] = self.content_hash
        content["findings"] = list(self.findings)
        content["notes"] = list(self.notes)
        return content

    @property
    def last_day(self) -> date:
        """The last day the bill covers (the period's end is the first day it does not)."""
        return self.period.last_day

    def explain(self, language: str = "en") -> str:
        """Return the bill as readable text, one line per charge, in ``"en"`` or ``"zh"``.

        Raises:
            InvalidInput: another language.
        """
        if language not in ("en", "zh"):
            raise InvalidInput("language", language, '"en" or "zh"')
        out = [self._title(language), f"{word('tariff', language)} {self.tariff_code}"]
        for entry in explained_lines(self.lines, language):
            out.extend(_charge_rows(entry.name, entry.sums, entry.amount, free=entry.free))
            for text in entry.details:
                out.extend(_detail_rows(text))
        total = pad(f"  {word('total', language)}", _AMOUNT_AT)
        unit = currency_text(self.currency, language)
        out.append(f"{total}{self.total.amount:>{_AMOUNT_WIDTH}} {unit}")
        for note in self.notes:
            text = f"{word('note', language)}{_colon(language == 'zh')}{note_text(note, language)}"
            out.extend(_detail_rows(text))
        if self.findings:
            separator = "；" if language == "zh" else "; "
            held = separator.join(note_text(finding, language) for finding in self.findings)
            out.append(f"{word('held', language)}{_colon(language == 'zh')}{held}")
        return "\n".join(out)

    def _title(self, language: str) -> str:
        """Return the first row: the bill, the account (each only when known) and the period."""
        zh = language == "zh"
        parts = [
            f"{word('bill', language)} {self.bill_id}" if self.bill_id else word("bill", language)
        ]
        if self.account_id:
            parts.append(f"{word('account', language)} {self.account_id}")
        joiner = "～" if zh else " to "
        parts.append(f"{self.period.start}{joiner}{self.last_day}")
        return "  ".join(parts)


@attrs.frozen(kw_only=True)
class ExplainedLine:
    """One charge as a reader sees it: name, how it was computed, amount, notes and rule.

    Both the text of :meth:`Bill.explain` and the HTML notice are rendered from these.
    ``free`` is a line priced at a zero rate (no amount shown); ``details`` are the notes (free
    tiers folded into the next priced tier among them) and last the rule the line applies.
    """

    line: LineItem
    name: str
    sums: str
    amount: Decimal
    free: bool
    notes: tuple[str, ...]
    rule: str

    @property
    def details(self) -> tuple[str, ...]:
        """The notes, then the rule."""
        return (*self.notes, self.rule)


def explained_lines(lines: tuple[LineItem, ...], language: str) -> tuple[ExplainedLine, ...]:
    """Return the lines of a bill as a reader sees them, in ``"en"`` or ``"zh"``.

    A zero-priced tier followed by a priced tier of the same charge becomes a note on that tier.

    Raises:
        InvalidInput: another language.
    """
    if language not in ("en", "zh"):
        raise InvalidInput("language", language, '"en" or "zh"')
    zh = language == "zh"
    folded: dict[int, list[str]] = {}
    out: list[ExplainedLine] = []
    for index, line in enumerate(lines):
        name = line.description_zh if zh else line.description_en
        sibling = _priced_sibling(lines, index) if _is_free(line) else None
        if sibling is not None:
            quantity = f"{quantity_text(line.quantity)} {unit_text(line.unit, language)}"
            first_note = line.note.split("; ")[0]
            fold = (
                phrase(
                    "free_tier",
                    language,
                    name=name,
                    quantity=quantity,
                    why=note_text(first_note, language),
                )
                if line.note
                else phrase("free_line", language, name=name, quantity=quantity)
            )
            folded.setdefault(sibling, []).append(fold)
            continue
        notes = [*folded.pop(index, []), *([note_text(line.note, language)] if line.note else [])]
        version = _version(line.tariff_version, zh)
        separator = "；" if zh else "; "
        rule = f"{word('rule', language)}{_colon(zh)}{line.rule_text(language)}{separator}{version}"
        out.append(
            ExplainedLine(
                line=line,
                name=name,
                sums=_sums(line, language),
                amount=line.amount.amount,
                free=_is_free(line),
                notes=tuple(notes),
                rule=rule,
            )
        )
    return tuple(out)


def _colon(zh: bool) -> str:
    return "：" if zh else ": "


def _version(version: str, zh: bool) -> str:
    return f"版本 {version}" if zh else f"v{version}"


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


def _sums(line: LineItem, language: str) -> str:
    """Return how ``line`` was computed, in words a customer reads."""
    unit = unit_text(line.unit, language)
    if line.unit == "元" and line.rate_unit == "×":  # a percentage of a base amount
        return f"{word('base', language)} {line.quantity} 元 × {percent_text(line.rate)}"
    if _is_free(line):
        comma = "，" if language == "zh" else ", "
        return f"{quantity_text(line.quantity)} {unit}{comma}{word('no_charge', language)}"
    factor = "" if line.factor == _ONE else f" × {factor_text(line)}"
    rate_unit = unit_text(line.rate_unit, language)
    return f"{quantity_text(line.quantity)} {unit} × {rate_text(line.rate)} {rate_unit}{factor}"


def factor_text(line: LineItem) -> str:
    """Return a part-month factor as days of service over days of the month: 22/30, not 11/15.

    The days are the line's own; when the factor is not those days over a month's days (a month
    and a part, a piece of a split), the fraction is shown as it is.
    """
    factor = line.factor
    days = line.period.days
    if factor and days:
        month = Fraction(days) / factor
        if month.denominator == 1 and 28 <= month.numerator <= 31:
            return f"{days}/{month.numerator}"
    return str(factor)


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
