"""Bad input never gives a traceback: one line on standard error and exit code 2 (R16, R21).

Files in another encoding (GBK and GB18030 exports, with ``--encoding``), a missing file or a
folder, a store that is not a database or whose folder is missing, output closed early, output
that cannot hold the text, and argparse's own exits.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
from pathlib import Path

import pytest

from powerretail import cli
from powerretail.adapters.tariff_library import shipped_text

CLEAN = """meter_id,read_at,value
电表-1,2025-01-01T08:00+08:00,100.0
电表-1,2025-02-01T08:00+08:00,130.0
"""


def encoded(tmp_path: Path, text: str, encoding: str, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


class TestEncodings:
    @pytest.mark.parametrize("encoding", ["gbk", "gb18030", "GB18030", "utf-8"])
    def test_validate_reads_a_file_in_the_encoding_given(
        self, tmp_path: Path, encoding: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = encoded(tmp_path, CLEAN, encoding, "reads.csv")

        assert cli.main(["validate", path, "--encoding", encoding, "--json"]) == 0
        assert '"rows": 2' in capsys.readouterr().out

    @pytest.mark.parametrize("command", ["validate", "bill"])
    def test_a_gbk_file_read_as_utf8_names_the_file_the_byte_and_the_option(
        self, tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = encoded(tmp_path, CLEAN, "gbk", "reads.csv")
        argv = (
            ["validate", path]
            if command == "validate"
            else ["bill", "--tariff", "JS-RES-TOU", "--reads", path, "--period", "2025-01"]
        )

        assert cli.main(argv) == 2

        err = capsys.readouterr().err
        assert err.startswith("powerretail: ")
        assert "expected UTF-8 text (line 2, byte 23 is not UTF-8;" in err
        assert "--encoding" in err
        assert path in err
        assert err.count("\n") == 1

    def test_a_tariff_file_in_gb18030(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = encoded(tmp_path, shipped_text("JS-RES-TOU"), "gb18030", "res.toml")

        assert cli.main(["tariff", "show", path]) == 2
        assert "UTF-8 text" in capsys.readouterr().err
        assert cli.main(["tariff", "show", path, "--encoding", "gb18030"]) == 0
        assert "居民" in capsys.readouterr().out

    @pytest.mark.parametrize("encoding", ["klingon", "base64", "rot13"])
    def test_an_unknown_or_non_text_encoding_is_bad_input(
        self, tmp_path: Path, encoding: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = encoded(tmp_path, CLEAN, "utf-8", "reads.csv")

        assert cli.main(["validate", path, "--encoding", encoding]) == 2
        assert capsys.readouterr().err.startswith("powerretail: encoding: expected a text encoding")


class TestFiles:
    def test_a_folder_is_not_a_reads_file(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert cli.main(["validate", str(tmp_path)]) == 2
        assert "a file, not a folder" in capsys.readouterr().err

    def test_estimates_written_to_a_missing_folder(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = encoded(tmp_path, CLEAN, "utf-8", "reads.csv")
        out = tmp_path / "nowhere" / "estimates.csv"

        assert cli.main(["validate", path, "--write-estimates", str(out)]) == 2
        err = capsys.readouterr().err
        assert "No such file or directory" in err
        assert err.count("\n") == 1

    def test_any_os_error_of_a_command_is_named(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        def failing(_: argparse.Namespace) -> int:
            raise PermissionError(13, "Permission denied", "/srv/out.csv")

        def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
            subparsers.add_parser("boom").set_defaults(handler=failing)

        monkeypatch.setattr(cli, "COMMAND_MODULES", ("tests.unit.cli.fake_command",))
        monkeypatch.setattr("tests.unit.cli.fake_command.register", register, raising=False)

        assert cli.main(["boom"]) == 2
        assert capsys.readouterr().err == "powerretail: /srv/out.csv: Permission denied\n"


class TestStores:
    def test_a_store_in_a_missing_folder(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "nowhere" / "demo.sqlite3"

        assert cli.main(["demo", "--store", str(path)]) == 2
        assert capsys.readouterr().err == (
            f"powerretail: {path}: could not open the store "
            f"(its folder {path.parent} does not exist)\n"
        )

    def test_a_store_that_is_not_a_database(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = Path(encoded(tmp_path, CLEAN * 100, "utf-8", "reads.csv"))

        assert cli.main(["demo", "--store", str(path)]) == 2
        assert "could not open the store (the file is not a SQLite database)" in (
            capsys.readouterr().err
        )


class TestOutput:
    def test_output_closed_early_is_one_line_and_exit_2(self) -> None:
        child = subprocess.Popen(
            [sys.executable, "-m", "powerretail", "tariff", "show", "JS-CI-TOU-2P"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert child.stdout is not None
        assert child.stderr is not None
        child.stdout.close()  # like `| head -0`: nobody reads
        err = child.stderr.read().decode()
        child.stderr.close()

        assert child.wait(timeout=60) == 2
        assert err == "powerretail: the output was closed before everything was written\n"

    def test_a_closed_pipe_in_process(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        class Closed(io.StringIO):
            def write(self, _text: str) -> int:
                raise BrokenPipeError(32, "Broken pipe")

        monkeypatch.setattr(sys, "stdout", Closed())

        assert cli.main(["tariff", "list"]) == 2
        assert "output was closed" in capsys.readouterr().err

    def test_output_that_cannot_hold_chinese(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="ascii"))

        assert cli.main(["tariff", "show", "JS-RES-TOU"]) == 2
        assert "PYTHONIOENCODING=utf-8" in capsys.readouterr().err


class TestArgparseExits:
    def test_a_bad_option_returns_2_with_the_usage(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert cli.main(["bill", "--no-such-option"]) == 2
        assert "usage: powerretail bill" in capsys.readouterr().err

    def test_help_returns_0(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert cli.main(["tariff", "check", "--help"]) == 0
        assert "--strict" in capsys.readouterr().out
