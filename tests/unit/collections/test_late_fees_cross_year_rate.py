"""The cross-year rate strategies of the late-fee calculator (《供电营业规则》(1996) 第98条).

Worked by hand: a non-residential bill of 10 000.00 due 2024-12-20 and paid 2025-01-10 has 11
overdue days in December (2‰) and 10 in January (3‰) when split by year; when every day of a
bill that crossed the year takes the cross-year rate, all 21 days are at 3‰.
"""

from __future__ import annotations

from datetime import date

from powerretail.collections.late_fees import (
    GYGZ1996,
    CrossYearRate,
    CustomerKind,
    LateFeeBill,
    LateFeePayment,
    LateFeePolicy,
    RateBasis,
    accrue,
    assess_late_fees,
)
from powerretail.quantities import Money
from powerretail.timeframe import DateRange

WHOLE_BILL = LateFeePolicy(cross_year_rate=CrossYearRate.WHOLE_BILL)


def bill(kind: CustomerKind = CustomerKind.NON_RESIDENTIAL) -> LateFeeBill:
    return LateFeeBill(
        bill_id="B", principal=Money("10000.00"), customer_kind=kind, due_date="2024-12-20"
    )


def pay(on: str, amount: str, payment_id: str = "P") -> LateFeePayment:
    return LateFeePayment(payment_id=payment_id, paid_on=on, amount=Money(amount))


def fee(payments: list[LateFeePayment], policy: LateFeePolicy | None = None, **kw: object) -> str:
    assessment = assess_late_fees(
        [bill(**kw)],  # type: ignore[arg-type]
        payments,
        through=date(2025, 1, 31),
        policy=policy,
    )
    return str(assessment.for_bill("B").amount.amount)


def test_by_year_is_the_default() -> None:
    """11 × 10 000 × 0.002 = 220.00 plus 10 × 10 000 × 0.003 = 300.00: 520.00."""
    assert LateFeePolicy().cross_year_rate is CrossYearRate.BY_YEAR
    assert fee([pay("2025-01-10", "10000.00")]) == "520.00"


def test_every_day_of_a_bill_that_crossed_the_year_takes_the_cross_year_rate() -> None:
    """21 × 10 000 × 0.003 = 630.00."""
    assessment = assess_late_fees(
        [bill()], [pay("2025-01-10", "10000.00")], through=date(2025, 1, 31), policy=WHOLE_BILL
    )
    late = assessment.for_bill("B")

    assert str(late.amount.amount) == "630.00"
    assert {part.basis for part in late.parts} == {RateBasis.CROSS_YEAR}
    assert sum(part.days for part in late.parts) == 21


def test_a_bill_paid_within_the_year_keeps_the_current_year_rate() -> None:
    """Paid 31 December: 11 × 10 000 × 0.002 = 220.00 under either strategy."""
    assert fee([pay("2024-12-31", "10000.00")], WHOLE_BILL) == "220.00"


def test_a_partial_payment_before_the_year_end() -> None:
    """5 000.00 paid 25 December, the rest 10 January.

    Whole bill: 10 000 × 0.003 × 5 (150.00) + 5 000 × 0.003 × 16 (240.00) = 390.00;
    by year: 100.00 + 5 000 × 0.002 × 6 (60.00) + 5 000 × 0.003 × 10 (150.00) = 310.00.
    """
    payments = [pay("2024-12-25", "5000.00", "P1"), pay("2025-01-10", "5000.00", "P2")]

    assert fee(payments, WHOLE_BILL) == "390.00"
    assert fee(payments) == "310.00"


def test_residential_users_have_one_rate_either_way() -> None:
    """21 × 10 000 × 0.001 = 210.00."""
    assert fee([pay("2025-01-10", "10000.00")], WHOLE_BILL, kind=CustomerKind.RESIDENTIAL) == (
        "210.00"
    )


def test_accrue_prices_a_range_that_reaches_the_later_year_at_the_cross_year_rate() -> None:
    parts = accrue(
        Money("10000.00"),
        DateRange("2024-12-21", "2025-01-11"),
        first_overdue_day=date(2024, 12, 21),
        customer_kind=CustomerKind.NON_RESIDENTIAL,
        rule_set=GYGZ1996,
        cross_year_rate=CrossYearRate.WHOLE_BILL,
    )

    assert [(part.basis, part.days, part.amount) for part in parts] == [
        (RateBasis.CROSS_YEAR, 21, 630)
    ]
