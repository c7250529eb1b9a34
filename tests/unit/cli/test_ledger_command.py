"""``powerretail ledger`` on the demo's SQLite store: the trial balance and a statement."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from powerretail import cli
from powerretail.adapters.sqlite import SqliteStore
from powerretail.repositories.ledger import LEDGER_HEADS


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ledger") / "demo.sqlite3"
    assert cli.main(["demo", "--store", str(path)]) == 0
    return path


def test_the_trial_balance_sums_to_zero(
    demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert cli.main(["ledger", "--store", str(demo_store), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["trial_balance"]

    assert sum(Decimal(row["balance"]) for row in rows) == 0
    assert {"1122", "2203", "1002"} <= {row["account"] for row in rows}
    assert cli.main(["ledger", "--store", str(demo_store)]) == 0
    assert "trial balance:" in capsys.readouterr().out


def test_an_accounts_statement_lists_its_postings_in_order(
    demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    store = SqliteStore(demo_store)
    with store.unit_of_work() as uow:
        party = max(
            uow.repository(LEDGER_HEADS).query(), key=lambda v: v.entity.sequence
        ).entity.party
    store.close()

    assert (
        cli.main(["ledger", "--store", str(demo_store), "--account", party, "--format", "json"])
        == 0
    )
    statement = json.loads(capsys.readouterr().out)
    assert statement["party"] == party
    assert [p["sequence"] for p in statement["postings"]] == list(
        range(1, len(statement["postings"]) + 1)
    )
    assert cli.main(["ledger", "--store", str(demo_store), "--account", party]) == 0
    out = capsys.readouterr().out
    assert f"statement of {party}" in out
    assert " Dr 1122 " in out


def test_an_unknown_party_or_store_exits_2(
    demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["ledger", "--store", str(demo_store), "--account", "NOPE"]) == 2
    assert cli.main(["ledger", "--store", str(tmp_path / "none.sqlite3")]) == 2
    assert "expected" in capsys.readouterr().err
