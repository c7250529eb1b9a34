"""Fixed-quantity and fixed-ratio sub-accounts (定量/定比) on the main meter's bill.

Amounts worked by hand: the sub-account's energy is deducted from the meter's (shared over the
buckets by their energy) and billed at its own price; the power factor is the whole meter's and
its adjustment's base leaves the sub-account's charge out.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from powerretail.billing._i18n import note_text
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import BillingEngine, price_bill
from powerretail.billing.sub_accounts import SubAccount, SubAccountKind
from powerretail.billing.usage import IntervalSeries
from powerretail.errors import InvalidInput
from powerretail.timeframe import DateRange

from .builders import basic, energy, one_version, power_factor, tou

JULY = DateRange.month(2025, 7)


def lighting(**kwargs: object) -> SubAccount:
    fields: dict[str, object] = {
        "code": "lighting",
        "name_zh": "照明",
        "name_en": "lighting",
        "source": "供用电合同 (illustrative)",
        "yuan_per_kwh": "0.6",
    }
    fields.update(kwargs)
    return SubAccount(**fields)  # type: ignore[arg-type]


def amounts(bill_lines: object) -> dict[str, str]:
    return {line.code: str(line.amount.amount) for line in bill_lines}  # type: ignore[attr-defined]


class TestGolden:
    def test_a_fixed_ratio_is_billed_apart_and_kept_out_of_the_pf_base(self) -> None:
        """100 000 kWh, 75 000 kvarh; lighting 5 % at 0.6; the rest at 0.5; standard 0.90.

        Lighting 100 000 × 0.05 = 5 000 kWh × 0.6 = 3 000.00; main 95 000 × 0.5 = 47 500.00.
        PF = 100 000 / √(100 000² + 75 000²) = 0.80 (the whole meter): +5 % of 47 500.00 =
        2 375.00 (not of the lighting charge). Total 52 875.00.
        """
        tariff = one_version(energy(), power_factor(default_standard="0.90"))
        usage = Determinants(energy_kwh={"total": "100000"}, reactive_kvarh="75000")
        facts = AccountFacts(sub_accounts=(lighting(ratio="0.05"),))

        bill = price_bill(tariff, usage, JULY, facts)

        assert amounts(bill.lines) == {"energy": "47500.00", "pf": "2375.00", "lighting": "3000.00"}
        assert bill.total.amount == Decimal("52875.00")
        assert bill.lines[2].note == (
            "fixed ratio 0.05 of the meter = 5000.000 kWh, deducted from the main meter by "
            "bucket; outside the power-factor base"
        )
        assert note_text(bill.lines[2].note, "zh") == (
            "定比 0.05 = 5000.000 千瓦时，按时段从总表电量中扣减；不计入功率因数调整电费基数"
        )

    def test_a_fixed_quantity_is_shared_over_the_buckets_by_their_energy(self) -> None:
        """Peak 6 000, valley 4 000 kWh; 1 000 kWh a month of lighting.

        Deducted 600 from peak and 400 from valley: 5 400 × 0.5583 = 3 014.82,
        3 600 × 0.3583 = 1 289.88; lighting 1 000 × 0.6 = 600.00.
        """
        bill = price_bill(
            one_version(tou()),
            Determinants(energy_kwh={"peak": "6000", "valley": "4000"}),
            JULY,
            AccountFacts(sub_accounts=(lighting(kwh_per_month=1000),)),
        )

        assert [(line.quantity, str(line.amount.amount)) for line in bill.lines] == [
            (Decimal("5400.000000"), "3014.82"),
            (Decimal("3600.000000"), "1289.88"),
            (Decimal("1000.000"), "600.00"),
        ]

    def test_a_fixed_quantity_for_a_part_month_is_one_thirtieth_a_day(self) -> None:
        """Opened 11 July: 21 days = 21/30 month; 1 000 × 21/30 = 700 kWh × 0.6 = 420.00."""
        facts = AccountFacts(opened_on="2025-07-11", sub_accounts=(lighting(kwh_per_month=1000),))

        bill = price_bill(
            one_version(energy()), Determinants(energy_kwh={"total": "3000"}), JULY, facts
        )

        assert amounts(bill.lines) == {"energy": "1150.00", "lighting": "420.00"}
        assert "× 7/10 = 700.000 kWh" in bill.lines[1].note

    def test_the_demand_discount_counts_all_the_meter_energy(self) -> None:
        """1000 kVA, 270 000 kWh of which 20 % lighting: 270 kWh/kVA ≥ 260 on all metering."""
        tariff = one_version(basic(default_basis="demand"), energy())
        facts = AccountFacts(
            capacity_kva=1000, contract_demand_kw=600, sub_accounts=(lighting(ratio="0.2"),)
        )
        usage = Determinants(energy_kwh={"total": "270000"}, max_demand_kw="500")

        bill = price_bill(tariff, usage, JULY, facts)

        assert bill.lines[0].rate == Decimal("34.2")


class TestRefusals:
    def test_more_than_the_meter_registered_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match="no more sub-account energy"):
            price_bill(
                one_version(energy()),
                Determinants(energy_kwh={"total": "500"}),
                JULY,
                AccountFacts(sub_accounts=(lighting(kwh_per_month=1000),)),
            )

    def test_a_code_a_charge_uses_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match="a code no charge uses"):
            price_bill(
                one_version(energy()),
                Determinants(energy_kwh={"total": "5000"}),
                JULY,
                AccountFacts(sub_accounts=(lighting(code="energy", ratio="0.1"),)),
            )

    def test_interval_billing_is_refused(self) -> None:
        series = IntervalSeries(start="2025-07-01T00:00+08:00", minutes=60, active_kwh=[1] * 744)
        facts = AccountFacts(sub_accounts=(lighting(ratio="0.1"),))

        with pytest.raises(InvalidInput, match="register determinants"):
            BillingEngine(one_version(energy())).bill_intervals(series, JULY, facts)

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({}, "ratio"),
            ({"ratio": "0.1", "kwh_per_month": 10}, "ratio"),
            ({"ratio": "1"}, "ratio"),
            ({"kwh_per_month": 0}, "kwh_per_month"),
            ({"ratio": "0.1", "yuan_per_kwh": "-1"}, "yuan_per_kwh"),
            ({"ratio": "0.1", "source": ""}, "source"),
        ],
    )
    def test_bad_sub_accounts(self, fields: dict[str, object], field: str) -> None:
        with pytest.raises(InvalidInput) as caught:
            lighting(**fields)
        assert caught.value.field == field

    def test_bad_lists(self) -> None:
        with pytest.raises(InvalidInput, match="sub_accounts"):
            AccountFacts(sub_accounts="lighting")  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match=r"sub_accounts\[0\]"):
            AccountFacts(sub_accounts=("lighting",))  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="not used twice"):
            AccountFacts(sub_accounts=(lighting(ratio="0.1"), lighting(ratio="0.2")))

    def test_kinds(self) -> None:
        assert lighting(ratio="0.1").kind is SubAccountKind.FIXED_RATIO
        assert lighting(kwh_per_month=5).kind is SubAccountKind.FIXED_QUANTITY
