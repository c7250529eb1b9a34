"""Ports of billing: bills and their corrections, and each account's billing profile.

Bills, credit notes and rebills are all :class:`~powerretail.billing.bill.Bill` documents, stored
as they are (a credit note names the bill it ``corrects``). An issued bill is saved once more at
most — when it is reversed — and its content and hash never change (RELIABILITY R5): every
store refuses any other save of it (:func:`bill_changes`, the rule of :data:`BILLS`).

A :class:`BillingProfile` is what the billing cycle needs to bill an account: its tariff, its
meters, the facts that change the charges, a typical bill for the plausibility check, and who
it belongs to.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypeAlias

import attrs

from powerretail.billing.bill import Bill, BillState
from powerretail.billing.capacity import CapacityHistory
from powerretail.billing.determinants import AccountFacts
from powerretail.billing.lifecycle import BILL_LIFECYCLE
from powerretail.collections.late_fees import CustomerKind
from powerretail.errors import InvalidInput
from powerretail.ids import AccountId, BillId, CustomerId, MeterId
from powerretail.quantities import Money
from powerretail.repositories.aggregates import (
    Aggregate,
    AggregateRepository,
    ChangeRefusal,
    OrderedIndex,
    changed_fields,
)
from powerretail.repositories.codec import DEFAULT_CODECS, JsonValue

__all__ = [
    "BILLING_PROFILES",
    "BILLS",
    "BILLS_BY_END",
    "BillRepository",
    "BillingProfile",
    "BillingProfileRepository",
    "bill_changes",
]


def _due_days(_instance: object, _attribute: object, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput("due_days", value, "a whole number of days, zero or more")


@attrs.frozen(kw_only=True)
class BillingProfile:
    """How an account is billed.

    Attributes:
        account_id: the account (the key).
        customer_id: who holds it (indexed).
        tariff_code: the tariff it is billed under (its latest stored revision).
        meter_ids: the meters whose reads (or interval series) bill it.
        facts: capacity, basis, power-factor standard, move-in and move-out days …
        customer_kind: residential or not, for late fees.
        typical: a typical bill, for the plausibility check (``None``: not known yet).
        due_days: days from issue to the payment deadline.
        active: whether the billing cycle bills it (False after move-out).
        notes: what loading an older stored record changed, each naming the field, the value
            stored and the value read (see :data:`BILLING_PROFILES`).
    """

    account_id: AccountId
    customer_id: CustomerId
    tariff_code: str
    meter_ids: tuple[MeterId, ...]
    facts: AccountFacts = attrs.field(factory=AccountFacts)
    customer_kind: CustomerKind = CustomerKind.NON_RESIDENTIAL
    typical: Money | None = None
    due_days: int = attrs.field(default=15, validator=_due_days)
    active: bool = True
    notes: tuple[str, ...] = ()


#: What issuing (or releasing) a bill stamps on it; nothing else of a held bill changes.
_STAMPED = ("state", "issued_on", "content_hash", "findings")


def bill_changes(stored: Bill, new: Bill) -> ChangeRefusal | None:
    """Return why ``stored`` may not be saved as ``new``, or ``None`` when it may.

    The state moves only along :data:`~powerretail.billing.lifecycle.BILL_LIFECYCLE` (or stays);
    a draft may change freely; a held bill keeps its content (lines, totals, period …) and is
    stamped only when issued, with the hash of that content; an issued, reversed or discarded
    document changes nothing but its state (RELIABILITY R5).
    """
    state = stored.state
    changed: list[str] = []
    if new.state is not state and not any(
        arrow.source is state and arrow.target is new.state for arrow in BILL_LIFECYCLE.transitions
    ):
        changed.append(
            f"state {state.value} → {new.state.value} (not a transition of the bill lifecycle)"
        )
    if state is BillState.DRAFT:
        fields: tuple[str, ...] = ()
    elif state is BillState.HELD and new.state is BillState.ISSUED:
        fields = changed_fields(stored, new, allowed=_STAMPED)
        if new.content_hash != new.content_hash_of():
            fields += ("content_hash",)
    elif state is BillState.HELD:
        fields = changed_fields(stored, new, allowed=("state", "findings"))
    else:
        fields = changed_fields(stored, new, allowed=("state",))
    for field in fields:
        changed.append(field)
        if field == "lines" and stored.total != new.total:
            changed.append("total")
    return ChangeRefusal(state.value, tuple(changed)) if changed else None


def _period_end(bill: Bill) -> date:
    return bill.period.end or date.max


#: The ordered index of :data:`BILLS` by account and state, in order of period end (exclusive):
#: ``query_range(BILLS_BY_END, after, None, account_id=..., state=...)`` reads the bills that
#: end after ``after``, not the account's whole history.
BILLS_BY_END = "account_state_period_end"

#: Bills, credit notes and rebills, keyed by bill id, found by account, state and kind, and by
#: account and state in a range of period ends (:data:`BILLS_BY_END`); an issued one changes
#: only along its lifecycle (:func:`bill_changes`).
BILLS: Aggregate[BillId, Bill] = Aggregate(
    kind="bill",
    entity_type=Bill,
    key_field="bill_id",
    indexed=("account_id", "state", "kind"),
    changes=bill_changes,
    ordered=(OrderedIndex(BILLS_BY_END, ("account_id", "state"), _period_end),),
)


def _number(value: JsonValue) -> Decimal | None:
    if not isinstance(value, str):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _upgrade_facts(data: dict[str, JsonValue]) -> dict[str, JsonValue]:
    """Read a profile stored before account facts refused a 0 contract demand or negative ytd.

    A contract demand of 0 kW was never a declared demand: it is read as not declared
    (``None``: the demand basis bills the measured demand). A negative year-to-date opening
    balance is no energy billed: it is read as 0. Each change is kept in the profile's
    ``notes``; the record is stored in the new shape when the profile is next saved.
    """
    facts = data.get("facts")
    if not isinstance(facts, dict):
        return data
    facts = dict(facts)
    notes: list[JsonValue] = []
    contract = facts.get("contract_demand_kw")
    if _number(contract) == 0:
        del facts["contract_demand_kw"]
        notes.append(
            f"contract_demand_kw {contract} stored by an earlier version read as not declared "
            "(the measured demand is billed)"
        )
    ytd = facts.get("ytd_kwh")
    number = _number(ytd)
    if number is not None and number < 0:
        facts["ytd_kwh"] = "0"
        notes.append(
            f"ytd_kwh {ytd} stored by an earlier version read as 0 (energy billed so far is "
            "never negative): check the account's opening balance"
        )
    if not notes:
        return data
    return {**data, "facts": facts, "notes": notes}  # schema 1 had no notes


def _reads_as_history(data: JsonValue) -> bool:
    try:
        DEFAULT_CODECS.decode(data, CapacityHistory)
    except InvalidInput:
        return False
    return True


def _upgrade_swap_limits(data: dict[str, JsonValue]) -> dict[str, JsonValue]:
    """Read a profile stored before swaps (暂换) had a time limit.

    A capacity history whose swap ran longer than 《供电营业规则》 第二十五条 allows (2 months at
    10 kV and below, 3 at 35 kV and above) was accepted then and is refused now: it is read
    without the limit (``swap_limits`` empty), so the account still bills as it did, and the
    profile's ``notes`` say so. Every other history is read with the limit.
    """
    facts = data.get("facts")
    history = facts.get("capacity_history") if isinstance(facts, dict) else None
    rules = history.get("rules") if isinstance(history, dict) else None
    if not isinstance(rules, dict) or "swap_limits" in rules or _reads_as_history(history):
        return data
    unlimited = {**history, "rules": {**rules, "swap_limits": []}}  # type: ignore[dict-item]
    if not _reads_as_history(unlimited):
        return data  # refused for another reason: reading it says which
    notes = data.get("notes")
    note = (
        "capacity_history stored by an earlier version has a swap (暂换) longer than "
        "《供电营业规则》第二十五条 allows: read without the swap limit; check the swap"
    )
    return {
        **data,
        "facts": {**facts, "capacity_history": unlimited},  # type: ignore[dict-item]
        "notes": [*notes, note] if isinstance(notes, list) else [note],
    }


#: Billing profiles, keyed by account id, found by customer, by whether they are billed, by
#: tariff and by customer class (``customer_kind``; the last two backfilled for older stores).
#: Schema 2: profiles stored at schema 1 with a contract demand of 0 or a negative ytd_kwh
#: (refused since) load repaired, with a note (:func:`_upgrade_facts`). Schema 3: a capacity
#: history stored with a swap longer than the swap limit loads without it, with a note
#: (:func:`_upgrade_swap_limits`).
BILLING_PROFILES: Aggregate[AccountId, BillingProfile] = Aggregate(
    kind="billing_profile",
    entity_type=BillingProfile,
    key_field="account_id",
    indexed=("customer_id", "active", "tariff_code", "customer_kind"),
    backfilled=("tariff_code", "customer_kind"),
    schema_version=3,
    upgrades={1: _upgrade_facts, 2: _upgrade_swap_limits},
)

BillRepository: TypeAlias = AggregateRepository[BillId, Bill]
BillingProfileRepository: TypeAlias = AggregateRepository[AccountId, BillingProfile]
