"""Ports of billing: bills and their corrections, and each account's billing profile.

Bills, credit notes and rebills are all :class:`~powerretail.billing.bill.Bill` documents, stored
as they are (a credit note names the bill it ``corrects``). An issued bill is saved once more at
most — when it is reversed — and its content and hash never change (RELIABILITY R5).

A :class:`BillingProfile` is what the billing cycle needs to bill an account: its tariff, its
meters, the facts that change the charges, a typical bill for the plausibility check, and who
it belongs to.
"""

from __future__ import annotations

from typing import TypeAlias

import attrs

from powerretail.billing.bill import Bill
from powerretail.billing.determinants import AccountFacts
from powerretail.collections.late_fees import CustomerKind
from powerretail.errors import InvalidInput
from powerretail.ids import AccountId, BillId, CustomerId, MeterId
from powerretail.quantities import Money
from powerretail.repositories.aggregates import Aggregate, AggregateRepository

__all__ = [
    "BILLING_PROFILES",
    "BILLS",
    "BillRepository",
    "BillingProfile",
    "BillingProfileRepository",
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


#: Bills, credit notes and rebills, keyed by bill id, found by account, state and kind.
BILLS: Aggregate[BillId, Bill] = Aggregate(
    kind="bill", entity_type=Bill, key_field="bill_id", indexed=("account_id", "state", "kind")
)
#: Billing profiles, keyed by account id, found by customer and by whether they are billed.
BILLING_PROFILES: Aggregate[AccountId, BillingProfile] = Aggregate(
    kind="billing_profile",
    entity_type=BillingProfile,
    key_field="account_id",
    indexed=("customer_id", "active"),
)

BillRepository: TypeAlias = AggregateRepository[BillId, Bill]
BillingProfileRepository: TypeAlias = AggregateRepository[AccountId, BillingProfile]
