"""Prepayment (预存电费): a prepaid balance drawn down by bills, with low-balance alerts.

The seed asks the supply office to promote prepaid electricity charges (在条件成熟的情况下推广预存
电费 — 供电所农电营销工作管理制度 四(三)收费制度 3). A prepayment is money paid ahead: it is held as
the account's credit, and each bill charged to the account draws it down first
(:meth:`~powerretail.repositories.payments.Receivable.charge`). The prepaid balance is the credit
less what is still owed. When it falls to the :class:`PrepaymentPolicy`'s threshold or below, a
low-balance alert is due; the threshold is policy data (the seed names none).

>>> policy = PrepaymentPolicy(low_balance=Money("50.00"))
>>> prepayment_standing(Money("120.00"), policy).status
<PrepaymentStatus.SUFFICIENT: 'sufficient'>
>>> print(prepayment_standing(Money("30.00"), policy).explain())
prepaid balance 30.00 CNY: low (at or below the alert threshold 50.00 CNY)
>>> prepayment_standing(Money("-10.00"), policy).status
<PrepaymentStatus.IN_ARREARS: 'in arrears'>
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Final

import attrs

from powerretail.errors import InvalidInput
from powerretail.quantities import Money

__all__ = [
    "SEED_PREPAYMENT_POLICY",
    "PrepaymentAlert",
    "PrepaymentPolicy",
    "PrepaymentStanding",
    "PrepaymentStatus",
    "prepayment_standing",
]


def _threshold(_instance: object, attribute: attrs.Attribute[Money], value: Money) -> None:
    if not isinstance(value, Money) or value.amount < 0:
        raise InvalidInput(attribute.name, value, "Money of zero or more")


@attrs.frozen(kw_only=True)
class PrepaymentPolicy:
    """When a prepaid balance is low: at or below ``low_balance`` (and who says so)."""

    low_balance: Money = attrs.field(validator=_threshold)
    source: str = "company policy (illustrative threshold; the seed names none)"


#: An illustrative threshold of 50 元; replace it with the company's own.
SEED_PREPAYMENT_POLICY: Final = PrepaymentPolicy(low_balance=Money("50.00"))


class PrepaymentStatus(enum.Enum):
    """How a prepaid account stands."""

    SUFFICIENT = "sufficient"
    LOW = "low"
    EXHAUSTED = "exhausted"
    IN_ARREARS = "in arrears"


@attrs.frozen
class PrepaymentStanding:
    """The prepaid ``balance`` (credit less what is owed), its status and the threshold."""

    balance: Money
    status: PrepaymentStatus
    threshold: Money

    @property
    def needs_alert(self) -> bool:
        """Whether a low-balance alert is due (low, exhausted or in arrears)."""
        return self.status is not PrepaymentStatus.SUFFICIENT

    def explain(self) -> str:
        """Say how the balance stands against the threshold."""
        words = {
            PrepaymentStatus.SUFFICIENT: f"above the alert threshold {self.threshold}",
            PrepaymentStatus.LOW: f"at or below the alert threshold {self.threshold}",
            PrepaymentStatus.EXHAUSTED: "nothing left",
            PrepaymentStatus.IN_ARREARS: "bills owe more than was prepaid",
        }
        return f"prepaid balance {self.balance}: {self.status.value} ({words[self.status]})"


def prepayment_standing(balance: Money, policy: PrepaymentPolicy) -> PrepaymentStanding:
    """Return how a prepaid ``balance`` stands under ``policy``.

    Raises:
        InvalidInput: ``balance`` is not Money in the threshold's currency.
    """
    if not isinstance(balance, Money) or balance.currency != policy.low_balance.currency:
        raise InvalidInput("balance", balance, f"Money in {policy.low_balance.currency}")
    if balance.amount < 0:
        status = PrepaymentStatus.IN_ARREARS
    elif balance.is_zero():
        status = PrepaymentStatus.EXHAUSTED
    elif balance <= policy.low_balance:
        status = PrepaymentStatus.LOW
    else:
        status = PrepaymentStatus.SUFFICIENT
    return PrepaymentStanding(balance=balance, status=status, threshold=policy.low_balance)


@attrs.frozen(kw_only=True)
class PrepaymentAlert:
    """A low-balance alert raised for ``account_id`` on ``raised_on``."""

    alert_id: str
    account_id: str
    raised_on: date
    balance: Money
    threshold: Money
    status: PrepaymentStatus
    source: str
