"""The demo's dunning section: reminder → notice → stop → payment → restore, in both languages."""

from __future__ import annotations

from pathlib import Path

from powerretail.adapters.memory import MemoryStore
from powerretail.cli._demo_dunning import dunning_demo
from powerretail.cli.demo import run_demo
from powerretail.workflows.ledger import ledger_problems, trial_balance_of


def test_the_overdue_account_goes_from_reminder_to_restore() -> None:
    lines = dunning_demo()
    assert lines[1] == "dunning: account DUN-1 owes 500.00 CNY, due 2025-03-10"
    assert [line.split(": ", 1)[1] for line in lines[2:7]] == [
        "reminder (催交, SMS)",
        "reminder (催交, SMS)",
        "reminder (催交, SMS)",
        "written stop notice served (停电通知书)",
        "final notice, then supply stopped (停电)",
    ]
    assert "restore order due by 2025-04-18 00:00:00+08:00" in lines[7]
    assert "第69条" in lines[7]
    assert lines[8] == "  2025-04-15 10:00:00+08:00: supply restored (restored)"


def test_the_chinese_section_and_its_place_in_the_demo(tmp_path: Path) -> None:
    zh = dunning_demo("zh")
    assert zh[1] == "电费催收: 户号 DUN-1 欠费 500.00 元，交费期限 2025-03-10"
    assert zh[-1] == "  2025-04-15 10:00:00+08:00: 已恢复供电"
    text, _bills = run_demo(tmp_path / "demo.sqlite3")
    assert text.endswith("\n".join(dunning_demo()))


def test_the_book_balances_against_its_receivable_through_the_dunning() -> None:
    store = MemoryStore()

    dunning_demo(store=store)

    assert ledger_problems(store.unit_of_work) == ()
    balances = {b.account: str(b.amount.amount) for b in trial_balance_of(store.unit_of_work)}
    assert balances == {"1002": "500.00", "1122": "0.00", "2203": "0.00", "6001.energy": "-500.00"}
