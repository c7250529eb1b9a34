"""Tariff files at the edge: the shipped tariff library and tariff files on disk.

The library ships tariffs as package data (``powerretail/data/tariffs/*.toml``); each is read
with :func:`powerretail.tariffs.parser.loads_toml`. Files from disk may be TOML (``.toml``) or
JSON (``.json``).

>>> "JS-RES-TOU" in shipped_codes()
True
>>> load_shipped("JS-RES-TOU").versions[0].label
'2012-07'
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from powerretail.adapters.text_files import DEFAULT_ENCODING, read_text
from powerretail.errors import InvalidInput, NotFound
from powerretail.tariffs.model import Tariff
from powerretail.tariffs.parser import loads_json, loads_toml

__all__ = [
    "load",
    "load_file",
    "load_shipped",
    "sample_text",
    "shipped_codes",
    "shipped_text",
]


def _library() -> resources.abc.Traversable:
    return resources.files("powerretail").joinpath("data", "tariffs")


def shipped_codes() -> tuple[str, ...]:
    """Return the codes of the tariffs shipped with powerretail, sorted."""
    return tuple(
        sorted(
            entry.name.removesuffix(".toml")
            for entry in _library().iterdir()
            if entry.name.endswith(".toml")
        )
    )


def shipped_text(code: str) -> str:
    """Return the TOML text of the shipped tariff ``code``.

    Raises:
        NotFound: no shipped tariff has that code.
    """
    if code not in shipped_codes():
        raise NotFound("shipped tariff", code)
    return _library().joinpath(f"{code}.toml").read_text(encoding="utf-8")


def load_shipped(code: str) -> Tariff:
    """Return the shipped tariff ``code``.

    Raises:
        NotFound: no shipped tariff has that code.
    """
    return loads_toml(shipped_text(code))


def load_file(path: str | Path, *, encoding: str = DEFAULT_ENCODING) -> Tariff:
    """Return the tariff in the TOML or JSON file at ``path``, in ``encoding`` (UTF-8).

    Raises:
        NotFound: no such file.
        InvalidInput: not a ``.toml`` or ``.json`` file, not ``encoding`` text, or not a valid
            tariff.
    """
    file = Path(path)
    if not file.is_file():
        raise NotFound("tariff file", str(path))
    suffix = file.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise InvalidInput("path", str(path), "a .toml or .json tariff file")
    text = read_text(file, encoding=encoding, what="tariff file")
    return loads_toml(text) if suffix == ".toml" else loads_json(text)


def load(code_or_path: str, *, encoding: str = DEFAULT_ENCODING) -> Tariff:
    """Return the shipped tariff named ``code_or_path``, or else the tariff in that file.

    Raises:
        NotFound: neither a shipped tariff nor a file.
        InvalidInput: the file is not a valid tariff.
    """
    if code_or_path in shipped_codes():
        return load_shipped(code_or_path)
    return load_file(code_or_path, encoding=encoding)


def sample_text(name: str) -> str:
    """Return the text of the shipped sample file ``name`` (``powerretail/data/samples``).

    Raises:
        NotFound: no such sample file.
    """
    entry = resources.files("powerretail").joinpath("data", "samples", name)
    if "/" in name or "\\" in name or not entry.is_file():
        raise NotFound("sample file", name)
    return entry.read_text(encoding="utf-8")
