"""The July 2025 settlement of retailer R, worked by hand.

Purchases: P-1 annual bilateral 600 000 kWh × 0.3700 = 222 000.00; P-2 monthly centralised
300 000 × 0.3900 = 117 000.00; P-3 spot 100 000 × 0.4100 = 41 000.00. Contract energy
1 000 000 kWh, cost 380 000.00, average 0.380000 元/kWh.

Allocation by forecast 500 000 / 300 000 / 200 000: exactly the claims (they add up to the
purchase). Costs by allocated energy: 190 000.00 / 114 000.00 / 76 000.00.

Actual 500 000 + 350 000 + 200 000 = 1 050 000 kWh: over by 50 000, free band 3 % = 30 000,
penalised 20 000 × 0.10 = 2 000.00 (GENERIC-3). Shared by each user's own over-use: C-1 0, C-2
50 000, C-3 0 — C-2 takes all 2 000.00, and its contract passes it on.

Revenue: C-1 PKG-LINKED (0.3850 + 0.008) × 500 000 = 196 500.00; C-2 PKG-MIX
(0.6 × 0.4000 + 0.4 × 0.3850) × 350 000 = 0.394 × 350 000 = 137 900.00; C-3 PKG-SPREAD
(0.4150 − 0.5 × (0.4150 − 0.380000)) × 200 000 = 0.3975 × 200 000 = 79 500.00.

Excess-profit refund of C-2 (threshold 0.02, share 0.5): (137 900 − 114 000 − 0.02 × 350 000)
× 0.5 = 16 900 × 0.5 = 8 450.00. C-1 has a June adjustment of −150.00.

Margins: C-1 196 500 − 190 000 − 150 = 6 350.00; C-2 137 900 + 2 000 − 114 000 − 2 000 − 8 450
= 15 450.00; C-3 79 500 − 76 000 = 3 500.00; portfolio 25 300.00 = 413 900 + 2 000 − 380 000
− 2 000 − 8 450 − 150.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from powerretail.errors import InvalidInput
from powerretail.quantities import Money
from powerretail.retail.allocation import AllocationMethod, Claim, allocate_energy
from powerretail.retail.settlement import (
    MonthSettlement,
    SettlementDoesNotReconcile,
    UserMonth,
    adjustments_between,
    settle_month,
)
from tests.unit.retail.builders import a_retail_contract, july_portfolio


def _settled(**changes: object) -> MonthSettlement:
    return settle_month(**{**july_portfolio(), **changes})  # type: ignore[arg-type]


class TestSettleMonth:
    def test_the_hand_worked_month(self) -> None:
        settled = _settled()

        rows = {
            u.customer_id: (
                str(u.revenue.amount),
                str(u.wholesale_cost.amount),
                str(u.deviation_share.amount),
                str(u.deviation_passed_on.amount),
                str(u.refund.amount),
                str(u.adjustments.amount),
                str(u.margin.amount),
            )
            for u in settled.users
        }
        assert rows == {
            "C-1": ("196500.00", "190000.00", "0.00", "0.00", "0.00", "-150.00", "6350.00"),
            "C-2": ("137900.00", "114000.00", "2000.00", "2000.00", "8450.00", "0.00", "15450.00"),
            "C-3": ("79500.00", "76000.00", "0.00", "0.00", "0.00", "0.00", "3500.00"),
        }
        assert str(settled.wholesale.contract_cost.amount) == "380000.00"
        assert str(settled.wholesale.deviation.amount.amount) == "2000.00"
        assert settled.wholesale.average_yuan_per_kwh == Decimal("0.380000")
        assert str(settled.margin.amount) == "25300.00"
        assert [line.amount for line in settled.wholesale.purchases] == [
            Money("222000.00"),
            Money("117000.00"),
            Money("41000.00"),
        ]

    def test_each_user_names_its_package_version_and_formula(self) -> None:
        user = _settled().users[2]

        assert user.package == "PKG-SPREAD@2025"
        assert "0.4150 − 0.5×(0.4150 − 0.380000)" in user.formula

    def test_under_use_is_shared_by_each_users_own_under_use(self) -> None:
        portfolio = july_portfolio()
        users = list(portfolio["users"])
        users[0] = attrs.evolve(users[0], energy_kwh={"total": "400000"})  # 100 000 under
        users[1] = attrs.evolve(users[1], energy_kwh={"total": "300000"})

        settled = settle_month(**{**portfolio, "users": tuple(users)})

        # actual 900 000: under by 100 000, penalised 70 000 × 0.10 = 7 000.00, all C-1's
        assert [str(u.deviation_share.amount) for u in settled.users] == [
            "7000.00",
            "0.00",
            "0.00",
        ]

    def test_a_month_inside_the_band_has_no_fee_to_share(self) -> None:
        portfolio = july_portfolio()
        allocation = allocate_energy(
            retailer_id="R",
            month="2025-07",
            energy_kwh=Decimal(1_000_000),
            claims=[
                Claim(customer_id="C-1", kwh="600000"),
                Claim(customer_id="C-2", kwh="400000"),
                Claim(customer_id="C-3", kwh="300000"),
            ],
            method=AllocationMethod.BY_CONTRACT,
        )
        users = tuple(
            attrs.evolve(u, energy_kwh={"total": kwh})
            for u, kwh in zip(
                portfolio["users"], ["461538.461", "307692.308", "230769.231"], strict=True
            )
        )

        settled = settle_month(**{**portfolio, "allocation": allocation, "users": users})

        assert settled.wholesale.deviation.amount.is_zero()

    def test_refuses_an_allocation_of_other_energy(self) -> None:
        portfolio = july_portfolio()
        allocation = allocate_energy(
            retailer_id="R",
            month="2025-07",
            energy_kwh=Decimal(999_999),
            claims=[Claim(customer_id="C-1", kwh="1")],
            method=AllocationMethod.BY_CONTRACT,
        )

        with pytest.raises(InvalidInput, match="purchased energy"):
            settle_month(**{**portfolio, "allocation": allocation})

    def test_refuses_users_of_another_month_twice_or_unknown_shares(self) -> None:
        portfolio = july_portfolio()
        users = portfolio["users"]
        with pytest.raises(InvalidInput, match="each user once"):
            settle_month(**{**portfolio, "users": (*users, users[0])})
        with pytest.raises(InvalidInput, match="a user month of R 2025-07"):
            settle_month(**{**portfolio, "users": (attrs.evolve(users[0], month="2025-08"),)})
        with pytest.raises(InvalidInput, match="a share of a user settled"):
            settle_month(**{**portfolio, "users": users[:2]})
        with pytest.raises(InvalidInput, match="at least one user"):
            settle_month(**{**portfolio, "users": ()})

    def test_refuses_an_unknown_package_and_a_stray_adjustment(self) -> None:
        portfolio = july_portfolio()
        with pytest.raises(InvalidInput, match="PKG-LINKED"):
            settle_month(**{**portfolio, "packages": {}})
        adjustment = attrs.evolve(portfolio["adjustments"][0], settle_in="2025-08")
        with pytest.raises(InvalidInput, match="settled in 2025-07"):
            settle_month(**{**portfolio, "adjustments": (adjustment,)})
        stranger = attrs.evolve(portfolio["adjustments"][0], customer_id="C-9")
        with pytest.raises(InvalidInput, match="a user settled now"):
            settle_month(**{**portfolio, "adjustments": (stranger,)})

    def test_refuses_an_allocation_of_another_retailer(self) -> None:
        portfolio = july_portfolio()
        other = attrs.evolve(portfolio["allocation"], retailer_id="Q")

        with pytest.raises(InvalidInput, match="R's 2025-07"):
            settle_month(**{**portfolio, "allocation": other})


class TestMonthSettlement:
    def test_refuses_margins_that_do_not_add_up(self) -> None:
        settled = _settled()

        with pytest.raises(SettlementDoesNotReconcile, match="user margins"):
            attrs.evolve(settled, margin=Money("1.00"))

    def test_refuses_a_margin_that_is_not_the_formula(self) -> None:
        settled = _settled()
        users = tuple(attrs.evolve(u, margin=u.margin + Money("1.00")) for u in settled.users)

        with pytest.raises(SettlementDoesNotReconcile, match="margin"):
            attrs.evolve(settled, users=users, margin=settled.margin + Money("3.00"))


class TestAdjustmentsBetween:
    def test_the_difference_of_each_users_margin_flows_to_the_next_cycle(self) -> None:
        earlier = _settled()
        prices = {**july_portfolio()["reference_prices"], "JS-MLT-AVG": Decimal("0.3860")}
        corrected = _settled(reference_prices=prices)

        adjustments = adjustments_between(
            earlier, corrected, settle_in="2025-08", reason="July average revised"
        )

        # C-1: +0.001 × 500 000 = +500.00; C-2: +0.4 × 0.001 × 350 000 = +140.00, less half of
        # it refunded (+70.00) = +70.00
        assert [(a.customer_id, str(a.amount.amount)) for a in adjustments] == [
            ("C-1", "500.00"),
            ("C-2", "70.00"),
        ]
        assert adjustments[0].settle_in == "2025-08"

    def test_refuses_another_month_a_cycle_not_after_it_or_no_reason(self) -> None:
        earlier = _settled()
        with pytest.raises(InvalidInput, match="settle_in"):
            adjustments_between(earlier, earlier, settle_in="2025-07", reason="x")
        with pytest.raises(InvalidInput, match="reason"):
            adjustments_between(earlier, earlier, settle_in="2025-08", reason=" ")
        with pytest.raises(InvalidInput, match="corrected"):
            adjustments_between(
                earlier, attrs.evolve(earlier, month="2025-06"), settle_in="2025-08", reason="x"
            )


class TestUserMonthOfContract:
    def test_takes_the_package_and_the_pass_on_term_from_the_contract(self) -> None:
        user = UserMonth.of_contract(
            a_retail_contract("PKG-MIX", passed_on=True),
            retailer_id="R",
            month="2025-07",
            energy_kwh={"total": Decimal(10)},
        )

        assert (user.user_month_id, user.package_code, user.deviation_fee_passed_on) == (
            "R/2025-07/C-1",
            "PKG-MIX",
            True,
        )
        assert user.contract_id == "K-1"

    def test_refuses_a_contract_without_a_package_or_a_buyer_customer(self) -> None:
        with pytest.raises(InvalidInput, match="retail contract"):
            UserMonth.of_contract(
                a_retail_contract(None), retailer_id="R", month="2025-07", energy_kwh={"total": 1}
            )
        with pytest.raises(InvalidInput, match="customer id"):
            UserMonth.of_contract(
                a_retail_contract(customer=None),
                retailer_id="R",
                month="2025-07",
                energy_kwh={"total": 1},
            )

    @pytest.mark.parametrize("energy", [{}, {"total": "-1"}, "x"])
    def test_refuses_empty_or_negative_energy(self, energy: object) -> None:
        with pytest.raises(InvalidInput):
            UserMonth(
                user_month_id="u",
                retailer_id="R",
                month="2025-07",
                customer_id="C",
                contract_id="K",
                package_code="P",
                energy_kwh=energy,  # type: ignore[arg-type]
            )


def test_a_month_with_nothing_bought_costs_nothing() -> None:
    portfolio = july_portfolio()
    allocation = allocate_energy(
        retailer_id="R",
        month="2025-07",
        energy_kwh=Decimal(0),
        claims=[Claim(customer_id="C-1", kwh="1")],
        method=AllocationMethod.BY_CONTRACT,
    )

    settled = settle_month(**{**portfolio, "purchases": (), "allocation": allocation})

    assert all(u.wholesale_cost.is_zero() for u in settled.users)
    assert str(settled.wholesale.deviation.amount.amount) == "105000.00"  # 1 050 000 × 0.10
