"""Explain a tariff in words: its versions, charges, prices and time-of-use windows.

>>> from powerretail.tariffs.parser import loads_toml
>>> print(describe_tariff(loads_toml('''
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
... ''')))
DEMO  示例 / demo  (residential, CNY, lines rounded ROUND_HALF_UP to 0.01)
version 2025: from 2025-01-01, open-ended [confirmed]
  energy  电度电费 / energy  [energy]  0.5283 元/kWh  (江苏居民电价 (illustrative))
"""

from __future__ import annotations

from powerretail.tariffs.model import (
    AnnualTiers,
    BasicCharge,
    Charge,
    DailyCharge,
    EnergyCharge,
    FixedCharge,
    MinimumCharge,
    MonthlyTiers,
    Tariff,
    TimeOfUseCharge,
    TimeOfUseTiers,
)
from powerretail.tariffs.proration import Proration
from powerretail.tariffs.tou import TouSchedule

__all__ = ["describe_tariff"]


def _prices(charge: Charge, currency: str = "CNY") -> str:
    """Return the prices of ``charge``, in 元 (per 月, 天) for CNY, else the currency's code."""
    text = _cny_prices(charge)
    if currency == "CNY":
        return text
    return (
        text.replace("元/月", f"{currency}/month")
        .replace("元/天", f"{currency}/day")
        .replace("元", currency)
    )


def _cny_prices(charge: Charge) -> str:
    if isinstance(charge, FixedCharge):
        return f"{charge.yuan_per_month} 元/月"
    if isinstance(charge, DailyCharge):
        return f"{charge.yuan_per_day} 元/天"
    if isinstance(charge, MinimumCharge):
        if charge.yuan_per_month is not None:
            return f"at least {charge.yuan_per_month} 元/月"
        return f"at least {charge.yuan_per_day} 元/天"
    if isinstance(charge, EnergyCharge):
        return f"{charge.yuan_per_kwh} 元/kWh"
    if isinstance(charge, MonthlyTiers | AnnualTiers):
        bands = ", ".join(
            f"{'above' if t.upto_kwh is None else 'to ' + str(t.upto_kwh)}: {t.yuan_per_kwh}"
            for t in charge.tiers
        )
        extra = (
            f"; part years {charge.partial_year.value}"
            if isinstance(charge, AnnualTiers)
            else f"; bounds per {charge.bounds_per.value}"
        )
        return f"kWh {bands} 元/kWh{extra}"
    if isinstance(charge, TimeOfUseTiers):
        ladders = "; ".join(
            f"{entry.bucket} "
            + ", ".join(
                f"{'above' if t.upto_kwh is None else 'to ' + str(t.upto_kwh)}: {t.yuan_per_kwh}"
                for t in entry.tiers
            )
            for entry in charge.buckets
        )
        return (
            f"kWh {ladders} 元/kWh; bounds per {charge.bounds_per.value} "
            f"(schedule {charge.schedule})"
        )
    if isinstance(charge, TimeOfUseCharge):
        base = "" if charge.base_yuan_per_kwh is None else f"base {charge.base_yuan_per_kwh}; "
        prices = ", ".join(f"{b} {p.normalize():f}" for b, p in charge.resolved.items())
        return f"{base}{prices} 元/kWh (schedule {charge.schedule})"
    if isinstance(charge, BasicCharge):
        parts = []
        if charge.yuan_per_kva_month is not None:
            parts.append(f"{charge.yuan_per_kva_month} 元/kVA·月")
        if charge.yuan_per_kw_month is not None:
            parts.append(f"{charge.yuan_per_kw_month} 元/kW·月")
        return (
            f"{' or '.join(parts)}; default {charge.default_basis.value}; "
            f"excess over {charge.excess_threshold} × contract billed ×{charge.excess_multiplier}"
        )
    base = "all but funds" if charge.base_codes is None else ", ".join(charge.base_codes)
    return f"table {charge.rule_set} on {base}"


def _schedule(name: str, schedule: TouSchedule) -> list[str]:
    lines = [f"  schedule {name} ({schedule.timezone})"]
    for season in schedule.seasons:
        windows = ", ".join(f"{w.bucket} {w.start}-{w.end}" for w in season.windows)
        lines.append(f"    {season.name} (months {list(season.months)}): {windows}")
        for day_type, special in season.day_types.items():
            text = ", ".join(f"{w.bucket} {w.start}-{w.end}" for w in special)
            lines.append(f"      on {day_type}: {text}")
    for overlay in schedule.overlays:
        when = ", ".join(f"{w.start}-{w.end}" for w in overlay.windows)
        filters = []
        if overlay.months:
            filters.append(f"months {list(overlay.months)}")
        if overlay.day_types:
            filters.append(f"on {', '.join(sorted(overlay.day_types))}")
        if overlay.dates:
            filters.append(f"{len(overlay.dates)} listed dates")
        lines.append(f"    overlay {overlay.bucket} {when} ({'; '.join(filters) or 'every day'})")
    if schedule.holiday_calendar is not None:
        lines.append(
            f"    holidays and make-up workdays from the calendar {schedule.holiday_calendar}"
        )
    elif schedule.holidays:
        lines.append(
            f"    {len(schedule.holidays)} holidays, {len(schedule.workdays)} make-up workdays"
        )
    if schedule.holiday_rules:
        names = ", ".join(rule.name for rule in schedule.holiday_rules)
        lines.append(f"    holidays by rule: {names}")
    return lines


def describe_tariff(tariff: Tariff) -> str:
    """Return a readable description of every version of ``tariff``."""
    rounding = tariff.rounding
    header = (
        f"{tariff.code}  {tariff.name_zh} / {tariff.name_en}  ({tariff.category.value}, "
        f"{tariff.currency}, lines rounded {rounding.mode} to {rounding.step}"
        + (
            f", months counted {tariff.proration.value})"
            if tariff.proration is not Proration.CALENDAR_30
            else ")"
        )
    )
    out = [header]
    if tariff.note:
        out.append(f"  {tariff.note}")
    for version in tariff.versions:
        until = f"to {version.effective_to}" if version.effective_to else "open-ended"
        out.append(
            f"version {version.label}: from {version.effective_from}, {until} "
            f"[{version.status.value}]"
        )
        if version.note:
            out.append(f"  {version.note}")
        for name, schedule in version.schedules.items():
            out.extend(_schedule(name, schedule))
        for charge in version.charges:
            out.append(
                f"  {charge.code}  {charge.name_zh} / {charge.name_en}  "
                f"[{charge.category.value}]  {_prices(charge, tariff.currency)}  ({charge.source})"
            )
    return "\n".join(out)
