"""``powerretail cases`` and ``powerretail sla report`` on the demo's SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import pendulum
import pytest

from powerretail import cli
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.sqlite import SqliteStore
from powerretail.cli import _demo_service
from powerretail.service.cases import KINDS, ClockStatus, IntakeChannel
from powerretail.service.kinds import CaseKind, CaseState
from powerretail.sla.policy import SlaUnit
from powerretail.workflows.service import intake_case


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cases") / "demo.sqlite3"
    assert cli.main(["demo", "--store", str(path)]) == 0
    return path


def test_the_demo_opens_a_connection_and_a_complaint_and_shows_their_clocks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "demo.sqlite3"

    assert cli.main(["demo", "--store", str(store)]) == 0
    first = capsys.readouterr().out
    assert cli.main(["demo", "--store", str(store)]) == 0
    again = capsys.readouterr().out

    assert "service cases opened" in first
    assert (
        "  SVC-CONN-1: connection of C-JS-I-0007 via counter, with marketing, owner counter-3 "
        "(first contact counter-3)"
    ) in first
    assert "scheme reply                 20 working_days  (SEED) due 2025-08-30 00:00" in first
    # handed to marketing the morning it was accepted: the hand-off is met, not left to breach
    assert (
        "hand-off to marketing        5 working_days  (SEED) due 2025-08-09 00:00  on time"
    ) in first
    assert "reply                        5 calendar_days (SEED) due 2025-08-07 00:00" in first
    assert "service cases (already open)" in again


def test_the_demo_shows_the_service_cases_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "zh.sqlite3"

    assert cli.main(["demo", "--store", str(store), "--lang", "zh"]) == 0
    first = capsys.readouterr().out
    assert cli.main(["demo", "--store", str(store), "--lang", "zh"]) == 0
    again = capsys.readouterr().out

    assert "服务工单已受理" in first
    assert (
        "  SVC-CONN-1：C-JS-I-0007 的新装/增容申请（营业厅），已报市场营销部审批，"
        "现由 counter-3 处理（首问负责人 counter-3）"
    ) in first
    assert "    供电方案答复：20 个工作日（SEED），期限 2025-08-30 00:00  计时中" in first
    assert "    供电所传递市场营销部：5 个工作日（SEED），期限 2025-08-09 00:00  按时" in first
    assert "    答复：5 日（SEED），期限 2025-08-07 00:00  计时中" in first
    assert "    内部传递 1（至 billing-desk）：1 日（SEED），期限 2025-08-03 00:00  计时中" in first
    assert "working_days" not in first
    assert "service cases" not in first
    assert "服务工单（已受理，不重复建立）" in again


def test_every_kind_state_channel_clock_unit_and_status_has_its_chinese_term() -> None:
    for table, names in (
        (_demo_service._KIND_ZH, set(CaseKind)),
        (_demo_service._STATE_ZH, set(CaseState)),
        (_demo_service._CHANNEL_ZH, set(IntakeChannel)),
        (_demo_service._UNIT_ZH, set(SlaUnit)),
        (_demo_service._STATUS_ZH, set(ClockStatus)),
        (_demo_service._CLOCK_ZH, {c.name for spec in KINDS.values() for c in spec.clocks}),
    ):
        assert set(table) == names


def test_lists_the_backlog_soonest_due_first(
    demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()

    assert cli.main(["cases", "--store", str(demo_store), "--as-of", "2025-08-03"]) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "open cases as of 2025-08-03 00:00: 2"
    assert out[2].split()[:2] == ["SVC-COMP-1", "complaint"]
    assert out[2].endswith("BREACHED by 0d 14:30")
    assert out[3].split()[0] == "SVC-CONN-1"


def test_filters_the_breached_and_what_is_due_before_a_day(
    demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    base = ["cases", "--store", str(demo_store), "--as-of", "2025-08-03T00:00", "--format", "json"]

    assert cli.main([*base, "--breached"]) == 0
    breached = json.loads(capsys.readouterr().out)
    assert cli.main([*base, "--due-before", "2025-08-09"]) == 0
    due = json.loads(capsys.readouterr().out)
    assert cli.main([*base, "--due-before", "2025-08-10"]) == 0
    due_later = json.loads(capsys.readouterr().out)

    assert [c["case_id"] for c in breached["cases"]] == ["SVC-COMP-1"]
    assert breached["cases"][0]["overdue_minutes"] == 870
    assert [c["case_id"] for c in due["cases"]] == ["SVC-COMP-1"]
    # the increase was handed to marketing on Aug 1: its next clock is the scheme reply, 20
    # working days from Fri Aug 1 (due Aug 30), not the hand-off's Aug 9
    assert [c["case_id"] for c in due_later["cases"]] == ["SVC-COMP-1"]
    assert cli.main([*base, "--due-before", "2025-08-31"]) == 0
    due_by_month_end = json.loads(capsys.readouterr().out)
    assert [c["case_id"] for c in due_by_month_end["cases"]] == ["SVC-COMP-1", "SVC-CONN-1"]
    assert due_by_month_end["cases"][1]["next_clock"] == "scheme reply"
    assert due_by_month_end["cases"][1]["due_at"] == "2025-08-30T00:00:00+08:00"


def test_reports_the_months_attainment_and_the_review(
    demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    base = ["sla", "report", "--store", str(demo_store), "--month", "2025-08"]

    assert cli.main([*base, "--as-of", "2025-08-03T00:00+08:00"]) == 0
    text = capsys.readouterr().out
    assert cli.main([*base, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)

    assert text.startswith("SLA attainment 2025-08 (as of 2025-08-03 00:00)")
    assert "rolling review, by limit (most breached first):" in text
    assert data["as_of"] == "2025-09-01T00:00:00+08:00"  # the end of the month, not now
    assert data["total"]["breached"] == 4  # the hand-off to marketing was met
    assert data["by_clock"]["hand-off to marketing"]["breached"] == 0
    assert data["by_clock"]["hand-off to marketing"]["on_time"] == 1
    assert list(data["review"]["months"]) == ["2025-06", "2025-07", "2025-08"]


@pytest.mark.parametrize(
    "argv",
    [
        ["cases", "--store", "missing.sqlite3"],
        ["cases", "--store", "{store}", "--due-before", "2025-13-01"],
        ["cases", "--store", "{store}", "--as-of", "yesterday"],
        ["sla", "report", "--store", "{store}", "--month", "2025-8x"],
    ],
)
def test_bad_input_exits_2_without_a_traceback(
    demo_store: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()

    code = cli.main([arg.replace("{store}", str(demo_store)) for arg in argv])

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("powerretail: ")
    assert "Traceback" not in err


def test_a_clock_into_an_uncovered_year_is_named_not_guessed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "late.sqlite3"
    store = SqliteStore(path)
    clock = FixedClock(pendulum.datetime(2026, 12, 28, 9, tz="Asia/Shanghai"))
    intake_case(
        store.unit_of_work,
        clock=clock,
        case_id="K-1",
        kind=CaseKind.METER_TEST,
        customer_id="C-1",
        channel=IntakeChannel.ONLINE,
        received_by="web",
        at=clock.now(),
        subject="meter runs fast",
        rules="SGCC10",
    )
    store.close()

    assert cli.main(["cases", "--store", str(path), "--as-of", "2026-12-29"]) == 0

    out = capsys.readouterr().out
    assert "K-1" in out
    assert "! test result: CN mainland: no holiday schedule for 2027" in out
