"""The storage benchmark runs (with tiny numbers) on SQLite and PostgreSQL and leaves no schema."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from tests.postgres_server import DSN_VARIABLE, server_dsn

SCRIPT = Path(__file__).parents[3] / "benchmarks" / "storage_throughput.py"
TINY = ["--accounts", "12", "--payments", "30", "--threads", "8"]


def test_without_a_dsn_prints_sqlite_and_skips_postgresql(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DSN_VARIABLE, raising=False)
    module = runpy.run_path(str(SCRIPT))

    assert module["main"](TINY) == 0

    out = capsys.readouterr().out
    assert "billing cycle, accounts/s (12 accounts)" in out
    assert "payments/s (30 payments, 8 threads)" in out
    assert out.count("skipped: no DSN") == 2
    assert "no payment lost, none posted twice" in out


def _bench_schemas(dsn: str) -> int:
    import psycopg  # noqa: PLC0415 - only the PostgreSQL tests need the extra

    with psycopg.connect(dsn) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'bench\\_%'"
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_with_a_dsn_prints_postgresql_beside_sqlite_and_drops_its_schema(
    capsys: pytest.CaptureFixture[str],
) -> None:
    dsn = server_dsn()
    before = _bench_schemas(dsn)
    module = runpy.run_path(str(SCRIPT))

    assert module["main"]([*TINY, "--pg-dsn", dsn]) == 0

    out = capsys.readouterr().out
    assert "skipped" not in out
    figures = [line.split()[-2:] for line in out.splitlines() if "/s (" in line]
    assert len(figures) == 2
    assert all(value.replace(",", "").isdigit() for pair in figures for value in pair)
    assert _bench_schemas(dsn) == before
