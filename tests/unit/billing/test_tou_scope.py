"""Overlays scoped to some accounts: Jiangsu's critical peak and deep valley (426号).

Critical peak and holiday deep valley apply to industrial users of 315 kVA and more only
(苏发改价格发〔2025〕426号). Outside the scope their hours stay in the season's bucket; without the
facts the scope tests, a bill that depends on them is refused rather than guessed.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from powerretail.adapters.tariff_library import load_shipped
from powerretail.billing.capacity import CapacityChange, CapacityHistory, ChangeKind
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import BillingEngine
from powerretail.billing.usage import IntervalSeries
from powerretail.errors import InvalidInput, RuleViolation
from powerretail.timeframe import DateRange

TWO_PART = BillingEngine(load_shipped("JS-CI-TOU-2P"))
ONE_PART = BillingEngine(load_shipped("JS-CI-TOU-1P"))
JULY = DateRange.month(2025, 7)
OCTOBER = DateRange.month(2025, 10)
REGISTERS = {"peak": "80000", "flat": "100000", "valley": "60000"}
SHOP = AccountFacts(capacity_kva=200, use_category="commercial", contract_demand_kw=150)
MILL = AccountFacts(capacity_kva=400, use_category="industrial", contract_demand_kw=300)


def _codes(lines: object) -> dict[str, Decimal]:
    return {line.code: line.quantity for line in lines}  # type: ignore[attr-defined]


class TestRegisterReads:
    def test_a_commercial_meter_without_a_critical_register_is_billed_and_says_why(
        self,
    ) -> None:
        bill = TWO_PART.bill(Determinants(energy_kwh=REGISTERS, max_demand_kw="140"), JULY, SHOP)

        assert _codes(bill.lines)["energy.peak"] == Decimal(80000)
        assert "energy.critical" not in _codes(bill.lines)
        assert len(bill.notes) == 1
        assert bill.notes[0].startswith("critical peak, July and August (critical peak) not ")
        assert "commercial, 200 kVA" in bill.notes[0]

    def test_critical_energy_for_an_account_outside_the_scope_is_refused_naming_the_rule(
        self,
    ) -> None:
        energy = {"critical": "9000", **REGISTERS}

        with pytest.raises(RuleViolation) as raised:
            TWO_PART.bill(Determinants(energy_kwh=energy, max_demand_kw="140"), JULY, SHOP)

        message = str(raised.value)
        assert "critical peak (critical) applies to industrial users of 315 kVA" in message
        assert "苏发改价格发〔2025〕426号" in message
        assert "(commercial, 200 kVA) is not one" in message
        assert "9000 kWh" in message

    def test_a_deep_valley_register_outside_the_scope_is_refused(self) -> None:
        energy = {"deep_valley": "10", "peak": "100", "flat": "200", "valley": "300"}

        with pytest.raises(RuleViolation, match="deep valley"):
            ONE_PART.bill(Determinants(energy_kwh=energy), OCTOBER, SHOP)

    def test_a_bucket_no_overlay_gives_is_left_to_the_tariff_to_refuse(self) -> None:
        energy = {"night": "10", **REGISTERS}

        with pytest.raises(InvalidInput, match="a bucket of schedule js426"):
            TWO_PART.bill(Determinants(energy_kwh=energy, max_demand_kw="140"), JULY, SHOP)

    def test_a_critical_register_that_reads_zero_is_no_energy_to_refuse(self) -> None:
        energy = {"critical": "0", **REGISTERS}

        bill = TWO_PART.bill(Determinants(energy_kwh=energy, max_demand_kw="140"), JULY, SHOP)

        assert _codes(bill.lines)["energy.critical"] == 0

    @pytest.mark.parametrize(
        ("facts", "field", "needs"),
        [
            ({"capacity_kva": 400}, "account.use_category", "use_category:"),
            ({"use_category": "industrial"}, "account.capacity_kva", "capacity_kva:"),
            ({}, "account", "capacity_kva and use_category:"),
        ],
    )
    def test_critical_energy_without_the_facts_is_refused_naming_them(
        self, facts: dict[str, object], field: str, needs: str
    ) -> None:
        energy = {"critical": "9000", **REGISTERS}

        with pytest.raises(InvalidInput) as raised:
            TWO_PART.bill(Determinants(energy_kwh=energy), JULY, AccountFacts(**facts))  # type: ignore[arg-type]

        assert raised.value.field == field
        assert raised.value.expected.startswith(needs)

    def test_no_critical_register_and_no_kind_asks_for_either(self) -> None:
        with pytest.raises(InvalidInput) as raised:
            TWO_PART.bill(Determinants(energy_kwh=REGISTERS), JULY, AccountFacts(capacity_kva=400))

        expected = raised.value.expected
        assert expected.startswith("a critical register: tariff JS-CI-TOU-2P has 93 h")
        assert "or give the account's use_category (critical peak applies to industrial" in (
            expected
        )

    def test_an_industrial_account_in_scope_still_needs_its_critical_register(self) -> None:
        with pytest.raises(InvalidInput, match="a critical register") as raised:
            TWO_PART.bill(Determinants(energy_kwh=REGISTERS), JULY, MILL)

        assert "or give" not in raised.value.expected

    def test_a_residential_account_is_outside_an_industrial_scope(self) -> None:
        facts = AccountFacts(residential=True, capacity_kva=400)
        bill = ONE_PART.bill(Determinants(energy_kwh=REGISTERS), OCTOBER, facts)

        assert "deep valley on holidays (deep valley) not applied" in bill.notes[0]
        assert "residential, 400 kVA" in bill.notes[0]


class TestIntervalData:
    def test_holiday_deep_valley_stays_valley_for_a_commercial_account(self) -> None:
        series = IntervalSeries(
            start="2025-10-01T00:00+08:00", minutes=60, active_kwh=[Decimal(1)] * (31 * 24)
        )

        shop = ONE_PART.bill_intervals(series, OCTOBER, SHOP)
        mill = ONE_PART.bill_intervals(series, OCTOBER, MILL)

        # 8 holidays × 4 h (10:00-14:00) × 1 kWh: valley for the shop, deep valley for the mill.
        assert _codes(mill.lines)["energy.deep_valley"] == 32
        assert "energy.deep_valley" not in _codes(shop.lines)
        assert _codes(shop.lines)["energy.valley"] == _codes(mill.lines)["energy.valley"] + 32
        assert shop.notes[0].startswith("deep valley on holidays (deep valley) not applied")

    def test_a_capacity_increase_brings_the_account_into_the_scope_from_its_day(self) -> None:
        history = CapacityHistory(
            installed_kva=200,
            changes=(CapacityChange(kind=ChangeKind.INCREASE, on="2025-07-16", kva=200),),
        )
        account = AccountFacts(capacity_history=history, use_category="industrial")
        series = IntervalSeries(
            start="2025-07-15T00:00+08:00", minutes=15, active_kwh=[Decimal(1)] * (2 * 96)
        )

        bill = TWO_PART.bill_intervals(series, DateRange("2025-07-15", "2025-07-17"), account)

        critical = [line for line in bill.lines if line.code == "energy.critical"]
        # 3 h of critical peak a day, on the 16th only (400 kVA from then on).
        assert [(str(line.period), line.quantity) for line in critical] == [
            (str(DateRange("2025-07-16", "2025-07-17")), Decimal(12))
        ]
        assert any("200 kVA" in note for note in bill.notes)


class TestAccountFacts:
    def test_the_kind_of_a_residential_account_is_residential(self) -> None:
        assert AccountFacts(residential=True).kind == "residential"
        assert AccountFacts(residential=True, use_category="residential").kind == "residential"
        assert AccountFacts(use_category="agricultural").kind == "agricultural"
        assert AccountFacts().kind is None

    @pytest.mark.parametrize(
        ("facts", "field"),
        [
            ({"use_category": "factory"}, "use_category"),
            ({"use_category": "industrial", "residential": True}, "use_category"),
            ({"use_category": "residential"}, "residential"),
        ],
    )
    def test_refuses_an_unknown_or_contradictory_kind(
        self, facts: dict[str, object], field: str
    ) -> None:
        with pytest.raises(InvalidInput) as raised:
            AccountFacts(**facts)  # type: ignore[arg-type]
        assert raised.value.field == field
