"""What-if: a small book of households under JS-RES-TOU against a flat tariff.

Run: python examples/whatif.py   (needs: pip install 'powerretail[analysis]')
"""

from __future__ import annotations

import pandas as pd

from powerretail.adapters.tariff_library import load_shipped
from powerretail.analysis import compare
from powerretail.tariffs.model import EnergyCharge, Tariff, TariffVersion


def main() -> None:
    usage = pd.DataFrame(
        {
            "account_id": [f"H{i}" for i in range(1, 7) for _ in range(12)],
            "period_start": [f"2025-{m:02d}-01" for _ in range(6) for m in range(1, 13)],
            "period_end": [
                f"{2025 + m // 12}-{m % 12 + 1:02d}-01" for _ in range(6) for m in range(1, 13)
            ],
            "kwh_peak": [100.0 * i + 10 * m for i in range(1, 7) for m in range(12)],
            "kwh_valley": [80.0 * (7 - i) for i in range(1, 7) for _ in range(12)],
            "residential": True,
        }
    )
    flat = Tariff(
        code="RES-FLAT",
        name_zh="居民平价",
        name_en="flat",
        category="residential",
        versions=[
            TariffVersion(
                label="1",
                effective_from="2020-01-01",
                charges=[
                    EnergyCharge(
                        code="energy",
                        name_zh="电度电费",
                        name_en="energy",
                        source="illustrative",
                        yuan_per_kwh="0.5283",
                    )
                ],
            )
        ],
    )
    result = compare(usage, {"JS-RES-TOU": load_shipped("JS-RES-TOU"), "flat": flat})
    print(result.summary[["tariff", "revenue_fen", "winners", "losers"]].to_string(index=False))
    print(result.accounts[["account_id", "kwh", "flat_change_fen"]].to_string(index=False))


if __name__ == "__main__":
    main()
