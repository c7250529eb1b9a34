"""Retail package files: strict parsing of TOML text or a mapping into a :class:`RetailPackage`.

Every problem names its path in the document (``versions[0].tou.ratios.peak``) as the ``field``
of an :class:`~powerretail.errors.InvalidInput`; unknown fields are refused, numbers must be
exact (TOML floats are read as ``Decimal``), each pricing kind takes exactly the fields it uses,
versions may not overlap, and time-of-use ratios that claim a provincial notice must be the
notice's. The file format is described field by field in :data:`PACKAGE_SPECS`, from which
:func:`format_package_reference` renders the reference page.

>>> from datetime import date
>>> package = loads_package_toml('''
... code = "PKG-FIXED"
... name_zh = "固定价格套餐"
... name_en = "fixed price"
... [[versions]]
... label = "2025"
... effective_from = 2025-01-01
... source = "零售合同附件一 (illustrative)"
... kind = "fixed"
... fixed_yuan_per_kwh = 0.4100
... ''')
>>> package.version_on(date(2025, 7, 1)).fixed_yuan_per_kwh
Decimal('0.4100')
>>> loads_package_toml('''
... code = "PKG-BAD"
... name_zh = "x"
... name_en = "x"
... [[versions]]
... label = "2025"
... effective_from = 2025-01-01
... source = "x"
... kind = "fixed"
... fixed_yuan_per_kwh = 0.41
... [versions.tou]
... notice = "JX-TOU"
... ratios = { peak = 1.7, flat = 1, valley = 0.4 }
... ''')
Traceback (most recent call last):
...
powerretail.errors.InvalidInput: versions[0].tou.ratios.peak: expected 1.6 as 江西省分时电价政策 \
as quoted in the Jiangxi agency-purchase price notes: peak : flat : valley = 1.6 : 1 : 0.4, \
critical peak 1.8 (文号 not verified), got "1.7"
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from powerretail.errors import InvalidInput
from powerretail.retail.packages import (
    ExcessProfit,
    PackageVersion,
    PricingKind,
    RetailPackage,
    TouShape,
)
from powerretail.tariffs.model import VersionStatus
from powerretail.tariffs.strict import (
    FieldSpec,
    Table,
    brief,
    build,
    enum_field,
    format_spec_tables,
    read_toml,
)
from powerretail.tariffs.strict import spec_field as _f

__all__ = [
    "PACKAGE_SPECS",
    "format_package_reference",
    "loads_package_toml",
    "package_from_mapping",
]


#: Every table of the package file format, in the order the reference page shows them.
PACKAGE_SPECS: Final[Mapping[str, tuple[FieldSpec, ...]]] = {
    "package": (
        _f("code", "code", "the package's code (letters, digits, `-`, `_`, `.`)", required=True),
        _f("name_zh", "text", "Chinese name", required=True),
        _f("name_en", "text", "English name", required=True),
        _f("note", "text", "free text"),
        _f("versions", "array of tables", "the effective-dated versions", required=True),
    ),
    "versions[]": (
        _f("label", "text", "the version's name, shown on each bill line", required=True),
        _f("effective_from", "date", "first day in force", required=True),
        _f("effective_to", "date", "first day no longer in force (omit: open-ended)"),
        _f("status", "text", "confirmed or illustrative (default illustrative)"),
        _f("source", "text", "the contract or notice the prices come from", required=True),
        _f("kind", "text", "fixed, linked, mix or spread_sharing", required=True),
        _f("fixed_yuan_per_kwh", "decimal", "`p_fixed` [元/kWh] (fixed, mix)"),
        _f("reference", "text", "code of the reference price series `p_ref` (linked, mix, spread)"),
        _f("share_fixed", "decimal", "`k`, the fixed share 0-1 (mix)"),
        _f("alpha", "decimal", "`α`, the user's share of the spread 0-1 (spread_sharing)"),
        _f("floating_yuan_per_kwh", "decimal", "`f`, added to every kWh (浮动电费; may be < 0)"),
        _f("green_premium_yuan_per_kwh", "decimal", "`g`, green premium on every kWh (≥ 0)"),
        _f("cap_yuan_per_kwh", "decimal", "monthly average-price cap (封顶) [元/kWh]"),
        _f("tou", "table", "time-of-use shaping of the base price"),
        _f("excess_profit", "table", "excess-profit threshold and refund share"),
        _f("note", "text", "where the numbers come from, what is uncertain"),
    ),
    "versions[].tou": (
        _f("ratios", "table", "bucket = ratio of the base price (peak = 1.6 …)", required=True),
        _f("notice", "text", "the provincial notice the ratios must follow (JS-426, JX-TOU)"),
    ),
    "versions[].excess_profit": (
        _f(
            "threshold_yuan_per_kwh",
            "decimal",
            "margin per kWh the retailer keeps in full [元/kWh]",
            required=True,
        ),
        _f("refund_share", "decimal", "share 0-1 of the margin above it refunded", required=True),
    ),
}


def _tou(table: Table) -> TouShape | None:
    if not table.has("tou"):
        return None
    path = table.at("tou")
    tou = Table(table.raw("tou"), path, PACKAGE_SPECS["versions[].tou"])
    raw = tou.raw("ratios")
    if not isinstance(raw, Mapping):
        raise InvalidInput(tou.at("ratios"), brief(raw), "a table of bucket = ratio")
    ratios = Table(raw, tou.at("ratios"), [_f(str(k), "", "") for k in raw])
    values = {str(k): ratios.decimal(str(k), "a ratio") for k in raw}
    try:
        return TouShape(ratios=values, notice=tou.opt_text("notice"))
    except InvalidInput as err:
        field = err.field.removeprefix("tou.")
        raise InvalidInput(f"{path}.{field}", err.value, err.expected) from None


def _excess(table: Table) -> ExcessProfit | None:
    if not table.has("excess_profit"):
        return None
    path = table.at("excess_profit")
    excess = Table(table.raw("excess_profit"), path, PACKAGE_SPECS["versions[].excess_profit"])
    try:
        return ExcessProfit(
            threshold_yuan_per_kwh=excess.decimal("threshold_yuan_per_kwh"),
            refund_share=excess.decimal("refund_share"),
        )
    except InvalidInput as err:
        field = err.field.removeprefix("excess_profit.")
        raise InvalidInput(f"{path}.{field}", err.value, err.expected) from None


def _version(item: object, path: str) -> PackageVersion:
    table = Table(item, path, PACKAGE_SPECS["versions[]"])
    optional = {
        name: table.decimal(name)
        for name in (
            "fixed_yuan_per_kwh",
            "share_fixed",
            "alpha",
            "floating_yuan_per_kwh",
            "green_premium_yuan_per_kwh",
            "cap_yuan_per_kwh",
        )
        if table.has(name)
    }
    return build(
        path,
        PackageVersion,
        label=table.text("label"),
        effective_from=table.date("effective_from"),
        effective_to=table.date("effective_to") if table.has("effective_to") else None,
        status=enum_field(table, "status", VersionStatus, VersionStatus.ILLUSTRATIVE),
        source=table.text("source"),
        kind=enum_field(table, "kind", PricingKind, None),
        reference=table.opt_text("reference"),
        tou=_tou(table),
        excess_profit=_excess(table),
        note=table.text("note", ""),
        **optional,
    )


def package_from_mapping(data: object) -> RetailPackage:
    """Return the package described by ``data`` (the structure of a package file, as mappings).

    Raises:
        InvalidInput: a problem, with its path in ``field``.
    """
    table = Table(data, "", PACKAGE_SPECS["package"])
    versions = tuple(_version(v, f"versions[{i}]") for i, v in enumerate(table.array("versions")))
    return build(
        "",
        RetailPackage,
        code=table.text("code"),
        name_zh=table.text("name_zh"),
        name_en=table.text("name_en"),
        note=table.text("note", ""),
        versions=versions,
    )


def loads_package_toml(text: str) -> RetailPackage:
    """Return the package in TOML ``text`` (numbers with a fraction are read as ``Decimal``).

    Raises:
        InvalidInput: not TOML, or not a valid package (the field names the path).
    """
    return package_from_mapping(read_toml(text, "package"))


def format_package_reference() -> str:
    """Return the Markdown tables describing every field of the package file format."""
    return format_spec_tables(PACKAGE_SPECS)
