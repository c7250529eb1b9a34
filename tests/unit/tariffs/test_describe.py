"""The readable description of a tariff."""

from __future__ import annotations

import copy
from typing import Any

from powerretail.adapters.tariff_library import load_shipped
from powerretail.tariffs.describe import describe_tariff
from powerretail.tariffs.parser import from_mapping, to_mapping


def test_describes_every_kind_of_charge_and_schedule_detail() -> None:
    data: dict[str, Any] = copy.deepcopy(to_mapping(load_shipped("JS-RES-TOU")))
    data["note"] = ""
    schedule = data["versions"][0]["schedules"]["residential"]
    schedule["seasons"][0]["day_types"] = {
        "weekend": [{"bucket": "valley", "start": "00:00", "end": "24:00"}]
    }
    schedule["overlays"] = [
        {
            "name": "hot",
            "bucket": "valley",
            "windows": [{"start": "12:00", "end": "13:00"}],
            "dates": ["2025-07-30"],
        },
    ]
    data["versions"][0]["charges"].extend(
        [
            {
                "type": "fixed",
                "code": "meter",
                "name_zh": "表",
                "name_en": "meter",
                "source": "s",
                "yuan_per_month": "2",
            },
            {
                "type": "monthly_tiers",
                "code": "m",
                "name_zh": "月",
                "name_en": "month",
                "source": "s",
                "tiers": [{"upto": 200, "yuan_per_kwh": 0}, {"yuan_per_kwh": "0.1"}],
            },
            {
                "type": "basic",
                "code": "basic",
                "name_zh": "基本",
                "name_en": "basic",
                "source": "s",
                "yuan_per_kva_month": "26",
            },
            {
                "type": "power_factor",
                "code": "pf",
                "name_zh": "力调",
                "name_en": "pf",
                "source": "s",
                "base_codes": ["energy", "basic"],
            },
        ]
    )

    text = describe_tariff(from_mapping(data))

    assert "on weekend: valley 00:00-24:00" in text
    assert "overlay valley 12:00-13:00 (1 listed dates)" in text
    assert "2 元/月" in text
    assert "kWh to 200: 0, above: 0.1 元/kWh" in text
    assert "26 元/kVA·月; default capacity" in text
    assert "table PF1983 on energy, basic" in text
    assert "part years pro_rata" in text
