"""Tariff files: strict parsing of TOML, JSON or a mapping, and dumping back to TOML.

Every problem names its path in the document (``versions[1].charges[3].tiers[0].upto``) as the
``field`` of an :class:`~powerretail.errors.InvalidInput`; unknown fields are refused, numbers
must be exact (TOML and JSON floats are read as ``Decimal``; a Python ``float`` in a mapping is
refused) and overlapping versions are refused. Reading the file itself happens at the edge
(:mod:`powerretail.adapters.tariff_library`); this module only sees text or mappings.

:func:`dump_toml` writes a tariff back as TOML such that ``loads_toml(dump_toml(t)) == t``.
The file format is described field by field in :data:`SPECS`, from which
:func:`format_reference` renders the reference page (a test keeps the page equal to it).

>>> tariff = loads_toml('''
... code = "DEMO"
... name_zh = "示例"
... name_en = "demo"
... category = "residential"
... [[versions]]
... label = "2025"
... effective_from = 2025-01-01
... [[versions.charges]]
... type = "energy"
... code = "energy"
... name_zh = "电度电费"
... name_en = "energy"
... source = "江苏居民电价 (illustrative)"
... yuan_per_kwh = 0.5283
... ''')
>>> tariff.versions[0].charges[0].yuan_per_kwh
Decimal('0.5283')
>>> loads_toml(dump_toml(tariff)) == tariff
True
>>> loads_toml('code = "X"\\nname_zh = "x"\\nname_en = "x"\\ncategory = "nope"\\nversions = []')
Traceback (most recent call last):
...
powerretail.errors.InvalidInput: category: expected one of residential, commercial_industrial, \
agricultural, other, got "nope"
"""

from __future__ import annotations

import datetime as _dt
import decimal
import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

from powerretail.calendars.rules import FixedDateRule, HolidayRule, NthWeekdayRule
from powerretail.errors import InvalidInput
from powerretail.quantities import Rounding, minor_unit_exponent
from powerretail.tariffs.model import (
    AnnualTiers,
    BasicCharge,
    BucketPrice,
    BucketTiers,
    Charge,
    ChargeCategory,
    CustomerCategory,
    DailyCharge,
    EnergyCharge,
    FixedCharge,
    MinimumCharge,
    MonthlyTiers,
    PartialYear,
    PowerFactorAdjustment,
    Tariff,
    TariffVersion,
    Tier,
    TierBounds,
    TimeOfUseCharge,
    TimeOfUseTiers,
    VersionStatus,
)
from powerretail.tariffs.proration import Proration
from powerretail.tariffs.strict import FieldSpec, format_spec_tables, read_toml
from powerretail.tariffs.strict import Table as _Table
from powerretail.tariffs.strict import brief as _brief
from powerretail.tariffs.strict import build as _build
from powerretail.tariffs.strict import enum_field as _enum
from powerretail.tariffs.strict import spec_field as _f
from powerretail.tariffs.tou import (
    HOLIDAY_CALENDARS,
    HolidayCalendar,
    Overlay,
    OverlayScope,
    Season,
    TouSchedule,
    TouWindow,
)

__all__ = [
    "SPECS",
    "FieldSpec",
    "dump_toml",
    "format_reference",
    "from_mapping",
    "loads_json",
    "loads_toml",
    "to_mapping",
]


_COMMON_CHARGE: Final = (
    _f("type", "text", "the kind of charge (this table's name)", required=True),
    _f("code", "code", "unique within the version; line codes start with it", required=True),
    _f("name_zh", "text", "Chinese name shown on the bill", required=True),
    _f("name_en", "text", "English name shown on the bill", required=True),
    _f("source", "text", "the rule applied, e.g. `发改价格〔2023〕526号`", required=True),
    _f("source_zh", "text", "the rule in Chinese, printed on Chinese bills (omit: `source`)"),
    _f(
        "category",
        "text",
        "fixed, energy, line_loss, transmission, system_operation, fund, basic, adjustment "
        "(default by type; funds are outside the power-factor base)",
    ),
)

#: Every table of the file format, in the order the reference page shows them.
SPECS: Final[Mapping[str, tuple[FieldSpec, ...]]] = {
    "tariff": (
        _f("code", "code", "the tariff's code (letters, digits, `-`, `_`, `.`)", required=True),
        _f("name_zh", "text", "Chinese name", required=True),
        _f("name_en", "text", "English name", required=True),
        _f(
            "category",
            "text",
            "residential, commercial_industrial, agricultural or other",
            required=True,
        ),
        _f("currency", "text", "ISO currency code (default CNY); amounts `yuan_*` are in it"),
        _f(
            "minor_unit",
            "integer",
            "decimals of the currency (USD 2, JPY 0), checked against ISO 4217 (omit: implied)",
        ),
        _f(
            "rounding_step",
            "decimal",
            "rounding step of each line (default: the currency's minor unit, 0.01 for CNY)",
        ),
        _f("rounding_mode", "text", "decimal rounding mode (default ROUND_HALF_UP)"),
        _f(
            "proration",
            "text",
            "how a period's months are counted: calendar_30 (default: whole months + days/30), "
            "days_in_month (each day 1/its month's days), days_over_30 (days/30) or none "
            "(every bill one month)",
        ),
        _f("note", "text", "free text"),
        _f("versions", "array of tables", "the effective-dated versions", required=True),
    ),
    "versions[]": (
        _f("label", "text", "the version's name, shown on each line", required=True),
        _f("effective_from", "date", "first day in force", required=True),
        _f("effective_to", "date", "first day no longer in force (omit: open-ended)"),
        _f("status", "text", "confirmed or illustrative (numbers not verified)"),
        _f("note", "text", "where the numbers come from, what is uncertain"),
        _f("schedules", "table of tables", "time-of-use schedules by name"),
        _f("charges", "array of tables", "the charge components, in bill order", required=True),
    ),
    "versions[].schedules.NAME": (
        _f("timezone", "text", "IANA zone of the windows (default Asia/Shanghai)"),
        _f(
            "holidays",
            "array of dates, or text",
            'days of type `holiday`; or a holiday calendar\'s name (`"CN"`: the official '
            "holidays and make-up workdays of `ChinaMainlandCalendar`; a year it does not "
            "cover is refused, not guessed)",
        ),
        _f(
            "workdays",
            "array of dates",
            "weekend days worked (调休), type `workday`; not with a calendar",
        ),
        _f(
            "holiday_rules",
            "array of holiday rules",
            "holidays by date rule, for every year (besides listed `holidays`; not with a "
            "calendar)",
        ),
        _f("seasons", "array of tables", "seasons covering every month once", required=True),
        _f("overlays", "array of tables", "critical peak, deep valley … laid over the seasons"),
    ),
    "holiday rule": (
        _f("name", "text", "the holiday's name", required=True),
        _f("month", "integer", "its month 1-12", required=True),
        _f("day", "integer", "a fixed date's day of the month (or `weekday` and `nth`)"),
        _f(
            "observed",
            "text",
            "a fixed date on a weekend is observed: none (default), nearest_weekday (Saturday → "
            "Friday, Sunday → Monday) or following_monday",
        ),
        _f("weekday", "text", "monday … sunday: the holiday is the `nth` such day of the month"),
        _f("nth", "integer", "1-5, or -1 for the last (`weekday` = monday, nth = -1: last Monday)"),
    ),
    "seasons[]": (
        _f("name", "text", "the season's name", required=True),
        _f("months", "array of integers", "months 1-12 of the season", required=True),
        _f("windows", "array of windows", "windows covering the whole day", required=True),
        _f("day_types", "table", "`workday`/`weekend`/`holiday` = other windows that day"),
    ),
    "window": (
        _f("bucket", "text", "bucket name (peak, flat, valley …); not in overlay windows"),
        _f("start", "time", '"HH:MM" on a quarter hour', required=True),
        _f("end", "time", '"HH:MM" ("24:00" ends the day; before start wraps)', required=True),
    ),
    "overlays[]": (
        _f("name", "text", "the overlay's name", required=True),
        _f(
            "bucket", "text", "bucket put over the windows (critical, deep_valley …)", required=True
        ),
        _f("windows", "array of windows", "times, without bucket", required=True),
        _f("months", "array of integers", "months it applies in (omit: all)"),
        _f("day_types", "array of texts", "day types it applies on (omit: all)"),
        _f("dates", "array of dates", "the only dates it applies on (omit: all)"),
        _f("note", "text", "free text"),
        _f(
            "applies_to",
            "overlay scope",
            "the accounts it applies to (omit: all); outside it, its hours stay in the season's "
            "bucket",
        ),
    ),
    "overlay scope": (
        _f("min_capacity_kva", "decimal", "the account's capacity is at least this [kVA]"),
        _f(
            "use_categories",
            "array of texts",
            "the account's `use_category` is one of these: industrial, commercial, "
            "agricultural, residential",
        ),
        _f("source", "text", "the rule that sets the scope (文号, article), quoted on bills"),
    ),
    "charges[] type=fixed": (
        *_COMMON_CHARGE,
        _f("yuan_per_month", "decimal", "amount per month [元/月]", required=True),
    ),
    "charges[] type=daily": (
        *_COMMON_CHARGE,
        _f("yuan_per_day", "decimal", "amount per day of service [元/天]", required=True),
    ),
    "charges[] type=minimum": (
        *_COMMON_CHARGE,
        _f("yuan_per_month", "decimal", "minimum bill per month [元/月] (or per day)"),
        _f("yuan_per_day", "decimal", "minimum bill per day of service [元/天] (or per month)"),
    ),
    "charges[] type=energy": (
        *_COMMON_CHARGE,
        _f("yuan_per_kwh", "decimal", "price of every kWh [元/kWh]", required=True),
    ),
    "charges[] type=monthly_tiers": (
        *_COMMON_CHARGE,
        _f("tiers", "array of tiers", "tiers on the period's energy", required=True),
        _f(
            "bounds_per",
            "text",
            "month (default: bounds × months of the period), day (× its days) or year "
            "(× its months / 12)",
        ),
    ),
    "charges[] type=annual_tiers": (
        *_COMMON_CHARGE,
        _f("tiers", "array of tiers", "tiers on the tier year's energy", required=True),
        _f("partial_year", "text", "pro_rata (default), full_quota or settle_and_restart"),
        _f("cycle_start_month", "integer", "month the tier year starts (default 1)"),
    ),
    "tier": (
        _f(
            "upto", "decimal", "upper bound [kWh]; the last tier is open (a bound on it is dropped)"
        ),
        _f("yuan_per_kwh", "decimal", "price or increment [元/kWh]", required=True),
    ),
    "charges[] type=time_of_use": (
        *_COMMON_CHARGE,
        _f("schedule", "text", "name of a schedule of the version", required=True),
        _f("base_yuan_per_kwh", "decimal", "base price ratios apply to [元/kWh]"),
        _f("price_step", "decimal", "round resolved prices to this step (e.g. 0.0001)"),
        _f("prices", "array of prices", "one price per bucket of the schedule", required=True),
    ),
    "price": (
        _f("bucket", "text", "the bucket priced", required=True),
        _f("yuan_per_kwh", "decimal", "absolute price [元/kWh] (or ratio)"),
        _f("ratio", "decimal", "ratio of the base price (or of `of`)"),
        _f("of", "text", "the bucket whose price the ratio applies to"),
    ),
    "charges[] type=tou_tiers": (
        *_COMMON_CHARGE,
        _f("schedule", "text", "name of a schedule of the version", required=True),
        _f(
            "buckets",
            "array of bucket tiers",
            "one tier ladder per bucket of the schedule",
            required=True,
        ),
        _f("bounds_per", "text", "month (default), day or year, as for `monthly_tiers`"),
    ),
    "bucket tiers": (
        _f("bucket", "text", "the bucket whose energy the ladder prices", required=True),
        _f("tiers", "array of tiers", "the bucket's tiers, from zero each period", required=True),
    ),
    "charges[] type=basic": (
        *_COMMON_CHARGE,
        _f("yuan_per_kva_month", "decimal", "capacity price [元/kVA·月]"),
        _f("yuan_per_kw_month", "decimal", "demand price [元/kW·月]"),
        _f("default_basis", "text", "capacity or demand, when the account names none"),
        _f("excess_threshold", "decimal", "share of contract demand billed plainly (1.05)"),
        _f("excess_multiplier", "decimal", "how many times the excess is billed (2)"),
        _f("contract_floor", "decimal", "minimum contract demand share of capacity (0.40)"),
        _f("discount_kwh_per_kva", "decimal", "monthly kWh per kVA for the discount (260)"),
        _f("discount_factor", "decimal", "demand price factor at the discount (0.9)"),
        _f("part_month_days", "integer", "a part month costs 1/N per day (30)"),
    ),
    "charges[] type=power_factor": (
        *_COMMON_CHARGE,
        _f("rule_set", "text", "power-factor rules (PF1983)"),
        _f("base_codes", "array of texts", "codes of the base charges (omit: all but funds)"),
        _f("default_standard", "decimal", "standard when the account names none"),
    ),
}

_CHARGE_TYPES: Final = (
    "fixed",
    "daily",
    "minimum",
    "energy",
    "monthly_tiers",
    "annual_tiers",
    "time_of_use",
    "tou_tiers",
    "basic",
    "power_factor",
)
_BARE_KEY: Final = re.compile(r"^[A-Za-z0-9_-]+$")


def _windows(table: _Table, name: str, bucket: str | None) -> tuple[TouWindow, ...]:
    windows = []
    for index, item in enumerate(table.array(name)):
        path = f"{table.at(name)}[{index}]"
        spec = SPECS["window"] if bucket is None else SPECS["window"][1:]
        window = _Table(item, path, spec)
        name_of = window.text("bucket") if bucket is None else bucket
        windows.append(_build(path, TouWindow, name_of, window.text("start"), window.text("end")))
    return tuple(windows)


def _season(item: object, path: str) -> Season:
    table = _Table(item, path, SPECS["seasons[]"])
    day_types: dict[str, tuple[TouWindow, ...]] = {}
    if table.has("day_types"):
        raw = table.raw("day_types")
        if not isinstance(raw, Mapping):
            raise InvalidInput(table.at("day_types"), _brief(raw), "a table of day type = windows")
        nested = _Table(
            raw, table.at("day_types"), [_f(k, "", "") for k in ("workday", "weekend", "holiday")]
        )
        for day_type in raw:
            day_types[str(day_type)] = _windows(nested, str(day_type), None)
    return _build(
        path,
        Season,
        name=table.text("name"),
        months=table.integers("months"),
        windows=_windows(table, "windows", None),
        day_types=day_types,
    )


def _overlay(item: object, path: str) -> Overlay:
    table = _Table(item, path, SPECS["overlays[]"])
    bucket = table.text("bucket")
    return _build(
        path,
        Overlay,
        name=table.text("name"),
        bucket=bucket,
        windows=_windows(table, "windows", bucket),
        months=table.integers("months"),
        day_types=frozenset(table.texts("day_types")),
        dates=table.dates("dates"),
        note=table.text("note", ""),
        applies_to=_overlay_scope(table),
    )


def _overlay_scope(table: _Table) -> OverlayScope | None:
    if not table.has("applies_to"):
        return None
    path = table.at("applies_to")
    scope = _Table(table.raw("applies_to"), path, SPECS["overlay scope"])
    return _build(
        path,
        OverlayScope,
        min_capacity_kva=scope.opt_decimal("min_capacity_kva", "a capacity [kVA]"),
        use_categories=frozenset(scope.texts("use_categories")),
        source=scope.text("source", ""),
    )


def _holidays(table: _Table, calendars: Mapping[str, HolidayCalendar]) -> dict[str, Any]:
    """Return the schedule's holidays: listed dates, or the calendar the file names."""
    raw = table.raw("holidays")
    if not isinstance(raw, str):
        return {"holidays": table.dates("holidays"), "workdays": table.dates("workdays")}
    if raw not in calendars:
        expected = f"an array of dates or a holiday calendar: {', '.join(sorted(calendars))}"
        raise InvalidInput(table.at("holidays"), raw, expected)
    if table.has("workdays"):
        raise InvalidInput(
            table.at("workdays"),
            _brief(table.raw("workdays")),
            "no workdays: the calendar has them",
        )
    return {"holiday_calendar": raw, "calendar": calendars[raw]}


def _holiday_rules(table: _Table) -> tuple[HolidayRule, ...]:
    rules: list[HolidayRule] = []
    for index, item in enumerate(table.array("holiday_rules")):
        path = f"{table.at('holiday_rules')}[{index}]"
        rule = _Table(item, path, SPECS["holiday rule"])
        common = {"name": rule.text("name"), "month": rule.integer("month", 0)}
        if rule.has("day"):
            for other in ("weekday", "nth"):
                if rule.has(other):
                    raise InvalidInput(
                        rule.at(other), rule.raw(other), "no weekday rule with a day"
                    )
            observed = rule.text("observed", "none")
            rules.append(
                _build(path, FixedDateRule, **common, day=rule.integer("day", 0), observed=observed)
            )
        else:
            if rule.has("observed"):
                raise InvalidInput(rule.at("observed"), rule.raw("observed"), "a fixed date's rule")
            weekday = rule.text("weekday")
            rules.append(
                _build(path, NthWeekdayRule, **common, weekday=weekday, nth=rule.integer("nth", 0))
            )
    return tuple(rules)


def _schedule(
    name: str, item: object, path: str, calendars: Mapping[str, HolidayCalendar]
) -> TouSchedule:
    table = _Table(item, path, SPECS["versions[].schedules.NAME"])
    seasons = tuple(
        _season(s, f"{table.at('seasons')}[{i}]") for i, s in enumerate(table.array("seasons"))
    )
    overlays = tuple(
        _overlay(o, f"{table.at('overlays')}[{i}]") for i, o in enumerate(table.array("overlays"))
    )
    return _build(
        path,
        TouSchedule,
        name=name,
        seasons=seasons,
        overlays=overlays,
        timezone=table.text("timezone", "Asia/Shanghai"),
        holiday_rules=_holiday_rules(table),
        **_holidays(table, calendars),
    )


def _tiers(table: _Table) -> tuple[Tier, ...]:
    tiers = []
    for index, item in enumerate(table.array("tiers")):
        path = f"{table.at('tiers')}[{index}]"
        tier = _Table(item, path, SPECS["tier"])
        upto = tier.opt_decimal("upto", "a number of kWh")
        price = tier.decimal("yuan_per_kwh", "a price [元/kWh]")
        tiers.append(_build(path, Tier, upto, price))
    return tuple(tiers)


def _bucket_tiers(table: _Table) -> tuple[BucketTiers, ...]:
    ladders = []
    for index, item in enumerate(table.array("buckets")):
        path = f"{table.at('buckets')}[{index}]"
        entry = _Table(item, path, SPECS["bucket tiers"])
        ladders.append(_build(path, BucketTiers, bucket=entry.text("bucket"), tiers=_tiers(entry)))
    return tuple(ladders)


def _prices(table: _Table) -> tuple[BucketPrice, ...]:
    prices = []
    for index, item in enumerate(table.array("prices")):
        path = f"{table.at('prices')}[{index}]"
        price = _Table(item, path, SPECS["price"])
        prices.append(
            _build(
                path,
                BucketPrice,
                bucket=price.text("bucket"),
                yuan_per_kwh=price.opt_decimal("yuan_per_kwh", "a price [元/kWh]"),
                ratio=price.opt_decimal("ratio", "a ratio"),
                of=price.opt_text("of"),
            )
        )
    return tuple(prices)


def _charge(item: object, path: str) -> Charge:
    if not isinstance(item, Mapping):
        raise InvalidInput(path, _brief(item), "a table")
    kind = item.get("type")
    if kind not in _CHARGE_TYPES:
        raise InvalidInput(f"{path}.type", _brief(kind), f"one of {', '.join(_CHARGE_TYPES)}")
    table = _Table(item, path, SPECS[f"charges[] type={kind}"])
    common: dict[str, Any] = {
        "code": table.text("code"),
        "name_zh": table.text("name_zh"),
        "name_en": table.text("name_en"),
        "source": table.text("source"),
    }
    if table.has("source_zh"):
        common["source_zh"] = table.text("source_zh")
    if table.has("category"):
        common["category"] = _enum(table, "category", ChargeCategory, None)
    price = "a price [元/kWh]"
    if kind == "fixed":
        amount = table.decimal("yuan_per_month", "an amount [元/月]")
        return _build(path, FixedCharge, **common, yuan_per_month=amount)
    if kind == "daily":
        amount = table.decimal("yuan_per_day", "an amount [元/天]")
        return _build(path, DailyCharge, **common, yuan_per_day=amount)
    if kind == "minimum":
        return _build(
            path,
            MinimumCharge,
            **common,
            yuan_per_month=table.opt_decimal("yuan_per_month", "an amount [元/月]"),
            yuan_per_day=table.opt_decimal("yuan_per_day", "an amount [元/天]"),
        )
    if kind == "energy":
        rate = table.decimal("yuan_per_kwh", price)
        return _build(path, EnergyCharge, **common, yuan_per_kwh=rate)
    if kind == "monthly_tiers":
        return _build(
            path,
            MonthlyTiers,
            **common,
            tiers=_tiers(table),
            bounds_per=_enum(table, "bounds_per", TierBounds, TierBounds.MONTH),
        )
    if kind == "annual_tiers":
        return _build(
            path,
            AnnualTiers,
            **common,
            tiers=_tiers(table),
            partial_year=_enum(table, "partial_year", PartialYear, PartialYear.PRO_RATA),
            cycle_start_month=table.integer("cycle_start_month", 1),
        )
    if kind == "time_of_use":
        return _build(
            path,
            TimeOfUseCharge,
            **common,
            schedule=table.text("schedule"),
            base_yuan_per_kwh=table.opt_decimal("base_yuan_per_kwh", price),
            price_step=table.opt_decimal("price_step", "a step such as 0.0001"),
            prices=_prices(table),
        )
    if kind == "tou_tiers":
        return _build(
            path,
            TimeOfUseTiers,
            **common,
            schedule=table.text("schedule"),
            buckets=_bucket_tiers(table),
            bounds_per=_enum(table, "bounds_per", TierBounds, TierBounds.MONTH),
        )
    if kind == "basic":
        options: dict[str, Any] = {
            name: table.decimal(name)
            for name in (
                "yuan_per_kva_month",
                "yuan_per_kw_month",
                "excess_threshold",
                "excess_multiplier",
                "contract_floor",
                "discount_kwh_per_kva",
                "discount_factor",
            )
            if table.has(name)
        }
        if table.has("default_basis"):
            options["default_basis"] = table.text("default_basis")
        options["part_month_days"] = table.integer("part_month_days", 30)
        return _build(path, BasicCharge, **common, **options)
    return _build(
        path,
        PowerFactorAdjustment,
        **common,
        rule_set=table.text("rule_set", "PF1983"),
        base_codes=table.texts("base_codes") if table.has("base_codes") else None,
        default_standard=table.opt_decimal(
            "default_standard", "a power-factor standard such as 0.90"
        ),
    )


def _version(item: object, path: str, calendars: Mapping[str, HolidayCalendar]) -> TariffVersion:
    table = _Table(item, path, SPECS["versions[]"])
    schedules: dict[str, TouSchedule] = {}
    if table.has("schedules"):
        raw = table.raw("schedules")
        if not isinstance(raw, Mapping):
            raise InvalidInput(table.at("schedules"), _brief(raw), "a table of named schedules")
        for name, schedule in raw.items():
            key = str(name)
            schedules[key] = _schedule(key, schedule, f"{table.at('schedules')}.{key}", calendars)
    charges = tuple(
        _charge(c, f"{table.at('charges')}[{i}]") for i, c in enumerate(table.array("charges"))
    )
    return _build(
        path,
        TariffVersion,
        label=table.text("label"),
        effective_from=table.date("effective_from"),
        effective_to=table.date("effective_to") if table.has("effective_to") else None,
        status=_enum(table, "status", VersionStatus, VersionStatus.CONFIRMED),
        note=table.text("note", ""),
        schedules=schedules,
        charges=charges,
    )


def from_mapping(
    data: object, *, calendars: Mapping[str, HolidayCalendar] = HOLIDAY_CALENDARS
) -> Tariff:
    """Return the tariff described by ``data`` (the structure of a tariff file, as mappings).

    ``calendars`` are the holiday calendars a schedule's ``holidays`` may name (default: ``"CN"``,
    the shipped :class:`~powerretail.calendars.china.ChinaMainlandCalendar`).

    Raises:
        InvalidInput: a problem, with its path in ``field``.
    """
    table = _Table(data, "", SPECS["tariff"])
    versions = tuple(
        _version(v, f"versions[{i}]", calendars) for i, v in enumerate(table.array("versions"))
    )
    currency = table.text("currency", "CNY")
    step = (
        table.decimal("rounding_step")
        if table.has("rounding_step")
        else Decimal(1).scaleb(-minor_unit_exponent(currency))
    )
    rounding = _build(
        "rounding", Rounding, step=step, mode=table.text("rounding_mode", decimal.ROUND_HALF_UP)
    )
    tariff = _build(
        "",
        Tariff,
        code=table.text("code"),
        name_zh=table.text("name_zh"),
        name_en=table.text("name_en"),
        category=_enum(table, "category", CustomerCategory, None),
        currency=currency,
        rounding=rounding,
        proration=_enum(table, "proration", Proration, Proration.CALENDAR_30),
        note=table.text("note", ""),
        versions=versions,
    )
    decimals = minor_unit_exponent(tariff.currency)
    if table.has("minor_unit") and table.integer("minor_unit", decimals) != decimals:
        raise InvalidInput(
            "minor_unit", table.raw("minor_unit"), f"{decimals}, the decimals of {tariff.currency}"
        )
    minor_unit = Decimal(1).scaleb(-decimals)
    if tariff.rounding.step < minor_unit:  # refused here, not when the first bill is rounded
        raise InvalidInput(
            "rounding_step",
            step,
            f"a step no finer than one minor unit of {tariff.currency} ({minor_unit})",
        )
    return tariff


def loads_toml(
    text: str, *, calendars: Mapping[str, HolidayCalendar] = HOLIDAY_CALENDARS
) -> Tariff:
    """Return the tariff in TOML ``text`` (numbers with a fraction are read as ``Decimal``).

    ``calendars``: the holiday calendars schedules may name (see :func:`from_mapping`).

    Raises:
        InvalidInput: not TOML, or not a valid tariff (the field names the path).
    """
    return from_mapping(read_toml(text, "tariff"), calendars=calendars)


def loads_json(
    text: str, *, calendars: Mapping[str, HolidayCalendar] = HOLIDAY_CALENDARS
) -> Tariff:
    """Return the tariff in JSON ``text`` (numbers with a fraction are read as ``Decimal``).

    ``calendars``: the holiday calendars schedules may name (see :func:`from_mapping`).

    Raises:
        InvalidInput: not JSON, or not a valid tariff (the field names the path).
    """
    if not isinstance(text, str):
        raise InvalidInput("tariff", _brief(text), "JSON text")
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except json.JSONDecodeError as err:
        raise InvalidInput("tariff", f"{err.msg} at line {err.lineno}", "JSON text") from None
    except RecursionError:
        raise InvalidInput("tariff", "nesting too deep", "JSON text") from None
    return from_mapping(data, calendars=calendars)


def _no_constant(name: str) -> object:
    raise InvalidInput("tariff", name, "JSON numbers (NaN and Infinity are not prices)")


# ---------------------------------------------------------------------------- dumping


def _window(window: TouWindow, with_bucket: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {"bucket": window.bucket} if with_bucket else {}
    data.update(start=window.start, end=window.end)
    return data


def _amounts(charge: FixedCharge | DailyCharge | MinimumCharge | EnergyCharge) -> dict[str, Any]:
    """Return the amount fields of a charge priced by one number (per month, day or kWh)."""
    names = ("yuan_per_month", "yuan_per_day", "yuan_per_kwh")
    return {n: getattr(charge, n) for n in names if getattr(charge, n, None) is not None}


def _tier_list(tiers: Sequence[Tier]) -> list[dict[str, Any]]:
    return [
        {"yuan_per_kwh": t.yuan_per_kwh}
        if t.upto_kwh is None
        else {"upto": t.upto_kwh, "yuan_per_kwh": t.yuan_per_kwh}
        for t in tiers
    ]


def _charge_mapping(charge: Charge) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": charge.kind,
        "code": charge.code,
        "name_zh": charge.name_zh,
        "name_en": charge.name_en,
        "source": charge.source,
        **({"source_zh": charge.source_zh} if charge.source_zh else {}),
        "category": charge.category.value,
    }
    if isinstance(charge, FixedCharge | DailyCharge | MinimumCharge | EnergyCharge):
        data.update(_amounts(charge))
    elif isinstance(charge, TimeOfUseTiers):
        data["schedule"] = charge.schedule
        data["bounds_per"] = charge.bounds_per.value
        data["buckets"] = [
            {"bucket": entry.bucket, "tiers": _tier_list(entry.tiers)} for entry in charge.buckets
        ]
    elif isinstance(charge, MonthlyTiers | AnnualTiers):
        data["tiers"] = _tier_list(charge.tiers)
        if isinstance(charge, MonthlyTiers):
            data["bounds_per"] = charge.bounds_per.value
        if isinstance(charge, AnnualTiers):
            data["partial_year"] = charge.partial_year.value
            data["cycle_start_month"] = charge.cycle_start_month
    elif isinstance(charge, TimeOfUseCharge):
        data["schedule"] = charge.schedule
        if charge.base_yuan_per_kwh is not None:
            data["base_yuan_per_kwh"] = charge.base_yuan_per_kwh
        if charge.price_step is not None:
            data["price_step"] = charge.price_step
        prices = []
        for price in charge.prices:
            entry: dict[str, Any] = {"bucket": price.bucket}
            if price.yuan_per_kwh is not None:
                entry["yuan_per_kwh"] = price.yuan_per_kwh
            if price.ratio is not None:
                entry["ratio"] = price.ratio
            if price.of is not None:
                entry["of"] = price.of
            prices.append(entry)
        data["prices"] = prices
    elif isinstance(charge, BasicCharge):
        for name in ("yuan_per_kva_month", "yuan_per_kw_month"):
            if getattr(charge, name) is not None:
                data[name] = getattr(charge, name)
        data["default_basis"] = charge.default_basis.value
        data["excess_threshold"] = charge.excess_threshold
        data["excess_multiplier"] = charge.excess_multiplier
        data["contract_floor"] = charge.contract_floor
        if charge.discount_kwh_per_kva is not None:
            data["discount_kwh_per_kva"] = charge.discount_kwh_per_kva
        data["discount_factor"] = charge.discount_factor
        data["part_month_days"] = charge.part_month_days
    else:
        data["rule_set"] = charge.rule_set
        if charge.base_codes is not None:
            data["base_codes"] = list(charge.base_codes)
        if charge.default_standard is not None:
            data["default_standard"] = charge.default_standard
    return data


def _rule_mapping(rule: HolidayRule) -> dict[str, Any]:
    if isinstance(rule, FixedDateRule):
        return {
            "name": rule.name,
            "month": rule.month,
            "day": rule.day,
            "observed": rule.observed.value,
        }
    return {"name": rule.name, "month": rule.month, "weekday": rule.weekday, "nth": rule.nth}


def _scope_mapping(scope: OverlayScope) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if scope.min_capacity_kva is not None:
        data["min_capacity_kva"] = scope.min_capacity_kva
    if scope.use_categories:
        data["use_categories"] = sorted(scope.use_categories)
    if scope.source:
        data["source"] = scope.source
    return data


def _schedule_mapping(schedule: TouSchedule) -> dict[str, Any]:
    data: dict[str, Any] = {"timezone": schedule.timezone}
    if schedule.holiday_calendar is not None:
        data["holidays"] = schedule.holiday_calendar
    else:
        data["holidays"] = sorted(schedule.holidays)
        data["workdays"] = sorted(schedule.workdays)
    if schedule.holiday_rules:
        data["holiday_rules"] = [_rule_mapping(rule) for rule in schedule.holiday_rules]
    data["seasons"] = []
    for season in schedule.seasons:
        entry: dict[str, Any] = {
            "name": season.name,
            "months": list(season.months),
            "windows": [_window(w) for w in season.windows],
        }
        if season.day_types:
            entry["day_types"] = {k: [_window(w) for w in v] for k, v in season.day_types.items()}
        data["seasons"].append(entry)
    if schedule.overlays:
        data["overlays"] = [
            {
                "name": o.name,
                "bucket": o.bucket,
                "windows": [_window(w, with_bucket=False) for w in o.windows],
                "months": list(o.months),
                "day_types": sorted(o.day_types),
                "dates": sorted(o.dates),
                "note": o.note,
                **({"applies_to": _scope_mapping(o.applies_to)} if o.applies_to else {}),
            }
            for o in schedule.overlays
        ]
    return data


def to_mapping(tariff: Tariff) -> dict[str, Any]:
    """Return ``tariff`` as the mapping :func:`from_mapping` reads (numbers as ``Decimal``)."""
    versions = []
    for version in tariff.versions:
        entry: dict[str, Any] = {
            "label": version.label,
            "effective_from": version.effective_from,
        }
        if version.effective_to is not None:
            entry["effective_to"] = version.effective_to
        entry["status"] = version.status.value
        entry["note"] = version.note
        if version.schedules:
            entry["schedules"] = {
                name: _schedule_mapping(s) for name, s in version.schedules.items()
            }
        entry["charges"] = [_charge_mapping(c) for c in version.charges]
        versions.append(entry)
    return {
        "code": tariff.code,
        "name_zh": tariff.name_zh,
        "name_en": tariff.name_en,
        "category": tariff.category.value,
        "currency": tariff.currency,
        "rounding_step": tariff.rounding.step,
        "rounding_mode": tariff.rounding.mode,
        **(
            {"proration": tariff.proration.value}
            if tariff.proration is not Proration.CALENDAR_30
            else {}
        ),
        "note": tariff.note,
        "versions": versions,
    }


_TABLE_ARRAYS: Final = frozenset({"versions", "charges", "seasons", "overlays"})


def _key(name: str) -> str:
    return name if _BARE_KEY.match(name) else _string(name)


def _string(text: str) -> str:
    out = ['"']
    for char in text:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise InvalidInput("value", _brief(value), "a value TOML can hold")


def _emit(data: Mapping[str, Any], path: str, lines: list[str]) -> None:
    tables: list[tuple[str, Mapping[str, Any]]] = []
    arrays: list[tuple[str, Sequence[Mapping[str, Any]]]] = []
    for key, value in data.items():
        if key in _TABLE_ARRAYS and isinstance(value, list):
            arrays.append((key, value))
        elif key == "schedules" and isinstance(value, Mapping):
            for name, schedule in value.items():
                tables.append((f"{key}.{_key(name)}", schedule))
        else:
            lines.append(f"{_key(key)} = {_value(value)}")
    for name, table in tables:
        full = f"{path}.{name}" if path else name
        lines.extend(["", f"[{full}]"])
        _emit(table, full, lines)
    for name, items in arrays:
        full = f"{path}.{name}" if path else name
        for item in items:
            lines.extend(["", f"[[{full}]]"])
            _emit(item, full, lines)


def dump_toml(tariff: Tariff) -> str:
    """Return ``tariff`` as TOML text that :func:`loads_toml` reads back to an equal tariff."""
    lines: list[str] = []
    _emit(to_mapping(tariff), "", lines)
    return "\n".join(lines) + "\n"


def format_reference() -> str:
    """Return the Markdown tables describing every field of the file format (from :data:`SPECS`)."""
    return format_spec_tables(SPECS)
