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
