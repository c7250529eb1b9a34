"""Golden: Jiangsu's critical peak applies to industrial users of 315 kVA and more only.

苏发改价格发〔2025〕426号: critical peak (尖峰, July and August 14:00-15:00 and 19:30-21:30, +20 %
on the peak price) and holiday deep valley apply to industrial users of 315 kVA and more. One
July day of 15-minute data, the same for both accounts: every hour 10, 11, 12 and 13 kWh in its
four quarter hours (46 kWh an hour, 1 104 kWh the day).

* peak 14:00-22:00 is 8 h = 368 kWh; critical 14:00-15:00 (46) + 19:30-20:00 (12 + 13) +
  20:00-21:00 (46) + 21:00-21:30 (10 + 11) = 138 kWh;
* flat 06:00-11:00, 13:00-14:00, 22:00-24:00 = 8 h = 368 kWh; valley 00:00-06:00, 11:00-13:00
  = 8 h = 368 kWh.

Prices (base 0.4000 元/kWh): peak 0.72, flat 0.40, valley 0.14, critical 1.2 × 0.72 = 0.864.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from powerretail.adapters.tariff_library import load_shipped
from powerretail.billing.determinants import AccountFacts
from powerretail.billing.engine import BillingEngine
from powerretail.billing.usage import IntervalSeries
from powerretail.errors import InvalidInput
from powerretail.timeframe import DateRange

ENGINE = BillingEngine(load_shipped("JS-CI-TOU-2P"))
DAY = DateRange("2025-07-15", "2025-07-16")
SERIES = IntervalSeries(
    start="2025-07-15T00:00+08:00",
    minutes=15,
    active_kwh=[Decimal(10 + slot % 4) for slot in range(96)],
)
COMMERCIAL = AccountFacts(
    capacity_kva=200, use_category="commercial", basic_charge_basis="capacity"
)
INDUSTRIAL = AccountFacts(
    capacity_kva=400, use_category="industrial", basic_charge_basis="capacity"
)


def _lines(account: AccountFacts) -> dict[str, tuple[Decimal, str]]:
    bill = ENGINE.bill_intervals(SERIES, DAY, account)
    return {line.code: (line.quantity, str(line.amount.amount)) for line in bill.lines}


def test_a_200_kva_commercial_account_has_no_critical_peak_and_the_bill_says_why() -> None:
    bill = ENGINE.bill_intervals(SERIES, DAY, COMMERCIAL)

    assert _lines(COMMERCIAL) == {
        "basic": (Decimal(200), "173.33"),  # 200 kVA × 26 元 × 1/30 month
        "energy.peak": (Decimal(368), "264.96"),  # 368 × 0.72
        "energy.flat": (Decimal(368), "147.20"),
        "energy.valley": (Decimal(368), "51.52"),
        "line_loss": (Decimal(1104), "16.56"),
        "transmission": (Decimal(1104), "198.72"),
        "system_operation": (Decimal(1104), "27.60"),
        "funds": (Decimal(1104), "32.02"),
    }
    assert str(bill.total.amount) == "911.91"
    assert bill.notes == (
        (
            "critical peak, July and August (critical peak) not applied: it applies to "
            "industrial users of 315 kVA and more (苏发改价格发〔2025〕426号) only and the account "
            "is commercial, 200 kVA; its hours are billed in the season's bucket"
        ),
    )


def test_a_400_kva_industrial_account_pays_the_critical_peak_on_138_kwh() -> None:
    bill = ENGINE.bill_intervals(SERIES, DAY, INDUSTRIAL)

    assert _lines(INDUSTRIAL) == {
        "basic": (Decimal(400), "346.67"),  # 400 kVA × 26 元 × 1/30 month
        "energy.critical": (Decimal(138), "119.23"),  # 138 × 0.864 = 119.232
        "energy.peak": (Decimal(230), "165.60"),  # (368 − 138) × 0.72
        "energy.flat": (Decimal(368), "147.20"),
        "energy.valley": (Decimal(368), "51.52"),
        "line_loss": (Decimal(1104), "16.56"),
        "transmission": (Decimal(1104), "198.72"),
        "system_operation": (Decimal(1104), "27.60"),
        "funds": (Decimal(1104), "32.02"),
    }
    assert str(bill.total.amount) == "1105.12"
    assert bill.notes == ()


def test_the_critical_peak_costs_the_industrial_account_19_87_more_energy() -> None:
    commercial, industrial = _lines(COMMERCIAL), _lines(INDUSTRIAL)

    energy = [
        sum(Decimal(amount) for code, (_, amount) in lines.items() if code.startswith("energy."))
        for lines in (commercial, industrial)
    ]
    assert energy[1] - energy[0] == Decimal("19.87")  # 138 × 0.72 × 0.2 = 19.872


@pytest.mark.parametrize(
    ("account", "field"),
    [
        (AccountFacts(capacity_kva=400), "account.use_category"),
        (AccountFacts(use_category="industrial"), "account.capacity_kva"),
        (AccountFacts(), "account"),
    ],
)
def test_without_the_facts_the_scope_tests_the_bill_is_refused(
    account: AccountFacts, field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        ENGINE.bill_intervals(SERIES, DAY, account)

    assert raised.value.field == field
    assert "industrial users of 315 kVA and more (苏发改价格发〔2025〕426号)" in str(raised.value)


def test_a_fact_that_decides_alone_is_enough() -> None:
    # 200 kVA is below 315 whatever the kind; a commercial user is not industrial whatever size.
    by_size = ENGINE.bill_intervals(SERIES, DAY, AccountFacts(capacity_kva=200))
    by_kind = ENGINE.bill_intervals(SERIES, DAY, AccountFacts(use_category="commercial"))

    for bill in (by_size, by_kind):
        assert "energy.critical" not in {line.code for line in bill.lines}
