"""Price one month for a Jiangsu household and a two-part factory, and explain both bills.

Run: ``python examples/first_bill.py``
"""

from __future__ import annotations

from powerretail.adapters.tariff_library import load_shipped
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import price_bill
from powerretail.timeframe import DateRange

JULY = DateRange.month(2025, 7)
#: The two-part example has no critical-peak energy; June has the summer periods but no
#: critical-peak hours (July does: a register meter without a critical register is refused).
JUNE = DateRange.month(2025, 6)


def main() -> None:
    household = price_bill(
        load_shipped("JS-RES-TOU"),
        Determinants(energy_kwh={"peak": "281.8", "valley": "180.8"}),
        JULY,
        AccountFacts(residential=True, ytd_kwh=2500),
        bill_id="B-R-202507",
        account_id="JS-R-0001",
    )
    print(household.explain())
    print()
    factory = price_bill(
        load_shipped("JS-CI-TOU-2P"),
        Determinants(
            energy_kwh={"peak": "80000", "flat": "100000", "valley": "60000"},
            max_demand_kw="660",
            reactive_kvarh="130000",
        ),
        JUNE,
        AccountFacts(capacity_kva=1000, contract_demand_kw=600, pf_standard="0.90"),
        bill_id="B-I-202506",
        account_id="JS-I-0007",
    )
    print(factory.explain("zh"))
    print()
    print(f"the worked two-part example says 193830.20; the engine says {factory.total.amount}")


if __name__ == "__main__":
    main()
