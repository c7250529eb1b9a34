"""What every command that reads a file shares: the ``--encoding`` option and the reading."""

from __future__ import annotations

import argparse
from typing import Any

from powerretail.adapters.text_files import DEFAULT_ENCODING, read_text

__all__ = ["add_encoding_option", "read_file"]


def add_encoding_option(parser: Any) -> None:
    """Add ``--encoding`` (default UTF-8) to a command that reads a file."""
    parser.add_argument(
        "--encoding",
        default=DEFAULT_ENCODING,
        help="text encoding of the input file (default utf-8; gbk or gb18030 for such exports)",
    )


def read_file(args: argparse.Namespace, path: str, what: str) -> str:
    """Return the text of ``path`` in the command's ``--encoding``.

    Raises:
        NotFound: no such file.
        InvalidInput: a folder, an unreadable file, an unknown encoding or bytes not in it.
    """
    return read_text(path, encoding=args.encoding, what=what)
