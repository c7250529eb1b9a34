"""Deep valley on holidays read from a meter without a deep-valley register (426号).

The holiday deep-valley hours (10:00-14:00) fall in the meter's base-schedule register (valley,
or flat in summer and winter where the base window is flat). The bill prices them as registered
and says so; it never prices or names a deep-valley line for energy it did not price at it.
"""

from __future__ import annotations

from decimal import Decimal

import pendulum

from powerretail.adapters.tariff_library import load_shipped
from powerretail.billing._i18n import note_text
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import BillingEngine
from powerretail.billing.usage import IntervalSeries as BillingSeries
from powerretail.quantities import Money
from powerretail.timeframe import DateRange

ONE_PART = BillingEngine(load_shipped("JS-CI-TOU-1P"))
OCTOBER = DateRange.month(2025, 10)
#: An account deep valley applies to (苏发改价格发〔2025〕426号: industrial, 315 kVA and more).
MILL = AccountFacts(capacity_kva=400, use_category="industrial")
REGISTERS = {"peak": Decimal(100), "flat": Decimal(200), "valley": Decimal(300)}
OCTOBER_NOTE = (
    "32 h of deep valley from 2025-10-01 to 2025-10-08 (10:00-14:00) billed at the valley price "
    "as registered: the meter has no deep-valley register"
)


class TestRegisterMeterWithoutDeepValley:
    def test_october_prices_the_holiday_hours_at_the_valley_price_and_says_so(self) -> None:
        # Fails before: the bill was silent about the 32 deep-valley hours it priced as valley.
        bill = ONE_PART.bill(Determinants(energy_kwh=REGISTERS), OCTOBER)

        energy = {line.code: line for line in bill.lines if line.code.startswith("energy.")}
        assert sorted(energy) == ["energy.flat", "energy.peak", "energy.valley"]
        # 0.4000 × 0.35 = 0.14 元/kWh; 300 kWh → 42.00 (no deep-valley price anywhere)
        assert energy["energy.valley"].rate == Decimal("0.14")
        assert energy["energy.valley"].amount == Money("42.00")
        assert bill.notes == (OCTOBER_NOTE,)

    def test_a_holiday_in_winter_names_the_flat_and_valley_registers(self) -> None:
        # Spring Festival 2026: 02-15..02-23, 9 days × 4 h; the base 10:00-11:00 and 13:00-14:00
        # are flat in winter, 11:00-13:00 valley.
        bill = ONE_PART.bill(Determinants(energy_kwh=REGISTERS), DateRange.month(2026, 2))

        assert bill.notes == (
            (
                "36 h of deep valley from 2026-02-15 to 2026-02-23 (10:00-14:00) billed at the "
                "flat or valley price as registered: the meter has no deep-valley register"
            ),
        )
        assert note_text(bill.notes[0], "zh") == (
            "深谷时段 36 小时（2026-02-15 至 2026-02-23，10:00-14:00）"
            "按电能表计入的平或谷电价计费：电能表无深谷计度器"
        )

    def test_a_month_without_holidays_says_nothing(self) -> None:
        bill = ONE_PART.bill(Determinants(energy_kwh=REGISTERS), DateRange.month(2025, 11))

        assert bill.notes == ()

    def test_a_deep_valley_register_is_priced_at_the_deep_valley_price_without_a_note(
        self,
    ) -> None:
        energy = {**REGISTERS, "deep_valley": Decimal(10)}

        bill = ONE_PART.bill(Determinants(energy_kwh=energy), OCTOBER, MILL)

        deep = next(line for line in bill.lines if line.code == "energy.deep_valley")
        assert deep.rate == Decimal("0.112")  # 0.8 × the valley price 0.14
        assert deep.amount == Money("1.12")
        assert bill.notes == ()

    def test_the_note_reads_in_chinese(self) -> None:
        bill = ONE_PART.bill(Determinants(energy_kwh=REGISTERS), OCTOBER)

        assert note_text(bill.notes[0], "zh") == (
            "深谷时段 32 小时（2025-10-01 至 2025-10-08，10:00-14:00）"
            "按电能表计入的谷电价计费：电能表无深谷计度器"
        )
        assert note_text(bill.notes[0], "en") == OCTOBER_NOTE


class TestIntervalData:
    def test_interval_data_price_the_deep_valley_hours_by_the_schedule_without_a_note(
        self,
    ) -> None:
        hours = 31 * 24
        series = BillingSeries(
            start=pendulum.datetime(2025, 10, 1, tz="Asia/Shanghai"),
            minutes=60,
            active_kwh=[Decimal(1)] * hours,
        )

        bill = ONE_PART.bill_intervals(series, OCTOBER, MILL)

        deep = next(line for line in bill.lines if line.code == "energy.deep_valley")
        assert deep.quantity == Decimal(32)  # 8 holidays × 4 h × 1 kWh
        assert bill.notes == ()
