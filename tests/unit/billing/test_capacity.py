"""Capacity changes inside a billing period: the history, its rules, and the bill it gives.

Golden amounts are worked by hand from 《供电营业规则》(1996) 第二十三条至第二十五条 and the
part-month rule (1/30 of the monthly basic charge a day from the sealing or unsealing day):
capacity price 26 元/kVA·月, demand price 38 元/kW·月 unless said otherwise.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from powerretail.billing._i18n import note_text
from powerretail.billing.capacity import (
    FGW2016,
    GYGZ1996,
    CapacityChange,
    CapacityHistory,
    ChangeKind,
    ChangeRules,
    check_change,
)
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import BillingEngine, price_bill
from powerretail.billing.usage import IntervalSeries
from powerretail.errors import InvalidInput
from powerretail.tariffs.model import BasicChargeBasis, Tariff
from powerretail.timeframe import DateRange

from .builders import basic, energy, one_version, power_factor

JULY = DateRange.month(2025, 7)
USAGE = Determinants(energy_kwh={"total": "100000"})


def change(kind: str, on: str, kva: int, **kwargs: object) -> CapacityChange:
    return CapacityChange(kind=ChangeKind(kind), on=on, kva=kva, **kwargs)


def history(
    installed: int, *changes: CapacityChange, rules: ChangeRules = GYGZ1996
) -> CapacityHistory:
    return CapacityHistory(installed_kva=installed, changes=changes, rules=rules)


def basic_total(
    hist: CapacityHistory,
    period: DateRange = JULY,
    tariff: Tariff | None = None,
    usage: Determinants = USAGE,
    **facts: object,
) -> Decimal:
    bill = price_bill(
        tariff or one_version(basic()),
        usage,
        period,
        AccountFacts(capacity_history=hist, **facts),
    )
    return sum((line.amount.amount for line in bill.lines if line.code == "basic"), Decimal(0))


class TestGoldenBasicCharge:
    def test_a_suspension_from_the_eleventh_is_relieved_by_its_days_at_one_thirtieth(self) -> None:
        """630 kVA, 315 kVA sealed on 11 July (21 days to the end of July).

        Full month 630 × 26 = 16 380.00; relief 315 × 26 × 21/30 = 5 733.00; basic 10 647.00.
        On the bill: 630 kVA × 9/30 = 4 914.00 and 315 kVA × 21/30 = 5 733.00.
        """
        hist = history(630, change("suspend", "2025-07-11", 315))
        bill = price_bill(one_version(basic()), USAGE, JULY, AccountFacts(capacity_history=hist))
        lines = [line for line in bill.lines if line.code == "basic"]

        assert [str(line.amount.amount) for line in lines] == ["4914.00", "5733.00"]
        assert [line.quantity for line in lines] == [Decimal(630), Decimal(315)]
        assert "suspension of 315 kVA from 2025-07-11: not billed" in lines[1].note
        assert lines[1].note.startswith("21 days: 630 kVA installed, 315 kVA in service")
        assert "第二十四条" in lines[1].note
        assert "21/30 of a month" in lines[1].note

    def test_a_suspension_and_its_end_in_one_month(self) -> None:
        """315 of 630 kVA sealed 6 July, unsealed 26 July: 20 days suspended (≥ 15).

        16 380.00 − 315 × 26 × 20/30 (5 460.00) = 10 920.00.
        """
        hist = history(
            630, change("suspend", "2025-07-06", 315), change("resume", "2025-07-26", 315)
        )
        assert basic_total(hist) == Decimal("10920.00")

    def test_a_suspension_shorter_than_fifteen_days_pays_the_whole_time(self) -> None:
        """Sealed 6 July, unsealed 16 July: 10 days < 15, so 630 × 26 = 16 380.00 (第二十四条)."""
        hist = history(
            630, change("suspend", "2025-07-06", 315), change("resume", "2025-07-16", 315)
        )
        bill = price_bill(one_version(basic()), USAGE, JULY, AccountFacts(capacity_history=hist))

        assert sum(line.amount.amount for line in bill.lines) == Decimal("16380.00")
        assert "shorter than 15 days, billed in full" in bill.lines[1].note

    def test_days_past_the_yearly_total_are_billed_again(self) -> None:
        """315 of 630 kVA sealed from 1 January 2025: 180 days run out on 30 June.

        June: 29 days at 315 kVA and 30 June at 630 kVA:
        315 × 26 × 29/30 (7 917.00) + 630 × 26 × 1/30 (546.00) = 8 463.00.
        """
        hist = history(630, change("suspend", "2025-01-01", 315))

        assert basic_total(hist, DateRange.month(2025, 6)) == Decimal("8463.00")
        assert basic_total(hist, JULY) == Decimal("16380.00")

    def test_a_reduction_within_two_years_of_an_increase_pays_half(self) -> None:
        """315 kVA added 1 March 2024, 315 reduced 11 July 2025 (within 2 years, 1996 rule).

        630 × 26 × 9/30 (4 914.00) + (315 + 50 % × 315) × 26 × 21/30 (8 599.50) = 13 513.50;
        under 发改办价格〔2016〕1583号 the reduced part pays nothing: 10 647.00.
        """
        changes = (change("increase", "2024-03-01", 315), change("reduce", "2025-07-11", 315))

        assert basic_total(history(315, *changes)) == Decimal("13513.50")
        assert basic_total(history(315, *changes, rules=FGW2016)) == Decimal("10647.00")

    def test_a_swap_is_billed_on_the_replacement(self) -> None:
        """630 kVA swapped for 800 kVA from 11 July: 4 914.00 + 800 × 26 × 21/30 (14 560.00)."""
        hist = history(630, change("swap", "2025-07-11", 630, to_kva=800))

        assert basic_total(hist) == Decimal("19474.00")

    def test_an_increase_is_billed_from_its_day(self) -> None:
        """315 kVA plus 315 kVA from 11 July: 315 × 26 (8 190.00) + 315 × 26 × 21/30 (5 733.00)."""
        hist = history(315, change("increase", "2025-07-11", 315))

        assert basic_total(hist) == Decimal("13923.00")

    def test_the_demand_discount_is_judged_on_each_piece_capacity(self) -> None:
        """1000 kVA, 500 reduced from 11 July; 200 000 kWh; contract 600 kW, measured 580 kW.

        First piece 200 kWh/kVA < 260: 600 × 38 × 9/30 = 6 840.00; second piece on 500 kVA
        400 kWh/kVA ≥ 260: 600 × 34.2 × 21/30 = 14 364.00; basic 21 204.00.
        """
        hist = history(1000, change("reduce", "2025-07-11", 500))
        usage = Determinants(energy_kwh={"total": "200000"}, max_demand_kw="580")

        total = basic_total(
            hist,
            usage=usage,
            contract_demand_kw="600",
            basic_charge_basis=BasicChargeBasis.DEMAND,
        )

        assert total == Decimal("21204.00")

    def test_a_partial_suspension_on_the_demand_basis_is_refused_naming_the_rule(self) -> None:
        hist = history(1000, change("suspend", "2025-07-11", 500))
        usage = Determinants(energy_kwh={"total": "1000"}, max_demand_kw="580")

        with pytest.raises(InvalidInput, match="暂停须全部容量"):
            basic_total(hist, usage=usage, contract_demand_kw="600", basic_charge_basis="demand")

        relaxed = ChangeRules(name="own", source="own rules", demand_suspends_whole=False)
        lenient = CapacityHistory(installed_kva=1000, changes=hist.changes, rules=relaxed)
        total = basic_total(
            lenient, usage=usage, contract_demand_kw="600", basic_charge_basis="demand"
        )
        assert total == Decimal("22800.00")

    def test_a_demand_piece_with_no_capacity_in_service_bills_no_demand(self) -> None:
        """All 630 kVA suspended from 11 July: 600 × 38 × 9/30 = 6 840.00, then nothing."""
        hist = history(630, change("suspend", "2025-07-11", 630))
        usage = Determinants(energy_kwh={"total": "1000"}, max_demand_kw="580")

        total = basic_total(
            hist, usage=usage, contract_demand_kw="600", basic_charge_basis="demand"
        )

        assert total == Decimal("6840.00")

    def test_the_pf_standard_follows_the_piece(self) -> None:
        """80 kVA raised to 200 kVA from 11 July with standard 0.85 from that day.

        PF 0.80 (100 000 kWh, 75 000 kvarh): the second piece is surcharged +2.5 % of its base,
        the first (no standard) is not adjusted and the bill says why.
        """
        tariff = one_version(basic(), energy(price="0.6"), power_factor())
        hist = history(80, change("increase", "2025-07-11", 120, pf_standard="0.85"))
        usage = Determinants(energy_kwh={"total": "100000"}, reactive_kvarh="75000")

        bill = price_bill(tariff, usage, JULY, AccountFacts(capacity_history=hist))
        pf_lines = [line for line in bill.lines if line.code == "pf"]

        assert len(pf_lines) == 1
        assert pf_lines[0].period.start.day == 11
        assert pf_lines[0].rate == Decimal("0.025")
        assert any("no PF standard" in note for note in bill.notes)

    def test_the_bill_explains_the_change_in_chinese(self) -> None:
        hist = history(630, change("suspend", "2025-07-11", 315))
        bill = price_bill(one_version(basic()), USAGE, JULY, AccountFacts(capacity_history=hist))

        text = note_text(bill.lines[1].note, "zh")

        assert "21 天：装接容量 630 千伏安，运行容量 315 千伏安，计费容量 315 千伏安" in text
        assert "暂停 315 千伏安（自 2025-07-11）：不计基本电费" in text


class TestRules:
    def test_a_third_suspension_in_a_year_is_refused_naming_the_rule(self) -> None:
        first = (change("suspend", "2025-01-01", 100), change("resume", "2025-02-01", 100))
        second = (change("suspend", "2025-03-01", 100), change("resume", "2025-04-01", 100))

        with pytest.raises(InvalidInput, match="暂停每一日历年内不超过2次"):
            history(630, *first, *second, change("suspend", "2025-05-01", 100))

    def test_a_suspension_after_the_yearly_total_is_refused(self) -> None:
        hist = history(
            630, change("suspend", "2025-01-01", 100), change("resume", "2025-07-01", 100)
        )

        decision = check_change(hist, change("suspend", "2025-08-01", 100))

        assert not decision.allowed
        assert "180" in decision.rule
        assert decision.reason == "181 days suspended in 2025 already"

    def test_a_reduction_is_restored_after_six_months_and_within_two_years(self) -> None:
        hist = history(630, change("reduce", "2025-01-15", 315))

        early = check_change(hist, change("restore", "2025-07-14", 315))
        on_time = check_change(hist, change("restore", "2025-07-15", 315))
        late = check_change(hist, change("restore", "2027-01-16", 315))

        assert (early.allowed, on_time.allowed, late.allowed) == (False, True, False)
        assert "减容期限不得少于6个月" in early.rule
        assert "2025-07-15" in early.reason
        assert "减容期限不超过24个月" in late.rule

    def test_more_capacity_out_than_runs_is_refused(self) -> None:
        decision = check_change(history(630), change("reduce", "2025-03-01", 700))

        assert not decision.allowed
        assert "630 kVA runs" in decision.reason

    def test_an_end_needs_a_change_in_force(self) -> None:
        decision = check_change(history(630), change("resume", "2025-03-01", 315))

        assert decision.reason == "no suspension of 315 kVA in force to end"

    def test_one_swap_at_a_time(self) -> None:
        hist = history(630, change("swap", "2025-03-01", 315, to_kva=400))

        assert not check_change(hist, change("swap", "2025-04-01", 315, to_kva=200)).allowed

    def test_changes_in_date_order(self) -> None:
        hist = history(630, change("suspend", "2025-03-01", 315))

        assert "date order" in check_change(hist, change("reduce", "2025-02-01", 100)).reason

    def test_an_allowed_request(self) -> None:
        assert check_change(history(630), change("suspend", "2025-03-01", 315)).allowed

    def test_a_swap_names_its_replacement_and_only_a_swap(self) -> None:
        with pytest.raises(InvalidInput, match="to_kva"):
            change("swap", "2025-03-01", 315)
        with pytest.raises(InvalidInput, match="to_kva"):
            change("suspend", "2025-03-01", 315, to_kva=100)

    @pytest.mark.parametrize(
        ("field", "value"),
        [("kind", "pause"), ("kva", 0), ("kva", "-5")],
    )
    def test_bad_changes_are_refused(self, field: str, value: object) -> None:
        fields: dict[str, object] = {"kind": "suspend", "on": "2025-03-01", "kva": 10}
        fields[field] = value
        with pytest.raises(InvalidInput, match=field):
            CapacityChange(**fields)

    def test_rule_sets_by_name_and_bad_rules(self) -> None:
        assert CapacityHistory(installed_kva=10, rules="FGW2016").rules is FGW2016
        with pytest.raises(InvalidInput, match="rules"):
            CapacityHistory(installed_kva=10, rules="GYGZ2099")
        with pytest.raises(InvalidInput, match="two_year_rule_share"):
            ChangeRules(name="x", source="y", two_year_rule_share="1.5")
        with pytest.raises(InvalidInput, match="suspension_min_days"):
            ChangeRules(name="x", source="y", suspension_min_days=0)
        with pytest.raises(InvalidInput, match="changes"):
            CapacityHistory(installed_kva=10, changes="suspend")
        with pytest.raises(InvalidInput, match=r"changes\[0\]"):
            CapacityHistory(installed_kva=10, changes=("suspend",))

    def test_a_change_is_applied_for_five_days_ahead(self) -> None:
        late = change("suspend", "2025-03-05", 315, applied_on="2025-03-01")
        on_time = change("suspend", "2025-03-06", 315, applied_on="2025-03-01")

        decision = check_change(history(630), late)

        assert not decision.allowed
        assert "须提前5天申请" in decision.rule
        assert decision.reason == "applied on 2025-03-01, 4 days before 2025-03-05"
        assert check_change(history(630), on_time).allowed
        assert check_change(history(630, rules=FGW2016), late).allowed
        with pytest.raises(InvalidInput, match="applied_on"):
            change("suspend", "2025-03-05", 315, applied_on="2025-03-06")

    def test_segments_need_a_closed_period(self) -> None:
        with pytest.raises(InvalidInput, match=r"period\.end"):
            history(630).segments(DateRange("2025-07-01", None))

    def test_labels(self) -> None:
        assert (ChangeKind.SWAP.label_zh, ChangeKind.SWAP.label_en) == (
            "暂换",
            "temporary transformer swap",
        )


class TestAccountFacts:
    def test_a_history_replaces_the_single_capacity(self) -> None:
        with pytest.raises(InvalidInput, match="capacity_kva"):
            AccountFacts(capacity_kva=630, capacity_history=history(630))
        with pytest.raises(InvalidInput, match="capacity_history"):
            AccountFacts(capacity_history=630)

    def test_a_history_without_changes_bills_as_one_capacity(self) -> None:
        assert basic_total(history(630)) == Decimal("16380.00")
        single = price_bill(one_version(basic()), USAGE, JULY, AccountFacts(capacity_kva=630))
        assert single.total.amount == Decimal("16380.00")


class TestDiscountMonths:
    def test_the_kwh_per_kva_month_uses_the_charge_part_month_days(self) -> None:
        """A 15-day part month under a charge of 1/31 a day is 15/31 of a month.

        126 000 kWh on 1000 kVA: 126 000 × 31 / 15 / 1000 = 260.4 kWh/kVA·month ≥ 260, so the
        demand price is 38 × 0.9 = 34.2: 600 kW × 34.2 × 15/31 = 9 929.03. (Counting the
        month at 1/30 a day, as the basic charge does not, gave 252 and no discount.)
        """
        tariff = one_version(basic(part_month_days=31))
        facts = AccountFacts(
            capacity_kva=1000,
            contract_demand_kw=600,
            basic_charge_basis="demand",
            closed_on="2025-07-16",
        )
        usage = Determinants(energy_kwh={"total": "126000"}, max_demand_kw="500")

        bill = price_bill(tariff, usage, JULY, facts)

        assert bill.lines[0].rate == Decimal("34.2")
        assert bill.total.amount == Decimal("9929.03")


class TestIntervalBilling:
    def test_interval_data_is_cut_at_the_change_too(self) -> None:
        """Hourly 1 kWh over July (744 kWh): 240 kWh before 11 July, 504 from it, each at 0.5;
        the basic charge as with register reads (10 647.00)."""
        tariff = one_version(basic(), energy())
        hist = history(630, change("suspend", "2025-07-11", 315))
        series = IntervalSeries(start="2025-07-01T00:00+08:00", minutes=60, active_kwh=[1] * 744)

        bill = BillingEngine(tariff).bill_intervals(
            series, JULY, AccountFacts(capacity_history=hist)
        )

        assert [(line.code, str(line.amount.amount)) for line in bill.lines] == [
            ("basic", "4914.00"),
            ("energy", "120.00"),
            ("basic", "5733.00"),
            ("energy", "252.00"),
        ]
