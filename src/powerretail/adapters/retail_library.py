"""Retail package and reference price files at the edge: the shipped library and files on disk.

The library ships illustrative packages (``powerretail/data/retail/packages/*.toml``) and
reference price series (``powerretail/data/retail/reference_prices/*.toml``); each is read with
:func:`~powerretail.retail.package_file.loads_package_toml` or
:func:`~powerretail.retail.reference_prices.loads_reference_toml`.

>>> shipped_packages()
('PKG-FIXED-TOU', 'PKG-GREEN', 'PKG-LINKED', 'PKG-MIX', 'PKG-SPREAD')
>>> load_shipped_reference("JS-MLT-AVG").kind.value
'medium_long_term_average'
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from powerretail.adapters.text_files import DEFAULT_ENCODING, read_text
from powerretail.errors import NotFound
from powerretail.retail.package_file import loads_package_toml
from powerretail.retail.packages import RetailPackage
from powerretail.retail.reference_prices import ReferenceSeries, loads_reference_toml

__all__ = [
    "load_package_file",
    "load_reference_file",
    "load_shipped_package",
    "load_shipped_reference",
    "shipped_package_text",
    "shipped_packages",
    "shipped_references",
]


def _folder(name: str) -> resources.abc.Traversable:
    return resources.files("powerretail").joinpath("data", "retail", name)


def _codes(name: str) -> tuple[str, ...]:
    return tuple(
        sorted(
            entry.name.removesuffix(".toml")
            for entry in _folder(name).iterdir()
            if entry.name.endswith(".toml")
        )
    )


def _text(name: str, code: str, what: str) -> str:
    if code not in _codes(name):
        raise NotFound(what, code)
    return _folder(name).joinpath(f"{code}.toml").read_text(encoding="utf-8")


def shipped_packages() -> tuple[str, ...]:
    """Return the codes of the packages shipped with powerretail, sorted."""
    return _codes("packages")


def shipped_package_text(code: str) -> str:
    """Return the TOML text of the shipped package ``code``.

    Raises:
        NotFound: no shipped package has that code.
    """
    return _text("packages", code, "shipped package")


def shipped_references() -> tuple[str, ...]:
    """Return the codes of the reference price series shipped with powerretail, sorted."""
    return _codes("reference_prices")


def load_shipped_package(code: str) -> RetailPackage:
    """Return the shipped package ``code``.

    Raises:
        NotFound: no shipped package has that code.
    """
    return loads_package_toml(shipped_package_text(code))


def load_shipped_reference(code: str) -> ReferenceSeries:
    """Return the shipped reference price series ``code``.

    Raises:
        NotFound: no shipped series has that code.
    """
    return loads_reference_toml(_text("reference_prices", code, "shipped reference series"))


def load_package_file(path: str | Path, *, encoding: str = DEFAULT_ENCODING) -> RetailPackage:
    """Return the package in the TOML file at ``path``.

    Raises:
        NotFound: no such file.
        InvalidInput: not ``encoding`` text, or not a valid package.
    """
    return loads_package_toml(read_text(path, encoding=encoding, what="package file"))


def load_reference_file(path: str | Path, *, encoding: str = DEFAULT_ENCODING) -> ReferenceSeries:
    """Return the reference price series in the TOML file at ``path``.

    Raises:
        NotFound: no such file.
        InvalidInput: not ``encoding`` text, or not a valid series.
    """
    return loads_reference_toml(read_text(path, encoding=encoding, what="reference price file"))
