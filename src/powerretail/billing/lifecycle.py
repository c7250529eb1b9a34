"""The bill lifecycle: draft → issued (immutable, hashed) → corrected only by new documents.

:data:`BILL_LIFECYCLE` is the table (drawn below). :func:`issue` checks a draft against
:class:`PlausibilityBounds` first and holds it instead of issuing when a bound is broken (R15);
an issued bill carries the SHA-256 of its canonical content and never changes again (R5):
draft-only edits (:func:`with_line`, :func:`replace_lines`) refuse it. A mistake is corrected by
:func:`correct`: the original is marked reversed (its content and hash unchanged), a credit note
reverses every line, and a rebill charges the corrected data, so original + credit note + rebill
nets to exactly the fresh bill (R6). A credit note is never reversed and nothing is reversed
twice.

```mermaid
stateDiagram-v2
    [*] --> draft
    draft --> issued : issue
    draft --> held : hold
    draft --> discarded : discard
    held --> issued : release
    held --> discarded : discard
    issued --> reversed : reverse
    discarded --> [*]
    reversed --> [*]
```
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Final

import attrs

from powerretail.billing.bill import Bill, BillKind, BillState, LineItem
from powerretail.billing.determinants import Determinants
from powerretail.errors import InvalidInput, RuleViolation
from powerretail.quantities import Money, exact_decimal
from powerretail.statemachine import StateMachine, Transition, TransitionRecord
from powerretail.timeframe import as_date

__all__ = [
    "BILL_LIFECYCLE",
    "BillNotDraft",
    "BillTampered",
    "Correction",
    "CorrectionRefused",
    "PlausibilityBounds",
    "PlausibilityFacts",
    "billed_energy",
    "correct",
    "credit_note_for",
    "difference",
    "discard",
    "issue",
    "release",
    "replace_lines",
    "verify",
    "with_line",
]

#: The bill lifecycle (states: :class:`~powerretail.billing.bill.BillState`).
BILL_LIFECYCLE: Final = StateMachine(
    "bill",
    initial=BillState.DRAFT,
    finals={BillState.REVERSED, BillState.DISCARDED},
    transitions=[
        Transition(BillState.DRAFT, "issue", BillState.ISSUED),
        Transition(BillState.DRAFT, "hold", BillState.HELD),
        Transition(BillState.DRAFT, "discard", BillState.DISCARDED),
        Transition(BillState.HELD, "release", BillState.ISSUED),
        Transition(BillState.HELD, "discard", BillState.DISCARDED),
        Transition(BillState.ISSUED, "reverse", BillState.REVERSED),
    ],
)


class BillNotDraft(RuleViolation):
    """Only a draft's lines may change; an issued (or held, reversed …) bill is a document."""

    def __init__(self, bill_id: str, state: BillState) -> None:
        self.bill_id = bill_id
        self.state = state
        super().__init__(bill_id, state)

    def __str__(self) -> str:
        return f"bill {self.bill_id!r} is {self.state.value}: correct it with a new document"


class BillTampered(RuleViolation):
    """An issued bill's content no longer matches the hash recorded when it was issued."""

    def __init__(self, bill_id: str, recorded: str | None, actual: str) -> None:
        self.bill_id = bill_id
        self.recorded = recorded
        self.actual = actual
        super().__init__(bill_id, recorded, actual)

    def __str__(self) -> str:
        return f"bill {self.bill_id!r}: content hash {self.actual} ≠ recorded {self.recorded}"


class CorrectionRefused(RuleViolation):
    """The document cannot be corrected this way (a credit note, or not issued)."""

    def __init__(self, bill_id: str, reason: str) -> None:
        self.bill_id = bill_id
        self.reason = reason
        super().__init__(bill_id, reason)

    def __str__(self) -> str:
        return f"cannot correct bill {self.bill_id!r}: {self.reason}"


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput("max_lines", value, "a whole number of lines, at least 1")
    return value


def _optional_money(value: object) -> Money | None:
    if value is None or isinstance(value, Money):
        return value
    raise InvalidInput("max_total", value, "Money or None")


def _optional_multiple(value: object) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise InvalidInput("max_multiple_of_typical", value, "a number above zero or None")
    number = exact_decimal(value, "max_multiple_of_typical")
    if number <= 0:
        raise InvalidInput("max_multiple_of_typical", value, "a number above zero or None")
    return number


def _optional_factor(name: str, value: object) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise InvalidInput(name, value, "a number above zero or None")
    number = exact_decimal(value, name)
    if number <= 0:
        raise InvalidInput(name, value, "a number above zero or None")
    return number


def _load_factor(value: object) -> Decimal | None:
    return _optional_factor("max_load_factor", value)


def _history_multiple(value: object) -> Decimal | None:
    return _optional_factor("max_multiple_of_history", value)


def _optional_kwh(name: str, value: object) -> Decimal | None:
    if value is None:
        return None
    number = exact_decimal(value, name)
    if number < 0:
        raise InvalidInput(name, value, "a number of zero or more, or None")
    return number


def _capacity(value: object) -> Decimal | None:
    return _optional_kwh("capacity_kva", value)


def _ceiling(value: object) -> Decimal | None:
    return _optional_kwh("register_ceiling_kwh", value)


def _recent(value: object) -> Decimal | None:
    return _optional_kwh("recent_max_daily_kwh", value)


def _review(value: Iterable[str]) -> tuple[str, ...]:
    reasons = tuple(value)
    for reason in reasons:
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidInput("review", reason, "reasons to hold, as text")
    return reasons


@attrs.frozen(kw_only=True)
class PlausibilityFacts:
    """What is always known about a bill's account, for the bounds that always apply (R15).

    * ``capacity_kva`` — the transformer capacity the account is supplied through [kVA];
    * ``register_ceiling_kwh`` — the most energy the account's meters can register in one read
      interval: ``10^digits × multiplier`` per energy register, summed [kWh];
    * ``recent_max_daily_kwh`` — the largest daily energy of the account's issued bills in the
      12 months before this one [kWh/day], and ``recent_label`` the bill it comes from;
    * ``review`` — reasons found elsewhere to hold the bill for review (a VEE finding with action
      ``hold_bill`` on a read the bill is built on), each naming its rule.

    ``None`` (or nothing) means not known: the bound that needs it does not apply.
    """

    capacity_kva: Decimal | None = attrs.field(default=None, converter=_capacity)
    register_ceiling_kwh: Decimal | None = attrs.field(default=None, converter=_ceiling)
    recent_max_daily_kwh: Decimal | None = attrs.field(default=None, converter=_recent)
    recent_label: str = ""
    review: tuple[str, ...] = attrs.field(default=(), converter=_review)


def billed_energy(bill: Bill) -> Decimal:
    """Return the energy a bill charges [kWh]: the largest kWh sum over its charges.

    Every energy-priced charge (time of use, tiers, the per-kWh adders) prices all the energy
    of the period once, so the largest sum per charge (``energy.peak`` and ``energy.flat`` are
    one charge) is the bill's energy, losses included.
    """
    by_charge: dict[str, Decimal] = {}
    for line in bill.lines:
        if line.unit == "kWh":
            charge = line.code.partition(".")[0]
            by_charge[charge] = by_charge.get(charge, Decimal(0)) + line.quantity
    return max(by_charge.values(), default=Decimal(0))


def _daily(energy: Decimal, days: int) -> Decimal:
    return (energy / days).quantize(Decimal("0.01"))


@attrs.frozen(kw_only=True)
class PlausibilityBounds:
    """Bounds a bill must keep to be issued without review (R15).

    * ``max_lines`` — more lines than this means something generated too many;
    * ``max_total`` — an absolute ceiling (``None``: none);
    * ``max_multiple_of_typical`` — total above this multiple of the account's typical bill;
    * ``allow_negative_energy`` — negative consumption is held unless allowed;
    * ``allow_negative_total`` — a bill that pays the customer is held unless allowed;
    * ``max_load_factor`` — energy above ``capacity × hours of the period × factor`` is held
      (default 1.0: a transformer cannot deliver more than its rating all the time; the hours
      are 24 a day of the bill's period, and kVA is taken as kW, an upper bound at any power
      factor);
    * ``max_multiple_of_history`` — a daily energy above this multiple of the account's
      largest daily energy of the last 12 months is held (default 3, the multiple V06 uses to
      judge a roll-over against the 12-month maximum).

    The energy bounds need :class:`PlausibilityFacts`; without a typical bill, a capacity or a
    history, the register ceiling still applies when known, and so do the VEE findings.
    """

    max_lines: int = attrs.field(default=200, converter=_count)
    max_total: Money | None = attrs.field(default=None, converter=_optional_money)
    max_multiple_of_typical: Decimal | None = attrs.field(
        default=Decimal(5), converter=_optional_multiple
    )
    allow_negative_energy: bool = False
    allow_negative_total: bool = False
    max_load_factor: Decimal | None = attrs.field(default=Decimal("1.0"), converter=_load_factor)
    max_multiple_of_history: Decimal | None = attrs.field(
        default=Decimal(3), converter=_history_multiple
    )

    def check(
        self,
        bill: Bill,
        *,
        typical: Money | None = None,
        determinants: Determinants | None = None,
        facts: PlausibilityFacts | None = None,
    ) -> tuple[str, ...]:
        """Return the bounds ``bill`` breaks (empty when it may be issued)."""
        findings = list(facts.review) if facts is not None else []
        if facts is not None:
            findings.extend(self._energy_bounds(bill, facts))
        total = bill.total
        if len(bill.lines) > self.max_lines:
            findings.append(f"{len(bill.lines)} lines > {self.max_lines}")
        if self.max_total is not None and total > self.max_total:
            findings.append(f"total {total} > ceiling {self.max_total}")
        if (
            typical is not None
            and self.max_multiple_of_typical is not None
            and typical.amount > 0
            and total.amount > typical.amount * self.max_multiple_of_typical
        ):
            findings.append(f"total {total} > {self.max_multiple_of_typical} × typical {typical}")
        if not self.allow_negative_total and total.amount < 0:
            findings.append(f"negative total {total}")
        if not self.allow_negative_energy:
            negative = (
                {b: kwh for b, kwh in determinants.energy_kwh.items() if kwh < 0}
                if determinants is not None
                else {
                    line.code: line.quantity
                    for line in bill.lines
                    if line.unit == "kWh" and line.quantity < 0
                }
            )
            findings.extend(f"negative consumption {k}: {v} kWh" for k, v in negative.items())
        return tuple(findings)

    def _energy_bounds(self, bill: Bill, facts: PlausibilityFacts) -> list[str]:
        energy = billed_energy(bill)
        days = bill.period.days
        findings = []
        if facts.capacity_kva and self.max_load_factor is not None:
            hours = days * 24
            limit = facts.capacity_kva * hours * self.max_load_factor
            if energy > limit:
                findings.append(
                    f"energy {energy} kWh > {facts.capacity_kva} kVA × {hours} h × "
                    f"{self.max_load_factor} = {limit} kWh (more than the transformer can deliver)"
                )
        ceiling = facts.register_ceiling_kwh
        if ceiling is not None and energy > ceiling:
            findings.append(
                f"energy {energy} kWh > {ceiling} kWh, the most the meters' registers can show "
                "in one read interval (10^digits × multiplier)"
            )
        recent = facts.recent_max_daily_kwh
        if recent and self.max_multiple_of_history is not None:
            daily = _daily(energy, days)
            if daily > recent * self.max_multiple_of_history:
                source = f", {facts.recent_label}" if facts.recent_label else ""
                findings.append(
                    f"daily energy {daily} kWh/day > {self.max_multiple_of_history} × the "
                    f"account's 12-month maximum {recent} kWh/day{source}"
                )
        return findings


def _need_id(bill: Bill) -> None:
    if not bill.bill_id.strip():
        raise InvalidInput("bill_id", bill.bill_id, "an id before the bill is issued")


def _move(
    bill: Bill, event: str, *, at: _dt.datetime, by: str, why: str
) -> tuple[Bill, TransitionRecord[BillState, str]]:
    moved, record = BILL_LIFECYCLE.apply(bill, event, at=at, by=by, why=why, subject=bill.bill_id)
    return moved, record


def _issued(bill: Bill, on: date) -> Bill:
    stamped = attrs.evolve(bill, issued_on=as_date(on, "on"), findings=())
    return attrs.evolve(stamped, content_hash=stamped.content_hash_of())


def issue(
    bill: Bill,
    *,
    on: date,
    at: _dt.datetime,
    by: str,
    bounds: PlausibilityBounds | None = None,
    typical: Money | None = None,
    determinants: Determinants | None = None,
    facts: PlausibilityFacts | None = None,
) -> tuple[Bill, TransitionRecord[BillState, str]]:
    """Issue a draft dated ``on``, or hold it when it breaks ``bounds``.

    The held bill carries every broken bound and every reason in ``facts.review`` as its
    ``findings``. Returns the issued (hashed) or held bill and the record of the move.

    Raises:
        InvalidInput: the bill has no id.
        TransitionNotAllowed: the bill is not a draft.
    """
    _need_id(bill)
    findings = (bounds or PlausibilityBounds()).check(
        bill, typical=typical, determinants=determinants, facts=facts
    )
    if findings:
        held, record = _move(bill, "hold", at=at, by=by, why="; ".join(findings))
        return attrs.evolve(held, findings=findings), record
    moved, record = _move(bill, "issue", at=at, by=by, why="within bounds")
    return _issued(moved, on), record


def release(
    bill: Bill, *, on: date, at: _dt.datetime, by: str, why: str
) -> tuple[Bill, TransitionRecord[BillState, str]]:
    """Issue a held bill after review (``why`` says who checked what).

    Raises:
        TransitionNotAllowed: the bill is not held.
        InvalidInput: no reason given.
    """
    if not why.strip():
        raise InvalidInput("why", why, "the reason the held bill may be issued")
    moved, record = _move(bill, "release", at=at, by=by, why=why)
    return _issued(moved, on), record


def discard(
    bill: Bill, *, at: _dt.datetime, by: str, why: str
) -> tuple[Bill, TransitionRecord[BillState, str]]:
    """Discard a draft or a held bill (it was never issued).

    Raises:
        TransitionNotAllowed: the bill was issued.
    """
    return _move(bill, "discard", at=at, by=by, why=why)


def verify(bill: Bill) -> None:
    """Check that an issued bill still matches the hash recorded at issue.

    Raises:
        BillTampered: it does not (or it has no hash).
    """
    actual = bill.content_hash_of()
    if bill.content_hash != actual:
        raise BillTampered(bill.bill_id, bill.content_hash, actual)


def _draft_only(bill: Bill) -> None:
    if bill.state is not BillState.DRAFT:
        raise BillNotDraft(bill.bill_id, bill.state)


def with_line(bill: Bill, line: LineItem) -> Bill:
    """Return a draft with ``line`` added.

    Raises:
        BillNotDraft: the bill is not a draft.
    """
    _draft_only(bill)
    return attrs.evolve(bill, lines=(*bill.lines, line))


def replace_lines(bill: Bill, lines: Iterable[LineItem]) -> Bill:
    """Return a draft with its lines replaced.

    Raises:
        BillNotDraft: the bill is not a draft.
    """
    _draft_only(bill)
    return attrs.evolve(bill, lines=tuple(lines))


def credit_note_for(original: Bill, *, bill_id: str) -> Bill:
    """Return a draft credit note reversing every line of ``original``.

    Raises:
        CorrectionRefused: ``original`` is a credit note or not issued.
    """
    if original.kind is BillKind.CREDIT_NOTE:
        raise CorrectionRefused(original.bill_id, "a credit note is never reversed")
    if original.state is not BillState.ISSUED:
        raise CorrectionRefused(original.bill_id, f"it is {original.state.value}, not issued")
    return Bill(
        bill_id=bill_id,
        account_id=original.account_id,
        kind=BillKind.CREDIT_NOTE,
        period=original.period,
        tariff_code=original.tariff_code,
        currency=original.currency,
        lines=tuple(line.negated() for line in original.lines),
        corrects=original.bill_id,
    )


@attrs.frozen(kw_only=True)
class Correction:
    """What a correction produced: the reversed original, the credit note and the rebill."""

    original: Bill
    credit_note: Bill
    rebill: Bill
    records: tuple[TransitionRecord[BillState, str], ...]

    @property
    def net(self) -> Money:
        """Original + credit note + rebill: what the customer owes after the correction."""
        return self.original.total + self.credit_note.total + self.rebill.total


def correct(
    original: Bill,
    corrected: Bill,
    *,
    credit_note_id: str,
    rebill_id: str,
    on: date,
    at: _dt.datetime,
    by: str,
    why: str,
    bounds: PlausibilityBounds | None = None,
    typical: Money | None = None,
    facts: PlausibilityFacts | None = None,
) -> Correction:
    """Correct an issued bill with a credit note and a rebill of the ``corrected`` draft.

    The rebill is issued (or held) like any bill — checked against ``bounds`` with the
    account's ``typical`` bill and :class:`PlausibilityFacts` (capacity, registers, history,
    review reasons), as a cycle bill is; the original keeps its content and hash.

    Raises:
        CorrectionRefused: ``original`` is a credit note or not issued, or ``corrected`` is not a
            draft for the same account.
    """
    verify(original)
    note = credit_note_for(original, bill_id=credit_note_id)
    if corrected.state is not BillState.DRAFT or corrected.account_id != original.account_id:
        raise CorrectionRefused(original.bill_id, "the correction must be a draft of its account")
    reversed_original, reversal = _move(original, "reverse", at=at, by=by, why=why)
    issued_note, note_record = issue(
        note,
        on=on,
        at=at,
        by=by,
        bounds=PlausibilityBounds(allow_negative_total=True, allow_negative_energy=True),
    )
    rebill = attrs.evolve(
        corrected, bill_id=rebill_id, kind=BillKind.REBILL, corrects=original.bill_id
    )
    issued_rebill, rebill_record = issue(
        rebill, on=on, at=at, by=by, bounds=bounds, typical=typical, facts=facts
    )
    return Correction(
        original=reversed_original,
        credit_note=issued_note,
        rebill=issued_rebill,
        records=(reversal, note_record, rebill_record),
    )


def difference(original: Bill, rebill: Bill) -> tuple[tuple[str, Money], ...]:
    """Return the change per line code from ``original`` to ``rebill`` (a difference-only view).

    The amounts sum to ``rebill.total - original.total``; codes appear in first-seen order.
    """
    changes: dict[str, Money] = {}
    for line in original.lines:
        changes[line.code] = changes.get(line.code, Money.zero(original.currency)) - line.amount
    for line in rebill.lines:
        changes[line.code] = changes.get(line.code, Money.zero(rebill.currency)) + line.amount
    return tuple((code, amount) for code, amount in changes.items() if not amount.is_zero())
