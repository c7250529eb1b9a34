"""One reader for every file the library and the command line load (``adapters.text_files``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from powerretail.adapters.text_files import read_text
from powerretail.errors import InvalidInput, NotFound


def test_drops_a_byte_order_mark_in_any_encoding(tmp_path: Path) -> None:
    path = tmp_path / "reads.csv"
    for encoding in ("utf-8", "gb18030", "utf-16"):
        path.write_bytes("\ufeffmeter_id\n".encode(encoding))

        assert read_text(path, encoding=encoding) == "meter_id\n"


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no tariff file"):
        read_text(tmp_path / "none.toml", what="tariff file")


def test_the_encoding_must_be_a_name(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="the name of a text encoding"):
        read_text(tmp_path / "x.csv", encoding=None)  # type: ignore[arg-type]


def test_a_file_that_cannot_be_read_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "locked.csv"
    path.write_text("meter_id\n", encoding="utf-8")

    def refuse(_self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)

    with pytest.raises(InvalidInput) as caught:
        read_text(path)
    assert str(caught.value) == f'file: expected a readable file (Permission denied), got "{path}"'


def test_a_codec_error_without_a_position_still_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "host.txt"
    path.write_bytes(b"xn--" + b"a" * 100)  # idna refuses a label this long with a plain error

    with pytest.raises(InvalidInput, match="IDNA text \\(line 1, byte 0"):
        read_text(path, encoding="idna")
