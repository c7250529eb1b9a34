"""Load profiles: monthly totals split into time-of-use buckets, so a TOU tariff can price them.

A profile is the share of each bucket in a period's energy, per customer class or per account.
There are three ways to get one:

* :func:`profile_from_usage` derives it from metered buckets: an account's own months of
  interval data (bucketed by :func:`~powerretail.analysis.intervals.usage_from_intervals`) or a
  class's metered accounts. When such data exists, use it: it is the customer's own load.
* :func:`typical_profile` and :func:`typical_profiles` compute it from a typical load shape:
  the BDEW standard load profiles (Standardlastprofile Strom, 2025 revision) H25 for
  ``household``, G25 for ``commercial`` and L25 for ``agricultural``, shipped with powerretail
  with their source (``analysis/data/typical_profiles.csv``). These are German standard profiles,
  a documented public shape for small customers without interval metering; they are not Chinese
  load-survey data, and a factory on a C&I tariff may draw quite differently.
* Give your own shares (from a load survey, with its source).

A typical profile is turned into bucket shares for one tariff and period by walking the
period's days: each day's quarter hours are put in buckets by the TOU schedule of the tariff
version in force that day (seasons, day types, overlays: the exact path's schedule), and the
profile's day for that month and day type weighs them. Day types follow the holiday calendar
of the schedule, or the mainland China calendar when the schedule names none: a holiday or a
Sunday off is a Sunday-and-holiday day, a Saturday off is a Saturday, a worked day (调休 make-up
Saturdays and Sundays too) is a workday. H25's BDEW daily factor applies. The shares are exact
fractions that add up to 1.

:func:`apply_profile` replaces ``kwh_total`` by ``kwh_<bucket>`` columns, shared with the largest
remainder at 0.001 kWh so the buckets add up exactly to the total, sets ``profiled`` to true
on every row it split (the bills of such rows rest on an assumed split, not on metered buckets)
and names the profile each row was split by in a ``profile`` column.

>>> import pandas as pd
>>> usage = pd.DataFrame({"account_id": ["H1"], "period_start": ["2025-07-01"],
...     "period_end": ["2025-08-01"], "kwh_total": [100.0], "customer_class": ["household"]})
>>> profiled = apply_profile(usage, {"household": {"peak": "0.6", "valley": "0.4"}})
>>> profiled[["kwh_peak", "kwh_valley", "profiled"]].to_dict("records")
[{'kwh_peak': Decimal('60.000'), 'kwh_valley': Decimal('40.000'), 'profiled': True}]
>>> profiled.loc[0, "profile"]
'given shares (household)'
>>> from powerretail.adapters.tariff_library import load_shipped
>>> typical = apply_profile(usage, typical_profiles(load_shipped("JS-RES-TOU")))
>>> typical[["kwh_peak", "kwh_valley", "profiled"]].to_dict("records")
[{'kwh_peak': Decimal('61.791'), 'kwh_valley': Decimal('38.209'), 'profiled': True}]
>>> typical.loc[0, "profile"]
'BDEW H25 standard load profile (household), Standardlastprofil Strom 2025'
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from types import MappingProxyType
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from powerretail.analysis.usage import QUANTITY_EXP, read_usage
from powerretail.errors import InvalidInput
from powerretail.quantities import exact_decimal
from powerretail.tariffs.model import Tariff, TariffVersion, TimeOfUseCharge
from powerretail.tariffs.tou import (
    HOLIDAY_CALENDARS,
    HolidayCalendar,
    OverlayScope,
    TouSchedule,
    scope_schedule,
)
from powerretail.timeframe import DateRange

__all__ = [
    "DEFAULT_PROFILE_CLASSES",
    "PROFILE_CLASSES",
    "PROFILE_DAY_TYPES",
    "TypicalProfile",
    "TypicalProfiles",
    "apply_profile",
    "profile_day_type",
    "profile_from_usage",
    "shipped_profiles",
    "typical_profile",
    "typical_profiles",
]

#: The classes powerretail ships a typical profile for.
PROFILE_CLASSES: Final = ("household", "commercial", "agricultural")
#: The day types of a typical profile (BDEW: Werktag, Samstag, Sonn- und Feiertag).
PROFILE_DAY_TYPES: Final = ("workday", "saturday", "sunday_holiday")
#: Usage ``customer_class`` labels and the typical profile each takes by default (the usage
#: table's own default labels included).
DEFAULT_PROFILE_CLASSES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "household": "household",
        "residential": "household",
        "commercial": "commercial",
        "non-residential": "commercial",
        "agricultural": "agricultural",
    }
)
_SOURCE: Final = "Standardlastprofil Strom 2025"
#: BDEW's daily factor of the dynamic profiles, F(d) = Σ c_k·d^k (d: day of the year), from
#: the constant term up.
_DYNAMIC_FACTOR: Final = tuple(
    Fraction(c) for c in ("1.24", "2.1e-3", "-7.02e-5", "3.2e-7", "-3.92e-10")
)


@attrs.frozen(eq=False)
class TypicalProfile:
    """A typical load shape: energy [Wh] per quarter hour of a typical day, by month and day type.

    ``days`` maps ``(month, day type)`` to the 96 quarter hours from 00:00 local time;
    ``dynamic`` profiles are scaled day by day by BDEW's factor (:meth:`day_factor`).
    """

    code: str
    profile_class: str
    dynamic: bool
    days: Mapping[tuple[int, str], tuple[int, ...]]

    @property
    def description(self) -> str:
        """What the profile is and where it comes from, for a usage table's ``profile`` column."""
        return f"BDEW {self.code} standard load profile ({self.profile_class}), {_SOURCE}"

    def day_factor(self, day: date) -> Fraction:
        """Return the factor of ``day``'s values: BDEW's F(day of the year), or 1 if static."""
        if not self.dynamic:
            return Fraction(1)
        number = day.timetuple().tm_yday
        return sum((c * number**k for k, c in enumerate(_DYNAMIC_FACTOR)), start=Fraction(0))


@functools.cache
def shipped_profiles() -> Mapping[str, TypicalProfile]:
    """Return the typical profiles powerretail ships, by class (see the data file's header).

    Source: BDEW, Standardlastprofile Strom, 2025 revision (H25, G25, L25), values unchanged.
    """
    text = resources.files("powerretail.analysis").joinpath("data", "typical_profiles.csv")
    lines = [ln for ln in text.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    rows = list(csv.reader(lines))
    days: dict[str, dict[tuple[int, str], tuple[int, ...]]] = {}
    codes: dict[str, str] = {}
    for code, profile_class, month, day_type, *values in rows[1:]:
        codes[profile_class] = code
        days.setdefault(profile_class, {})[int(month), day_type] = tuple(map(int, values))
    return MappingProxyType(
        {
            name: TypicalProfile(
                code=codes[name],
                profile_class=name,
                dynamic=codes[name] == "H25",
                days=MappingProxyType(days[name]),
            )
            for name in PROFILE_CLASSES
        }
    )


def _typical(profile_class: object) -> TypicalProfile:
    profiles = shipped_profiles()
    if not isinstance(profile_class, str) or profile_class not in profiles:
        raise InvalidInput("profile_class", profile_class, f"one of {', '.join(PROFILE_CLASSES)}")
    return profiles[profile_class]


def _tou_schedule(version: TariffVersion, code: str, day: date) -> TouSchedule:
    for charge in version.charges:
        if isinstance(charge, TimeOfUseCharge):
            return version.schedules[charge.schedule]
    raise InvalidInput(
        "tariff", code, f"a tariff with a time-of-use charge in force on {day.isoformat()}"
    )


def profile_day_type(
    day: date, schedule: TouSchedule, calendar: HolidayCalendar | None = None
) -> str:
    """Return the typical-profile day type of ``day``: workday, saturday or sunday_holiday.

    The day's kind comes from ``calendar`` when one is given, else from ``schedule`` when it
    has holidays of its own (a named calendar, listed dates or rules), else from the mainland
    China calendar. A holiday, or a Sunday off, is ``sunday_holiday``; a Saturday off is
    ``saturday``; any worked day (make-up working days 调休 included) is ``workday``.

    Raises:
        CalendarYearNotCovered: the calendar has no data for ``day``'s year.
    """
    own = (
        schedule.calendar is not None
        or schedule.holidays
        or schedule.workdays
        or schedule.holiday_rules
    )
    if calendar is None and own:
        kind = schedule.day_type(day)
    else:
        days = calendar if calendar is not None else HOLIDAY_CALENDARS["CN"]
        if days.holiday_name(day) is not None:
            kind = "holiday"
        elif day.weekday() >= 5 and not days.is_working_day(day):
            kind = "weekend"
        else:
            kind = "workday"
    if kind == "workday":
        return "workday"
    return "saturday" if kind == "weekend" and day.weekday() == 5 else "sunday_holiday"


def typical_profile(
    profile_class: str,
    tariff: Tariff,
    period: DateRange,
    *,
    calendar: HolidayCalendar | None = None,
    capacity_kva: Decimal | None = None,
    use_category: str | None = None,
) -> dict[str, Fraction]:
    """Return the bucket shares of ``tariff`` in ``period`` for a typical ``profile_class`` load.

    ``profile_class`` is ``household`` (BDEW H25), ``commercial`` (G25) or ``agricultural``
    (L25). Each day of ``period`` is bucketed by the TOU schedule of the tariff version in force
    that day, weighed by the profile's values for its month and day type
    (:func:`profile_day_type`; ``calendar`` overrides the schedule's holidays). Every bucket of
    the schedules in force gets a share, zero where the period has none of its hours (a holiday
    overlay in a month without holidays); the shares are exact and add up to 1. Overlays whose
    scope (``applies_to``) leaves out an account of ``capacity_kva`` and ``use_category`` are
    not laid (their hours stay in the season's bucket); a fact not given keeps the overlay, and
    the pricer then asks for it.

    Raises:
        InvalidInput: an unknown class, a period without an end, a day without a TOU charge.
        NotFound: a day on which no version of the tariff is in force.
        CalendarYearNotCovered: the calendar has no data for a year of the period.

    Source: BDEW, Standardlastprofile Strom, 2025 revision (the profiles and H25's daily
    factor); the day types from the State Council's yearly holiday notices.

    >>> from powerretail.adapters.tariff_library import load_shipped
    >>> shares = typical_profile(
    ...     "household", load_shipped("JS-RES-TOU"), DateRange.month(2025, 7)
    ... )
    >>> {bucket: round(share * 1000) for bucket, share in shares.items()}  # per mille
    {'peak': 618, 'valley': 382}
    >>> sum(shares.values())
    Fraction(1, 1)
    """
    profile = _typical(profile_class)
    if not isinstance(period, DateRange):
        raise InvalidInput("period", period, "a DateRange such as DateRange.month(2025, 7)")
    energy: dict[str, Fraction] = {}
    schedules: dict[int, TouSchedule] = {}
    for day in period.dates():
        version = tariff.version_on(day)
        schedule = schedules.get(id(version))
        if schedule is None:
            schedule = schedules[id(version)] = scope_schedule(
                _tou_schedule(version, tariff.code, day),
                (),
                capacity_kva=capacity_kva,
                use_category=use_category,
            ).schedule
            for bucket in schedule.buckets:
                energy.setdefault(bucket, Fraction(0))
        values = profile.days[day.month, profile_day_type(day, schedule, calendar)]
        by_bucket: dict[str, int] = {}
        for bucket, wh in zip(schedule.slots_on(day), values, strict=True):
            by_bucket[bucket] = by_bucket.get(bucket, 0) + wh
        factor = profile.day_factor(day)
        for bucket, wh in by_bucket.items():
            energy[bucket] += factor * wh
    total = sum(energy.values(), start=Fraction(0))
    return {bucket: energy[bucket] / total for bucket in sorted(energy)}


def _classes(value: Mapping[str, str] | None) -> Mapping[str, str]:
    if value is None:
        return DEFAULT_PROFILE_CLASSES
    for label, profile_class in value.items():
        if profile_class not in PROFILE_CLASSES:
            raise InvalidInput(
                f"classes.{label}", profile_class, f"one of {', '.join(PROFILE_CLASSES)}"
            )
    return MappingProxyType(dict(value))


@attrs.frozen(eq=False)
class TypicalProfiles:
    """Typical profiles of a tariff by usage label, for :func:`apply_profile`.

    ``classes`` maps a ``customer_class`` label (or an account id, which wins) to a typical
    profile class; shares are computed per billing period, once per class and period.
    """

    tariff: Tariff
    classes: Mapping[str, str] = attrs.field(default=None, converter=_classes)
    calendar: HolidayCalendar | None = None
    _memo: dict[tuple[str, DateRange, tuple[bool | None, ...]], dict[str, Fraction]] = attrs.field(
        init=False, factory=dict, repr=False
    )
    _scopes: tuple[OverlayScope, ...] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        scopes: list[OverlayScope] = []
        for version in self.tariff.versions:
            for schedule in version.schedules.values():
                for overlay in schedule.overlays:
                    if overlay.applies_to is not None and overlay.applies_to not in scopes:
                        scopes.append(overlay.applies_to)
        object.__setattr__(self, "_scopes", tuple(scopes))

    def __contains__(self, label: object) -> bool:
        return label in self.classes

    def labels(self) -> tuple[str, ...]:
        """The usage labels that have a profile."""
        return tuple(self.classes)

    def describe(self, label: str) -> str:
        """Return the description of ``label``'s profile (what it is and its source)."""
        return _typical(self.classes[label]).description

    def shares(
        self,
        label: str,
        period: DateRange,
        *,
        capacity_kva: Decimal | None = None,
        use_category: str | None = None,
    ) -> dict[str, Fraction]:
        """Return the bucket shares of ``label``'s profile in ``period`` (see typical_profile).

        The shares of a class, period and verdict of the tariff's overlay scopes on the
        account's facts are computed once; each call returns its own copy.
        """
        verdicts = tuple(
            scope.admits(capacity_kva=capacity_kva, use_category=use_category)
            for scope in self._scopes
        )
        key = (self.classes[label], period, verdicts)
        known = self._memo.get(key)
        if known is None:
            known = self._memo[key] = typical_profile(
                key[0],
                self.tariff,
                period,
                calendar=self.calendar,
                capacity_kva=capacity_kva,
                use_category=use_category,
            )
        return dict(known)


def typical_profiles(
    tariff: Tariff,
    *,
    classes: Mapping[str, str] | None = None,
    calendar: HolidayCalendar | None = None,
) -> TypicalProfiles:
    """Return the typical profiles of ``tariff`` for :func:`apply_profile`.

    ``classes`` maps usage labels to ``household``, ``commercial`` or ``agricultural``
    (default: :data:`DEFAULT_PROFILE_CLASSES`); ``calendar`` overrides the day types' holidays.

    Raises:
        InvalidInput: a label mapped to an unknown class.
    """
    return TypicalProfiles(tariff, classes, calendar)


def _share(value: object, field: str) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str) and "/" in value:
        try:
            return Fraction(value)
        except (ValueError, ZeroDivisionError):
            raise InvalidInput(field, value, "a share such as 0.6 or 2/3") from None
    return Fraction(exact_decimal(value, field))


def _shares(profile: Mapping[str, object], label: str) -> dict[str, Fraction]:
    shares = {b: _share(v, f"profile.{label}.{b}") for b, v in profile.items()}
    if not shares or any(v < 0 for v in shares.values()) or sum(shares.values()) != 1:
        raise InvalidInput(
            f"profile.{label}", dict(profile), "bucket shares of zero or more that add up to 1"
        )
    return shares


def apply_profile(
    usage: Any, profiles: Mapping[str, Mapping[str, object]] | TypicalProfiles
) -> Any:
    """Return ``usage`` with each row's ``kwh_total`` split by the profile of its class.

    ``profiles`` is either :func:`typical_profiles` of a tariff (shares per row's billing
    period), or a mapping of a customer class (the ``customer_class`` column, or
    ``residential`` / ``non-residential``) or an account id to bucket shares (decimals,
    ``"2/3"`` or Fractions); an account's own profile wins. The ``profile`` column names the
    profile of each split row.

    Raises:
        InvalidInput: no ``kwh_total`` column, a row whose class has no profile, shares that do
            not add up to 1.
    """
    table = read_usage(usage)
    frame = table.frame.copy()
    if "total" not in table.energy:
        raise InvalidInput("usage", "kwh_total", "a kwh_total column to split")
    typical: TypicalProfiles | None = None
    checked: dict[str, dict[str, Fraction]] = {}
    if isinstance(profiles, TypicalProfiles):
        typical = profiles
        known = typical.labels()
    else:
        checked = {label: _shares(p, label) for label, p in profiles.items()}
        known = tuple(checked)
    buckets = {b for p in checked.values() for b in p}
    total = table.energy["total"]
    starts = table.period_start.astype(object)
    ends = table.period_end.astype(object)
    parts: list[dict[str, int] | None] = [None] * len(frame)
    names: list[str | None] = [None] * len(frame)
    for row in range(len(frame)):
        if not total.present[row]:
            continue
        label = str(table.account_id[row])
        if label not in known:
            label = str(table.customer_class[row])
        if label not in known:
            raise InvalidInput(
                f"usage[{row}].customer_class",
                label,
                f"a class with a profile ({', '.join(known)})",
            )
        if typical is not None:
            capacity = table.quantities["capacity_kva"]
            shares = typical.shares(
                label,
                DateRange(starts[row], ends[row]),
                capacity_kva=Decimal(int(capacity.values[row])).scaleb(QUANTITY_EXP)
                if capacity.present[row]
                else None,
                use_category=table.use_category[row],
            )
            names[row] = typical.describe(label)
            buckets.update(shares)
        else:
            shares = checked[label]
            names[row] = f"given shares ({label})"
        parts[row] = _largest_remainder(int(total.values[row]), shares)
    frame = frame.drop(columns="kwh_total")
    for bucket in sorted(buckets):
        if f"kwh_{bucket}" in frame.columns:
            raise InvalidInput("usage", f"kwh_{bucket}", "no metered bucket beside kwh_total")
        frame[f"kwh_{bucket}"] = [
            None if p is None or bucket not in p else Decimal(p[bucket]).scaleb(QUANTITY_EXP)
            for p in parts
        ]
    frame["profiled"] = np.array([p is not None for p in parts], dtype=bool)
    frame["profile"] = pd.Series(names, index=frame.index, dtype=object)
    return frame


def _largest_remainder(units: int, shares: Mapping[str, Fraction]) -> dict[str, int]:
    exact = {b: units * s for b, s in shares.items()}
    floors = {b: int(v) for b, v in exact.items()}
    order = sorted(shares, key=lambda b: (-(exact[b] - floors[b]), b))
    for bucket in order[: units - sum(floors.values())]:
        floors[bucket] += 1
    return floors


def profile_from_usage(usage: Any, *, by: str = "customer_class") -> dict[str, dict[str, Decimal]]:
    """Return bucket shares (to six decimals, adding up to 1) per ``by`` from metered buckets.

    ``by`` is ``customer_class`` (a class's profile from its metered accounts) or
    ``account_id`` (each account's own). Feed it a usage table with TOU buckets, for example one
    made by :func:`~powerretail.analysis.intervals.usage_from_intervals`.

    Raises:
        InvalidInput: an unknown ``by``; a group with no energy.
    """
    if by not in {"customer_class", "account_id"}:
        raise InvalidInput("by", by, "customer_class or account_id")
    table = read_usage(usage)
    columns: dict[str, Any] = {by: getattr(table, by)}
    for bucket, column in table.energy.items():
        if bucket != "total":
            columns[bucket] = np.where(column.present, column.values, 0)
    sums = pd.DataFrame(columns).groupby(by, sort=True).sum()
    result: dict[str, dict[str, Decimal]] = {}
    for label, row in sums.iterrows():
        total = int(row.sum())
        if total == 0:
            raise InvalidInput(f"usage ({by} {label})", 0, "metered energy to derive a profile")
        millionths = _largest_remainder(
            10**6, {str(b): Fraction(int(v), total) for b, v in row.items()}
        )
        result[str(label)] = {b: Decimal(v).scaleb(-6) for b, v in millionths.items()}
    return result
