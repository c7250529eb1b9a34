"""Fixtures shared across the test tree."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from powerretail.adapters.memory import MemoryStore
from powerretail.adapters.sqlite import SqliteStore
from powerretail.repositories.unit_of_work import UnitOfWorkFactory

# The PostgreSQL adapter's own tests import psycopg: without the `postgres` extra they are not
# collected on a developer machine (the contract suite's PostgreSQL cases skip, saying how to
# start a server). In CI the extra is installed, and a missing one fails the collection.
try:
    import psycopg  # noqa: F401
except ImportError:
    collect_ignore = [] if os.environ.get("CI") else ["unit/adapters/test_postgres.py"]


@pytest.fixture(params=["memory", "sqlite"])
def make_unit_of_work(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[UnitOfWorkFactory]:
    """A fresh store of each kind the library ships: in memory, and a SQLite file."""
    if request.param == "memory":
        yield MemoryStore().unit_of_work
        return
    store = SqliteStore(str(tmp_path / "store.sqlite3"))
    try:
        yield store.unit_of_work
    finally:
        store.close()


# Hypothesis keeps no example database: a failure prints the example that failed, and a rerun
# draws fresh examples. Its other files (a cache of constants, read while tests are collected) go
# to a temporary folder removed at the end, not to .hypothesis/ in the work tree.
settings.register_profile("powerretail", database=None)
settings.load_profile("powerretail")
_HYPOTHESIS_HOME: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    _HYPOTHESIS_HOME.append(tempfile.mkdtemp(prefix="powerretail-hypothesis-"))
    set_hypothesis_home_dir(_HYPOTHESIS_HOME[-1])


def pytest_unconfigure(config: pytest.Config) -> None:
    set_hypothesis_home_dir(None)
    while _HYPOTHESIS_HOME:
        shutil.rmtree(_HYPOTHESIS_HOME.pop(), ignore_errors=True)


@pytest.fixture(autouse=True, scope="session")
def _temporary_files_under_pytest(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point ``tempfile`` (and spawned processes, through TMPDIR) at pytest's own folder.

    Code under test that makes a temporary folder and keeps it (``powerretail demo`` without
    ``--store``) then leaves nothing in the system's temporary folder; pytest removes its own
    folders of passing tests (``tmp_path_retention_policy``).
    """
    folder = str(tmp_path_factory.mktemp("tempfile"))
    saved_tempdir, saved_env = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = folder
    os.environ["TMPDIR"] = folder
    try:
        yield
    finally:
        tempfile.tempdir = saved_tempdir
        if saved_env is None:
            del os.environ["TMPDIR"]
        else:
            os.environ["TMPDIR"] = saved_env


_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True, scope="session")
def _nothing_left_in_the_work_tree() -> Iterator[None]:
    """Fail the run if a test left a file or folder in the project's top folder.

    A command run with a relative path (an ``--out``, an estimates file) writes where the test
    runs; tests run such commands from their own temporary folder. Coverage data is the one file
    the run itself writes there.
    """
    before = {entry.name for entry in _ROOT.iterdir()}
    yield
    left = sorted(
        entry.name
        for entry in _ROOT.iterdir()
        if entry.name not in before and not entry.name.startswith(".coverage")
    )
    if left:
        pytest.fail(f"tests left {', '.join(left)} in {_ROOT}", pytrace=False)
