"""Text files at the edge: read a whole file in a named encoding, or say clearly why not.

Every loader that takes a file (reads and intervals CSV, tariff TOML or JSON) and every command
of the command line reads through :func:`read_text`, so a missing file, a folder, an unreadable
file or bytes that are not in the encoding all give one kind of answer: a
:class:`~powerretail.errors.NotFound` or an :class:`~powerretail.errors.InvalidInput` naming the
file (and, for bad bytes, the line and byte offset). Exports from Chinese metering and billing
systems are often GBK or GB18030 rather than UTF-8: pass ``encoding="gb18030"`` (a superset of
GBK) for them. A byte-order mark at the start is dropped.

>>> import pathlib, tempfile
>>> folder = tempfile.TemporaryDirectory()
>>> path = pathlib.Path(folder.name) / "reads.csv"
>>> _ = path.write_bytes("meter_id,备注\\n".encode("gb18030"))
>>> read_text(path, encoding="gb18030")
'meter_id,备注\\n'
>>> read_text(path)
Traceback (most recent call last):
...
powerretail.errors.InvalidInput: file: expected UTF-8 text (line 1, byte 9 is not UTF-8; \
a GBK or GB18030 export needs encoding gbk or gb18030: --encoding on the command line), \
got ".../reads.csv"
>>> folder.cleanup()
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Final

from powerretail.errors import InvalidInput, NotFound

__all__ = ["DEFAULT_ENCODING", "read_text"]

DEFAULT_ENCODING: Final = "utf-8"


def _codec(encoding: object) -> str:
    if not isinstance(encoding, str):
        raise InvalidInput("encoding", encoding, "the name of a text encoding")
    try:
        info = codecs.lookup(encoding)
        "".encode(info.name)  # refuses codecs that are not text encodings (base64, rot13, …)
    except LookupError:
        raise InvalidInput(
            "encoding", encoding, "a text encoding such as utf-8, gbk or gb18030"
        ) from None
    return info.name


def read_text(path: str | Path, *, encoding: str = DEFAULT_ENCODING, what: str = "file") -> str:
    """Return the text of the file at ``path`` decoded with ``encoding`` (a BOM is dropped).

    ``what`` names the file in errors (``"reads file"``, ``"tariff file"``).

    Raises:
        NotFound: there is no file at ``path``.
        InvalidInput: an unknown encoding, a folder, a file that cannot be read, or bytes that
            are not ``encoding`` (naming the line and the byte offset).
    """
    codec = _codec(encoding)
    file = Path(path)
    if not file.exists():
        raise NotFound(what, str(path))
    if file.is_dir():
        raise InvalidInput(what, str(path), "a file, not a folder")
    try:
        data = file.read_bytes()
    except OSError as err:
        raise InvalidInput(what, str(path), f"a readable file ({err.strerror or err})") from None
    try:
        text = data.decode(codec)
    except UnicodeError as err:  # a UnicodeDecodeError, or a plain one from a codec like idna
        name = codec.upper()
        start: int = getattr(err, "start", 0)
        line = data.count(b"\n", 0, start) + 1
        raise InvalidInput(
            what,
            str(path),
            f"{name} text (line {line}, byte {start} is not {name}; a GBK or GB18030 "
            "export needs encoding gbk or gb18030: --encoding on the command line)",
        ) from None
    return text.removeprefix("\ufeff")
