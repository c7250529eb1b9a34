"""``powerretail demo`` runs the whole path on a SQLite file, and can be run twice on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from powerretail import cli
from powerretail.adapters.sqlite import SqliteStore
from powerretail.cli.demo import run_demo
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLS
from powerretail.repositories.payments import PAYMENTS
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
        assert "JS-R-0001  owes -267.76 CNY" in out
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

        assert again == first
        assert len(bills) == 4
        store = SqliteStore(path)
        with store.unit_of_work() as uow:
            assert len(uow.repository(BILLS).keys()) == 4
            assert len(uow.repository(PAYMENTS).keys()) == 1
        assert account_balance(store.unit_of_work, account_id="JS-R-0001").paid == Money("500.00")
        store.close()

    def test_prints_the_stored_bills_as_json(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert cli.main(["demo", "--json", "--store", str(tmp_path / "d.sqlite3")]) == 0

        bills = json.loads(capsys.readouterr().out)
        assert [bill["state"] for bill in bills] == ["issued"] * 4
        assert bills[2]["total"] == "193830.20"
