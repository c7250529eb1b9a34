from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from powerretail import cli
from powerretail.errors import InvalidInput


class TestMain:
    def test_without_a_command_prints_help(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert cli.main([]) == 0

        assert "usage: powerretail" in capsys.readouterr().out

    def test_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert cli.main(["--version"]) == 0  # returned, not raised: main never raises

        assert capsys.readouterr().out.startswith("powerretail ")

    def test_a_library_error_becomes_exit_code_2_and_a_message(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        def failing(_: argparse.Namespace) -> int:
            raise InvalidInput("period", "2025-13", "a month YYYY-MM")

        def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
            subparsers.add_parser("boom").set_defaults(handler=failing)

        monkeypatch.setattr(cli, "COMMAND_MODULES", ("tests.unit.cli.fake_command",))
        monkeypatch.setattr("tests.unit.cli.fake_command.register", register, raising=False)

        assert cli.main(["boom"]) == 2
        assert capsys.readouterr().err == (
            'powerretail: period: expected a month YYYY-MM, got "2025-13"\n'
        )


def test_python_dash_m_runs_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "powerretail", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0
    assert done.stdout.startswith("powerretail ")
