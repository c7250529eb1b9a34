from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import attrs
import pytest

from powerretail.collections.allocation import AllocationOrder
from powerretail.collections.late_fees import (
    GYGZ1996,
    GYGZ2024,
    AgreedRate,
    CrossYearBoundary,
    CustomerKind,
    DaysAfterNotice,
    LateFeeBill,
    LateFeePayment,
    LateFeePolicy,
    RateBasis,
    RuleSetDate,
    accrue,
    assess_late_fees,
    late_fee,
    select_rule_set,
)
from powerretail.errors import InvalidInput, NotFound
from powerretail.quantities import Money
from powerretail.timeframe import DateRange

NON_RES = CustomerKind.NON_RESIDENTIAL
RES = CustomerKind.RESIDENTIAL


def a_bill(bill_id: str = "B1", principal: str = "1000.00", **dates: object) -> LateFeeBill:
    fields: dict[str, object] = {"due_date": date(2025, 3, 10), **dates}
    return LateFeeBill(
        bill_id=bill_id,
        principal=Money(principal),
        customer_kind=NON_RES,
        **fields,
    )


def a_payment(payment_id: str, paid_on: date, amount: str) -> LateFeePayment:
    return LateFeePayment(payment_id=payment_id, paid_on=paid_on, amount=Money(amount))


class TestSelectRuleSet:
    def test_picks_the_1996_rules_through_the_last_day_of_may_2024(self) -> None:
        assert select_rule_set(date(2024, 5, 31)) is GYGZ1996

    def test_picks_the_2024_rules_from_the_first_of_june_2024(self) -> None:
        assert select_rule_set(date(2024, 6, 1)) is GYGZ2024

    def test_refuses_a_day_before_any_rule_set(self) -> None:
        with pytest.raises(NotFound, match="1996-10-07"):
            select_rule_set(date(1996, 10, 7))


class TestLateFeeRuleSet:
    def test_keeps_the_one_yuan_minimum_in_2024_but_marks_it_uncertain(self) -> None:
        assert (GYGZ2024.minimum, GYGZ2024.minimum_status) == (Money("1.00"), "uncertain")
        assert GYGZ1996.minimum_status == "confirmed"

    def test_drops_the_minimum_on_request_and_says_so_in_its_source(self) -> None:
        dropped = GYGZ2024.without_minimum()

        assert dropped.minimum is None
        assert "minimum removed" in dropped.source

    def test_refuses_a_daily_rate_of_one_or_more(self) -> None:
        with pytest.raises(InvalidInput, match="cross_year_daily_rate"):
            attrs.evolve(GYGZ1996, cross_year_daily_rate=Decimal(1))

    def test_refuses_a_negative_minimum(self) -> None:
        with pytest.raises(InvalidInput, match="minimum"):
            attrs.evolve(GYGZ1996, minimum=Money("-1.00"))


class TestAgreedRate:
    def test_accepts_a_rate_inside_one_to_three_per_mille(self) -> None:
        rate = AgreedRate(daily_rate="0.0015", contract_ref="C-7")

        assert rate.source == "contract C-7, agreed under 《电力供应与使用条例》第39条"

    @pytest.mark.parametrize("rate", ["0.0009", "0.0031"])
    def test_refuses_a_rate_outside_the_statutory_range(self, rate: str) -> None:
        with pytest.raises(InvalidInput, match=r"from 0\.001 to 0\.003"):
            AgreedRate(daily_rate=rate)

    def test_refuses_a_cross_year_rate_outside_the_range(self) -> None:
        with pytest.raises(InvalidInput, match="cross_year_daily_rate"):
            AgreedRate(daily_rate="0.002", cross_year_daily_rate="0.004")

    def test_replaces_the_rule_set_rates_for_every_day(self) -> None:
        policy = LateFeePolicy(agreed_rate=AgreedRate(daily_rate="0.0025"))

        fee = late_fee(
            Money("1000.00"),
            due_date=date(2024, 12, 30),
            paid_on=date(2025, 1, 2),
            customer_kind=RES,
            policy=policy,
        )

        assert [(p.basis, p.days) for p in fee.parts] == [(RateBasis.AGREED, 3)]
        assert fee.amount == Money("7.50")
        assert fee.parts[0].source.startswith("contract, agreed")

    def test_splits_at_the_new_year_when_it_has_a_cross_year_rate(self) -> None:
        policy = LateFeePolicy(
            agreed_rate=AgreedRate(daily_rate="0.001", cross_year_daily_rate="0.002")
        )

        fee = late_fee(
            Money("1000.00"),
            due_date=date(2024, 12, 30),
            paid_on=date(2025, 1, 2),
            customer_kind=NON_RES,
            policy=policy,
        )

        assert [(p.basis, p.days, p.amount) for p in fee.parts] == [
            (RateBasis.AGREED, 1, Decimal("1.00000")),
            (RateBasis.AGREED_CROSS_YEAR, 2, Decimal("4.00000")),
        ]


class TestAccrue:
    def test_charges_every_later_year_at_the_cross_year_rate(self) -> None:
        parts = accrue(
            Money("100.00"),
            DateRange(date(2024, 12, 31), date(2026, 1, 2)),
            first_overdue_day=date(2024, 12, 31),
            customer_kind=NON_RES,
            rule_set=GYGZ2024,
        )

        assert [(p.basis, p.days) for p in parts] == [
            (RateBasis.CURRENT_YEAR, 1),
            (RateBasis.CROSS_YEAR, 366),
        ]

    def test_counts_a_bill_due_on_new_years_eve_as_cross_year_by_due_date_year(self) -> None:
        parts = accrue(
            Money("100.00"),
            DateRange(date(2025, 1, 1), date(2025, 1, 3)),
            first_overdue_day=date(2025, 1, 1),
            customer_kind=NON_RES,
            rule_set=GYGZ2024,
            boundary=CrossYearBoundary.DUE_DATE_YEAR,
        )

        assert [(p.basis, p.days) for p in parts] == [(RateBasis.CROSS_YEAR, 2)]

    def test_counts_the_same_bill_as_current_year_by_overdue_year(self) -> None:
        parts = accrue(
            Money("100.00"),
            DateRange(date(2025, 1, 1), date(2025, 1, 3)),
            first_overdue_day=date(2025, 1, 1),
            customer_kind=NON_RES,
            rule_set=GYGZ2024,
        )

        assert [(p.basis, p.days) for p in parts] == [(RateBasis.CURRENT_YEAR, 2)]

    def test_refuses_an_open_range(self) -> None:
        with pytest.raises(InvalidInput, match="closed range"):
            accrue(
                Money("1.00"),
                DateRange(date(2025, 1, 1)),
                first_overdue_day=date(2025, 1, 1),
                customer_kind=RES,
                rule_set=GYGZ2024,
            )

    def test_refuses_days_before_the_first_overdue_day(self) -> None:
        with pytest.raises(InvalidInput, match="on or after 2025-01-02"):
            accrue(
                Money("1.00"),
                DateRange(date(2025, 1, 1), date(2025, 1, 5)),
                first_overdue_day=date(2025, 1, 2),
                customer_kind=RES,
                rule_set=GYGZ2024,
            )


class TestLateFee:
    def test_is_zero_when_paid_on_the_deadline(self) -> None:
        fee = late_fee(
            Money("10.00"), due_date=date(2025, 1, 5), paid_on=date(2025, 1, 5), customer_kind=RES
        )

        assert (fee.amount, fee.parts, fee.floor_applied) == (Money.zero(), (), False)
        assert "not overdue" in fee.explain()

    def test_counts_the_payment_day_as_overdue(self) -> None:
        fee = late_fee(
            Money("1000.00"),
            due_date=date(2025, 1, 5),
            paid_on=date(2025, 1, 6),
            customer_kind=NON_RES,
        )

        assert fee.overdue_days == 1
        assert fee.amount == Money("2.00")
        assert fee.first_overdue_day == date(2025, 1, 6)

    def test_explains_that_the_minimum_was_applied(self) -> None:
        fee = late_fee(
            Money("50.00"), due_date=date(2024, 3, 1), paid_on=date(2024, 3, 4), customer_kind=RES
        )

        assert fee.floor_applied
        assert "raised to 1.00 (GYGZ1996, minimum confirmed)" in fee.explain()
        assert fee.as_dict()["minimum"] == "1.00"

    def test_charges_no_minimum_when_the_rule_set_has_none(self) -> None:
        policy = LateFeePolicy(rule_sets=(GYGZ1996, GYGZ2024.without_minimum()))

        fee = late_fee(
            Money("50.00"),
            due_date=date(2025, 3, 1),
            paid_on=date(2025, 3, 4),
            customer_kind=RES,
            policy=policy,
        )

        assert (fee.amount, fee.floor_applied) == (Money("0.15"), False)
        assert fee.as_dict()["minimum"] is None

    def test_rounds_half_up_once_per_bill(self) -> None:
        fee = late_fee(
            Money("2.50"), due_date=date(2025, 3, 1), paid_on=date(2025, 3, 2), customer_kind=RES
        )

        assert fee.unrounded == Decimal("0.00250000")
        assert fee.accrued == Money("0.00")
        assert fee.amount == Money("1.00")


class TestLateFeePolicy:
    def test_refuses_rule_sets_whose_dates_overlap(self) -> None:
        clash = attrs.evolve(GYGZ2024, effective=DateRange(date(2024, 1, 1), None))

        with pytest.raises(InvalidInput, match="do not overlap"):
            LateFeePolicy(rule_sets=(GYGZ1996, clash))

    def test_refuses_no_rule_sets(self) -> None:
        with pytest.raises(InvalidInput, match="rule_sets"):
            LateFeePolicy(rule_sets=())

    def test_takes_the_deadline_from_the_notice_date_when_asked(self) -> None:
        policy = LateFeePolicy(deadline=DaysAfterNotice(7))
        bill = a_bill(due_date=None, notice_date=date(2025, 3, 1))

        fee = assess_late_fees((bill,), through=date(2025, 3, 10), policy=policy).bills[0]

        assert fee.deadline == date(2025, 3, 8)
        assert fee.overdue_days == 2
        assert policy.deadline.description == "7 days after the bill notice"

    def test_refuses_a_notice_policy_for_a_bill_without_a_notice_date(self) -> None:
        policy = LateFeePolicy(deadline=DaysAfterNotice(7))

        with pytest.raises(InvalidInput, match="notice_date"):
            assess_late_fees((a_bill(),), through=date(2025, 4, 1), policy=policy)

    def test_refuses_a_negative_number_of_days_after_notice(self) -> None:
        with pytest.raises(InvalidInput, match="days"):
            DaysAfterNotice(-1)

    def test_refuses_a_bill_without_a_due_date_by_default(self) -> None:
        with pytest.raises(InvalidInput, match="due_date"):
            assess_late_fees((a_bill(due_date=None),), through=date(2025, 4, 1))

    def test_picks_the_rule_set_by_period_end_when_asked(self) -> None:
        policy = LateFeePolicy(rule_set_date=RuleSetDate.PERIOD_END)
        bill = a_bill(due_date=date(2024, 6, 20), period_end=date(2024, 5, 31))

        fee = assess_late_fees((bill,), through=date(2024, 7, 1), policy=policy).bills[0]

        assert fee.rule_set is GYGZ1996

    def test_picks_the_rule_set_by_first_overdue_day_by_default(self) -> None:
        bill = a_bill(due_date=date(2024, 5, 31), period_end=date(2024, 4, 30))

        fee = assess_late_fees((bill,), through=date(2024, 7, 1)).bills[0]

        assert fee.rule_set is GYGZ2024

    def test_refuses_period_end_selection_for_a_bill_without_a_period_end(self) -> None:
        policy = LateFeePolicy(rule_set_date=RuleSetDate.PERIOD_END)

        with pytest.raises(InvalidInput, match="period_end"):
            assess_late_fees((a_bill(),), through=date(2025, 4, 1), policy=policy)


class TestAssessLateFees:
    def test_accrues_on_the_principal_left_after_a_partial_payment(self) -> None:
        payment = a_payment("P1", date(2025, 3, 15), "600.00")

        fee = assess_late_fees((a_bill(),), (payment,), through=date(2025, 3, 20)).bills[0]

        assert [(p.principal, p.days) for p in fee.parts] == [
            (Money("1000.00"), 5),
            (Money("400.00"), 5),
        ]
        assert fee.amount == Money("14.00")
        assert fee.principal_outstanding == Money("400.00")
        assert fee.outstanding == Money("14.00")
        assert fee.as_dict()["parts"] == [
            {
                "first_day": "2025-03-11",
                "last_day": "2025-03-15",
                "days": 5,
                "principal": "1000.00",
                "basis": "current_year",
                "daily_rate": "0.002",
                "amount": "10.00000",
                "source": GYGZ2024.source,
                "source_zh": "《供电营业规则》(2024)（条款未核实，按1996年版第98条）："
                "当年欠费每日按欠费金额的 2‰ 计收",
            },
            {
                "first_day": "2025-03-16",
                "last_day": "2025-03-20",
                "days": 5,
                "principal": "400.00",
                "basis": "current_year",
                "daily_rate": "0.002",
                "amount": "4.00000",
                "source": GYGZ2024.source,
                "source_zh": "《供电营业规则》(2024)（条款未核实，按1996年版第98条）："
                "当年欠费每日按欠费金额的 2‰ 计收",
            },
        ]

    def test_accrues_nothing_on_a_bill_paid_before_its_deadline(self) -> None:
        payment = a_payment("P1", date(2025, 3, 1), "1000.00")

        fee = assess_late_fees((a_bill(),), (payment,), through=date(2025, 4, 1)).bills[0]

        assert (fee.parts, fee.amount) == ((), Money.zero())

    def test_moves_an_overpayment_to_account_credit(self) -> None:
        payment = a_payment("P1", date(2025, 3, 12), "1100.00")

        assessment = assess_late_fees((a_bill(),), (payment,), through=date(2025, 4, 1))

        assert assessment.for_bill("B1").paid == Money("4.00")
        assert assessment.credit == Money("96.00")
        assert assessment.total == Money("4.00")

    def test_credits_a_payment_that_finds_nothing_open(self) -> None:
        payments = (
            a_payment("P1", date(2025, 3, 1), "1000.00"),
            a_payment("P2", date(2025, 3, 20), "5.00"),
        )

        assessment = assess_late_fees((a_bill(),), payments, through=date(2025, 4, 1))

        assert assessment.allocations[1].allocations == ()
        assert assessment.credit == Money("5.00")
        assert assessment.total == Money.zero()

    def test_rounds_the_penalty_at_each_settlement_under_penalty_first(self) -> None:
        payments = (a_payment("P1", date(2025, 3, 12), "100.00"),)
        policy = LateFeePolicy(allocation=AllocationOrder.PENALTY_FIRST)

        fee = assess_late_fees((a_bill(),), payments, through=date(2025, 3, 14), policy=policy)

        bill = fee.for_bill("B1")
        assert bill.paid == Money("4.00")
        assert bill.rounding_points == 2
        assert bill.amount == Money("7.62")  # 4.00 settled on 12 March + 904 × 0.002 × 2 = 3.616
        assert "at 2 settlements" in bill.explain()

    def test_replays_a_payment_in_the_order_it_was_posted_with(self) -> None:
        # The policy says principal first; this payment was posted penalty first, so it settles
        # the 4.00 accrued by 12 March before the principal, as the receivable did.
        payment = attrs.evolve(
            a_payment("P1", date(2025, 3, 12), "100.00"), allocation=AllocationOrder.PENALTY_FIRST
        )

        assessment = assess_late_fees((a_bill(),), (payment,), through=date(2025, 3, 14))

        assert assessment.policy.allocation is AllocationOrder.PRINCIPAL_FIRST
        assert assessment.for_bill("B1").paid == Money("4.00")
        assert assessment.for_bill("B1").amount == Money("7.62")

    def test_explains_every_bill_and_the_total(self) -> None:
        bills = (a_bill("B1"), a_bill("B2", due_date=date(2025, 3, 12)))

        text = assess_late_fees(bills, through=date(2025, 3, 13)).explain()

        assert text.endswith("total late fees 违约金合计 through 2025-03-13: 8.00 CNY")
        assert "bill B2: late fee 电费违约金 2.00 CNY" in text

    def test_refuses_to_find_a_bill_it_did_not_assess(self) -> None:
        with pytest.raises(NotFound, match="B9"):
            assess_late_fees((a_bill(),), through=date(2025, 4, 1)).for_bill("B9")

    def test_refuses_no_bills(self) -> None:
        with pytest.raises(InvalidInput, match="at least one bill"):
            assess_late_fees((), through=date(2025, 4, 1))

    def test_refuses_a_bill_id_twice(self) -> None:
        with pytest.raises(InvalidInput, match="each bill id once"):
            assess_late_fees((a_bill(), a_bill()), through=date(2025, 4, 1))

    def test_refuses_bills_in_two_currencies(self) -> None:
        other = attrs.evolve(a_bill("B2"), principal=Money("1.00", "USD"))

        with pytest.raises(InvalidInput, match="principal"):
            assess_late_fees((a_bill(), other), through=date(2025, 4, 1))

    def test_refuses_a_payment_after_the_assessment_day(self) -> None:
        payment = a_payment("P1", date(2025, 4, 2), "1.00")

        with pytest.raises(InvalidInput, match="on or before through"):
            assess_late_fees((a_bill(),), (payment,), through=date(2025, 4, 1))


class TestLateFeePayment:
    def test_refuses_an_amount_that_is_not_above_zero(self) -> None:
        with pytest.raises(InvalidInput, match="amount"):
            a_payment("P1", date(2025, 1, 1), "0.00")

    def test_refuses_an_allocation_that_is_not_an_order(self) -> None:
        with pytest.raises(InvalidInput, match="AllocationOrder"):
            LateFeePayment(
                payment_id="P1",
                paid_on=date(2025, 1, 1),
                amount=Money("1.00"),
                allocation="penalty_first",  # type: ignore[arg-type]
            )

    def test_refuses_a_blank_payment_id(self) -> None:
        with pytest.raises(InvalidInput, match="payment_id"):
            a_payment(" ", date(2025, 1, 1), "1.00")

    def test_refuses_a_payment_id_twice(self) -> None:
        payment = a_payment("P1", date(2025, 3, 1), "1.00")

        with pytest.raises(InvalidInput, match="each payment id once"):
            assess_late_fees((a_bill(),), (payment, payment), through=date(2025, 4, 1))

    def test_refuses_a_payment_in_another_currency(self) -> None:
        payment = LateFeePayment(
            payment_id="P1", paid_on=date(2025, 3, 1), amount=Money("1.00", "USD")
        )

        with pytest.raises(InvalidInput, match=r"payments\[P1\].amount"):
            assess_late_fees((a_bill(),), (payment,), through=date(2025, 4, 1))


class TestLateFeeBill:
    def test_refuses_a_principal_that_is_not_above_zero(self) -> None:
        with pytest.raises(InvalidInput, match="principal"):
            a_bill(principal="0.00")

    def test_refuses_a_blank_bill_id(self) -> None:
        with pytest.raises(InvalidInput, match="bill_id"):
            a_bill(" ")


class TestRuleSetBoundary:
    """R18: the day the 2024 rules start, table-driven (the 2024 minimum configured away)."""

    @pytest.mark.parametrize(
        ("due_date", "rule_set", "amount"),
        [
            (date(2024, 5, 29), "GYGZ1996", "1.00"),
            (date(2024, 5, 30), "GYGZ1996", "1.00"),
            (date(2024, 5, 31), "GYGZ2024", "0.15"),
            (date(2024, 6, 1), "GYGZ2024", "0.15"),
        ],
    )
    def test_picks_the_rules_in_force_on_the_first_overdue_day(
        self, due_date: date, rule_set: str, amount: str
    ) -> None:
        policy = LateFeePolicy(rule_sets=(GYGZ1996, GYGZ2024.without_minimum()))

        fee = late_fee(
            Money("50.00"),
            due_date=due_date,
            paid_on=due_date + timedelta(days=3),
            customer_kind=RES,
            policy=policy,
        )

        assert (fee.rule_set.key, str(fee.amount.amount)) == (rule_set, amount)
