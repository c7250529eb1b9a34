"""The URDB importer: a sample rate priced by hand, and a refusal naming each feature it lacks."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from powerretail import cli
from powerretail.adapters.tariff_library import sample_text
from powerretail.billing.determinants import Determinants
from powerretail.billing.engine import price_bill
from powerretail.errors import InvalidInput
from powerretail.tariffs.describe import describe_tariff
from powerretail.tariffs.model import (
    DailyCharge,
    EnergyCharge,
    FixedCharge,
    MinimumCharge,
    MonthlyTiers,
    TierBounds,
    TimeOfUseCharge,
    TimeOfUseTiers,
)
from powerretail.tariffs.parser import dump_toml, loads_toml
from powerretail.tariffs.proration import Proration
from powerretail.tariffs.urdb import from_urdb, loads_urdb_json
from powerretail.timeframe import DateRange

SAMPLE = sample_text("urdb_residential_seasonal.json")
MAY_JUNE = DateRange("2025-05-15", "2025-06-17")  # 17 days of winter (May), 16 of summer


def sample() -> dict[str, Any]:
    record: dict[str, Any] = json.loads(SAMPLE, parse_float=Decimal)["items"][0]
    return record


def flat(**extra: Any) -> dict[str, Any]:
    return {
        "label": "x1",
        "startdate": 1735689600,
        "energyratestructure": [[{"rate": Decimal("0.1")}]],
        **extra,
    }


class TestTheSample:
    def test_it_imports_as_a_seasonal_tiered_usd_tariff(self) -> None:
        tariff = loads_urdb_json(SAMPLE, timezone="America/Chicago")
        version = tariff.versions[0]
        fixed, energy, minimum = version.charges
        assert (tariff.code, tariff.currency, tariff.proration) == (
            "URDB-5e1b7c2a0000000000000001",
            "USD",
            Proration.DAYS_IN_MONTH,
        )
        assert version.effective_from == date(2025, 1, 1)
        assert isinstance(fixed, DailyCharge)
        assert fixed.yuan_per_day == Decimal("0.35")
        assert isinstance(energy, TimeOfUseTiers)
        assert energy.bounds_per is TierBounds.DAY
        assert [t.yuan_per_kwh for t in energy.ladders["period0"]] == [
            Decimal("0.115"),
            Decimal("0.145"),
        ]
        assert energy.ladders["period1"][-1].upto_kwh is None  # max 999999: the open last tier
        assert isinstance(minimum, MinimumCharge)
        assert minimum.yuan_per_month == 15
        assert version.schedules["urdb"].timezone == "America/Chicago"
        assert loads_toml(dump_toml(tariff)) == tariff
        text = describe_tariff(tariff)
        assert "USD, lines rounded ROUND_HALF_UP to 0.01, months counted days_in_month" in text
        assert "0.35 USD/day" in text
        assert "at least 15 USD/month" in text

    def test_a_cycle_over_the_season_change(self) -> None:
        """700 kWh over 15 May - 17 Jun 2025.

        Customer charge 33 × 0.35 = 11.55. The total is shared by days: 700 × 17/33 =
        360.606 winter, 339.394 summer. Winter: 10 kWh/day × 17 = 170 × 0.115 = 19.55 and
        190.606 × 0.145 = 27.63787 → 27.64; summer: 12 × 16 = 192 × 0.125 = 24.00 and
        147.394 × 0.165 = 24.32001 → 24.32. 107.06 USD, above the minimum.
        """
        tariff = loads_urdb_json(SAMPLE, timezone="America/Chicago")
        bill = price_bill(tariff, Determinants(energy_kwh={"total": "700"}), MAY_JUNE)
        assert [str(line.amount.amount) for line in bill.lines] == [
            "11.55",
            "19.55",
            "27.64",
            "24.00",
            "24.32",
        ]
        assert str(bill.total) == "107.06 USD"

    def test_a_small_cycle_pays_the_minimum(self) -> None:
        """20 kWh: 10.303 × 0.115 = 1.18, 9.697 × 0.125 = 1.21, + 11.55 = 13.94.

        The minimum is 15 × (17/31 + 16/30) = 15 × 503/465 = 16.2258 → 16.23: a line of 2.29.
        """
        tariff = loads_urdb_json(SAMPLE, timezone="America/Chicago")
        bill = price_bill(tariff, Determinants(energy_kwh={"total": "20"}), MAY_JUNE)
        assert (bill.lines[-1].code, str(bill.lines[-1].amount)) == ("minimum", "2.29 USD")
        assert str(bill.total) == "16.23 USD"


class TestShapes:
    def test_one_period_one_tier_is_an_energy_charge(self) -> None:
        tariff = from_urdb(flat(fixedchargefirstmeter=Decimal("9.5")), timezone="UTC")
        fixed, energy = tariff.versions[0].charges
        assert isinstance(fixed, FixedCharge)  # $/month when no unit is given
        assert isinstance(energy, EnergyCharge)
        assert energy.yuan_per_kwh == Decimal("0.1")

    def test_one_period_with_tiers_is_monthly_tiers(self) -> None:
        record = flat(
            energyratestructure=[
                [{"max": 500, "unit": "kWh", "rate": Decimal("0.1")}, {"rate": Decimal("0.2")}]
            ],
            mincharge=Decimal("0.5"),
            minchargeunits="$/day",
        )
        energy, minimum = from_urdb(record, timezone="UTC").versions[0].charges
        assert isinstance(energy, MonthlyTiers)
        assert energy.bounds_per is TierBounds.MONTH
        assert isinstance(minimum, MinimumCharge)
        assert minimum.yuan_per_day == Decimal("0.5")

    def test_periods_by_hour_are_time_of_use(self) -> None:
        """Peak (period 1) 16:00-21:00 on weekdays, off-peak otherwise and all weekend."""
        weekday = [[0] * 16 + [1] * 5 + [0] * 3 for _ in range(12)]
        weekend = [[0] * 24 for _ in range(12)]
        record = flat(
            energyratestructure=[[{"rate": Decimal("0.10")}], [{"rate": Decimal("0.30")}]],
            energyweekdayschedule=weekday,
            energyweekendschedule=weekend,
        )
        tariff = from_urdb(record, timezone="America/Los_Angeles", effective_from="2024-06-01")
        version = tariff.versions[0]
        (energy,) = version.charges
        assert isinstance(energy, TimeOfUseCharge)
        assert energy.resolved == {"period0": Decimal("0.10"), "period1": Decimal("0.30")}
        schedule = version.schedules["urdb"]
        assert schedule.day_type(date(2024, 7, 6)) == "weekend"
        assert schedule.slots_on(date(2024, 7, 5))[16 * 4] == "period1"  # a Friday, 16:00
        assert set(schedule.slots_on(date(2024, 7, 6))) == {"period0"}
        assert version.effective_from == date(2024, 6, 1)
        usage = Determinants(energy_kwh={"period0": "300", "period1": "100"})
        bill = price_bill(tariff, usage, DateRange.month(2024, 7))
        assert str(bill.total) == "60.00 USD"  # 300 × 0.10 + 100 × 0.30

    def test_an_api_answer_with_one_item(self) -> None:
        assert from_urdb({"items": [flat()]}, timezone="UTC").code == "URDB-x1"


class TestRefusals:
    def test_each_unsupported_feature_is_named(self) -> None:
        record = sample()
        record["demandratestructure"] = [[{"rate": 10}]]
        record["flatdemandstructure"] = [[{"rate": 5}]]
        record["fixedchargeunits"] = "$/year"
        record["energyratestructure"][0][0]["sell"] = Decimal("0.03")
        record["energyratestructure"][1][0]["unit"] = "kWh/kW"
        record["annualmincharge"] = 100
        with pytest.raises(InvalidInput) as caught:
            from_urdb(record, timezone="UTC")
        assert caught.value.field == "urdb"
        message = str(caught.value)
        for named in (
            "demandratestructure",
            "flatdemandstructure",
            "annualmincharge",
            "fixedchargeunits '$/year'",
            "energyratestructure[0][0].sell",
            "energyratestructure[1][0].unit 'kWh/kW'",
        ):
            assert named in message

    def test_empty_unsupported_fields_are_no_feature(self) -> None:
        record = sample()
        record.update(demandratestructure=[], fixedchargeeachaddl=0, coincidentratestructure=None)
        assert from_urdb(record, timezone="UTC").code == "URDB-5e1b7c2a0000000000000001"

    def test_tiers_inside_hourly_periods_are_refused(self) -> None:
        weekday = [[0] * 12 + [1] * 12 for _ in range(12)]
        record = flat(
            energyratestructure=[
                [{"max": 100, "rate": 1}, {"rate": 2}],
                [{"max": 100, "rate": 3}, {"rate": 4}],
            ],
            energyweekdayschedule=weekday,
            energyweekendschedule=weekday,
        )
        with pytest.raises(
            InvalidInput, match=r"tiers inside periods .*energyweekdayschedule\[0\]"
        ):
            from_urdb(record, timezone="UTC")

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"energyratestructure": []}, "energyratestructure"),
            ({"energyratestructure": [[{"rate": 1}], [{"rate": 2}]]}, "energyweekdayschedule"),
            ({"startdate": "2025"}, "startdate"),
            ({"startdate": None}, "startdate"),
            ({"energyratestructure": [[{"rate": 0.1}]]}, "energyratestructure[0][0].rate"),
            ({"energyratestructure": [["x"]]}, "energyratestructure[0][0]"),
        ],
    )
    def test_malformed_fields_name_their_path(self, change: dict[str, Any], field: str) -> None:
        record = {**flat(), **change}
        with pytest.raises(InvalidInput) as caught:
            from_urdb(record, timezone="UTC")
        assert caught.value.field == field

    def test_a_period_index_out_of_range(self) -> None:
        rows = [[0] * 24 for _ in range(12)]
        bad = copy.deepcopy(rows)
        bad[3][5] = 7
        record = flat(
            energyratestructure=[[{"rate": 1}], [{"rate": 2}]],
            energyweekdayschedule=bad,
            energyweekendschedule=rows,
        )
        with pytest.raises(InvalidInput) as caught:
            from_urdb(record, timezone="UTC")
        assert caught.value.field == "energyweekdayschedule[3][5]"

    @pytest.mark.parametrize("data", [{"items": []}, {"items": [flat(), flat()]}, [flat()], "text"])
    def test_not_one_rate(self, data: object) -> None:
        with pytest.raises(InvalidInput):
            from_urdb(data, timezone="UTC")

    def test_not_json(self) -> None:
        with pytest.raises(InvalidInput, match="JSON text"):
            loads_urdb_json("{", timezone="UTC")


class TestImportCommand:
    SAMPLE_PATH = str(
        Path(__file__).parents[3] / "src/powerretail/data/samples/urdb_residential_seasonal.json"
    )

    def test_prints_the_tariff_file(self, capsys: pytest.CaptureFixture[str]) -> None:
        args = ["tariff", "import-urdb", self.SAMPLE_PATH, "--timezone", "America/Chicago"]
        assert cli.main(args) == 0
        printed = capsys.readouterr().out
        assert loads_toml(printed) == loads_urdb_json(SAMPLE, timezone="America/Chicago")

    def test_names_what_it_cannot_price(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        record = {**sample(), "demandratestructure": [[{"rate": 10}]]}
        path = tmp_path / "rate.json"
        path.write_text(json.dumps(record, default=str), encoding="utf-8")
        assert cli.main(["tariff", "import-urdb", str(path), "--timezone", "UTC"]) == 2
        err = capsys.readouterr().err
        assert "demandratestructure" in err
        assert "Traceback" not in err

    def test_the_effective_from_option(self, capsys: pytest.CaptureFixture[str]) -> None:
        args = ["tariff", "import-urdb", self.SAMPLE_PATH, "--timezone", "UTC"]
        assert cli.main([*args, "--effective-from", "2026-01-01"]) == 0
        assert "effective_from = 2026-01-01" in capsys.readouterr().out


class TestMoreRefusals:
    def test_odd_tiers_are_named(self) -> None:
        record = flat(
            energyratestructure=[
                [
                    {"max": 10, "unit": "kWh", "rate": 1, "extra": 1},
                    {"max": 20, "unit": "kWh daily", "rate": 2},
                    {"rate": 3},
                ]
            ]
        )
        with pytest.raises(InvalidInput) as caught:
            from_urdb(record, timezone="UTC")
        assert "energyratestructure[0][0]: extra" in str(caught.value)
        assert "tiers bounded in kWh and in kWh daily" in str(caught.value)

    def test_seasons_bounded_differently_are_named(self) -> None:
        rows = [[0] * 24 if m < 6 else [1] * 24 for m in range(12)]
        record = flat(
            energyratestructure=[
                [{"max": 10, "unit": "kWh", "rate": 1}, {"rate": 2}],
                [{"max": 1, "unit": "kWh daily", "rate": 1}, {"rate": 2}],
            ],
            energyweekdayschedule=rows,
            energyweekendschedule=rows,
        )
        with pytest.raises(InvalidInput, match="periods bounded in kWh and in kWh daily"):
            from_urdb(record, timezone="UTC")

    def test_a_commercial_rate_with_an_end_date(self) -> None:
        tariff = from_urdb(flat(sector="Commercial", enddate=1767225600), timezone="UTC")
        assert tariff.category.value == "commercial_industrial"
        assert tariff.versions[0].effective_to == date(2026, 1, 1)
        assert from_urdb(flat(sector="Lighting"), timezone="UTC").category.value == "other"
