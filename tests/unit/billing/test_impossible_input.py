"""The direct billing path refuses what is impossible and says what it left out (R10)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import pytest

from powerretail import cli
from powerretail.adapters.tariff_library import load_shipped
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import BillingEngine, price_bill
from powerretail.billing.usage import IntervalSeries, RegisterRead
from powerretail.errors import InvalidInput
from powerretail.timeframe import DateRange

JULY = DateRange.month(2025, 7)
JUNE = DateRange.month(2025, 6)
TWO_PART = load_shipped("JS-CI-TOU-2P")
ONE_PART = load_shipped("JS-CI-TOU-1P")
FOUNDRY = AccountFacts(
    capacity_kva=1000,
    use_category="industrial",
    contract_demand_kw=600,
    basic_charge_basis="demand",
)


class TestRefusals:
    def test_price_bill_refuses_negative_energy(self) -> None:
        with pytest.raises(InvalidInput, match=r"energy_kwh\.peak") as raised:
            price_bill(
                ONE_PART,
                Determinants(energy_kwh={"peak": "-500", "flat": "10", "valley": "10"}),
                JULY,
                AccountFacts(capacity_kva=160),
            )
        assert raised.value.value == Decimal("-500")

    def test_the_engine_refuses_a_negative_demand_or_reactive_energy(self) -> None:
        engine = BillingEngine(ONE_PART)
        energy = {"peak": "10", "flat": "10", "valley": "10"}

        with pytest.raises(InvalidInput, match="max_demand_kw"):
            engine.bill(Determinants(energy_kwh=energy, max_demand_kw="-1"), JULY)
        with pytest.raises(InvalidInput, match="reactive_kvarh"):
            engine.bill(Determinants(energy_kwh=energy, reactive_kvarh="-1"), JULY)

    def test_a_backward_register_is_refused_not_billed_as_a_negative_bill(self) -> None:
        with pytest.raises(InvalidInput, match="current") as raised:
            RegisterRead(register="peak", previous="12040", current="12000", multiplier=2000)
        assert "at or above the previous reading 12040" in str(raised.value)

    def test_a_negative_demand_reading_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match="current"):
            RegisterRead(register="demand", kind="demand", current="-0.3")

    @pytest.mark.parametrize("form", ["kwh", "units"])
    def test_an_interval_of_minus_99999_kwh_is_refused(self, form: str) -> None:
        values = {f"active_{form}": [1] * 95 + [-99999]}
        with pytest.raises(InvalidInput, match=r"\[95\]"):
            IntervalSeries(start="2025-07-01T00:00+08:00", minutes=15, **values)

    def test_a_negative_interval_reactive_energy_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match=r"reactive_kvarh\[0\]"):
            IntervalSeries(
                start="2025-07-01T00:00+08:00",
                minutes=15,
                active_kwh=[1] * 96,
                reactive_kvarh=[-1] + [0] * 95,
            )

    def test_a_negative_year_to_date_position_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match="ytd_kwh"):
            AccountFacts(ytd_kwh="-2500")

    def test_a_contract_demand_of_zero_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match="contract_demand_kw"):
            AccountFacts(contract_demand_kw=0)


class TestChargesLeftOut:
    def test_a_bill_says_the_pf_adjustment_was_left_out_for_want_of_a_standard(self) -> None:
        determinants = Determinants(
            energy_kwh={"peak": "80000", "flat": "100000", "valley": "60000"},
            max_demand_kw="660",
            reactive_kvarh="130000",
        )

        bill = price_bill(TWO_PART, determinants, JUNE, FOUNDRY)

        assert not any(line.code == "pf" for line in bill.lines)
        assert bill.notes == (
            (  # Dragon Boat Festival, 2025-06-01..02: the meter has no deep-valley register
                "8 h of deep valley from 2025-06-01 to 2025-06-02 (10:00-14:00) billed at the flat "
                "or valley price as registered: the meter has no deep-valley register"
            ),
            (
                "power-factor adjustment not applied: no PF standard given although 130000 kvarh "
                "reactive energy was read"
            ),
        )
        assert "note: power-factor adjustment not applied" in bill.explain()
        assert bill.to_dict()["notes"] == list(bill.notes)

    def test_a_bill_with_its_standard_has_no_note(self) -> None:
        determinants = Determinants(
            energy_kwh={"peak": "80000", "flat": "100000", "valley": "60000"},
            max_demand_kw="660",
            reactive_kvarh="130000",
        )

        september = DateRange.month(2025, 9)  # no holiday: no deep-valley hours to note
        bill = price_bill(TWO_PART, determinants, september, AccountFacts(pf_standard="0.90"))

        assert bill.notes == ()
        assert "notes" not in bill.canonical_content()


class TestTheBillCommand:
    def write(self, tmp_path: Path, text: str) -> str:
        path = tmp_path / "reads.csv"
        path.write_text(text, encoding="utf-8")
        return str(path)

    def test_a_backward_register_exits_2_with_the_reason(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        reads = self.write(
            tmp_path,
            "register,previous,current,multiplier\npeak,12040,12000,1\nflat,1,2,1\nvalley,1,2,1\n",
        )

        code = cli.main(
            ["bill", "--tariff", "JS-CI-TOU-1P", "--reads", reads, "--period", "2025-07"]
        )

        captured = capsys.readouterr()
        assert code == 2
        assert "line 2.current" in captured.err
        assert "at or above the previous reading 12040" in captured.err
        assert "Traceback" not in captured.err

    @pytest.mark.parametrize(
        ("option", "value"), [("--ytd-kwh", "-1"), ("--contract-demand-kw", "0")]
    )
    def test_impossible_account_facts_exit_2(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str
    ) -> None:
        reads = self.write(tmp_path, "register,previous,current\npeak,1,2\nflat,1,2\nvalley,1,2\n")

        code = cli.main(
            [
                "bill",
                "--tariff",
                "JS-CI-TOU-1P",
                "--reads",
                reads,
                "--period",
                "2025-07",
                option,
                value,
            ]
        )

        assert code == 2
        assert option.strip("-").replace("-", "_") in capsys.readouterr().err

    def test_the_bill_notes_the_pf_adjustment_left_out(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        reads = self.write(
            tmp_path,
            "register,previous,current,multiplier\n"
            "peak,0,80000,1\nflat,0,100000,1\nvalley,0,60000,1\n"
            "reactive,0,130000,1\nmax_demand,,660,1\n",
        )

        code = cli.main(
            [
                "bill",
                "--tariff",
                "JS-CI-TOU-2P",
                "--reads",
                reads,
                "--period",
                "2025-06",
                "--capacity-kva",
                "1000",
                "--contract-demand-kw",
                "600",
                "--basis",
                "demand",
            ]
        )

        words = " ".join(capsys.readouterr().out.split())  # the note wraps at the bill's width
        assert code == 0
        assert (
            "note: power-factor adjustment not applied: no PF standard given although 130000 "
            "kvarh reactive energy was read" in words
        )


class TestCriticalPeak:
    """Register energy without a critical register over critical-peak days is refused."""

    energy: ClassVar[dict[str, str]] = {"peak": "80000", "flat": "100000", "valley": "60000"}

    def test_july_on_a_meter_without_a_critical_register_is_refused_naming_the_hours(
        self,
    ) -> None:
        with pytest.raises(InvalidInput) as raised:
            price_bill(TWO_PART, Determinants(energy_kwh=self.energy), JULY)

        message = str(raised.value)
        assert "a critical register: tariff JS-CI-TOU-2P has 93 h of critical peak" in message
        assert "critical peak, July and August: 14:00-15:00, 19:30-21:30" in message
        assert "December" not in message
        assert raised.value.value == "peak, flat, valley"

    def test_the_refusal_is_the_same_every_time_an_engine_bills_the_period(self) -> None:
        engine = BillingEngine(TWO_PART)
        messages = []
        for _ in range(2):
            with pytest.raises(InvalidInput) as raised:
                engine.bill(Determinants(energy_kwh=self.energy), JULY)
            messages.append(str(raised.value))

        assert messages[0] == messages[1]

    def test_june_has_no_critical_peak_hours_and_is_billed(self) -> None:
        bill = price_bill(
            TWO_PART, Determinants(energy_kwh=self.energy, max_demand_kw="660"), JUNE, FOUNDRY
        )

        assert [line.code for line in bill.lines if line.code.startswith("energy.")] == [
            "energy.peak",
            "energy.flat",
            "energy.valley",
        ]

    def test_a_critical_register_bills_the_critical_peak_price(self) -> None:
        energy = {"critical": "9000", **self.energy}

        bill = price_bill(
            TWO_PART, Determinants(energy_kwh=energy, max_demand_kw="660"), JULY, FOUNDRY
        )

        critical = next(line for line in bill.lines if line.code == "energy.critical")
        assert (critical.rate, str(critical.amount.amount)) == (Decimal("0.8640"), "7776.00")

    def test_interval_data_are_bucketed_by_the_schedule(self) -> None:
        series = IntervalSeries(start="2025-07-01T00:00+08:00", minutes=60, active_kwh=[1] * 744)

        bill = BillingEngine(TWO_PART).bill_intervals(series, JULY, FOUNDRY)

        assert any(line.code == "energy.critical" for line in bill.lines)
