"""Late fees (电费违约金): a worked example (docs/explanation/sources.md) and partial payments.

Run: python examples/late_fees.py
"""

from __future__ import annotations

from datetime import date

from powerretail.collections.allocation import AllocationOrder
from powerretail.collections.late_fees import (
    CustomerKind,
    LateFeeBill,
    LateFeePayment,
    LateFeePolicy,
    assess_late_fees,
    late_fee,
)
from powerretail.quantities import Money


def main() -> None:
    """Print the worked penalties, then one account assessed under two allocation orders."""
    for kind in CustomerKind:
        fee = late_fee(
            Money("10000.00"),
            due_date=date(2024, 12, 20),
            paid_on=date(2025, 1, 10),
            customer_kind=kind,
        )
        print(fee.explain())
    print(
        late_fee(
            Money("50.00"),
            due_date=date(2024, 3, 1),
            paid_on=date(2024, 3, 4),
            customer_kind=CustomerKind.RESIDENTIAL,
        ).explain()
    )

    bills = (
        LateFeeBill(
            bill_id="2025-01",
            principal=Money("1000.00"),
            customer_kind=CustomerKind.NON_RESIDENTIAL,
            due_date=date(2025, 2, 10),
        ),
        LateFeeBill(
            bill_id="2025-02",
            principal=Money("500.00"),
            customer_kind=CustomerKind.NON_RESIDENTIAL,
            due_date=date(2025, 3, 10),
        ),
    )
    payments = (
        LateFeePayment(payment_id="P1", paid_on=date(2025, 2, 20), amount=Money("600.00")),
        LateFeePayment(payment_id="P2", paid_on=date(2025, 3, 20), amount=Money("1000.00")),
    )
    for order in (AllocationOrder.PRINCIPAL_FIRST, AllocationOrder.PENALTY_FIRST):
        assessment = assess_late_fees(
            bills, payments, through=date(2025, 3, 31), policy=LateFeePolicy(allocation=order)
        )
        print(f"\n--- {order.value} ---")
        print(assessment.explain())
        print(f"account credit: {assessment.credit}")


if __name__ == "__main__":
    main()
