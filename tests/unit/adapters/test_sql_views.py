"""The analysts' views (bills_v, bill_lines_v, ...) say what the library reads back, in both stores.

Each store is filled by the demo's book, a billing cycle and a payment; every view is then read
with plain SQL and compared with the entities the repositories decode from the same documents.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.sqlite import MIGRATIONS, SqliteStore
from powerretail.cli.demo import DEMO_NOW, load_demo_customers, load_sample_book
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLS
from powerretail.repositories.customers import ACCOUNTS, CUSTOMERS
from powerretail.repositories.metering import READS
from powerretail.repositories.payments import PAYMENTS
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.workflows.billing_cycle import run_billing_cycle
from powerretail.workflows.payments import post_payment
from tests.postgres_server import fresh_schema, server_dsn

Query = Callable[[str], list[tuple[Any, ...]]]


_STORED = "SELECT kind, key, version, body, schema FROM aggregates"
_COPY = "INSERT INTO aggregates (kind, key, version, body, schema) VALUES (?, ?, ?, ?, ?)"


def _fill(make_unit_of_work: UnitOfWorkFactory) -> None:
    """Load the demo's book, bill its month and post one payment, as ``powerretail demo`` does."""
    customers = load_demo_customers()
    clock = FixedClock(DEMO_NOW)
    load_sample_book(make_unit_of_work, clock=clock, customers=customers)
    run_billing_cycle(
        make_unit_of_work,
        clock=clock,
        period=customers[0].period,
        issued_on=DEMO_NOW.date(),
        accounts=[c.account_id for c in customers],
    )
    post_payment(
        make_unit_of_work,
        clock=clock,
        key="views",
        account_id=customers[0].account_id,
        amount=Money("500.00"),
        received_on=date(2025, 8, 5),
    )


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Any, Query]]:
    if request.param == "sqlite":
        path = tmp_path / "store.sqlite3"
        sqlite_store = SqliteStore(path)
        _fill(sqlite_store.unit_of_work)
        connection = sqlite3.connect(path)  # a plain connection, as an analyst opens the file

        def sqlite_query(sql: str) -> list[tuple[Any, ...]]:
            return connection.execute(sql).fetchall()

        yield sqlite_store, sqlite_query
        connection.close()
        sqlite_store.close()
        return
    import psycopg  # noqa: PLC0415 - only the PostgreSQL half needs the extra

    from powerretail.adapters.postgres import PostgresStore  # noqa: PLC0415

    dsn = server_dsn()
    for schema in fresh_schema(dsn):
        pg_store = PostgresStore(dsn, schema=schema)
        _fill(pg_store.unit_of_work)
        with psycopg.connect(dsn, options=f"-c search_path={schema}") as connection:

            def pg_query(sql: str) -> list[tuple[Any, ...]]:
                return connection.execute(sql).fetchall()  # type: ignore[arg-type]

            yield pg_store, pg_query
        pg_store.close()


def test_bills_v_totals_equal_the_bills_to_the_fen(store: tuple[Any, Query]) -> None:
    opened, query = store
    with opened.unit_of_work() as uow:
        bills = {stored.entity.bill_id: stored.entity for stored in uow.repository(BILLS).query()}
    rows = query(
        "SELECT bill_id, account_id, period_start, period_end, last_day, state, kind,"
        " tariff_code, issued_on, total, line_count FROM bills_v"
    )

    assert len(bills) == 4
    assert {row[0]: tuple(str(value) for value in row[1:]) for row in rows} == {
        key: (
            bill.account_id,
            str(bill.period.start),
            str(bill.period.end),
            str(bill.period.last_day),
            bill.state.value,
            bill.kind.value,
            bill.tariff_code,
            str(bill.issued_on),
            str(bill.total.amount),
            str(len(bill.lines)),
        )
        for key, bill in bills.items()
    }


def test_bill_lines_v_has_every_line_in_order_and_sums_to_the_total(
    store: tuple[Any, Query],
) -> None:
    opened, query = store
    with opened.unit_of_work() as uow:
        bills = [stored.entity for stored in uow.repository(BILLS).query()]
    lines = query(
        "SELECT bill_id, line_no, code, quantity, unit, rate, amount, source"
        " FROM bill_lines_v ORDER BY bill_id, line_no"
    )

    expected = [
        (bill.bill_id, number, line.code, line.quantity, line.unit, line.rate, line.amount.amount)
        for bill in sorted(bills, key=lambda bill: bill.bill_id)
        for number, line in enumerate(bill.lines, start=1)
    ]
    assert [
        (row[0], row[1], row[2], str(row[3]), row[4], str(row[5]), str(row[6])) for row in lines
    ] == [(a, n, c, str(q), u, str(r), str(m)) for a, n, c, q, u, r, m in expected]
    # the view's exact sum per bill is the bill's total (SQLite: in fen, never through a float)
    exact_sum = (
        "printf('%d.%02d', SUM(l.amount_fen) / 100, SUM(l.amount_fen) % 100)"
        if isinstance(opened, SqliteStore)
        else "SUM(l.amount)"
    )
    differing = query(
        "SELECT b.bill_id FROM bills_v AS b WHERE b.total <> ("
        f" SELECT {exact_sum} FROM bill_lines_v AS l WHERE l.bill_id = b.bill_id)"
    )
    assert len(lines) == sum(len(bill.lines) for bill in bills) > 0
    assert differing == []


def test_payments_v_reads_v_customers_v_and_accounts_v_match_the_entities(
    store: tuple[Any, Query],
) -> None:
    opened, query = store
    with opened.unit_of_work() as uow:
        payments = [stored.entity for stored in uow.repository(PAYMENTS).query()]
        reads = [stored.entity for stored in uow.repository(READS).query()]
        customers = [stored.entity for stored in uow.repository(CUSTOMERS).query()]
        accounts = [stored.entity for stored in uow.repository(ACCOUNTS).query()]

    assert [
        tuple(str(value) for value in row)
        for row in query(
            "SELECT payment_id, account_id, received_on, amount, credit FROM payments_v"
        )
    ] == [
        (p.payment_id, p.account_id, str(p.received_on), str(p.amount.amount), str(p.credit.amount))
        for p in payments
    ]
    got_reads = {
        row[0]: (row[1], row[2], row[3], str(row[4]), row[5])
        for row in query("SELECT read_id, meter_id, register, read_at, value, quality FROM reads_v")
    }
    assert len(got_reads) == len(reads) > 0
    for stored in reads:
        meter_id, register, read_at, value, quality = got_reads[stored.read_id]
        assert (meter_id, register, value, quality) == (
            stored.meter_id,
            stored.read.register.value,
            str(stored.read.value),
            stored.read.source.value,
        )
        at = read_at if isinstance(read_at, str) else read_at.isoformat()
        assert datetime.fromisoformat(at) == stored.read.read_at
    assert sorted(query("SELECT customer_id, name, sector, region FROM customers_v")) == sorted(
        (c.id, c.name, c.sector.value, c.region) for c in customers
    )
    assert sorted(query("SELECT account_id, customer_id FROM accounts_v")) == sorted(
        (a.id, a.customer_id) for a in accounts
    )


def test_bills_join_customers_by_account_in_plain_sql(store: tuple[Any, Query]) -> None:
    _, query = store

    rows = query(
        "SELECT c.region, COUNT(*) AS bills FROM bills_v AS b"
        " JOIN accounts_v AS a ON a.account_id = b.account_id"
        " JOIN customers_v AS c ON c.customer_id = a.customer_id"
        " GROUP BY c.region ORDER BY c.region"
    )

    assert rows == [("GD", 1), ("JS", 3)]


def test_an_older_file_migrates_to_the_views_with_its_bills(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    full = SqliteStore(tmp_path / "full.sqlite3")
    _fill(full.unit_of_work)  # today's workflows need today's schema: fill one, copy its rows
    stored = full.connection().execute(_STORED).fetchall()
    full.close()
    old = SqliteStore(path, migrations=MIGRATIONS[:4])  # as the release before the views left it
    with old.connection() as connection:
        connection.execute("BEGIN")
        connection.executemany(_COPY, stored)
    old.close()

    store = SqliteStore(path)
    with store.unit_of_work() as uow:
        totals = {
            stored.entity.bill_id: str(stored.entity.total.amount)
            for stored in uow.repository(BILLS).query()
        }
    rows = dict(store.connection().execute("SELECT bill_id, total FROM bills_v").fetchall())
    version = store.schema_version()
    store.close()

    assert version == MIGRATIONS[-1].version
    assert rows == totals
    assert len(rows) == 4


def test_an_older_postgresql_schema_migrates_to_the_views_with_its_bills() -> None:
    import psycopg  # noqa: PLC0415 - only this test needs the extra

    from powerretail.adapters import postgres  # noqa: PLC0415

    dsn = server_dsn()
    for schema in fresh_schema(dsn):
        filled = postgres.PostgresStore(dsn, schema=f"{schema}_full")
        _fill(filled.unit_of_work)  # today's workflows need today's schema: fill one, copy it
        with psycopg.connect(dsn, options=f"-c search_path={schema}_full") as connection:
            stored = connection.execute(_STORED).fetchall()
            connection.execute(f"DROP SCHEMA {schema}_full CASCADE")
        filled.close()
        old = postgres.PostgresStore(dsn, schema=schema, migrations=postgres.MIGRATIONS[:1])
        old.close()
        with psycopg.connect(dsn, options=f"-c search_path={schema}") as connection:
            connection.cursor().executemany(_COPY.replace("?", "%s"), stored)

        store = postgres.PostgresStore(dsn, schema=schema)
        with store.unit_of_work() as uow:
            totals = {
                stored.entity.bill_id: stored.entity.total.amount
                for stored in uow.repository(BILLS).query()
            }
        version = store.schema_version()
        store.close()
        with psycopg.connect(dsn, options=f"-c search_path={schema}") as connection:
            rows = dict(connection.execute("SELECT bill_id, total FROM bills_v").fetchall())

        assert version == postgres.MIGRATIONS[-1].version
        assert rows == totals
        assert len(rows) == 4
