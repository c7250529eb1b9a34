"""Port of collections beyond dunning: payment plans, deposit moves, prepayment alerts, write-offs.

A :class:`~powerretail.collections.payment_plans.PaymentPlan` keeps its history as generic
transition records; storage keeps a :class:`StoredPaymentPlan` (the plan without its history and
the history as plain records), as dunning cases are stored. Deposit movements, prepayment alerts
and write-off records are documents: once stored they never change.
"""

from __future__ import annotations

import attrs

from powerretail.collections.deposits import DepositMovement
from powerretail.collections.payment_plans import PaymentPlan, PlanEvent, PlanState
from powerretail.collections.prepayment import PrepaymentAlert
from powerretail.collections.write_off import WriteOffRecord
from powerretail.repositories.aggregates import Aggregate, never_changes
from powerretail.repositories.contracts import (
    StoredTransition,
    restored_history,
    stored_history,
)

__all__ = [
    "DEPOSIT_MOVEMENTS",
    "PAYMENT_PLANS",
    "PREPAYMENT_ALERTS",
    "WRITE_OFFS",
    "StoredPaymentPlan",
]


@attrs.frozen(kw_only=True)
class StoredPaymentPlan:
    """A payment plan as stored: the plan without its history, and the history as records."""

    plan_id: str
    account_id: str
    bill_id: str
    plan: PaymentPlan
    history: tuple[StoredTransition, ...] = ()

    @classmethod
    def of(cls, plan: PaymentPlan) -> StoredPaymentPlan:
        """Return ``plan`` as stored."""
        return cls(
            plan_id=plan.plan_id,
            account_id=plan.account_id,
            bill_id=plan.bill_id,
            plan=attrs.evolve(plan, history=()),
            history=stored_history(plan.history),
        )

    def plan_with_history(self) -> PaymentPlan:
        """Return the plan with its history restored."""
        history = restored_history(self.history, PlanState, PlanEvent)
        return attrs.evolve(self.plan, history=history)


#: Payment plans, keyed by plan id (one per bill), found by account and bill.
PAYMENT_PLANS: Aggregate[str, StoredPaymentPlan] = Aggregate(
    kind="payment_plan",
    entity_type=StoredPaymentPlan,
    key_field="plan_id",
    indexed=("account_id", "bill_id"),
)
#: Deposit movements (held, applied, transferred, refunded), found by account; never change.
DEPOSIT_MOVEMENTS: Aggregate[str, DepositMovement] = Aggregate(
    kind="deposit_movement",
    entity_type=DepositMovement,
    key_field="movement_id",
    indexed=("account_id",),
    changes=never_changes("recorded"),
)
#: Low-balance alerts of prepaid accounts, found by account; never change.
PREPAYMENT_ALERTS: Aggregate[str, PrepaymentAlert] = Aggregate(
    kind="prepayment_alert",
    entity_type=PrepaymentAlert,
    key_field="alert_id",
    indexed=("account_id",),
    changes=never_changes("raised"),
)
#: Bad-debt write-offs with their evidence, found by account; never change.
WRITE_OFFS: Aggregate[str, WriteOffRecord] = Aggregate(
    kind="write_off",
    entity_type=WriteOffRecord,
    key_field="write_off_id",
    indexed=("account_id",),
    changes=never_changes("written off"),
)
