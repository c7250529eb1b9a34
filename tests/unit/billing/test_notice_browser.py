"""The bill notice in a real browser: headless Chromium renders it and prints it to A4.

Skipped where no Chromium is installed (install it with ``apt-get install chromium``), except in
CI (the ``CI`` environment variable set), where a missing browser fails the test.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import attrs
import pytest

from powerretail.billing.bill import Bill, BillState
from powerretail.billing.notice import NoticeDetails, NoticeRead, render_notice_html
from powerretail.cli.demo import bill_customers, load_demo_customers

_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium() -> str:
    """Return the Chromium to run; skip (fail in CI) when there is none."""
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if found is None:
        message = (
            "Chromium is not installed: install it (apt-get install chromium) to check the "
            "bill notice in a browser"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must run this test (.ci/run installs it)")
        pytest.skip(message)
    return found


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    profile = tmp_path / "profile"
    return subprocess.run(
        [chromium(), *_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        timeout=180,
        check=True,
        cwd=tmp_path,
    )


@pytest.fixture(scope="module")
def notice_bill() -> Bill:
    bill = bill_customers(load_demo_customers())[2]  # the two-part foundry: nine lines
    return attrs.evolve(bill, state=BillState.ISSUED, issued_on=dt.date(2025, 8, 1))


def a_notice(tmp_path: Path, bill: Bill, language: str = "zh") -> Path:
    reads = (
        NoticeRead(register="peak", previous="12000.00", current="12040.00", multiplier=2000),
        NoticeRead(register="demand", current="0.330", multiplier=2000, unit="kW"),
    )
    details = NoticeDetails(customer_name="无锡某铸造厂", reads=reads)
    path = tmp_path / "notice.html"
    path.write_text(render_notice_html(bill, language=language, details=details), "utf-8")
    return path


class TestNoticeInABrowser:
    def test_the_rendered_page_shows_the_total_and_every_line_amount(
        self, tmp_path: Path, notice_bill: Bill
    ) -> None:
        page = a_notice(tmp_path, notice_bill)

        dom = run_chromium(tmp_path, "--dump-dom", page.as_uri()).stdout.decode("utf-8")

        assert re.search(r'id="total"[^>]*>193830\.20 元<', dom)
        amounts = re.findall(r'class="num amount">([^<]*)<', dom)
        assert amounts == [str(line.amount.amount) for line in notice_bill.lines]
        assert "电费通知单" in dom
        assert '<span id="due">2025-08-16</span>' in dom

    def test_prints_to_an_a4_pdf_of_at_most_two_pages(
        self, tmp_path: Path, notice_bill: Bill
    ) -> None:
        page = a_notice(tmp_path, notice_bill)
        pdf = tmp_path / "notice.pdf"

        run_chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())

        data = pdf.read_bytes()
        assert data.startswith(b"%PDF")
        pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
        assert 1 <= pages <= 2
        width, height = (
            float(v) for v in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", data)[0]
        )
        assert (round(width), round(height)) == (595, 842)  # A4 in points

    def test_a_short_bill_prints_on_one_page(self, tmp_path: Path) -> None:
        bill = bill_customers(load_demo_customers())[0]  # the household: three lines
        page = a_notice(tmp_path, bill, language="en")
        pdf = tmp_path / "notice.pdf"

        run_chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())

        assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes())) == 1

    def test_takes_a_screenshot(self, tmp_path: Path, notice_bill: Bill) -> None:
        page = a_notice(tmp_path, notice_bill)
        png = tmp_path / "notice.png"

        run_chromium(tmp_path, "--window-size=794,1123", f"--screenshot={png}", page.as_uri())

        assert png.read_bytes().startswith(b"\x89PNG")
        assert png.stat().st_size > 10_000


class TestWithoutABrowser:
    @pytest.fixture
    def no_chromium(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(shutil, "which", lambda _name: None)
        monkeypatch.setattr(Path, "exists", lambda _self: False)

    @pytest.mark.usefixtures("no_chromium")
    def test_skips_saying_how_to_install_it(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("CI", raising=False)

        with pytest.raises(pytest.skip.Exception, match=r"apt-get install chromium"):
            chromium()

    @pytest.mark.usefixtures("no_chromium")
    def test_fails_in_ci(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("CI", "true")

        with pytest.raises(pytest.fail.Exception, match=r"CI must run this test"):
            chromium()
