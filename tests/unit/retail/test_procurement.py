from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from powerretail.errors import InvalidInput
from powerretail.retail.procurement import Channel, Purchase, position


def _buy(pid: str, month: str, kwh: str, price: str, band: str = "total") -> Purchase:
    return Purchase(
        purchase_id=pid,
        retailer_id="R",
        month=month,
        channel=Channel.LISTING,
        band=band,
        energy_kwh=kwh,
        yuan_per_kwh=price,
    )


class TestPosition:
    def test_sums_the_month_by_band_and_rounds_each_purchase_once(self) -> None:
        held = position(
            [
                _buy("P-1", "2025-07", "100.5", "0.3333", "peak"),
                _buy("P-2", "2025-07", "200", "0.30", "valley"),
                _buy("P-3", "2025-08", "999", "0.30"),
            ],
            date(2025, 7, 15),
        )

        assert held.energy_kwh == Decimal("300.5")
        assert held.by_band_kwh == {"peak": Decimal("100.5"), "valley": Decimal("200")}
        assert str(held.cost.amount) == "93.50"  # 33.49665 → 33.50, + 60.00
        assert held.average_yuan_per_kwh == Decimal("0.311148")
        assert held.by_channel_kwh == {Channel.LISTING: Decimal("300.5")}

    def test_an_empty_month_has_no_average(self) -> None:
        assert position([], date(2025, 7, 1)).average_yuan_per_kwh == Decimal("0.000000")

    def test_refuses_one_purchase_twice(self) -> None:
        with pytest.raises(InvalidInput, match="each purchase once"):
            position([_buy("P", "2025-07", "1", "1")] * 2, date(2025, 7, 1))


class TestPurchase:
    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("energy_kwh", "-1"),
            ("yuan_per_kwh", "-0.1"),
            ("band", " "),
            ("month", "2025-7"),
            ("purchase_id", " "),
        ],
    )
    def test_refuses_bad_values(self, field: str, value: str) -> None:
        values = {
            "purchase_id": "P",
            "retailer_id": "R",
            "month": "2025-07",
            "channel": Channel.SPOT,
            "energy_kwh": "1",
            "yuan_per_kwh": "0.3",
        }
        values[field] = value
        with pytest.raises(InvalidInput):
            Purchase(**values)  # type: ignore[arg-type]
