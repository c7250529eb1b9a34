"""What-if for factories metered away from the property boundary: losses and the bills' notes.

Three factories under Jiangsu's two-part TOU tariff, each with its losses between the boundary
and the meter (an agreed percentage, the transformer formula, a loss table), priced by the batch
engine and checked against the bill engine.

Run: python examples/whatif_losses.py   (needs: pip install 'powerretail[analysis]')
"""

from __future__ import annotations

import pandas as pd

from powerretail.adapters.tariff_library import load_shipped
from powerretail.analysis import compile_tariff
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import BillingEngine
from powerretail.tariffs.losses import LossBand, TableLookup, TransformerFormula
from powerretail.timeframe import DateRange


def main() -> None:
    table = TableLookup(bands=(LossBand(20_000, 300, 1200), LossBand(None, 600, 2400)))
    transformer = TransformerFormula(
        no_load_kw="0.57",
        load_loss_kw="3.3",
        rated_kva=315,
        power_factor="0.9",
        no_load_current_percent="1.4",
        impedance_voltage_percent=4,
    )
    book = pd.DataFrame(
        {
            "account_id": ["F1", "F2", "F3"],
            "period_start": ["2025-10-01", "2025-10-01", "2025-10-12"],
            "period_end": ["2025-11-01"] * 3,
            "kwh_critical": [0.0] * 3,
            "kwh_peak": [60_000.0, 40_000.0, 9_000.0],
            "kwh_flat": [80_000.0, 50_000.0, 7_000.0],
            "kwh_valley": [40_000.0, 30_000.0, 4_000.0],
            "max_demand_kw": [500.0, 300.0, 80.0],
            "capacity_kva": [630.0, 315.0, 160.0],
            "reactive_kvarh": [90_000.0, 60_000.0, 8_000.0],
            "pf_standard": ["0.90", None, "0.90"],
            "loss_active_percent": [1.5, None, None],
            "loss_reactive_percent": [4.0, None, None],
            "loss_model": [None, transformer, table],
        }
    )
    tariff = load_shipped("JS-CI-TOU-2P")
    priced = compile_tariff(tariff).price(book)
    print(priced.bills[["account_id", "kwh", "loss_kwh", "loss_kvarh", "total_yuan"]].to_string())
    print(priced.notes[["account_id", "note"]].to_string(index=False))

    # The bill engine gives F2 the same bill, line by line (usage is read to 0.001 kWh).
    bill = BillingEngine(tariff).bill(
        Determinants(
            energy_kwh={"critical": "0", "peak": "40000", "flat": "50000", "valley": "30000"},
            max_demand_kw="300",
            reactive_kvarh="60000",
        ),
        DateRange("2025-10-01", "2025-11-01"),
        AccountFacts(capacity_kva="315", loss_model=transformer),
    )
    lines = priced.lines[priced.lines["row"] == 1]
    assert lines["amount_fen"].tolist() == [int(line.amount.amount * 100) for line in bill.lines]
    assert int(priced.bills.loc[1, "total_fen"]) == int(bill.total.amount * 100)
    print(f"F2 by the bill engine: {bill.total}; its notes:")
    for note in bill.notes:
        print(f"  {note}")


if __name__ == "__main__":
    main()
