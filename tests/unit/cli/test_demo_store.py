"""``powerretail demo`` runs the whole path on a SQLite file, and can be run twice on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from powerretail import cli
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.adapters.sqlite import SqliteStore
from powerretail.adapters.tariff_library import sample_text
from powerretail.cli._demo_dunning import dunning_demo
from powerretail.cli.demo import DEMO_NOW, _balance, load_demo_customers, load_sample_book, run_demo
from powerretail.ids import BillId
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLS
from powerretail.repositories.payments import PAYMENTS
from powerretail.workflows.billing_cycle import Outcome, run_billing_cycle
from powerretail.workflows.payments import account_balance


class TestDemoOnAStore:
    def test_creates_the_store_bills_explains_and_takes_a_payment(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "demo.sqlite3"

        assert cli.main(["demo", "--store", str(path)]) == 0

        out = capsys.readouterr().out
        assert f"store: {path}" in out
        assert "[4/4] GD-I-0311: issued GD-I-0311-20250701 88440.59" in out
        assert "payment P-demo-payment/JS-R-0001 of 500.00 CNY" in out
        assert "JS-R-0001  in credit 267.76 CNY" in out
        assert "JS-C-0042  owes 8306.10 CNY" in out
        assert "owes -" not in out
        assert "sample book: 4 customers loaded" in out
        store = SqliteStore(path)
        with store.unit_of_work() as uow:
            assert len(uow.repository(BILLS).keys()) == 4
        store.close()

    def test_a_second_run_on_the_same_store_loads_bills_and_pays_nothing_twice(
        self, tmp_path: Path
    ) -> None:
        path = tmp_path / "demo.sqlite3"
        first, _ = run_demo(path)

        again, bills = run_demo(path)

        assert "sample book: already in the store (4 customers), nothing loaded twice" in again
        assert "[4/4] GD-I-0311: already issued GD-I-0311-20250701 88440.59" in again
        assert (
            "payment P-demo-payment/JS-R-0001 of 500.00 CNY to JS-R-0001: already posted" in again
        )
        dunning = "\n".join(dunning_demo())  # the dunning section ends the demo, a book of its own
        assert first.endswith(dunning)
        assert again.endswith(dunning)
        first, again = first.removesuffix(dunning), again.removesuffix(dunning)
        bills_of = [c for c in first.split("\n\n") if c.startswith("=== ")]
        assert [c for c in again.split("\n\n") if c.startswith("=== ")] == bills_of  # same bills
        assert len(bills_of) == 4
        assert again.splitlines()[-4:] == first.splitlines()[-4:]  # the same balances
        assert len(bills) == 4
        store = SqliteStore(path)
        with store.unit_of_work() as uow:
            assert len(uow.repository(BILLS).keys()) == 4
            assert len(uow.repository(PAYMENTS).keys()) == 1
        assert account_balance(store.unit_of_work, account_id="JS-R-0001").paid == Money("500.00")
        store.close()

    def test_a_settled_account_is_neither_owing_nor_in_credit(self) -> None:
        assert _balance(Money("0.00"), "en") == "settled"
        assert _balance(Money("0.00"), "zh") == "已结清"

    def test_speaks_chinese_throughout(self, tmp_path: Path) -> None:
        text, _ = run_demo(tmp_path / "demo.sqlite3", language="zh")

        assert "样例客户：已载入 4 户" in text
        assert "=== 无锡铸造厂" in text
        assert "[1/4] JS-R-0001: 已出账 JS-R-0001-20250701 232.24" in text
        assert "JS-R-0001  预存 267.76 元" in text
        assert "JS-C-0042  欠费 8306.10 元" in text
        assert "CNY" not in text

    def test_a_critical_peak_register_bills_through_the_store(self) -> None:
        text = sample_text("demo.toml").split("[[customers]]")
        foundry = next(part for part in text if "JS-I-0007" in part)
        critical = foundry.replace('reads = "two_part_2025_07.csv"', "") + (
            '\n[[customers.registers]]\nregister = "critical"\nprevious = "0"\ncurrent = "120"\n'
            '\n[[customers.registers]]\nregister = "peak"\nprevious = "0"\ncurrent = "900"\n'
            '\n[[customers.registers]]\nregister = "reactive"\nkind = "reactive"\n'
            'previous = "0"\ncurrent = "300"\n'
        )
        customers = load_demo_customers(
            "[[customers]]"
            + critical.replace('basic_charge_basis = "demand"', 'basic_charge_basis = "capacity"')
        )
        store = MemoryStore()
        clock = FixedClock(DEMO_NOW)
        load_sample_book(store.unit_of_work, clock=clock, customers=customers)

        report = run_billing_cycle(
            store.unit_of_work,
            clock=clock,
            period=customers[0].period,
            issued_on=DEMO_NOW.date(),
            accounts=["JS-I-0007"],
        )

        assert [o.outcome for o in report.outcomes] == [Outcome.ISSUED]
        with store.unit_of_work() as uow:
            bill = uow.repository(BILLS).get(BillId(report.bill_ids[0])).entity
        assert [line.quantity for line in bill.lines if line.code.endswith(".critical")] == [120]

    def test_prints_the_stored_bills_as_json(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert cli.main(["demo", "--json", "--store", str(tmp_path / "d.sqlite3")]) == 0

        bills = json.loads(capsys.readouterr().out)
        assert [bill["state"] for bill in bills] == ["issued"] * 4
        assert bills[2]["total"] == "193830.20"
