"""The PostgreSQL server the tests run against: ``POWERRETAIL_TEST_PG_DSN``.

Without it the PostgreSQL tests skip, saying how to start a throw-away server; in CI (``CI`` set)
they fail instead, because there they are required.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest

DSN_VARIABLE = "POWERRETAIL_TEST_PG_DSN"
HOW_TO_START = (
    f"{DSN_VARIABLE} is not set: start a throw-away server with "
    '`eval "$(scripts/pg-test-server start)"` (stop it with `scripts/pg-test-server stop`)'
)


def server_dsn() -> str:
    """Return the test server's DSN, or skip (fail in CI) the calling test when there is none."""
    dsn = os.environ.get(DSN_VARIABLE, "").strip()
    if dsn:
        return dsn
    if os.environ.get("CI"):
        pytest.fail(f"the PostgreSQL tests are required in CI: {HOW_TO_START}")
    pytest.skip(HOW_TO_START)


def fresh_schema(dsn: str) -> Iterator[str]:
    """Yield the name of a schema no other test uses; drop it and everything in it afterwards."""
    import psycopg  # noqa: PLC0415 - only the PostgreSQL tests need the extra

    name = f"test_{uuid.uuid4().hex}"
    try:
        yield name
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


def schema_dsn(dsn: str, schema: str) -> str:
    """Return ``dsn`` with ``schema`` as the search path, creating the schema (for a bare store)."""
    import psycopg  # noqa: PLC0415
    import psycopg.conninfo  # noqa: PLC0415

    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    parts = psycopg.conninfo.conninfo_to_dict(dsn)
    parts["options"] = f"-c search_path={schema}"
    host, port = parts.pop("host", "localhost"), parts.pop("port", "5432")
    user, database = parts.pop("user", ""), parts.pop("dbname", "")
    query = "&".join(f"{key}={quote(str(value))}" for key, value in parts.items())
    credentials = f"{quote(str(user))}@" if user else ""
    return f"postgresql://{credentials}{host}:{port}/{database}?{query}"
