"""``powerretail outages`` and ``powerretail work-orders`` on the demo's SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import pendulum
import pytest

from powerretail import cli
from powerretail.access import Actor
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.sqlite import SqliteStore
from powerretail.cli.demo import run_demo
from powerretail.service.outages import OutageKind
from powerretail.workflows.outages import request_outage


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("outages") / "demo.sqlite3"
    assert cli.main(["demo", "--store", str(path)]) == 0
    return path


def test_the_demo_raises_a_work_order_and_notifies_the_hospital(tmp_path: Path) -> None:
    first, _ = run_demo(tmp_path / "demo.sqlite3")
    again, _ = run_demo(tmp_path / "demo.sqlite3")
    section = first[first.index("service: work orders and outages") :].split("\n\n")[0]
    assert "exception_ticket on M-JS-H-0100, created, due 2025-08-03 00:00" in section
    assert "County hospital, Suzhou (important customer: 关键基础设施类; load 一级负荷)" in section
    assert "notified 2025-08-04 10:00 by phone, due by 2025-08-05 09:00: on time" in section
    assert "restored 2025-08-12 16:30; called back 2025-08-12 17:30" in section
    assert section in again  # a second run prints the same and stores nothing twice
    zh, _ = run_demo(tmp_path / "zh.sqlite3", language="zh")
    assert "供电服务：工作单与停电" in zh
    assert "经电话通知" in zh


def test_lists_outages_with_their_notice_status(
    demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert cli.main(["outages", "--store", str(demo_store), "--as-of", "2025-08-12T12:00"]) == 0
    out = capsys.readouterr().out
    assert "1 outages" in out
    assert "OUT-DEMO-1  planned   called back 2025-08-12 09:00-17:00" in out
    assert "notices: all on time (due 2025-08-05 09:00, SGCC10)" in out
    assert "C-JS-H-0100 (important customer: 关键基础设施类; load 一级负荷): notified" in out
    assert cli.main(["outages", "--store", str(demo_store), "--format", "json"]) == 0
    (outage,) = json.loads(capsys.readouterr().out)
    assert outage["notice_status"] == "all on time"
    assert outage["notified_on_time"] == ["C-JS-H-0100"]
    assert outage["breaches"] == []


def test_lists_work_orders_open_only_and_as_json(
    demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert (
        cli.main(["work-orders", "--store", str(demo_store), "--open", "--as-of", "2025-08-02"])
        == 0
    )
    out = capsys.readouterr().out
    assert "open work orders" in out
    assert "exception_ticket, created, M-JS-H-0100, due 2025-08-03 00:00: SEED-UNREAD-2" in out
    assert "LATE" not in out.split("\n")[2]
    assert (
        cli.main(
            ["work-orders", "--store", str(demo_store), "--format", "json", "--as-of", "2025-08-04"]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    ticket = next(r for r in rows if r["kind"] == "exception_ticket")
    assert ticket["origin"] == "vee"
    assert ticket["due_at"] == "2025-08-03T00:00:00+08:00"
    assert "late by 1 day" in ticket["breach"]


@pytest.mark.parametrize("command", ["outages", "work-orders"])
def test_bad_input_exits_2_without_a_traceback(
    command: str, demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([command, "--store", str(tmp_path / "nowhere.sqlite3")]) == 2
    assert cli.main([command, "--store", str(demo_store), "--as-of", "not a day"]) == 2
    assert cli.main([command, "--store", str(demo_store), "--as-of", "P1D"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "--as-of: expected a date or time" in err


def test_shows_missing_notices_breaches_and_the_call_back_due(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "demo.sqlite3"
    run_demo(path)
    store = SqliteStore(path)
    clock = FixedClock(pendulum.datetime(2025, 8, 1, 9, tz="Asia/Shanghai"))
    head = Actor(id="h", name="Zhang", roles={"supply_office_head"})
    window = pendulum.datetime(2025, 9, 2, 9, tz="Asia/Shanghai")
    request_outage(
        store.unit_of_work,
        clock=clock,
        outage_id="OUT-2",
        kind=OutageKind.TEMPORARY,
        feeder="f",
        area="a",
        service_points=("SP-JS-H-0100",),
        window_start=window,
        window_end=window.add(hours=2),
        reason="repair",
        actor=head,
    )
    store.close()
    capsys.readouterr()
    assert cli.main(["outages", "--store", str(path), "--as-of", "2025-09-02T10:00"]) == 0
    out = capsys.readouterr().out
    assert "OUT-2  temporary requested" in out
    assert "notices: missing" in out
    assert "C-JS-H-0100 (important customer: 关键基础设施类; load 一级负荷): not notified" in out
    assert "breach: outage OUT-2: not notified to C-JS-H-0100" in out
