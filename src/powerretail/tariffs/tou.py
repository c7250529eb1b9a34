"""Time-of-use schedules (分时电价时段) as data: seasons, day types, holidays, overlays.

A :class:`TouSchedule` says, for every quarter hour of every local day, which price bucket
(``peak``, ``flat``, ``valley``, ``critical``, ``deep_valley`` …) energy falls in:

* a :class:`Season` covers some calendar months and gives :class:`TouWindow` s per day type
  (``workday``, ``weekend``, ``holiday``; a missing day type uses the season's default windows);
* holidays and make-up working days (调休) are dates in the schedule, or come from a holiday
  calendar the schedule names (``holiday_calendar="CN"``: the official schedules of
  :class:`~powerretail.calendars.china.ChinaMainlandCalendar`), so a day's type is data;
* an :class:`Overlay` replaces the bucket inside its windows on the days it applies to: critical
  peak (尖峰) in some months, deep valley (深谷) on holidays, or any list of declared dates;
* an overlay's :class:`OverlayScope` (``applies_to``) says which accounts it applies to (Jiangsu's
  critical peak and deep valley: industrial users of 315 kVA and more); :func:`scope_schedule`
  gives the schedule an account's energy is bucketed by, without the overlays outside its scope.

Windows are half-open local times on the quarter hour; ``"24:00"`` ends a day and a window whose
end is before its start wraps past midnight (``22:00``–``02:00``).

>>> schedule = TouSchedule(
...     name="demo",
...     seasons=(
...         Season(
...             name="all",
...             months=tuple(range(1, 13)),
...             windows=(
...                 TouWindow("peak", "08:00", "21:00"),
...                 TouWindow("valley", "21:00", "08:00"),
...             ),
...         ),
...     ),
... )
>>> schedule.bucket_at(date(2025, 7, 1), 8 * 60), schedule.bucket_at(date(2025, 7, 1), 21 * 60)
('peak', 'valley')
>>> schedule.buckets
('peak', 'valley')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Final, Protocol

import attrs

from powerretail.calendars.china import ChinaMainlandCalendar
from powerretail.calendars.rules import HolidayRule, RuleCalendar
from powerretail.errors import InvalidInput
from powerretail.quantities import exact_decimal
from powerretail.timeframe import DEFAULT_TIMEZONE, as_date, timezone

__all__ = [
    "BUCKET_LABELS",
    "DAY_TYPES",
    "HOLIDAY_CALENDARS",
    "MINUTES_PER_SLOT",
    "SLOTS_PER_DAY",
    "USE_CATEGORIES",
    "HolidayCalendar",
    "Overlay",
    "OverlayScope",
    "ScopedSchedule",
    "Season",
    "TouSchedule",
    "TouWindow",
    "minutes_of",
    "scope_schedule",
    "time_text",
]

#: Resolution of a schedule [min]: every window starts and ends on a quarter hour.
MINUTES_PER_SLOT: Final = 15
#: Quarter hours in a (24-hour) local day.
SLOTS_PER_DAY: Final = 24 * 60 // MINUTES_PER_SLOT
_DATE_CACHE_LIMIT: Final = 20_000


class HolidayCalendar(Protocol):
    """What a schedule asks a holiday calendar (:mod:`powerretail.calendars` calendars fit)."""

    def is_working_day(self, day: date) -> bool:
        """Return whether ``day`` is worked (a make-up working day on a weekend is)."""
        ...  # pragma: no cover - protocol

    def holiday_name(self, day: date) -> str | None:
        """Return the holiday ``day`` is off for, or ``None``."""
        ...  # pragma: no cover - protocol


#: The holiday calendars a schedule can name by default (``holiday_calendar="CN"``).
HOLIDAY_CALENDARS: Final[Mapping[str, HolidayCalendar]] = MappingProxyType(
    {"CN": ChinaMainlandCalendar.default()}
)
#: The day types a season may give its own windows for.
DAY_TYPES: Final = ("workday", "weekend", "holiday")

#: The use categories (用电类别) an overlay's scope may name (an account's ``use_category``).
USE_CATEGORIES: Final = ("industrial", "commercial", "agricultural", "residential")

#: Chinese and English labels of the usual buckets (other bucket names show as they are).
BUCKET_LABELS: Final[Mapping[str, tuple[str, str]]] = {
    "critical": ("尖峰", "critical peak"),
    "peak": ("峰", "peak"),
    "flat": ("平", "flat"),
    "valley": ("谷", "valley"),
    "deep_valley": ("深谷", "deep valley"),
    "total": ("总", "total"),
}


def minutes_of(text: object, field: str = "time") -> int:
    """Return minutes after local midnight of ``"HH:MM"`` (``"24:00"`` is 1440), on a quarter hour.

    Raises:
        InvalidInput: not ``HH:MM``, out of range, or not on a quarter hour.

    >>> minutes_of("19:30"), minutes_of("24:00")
    (1170, 1440)
    """
    expected = 'a local time "HH:MM" on a quarter hour, 00:00 to 24:00'
    if not isinstance(text, str) or len(text) != 5 or text[2] != ":":
        raise InvalidInput(field, text, expected)
    hours, minutes = text[:2], text[3:]
    if not (hours.isdigit() and minutes.isdigit() and hours.isascii() and minutes.isascii()):
        raise InvalidInput(field, text, expected)
    total = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or total > 24 * 60 or total % MINUTES_PER_SLOT:
        raise InvalidInput(field, text, expected)
    return total


def time_text(minutes: int) -> str:
    """Return ``minutes`` after midnight as ``"HH:MM"``.

    >>> time_text(1170)
    '19:30'
    """
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _bucket_name(value: object, field: str) -> str:
    if not isinstance(value, str) or not value or not value.replace("_", "").isalnum():
        raise InvalidInput(field, value, "a bucket name of letters, digits and _ (e.g. peak)")
    return value


def _bucket(value: object) -> str:
    return _bucket_name(value, "bucket")


def _start(value: object) -> str:
    minutes_of(value, "start")
    return str(value)


def _end(value: object) -> str:
    minutes_of(value, "end")
    return str(value)


@attrs.frozen
class TouWindow:
    """Local times ``[start, end)`` in ``bucket``; an end before the start wraps past midnight."""

    bucket: str = attrs.field(converter=_bucket)
    start: str = attrs.field(converter=_start)
    end: str = attrs.field(converter=_end)

    def __attrs_post_init__(self) -> None:
        if minutes_of(self.start) == minutes_of(self.end) or minutes_of(self.start) == 24 * 60:
            raise InvalidInput("end", self.end, f"a time other than start ({self.start})")

    def slots(self) -> range | tuple[int, ...]:
        """Return the quarter-hour slot numbers (0-95) the window covers."""
        first = minutes_of(self.start) // MINUTES_PER_SLOT
        last = minutes_of(self.end) // MINUTES_PER_SLOT
        if first < last:
            return range(first, last)
        return (*range(first, SLOTS_PER_DAY), *range(last))


def _windows(value: Iterable[TouWindow]) -> tuple[TouWindow, ...]:
    return tuple(value)


def _months(value: Iterable[int]) -> tuple[int, ...]:
    months = tuple(value)
    for month in months:
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            raise InvalidInput("months", month, "a month number 1-12")
    if len(set(months)) != len(months):
        raise InvalidInput("months", list(months), "months without repeats")
    return months


def _fill_day(windows: tuple[TouWindow, ...], field: str) -> tuple[str, ...]:
    slots: list[str | None] = [None] * SLOTS_PER_DAY
    for index, window in enumerate(windows):
        for slot in window.slots():
            if slots[slot] is not None:
                raise InvalidInput(
                    f"{field}[{index}]",
                    f"{window.start}-{window.end}",
                    f"windows that do not overlap ({time_text(slot * MINUTES_PER_SLOT)} is "
                    f"already {slots[slot]})",
                )
            slots[slot] = window.bucket
    for slot, bucket in enumerate(slots):
        if bucket is None:
            raise InvalidInput(
                field,
                time_text(slot * MINUTES_PER_SLOT),
                "windows covering the whole day (this quarter hour is in none)",
            )
    return tuple(bucket for bucket in slots if bucket is not None)


@attrs.frozen(kw_only=True)
class Season:
    """Months that share windows; ``day_types`` gives other windows for some day types.

    Raises:
        InvalidInput: windows that overlap or leave part of a day uncovered.
    """

    name: str
    months: tuple[int, ...] = attrs.field(converter=_months)
    windows: tuple[TouWindow, ...] = attrs.field(converter=_windows)
    day_types: Mapping[str, tuple[TouWindow, ...]] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        if not self.months:
            raise InvalidInput("months", [], "at least one month")
        _fill_day(self.windows, "windows")
        for day_type, windows in self.day_types.items():
            if day_type not in DAY_TYPES:
                raise InvalidInput("day_types", day_type, f"one of {', '.join(DAY_TYPES)}")
            _fill_day(tuple(windows), f"day_types.{day_type}")
        object.__setattr__(
            self, "day_types", {k: tuple(v) for k, v in sorted(self.day_types.items())}
        )

    def slots(self, day_type: str) -> tuple[str, ...]:
        """Return the bucket of each quarter hour of a day of ``day_type`` (before overlays)."""
        return _fill_day(self.day_types.get(day_type, self.windows), "windows")


def _dates(value: Iterable[object]) -> frozenset[date]:
    return frozenset(as_date(day, "dates") for day in value)


def _day_type_set(value: Iterable[str]) -> frozenset[str]:
    kinds = frozenset(value)
    for kind in kinds:
        if kind not in DAY_TYPES:
            raise InvalidInput("day_types", kind, f"one of {', '.join(DAY_TYPES)}")
    return kinds


def _min_capacity(value: object) -> Decimal | None:
    if value is None:
        return None
    number = exact_decimal(value, "min_capacity_kva")
    if number <= 0:
        raise InvalidInput("min_capacity_kva", value, "a capacity above zero [kVA]")
    return number


def _kinds(value: Iterable[str]) -> frozenset[str]:
    kinds = frozenset(value)
    for kind in sorted(kinds):
        if kind not in USE_CATEGORIES:
            raise InvalidInput("use_categories", kind, f"one of {', '.join(USE_CATEGORIES)}")
    return kinds


@attrs.frozen(kw_only=True)
class OverlayScope:
    """Which accounts an overlay applies to: every condition given must hold.

    * ``min_capacity_kva`` — the account's capacity is at least this [kVA];
    * ``use_categories`` — the account's use category (用电类别) is one of these
      (:data:`USE_CATEGORIES`);
    * ``source`` — the rule that sets the scope (文号, article), quoted on bills.

    Raises:
        InvalidInput: no condition, a capacity of zero or less, an unknown use category.

    >>> scope = OverlayScope(min_capacity_kva=315, use_categories=["industrial"])
    >>> scope.admits(capacity_kva=Decimal(400), use_category="industrial")
    True
    >>> scope.admits(capacity_kva=Decimal(200), use_category=None)
    False
    >>> scope.admits(capacity_kva=Decimal(400), use_category=None) is None
    True
    """

    min_capacity_kva: Decimal | None = attrs.field(default=None, converter=_min_capacity)
    use_categories: frozenset[str] = attrs.field(default=frozenset(), converter=_kinds)
    source: str = ""

    def __attrs_post_init__(self) -> None:
        if self.min_capacity_kva is None and not self.use_categories:
            raise InvalidInput("applies_to", {}, "min_capacity_kva or use_categories")

    @property
    def needs(self) -> tuple[str, ...]:
        """The account facts the scope tests (``capacity_kva``, ``use_category``)."""
        needed = ("capacity_kva",) if self.min_capacity_kva is not None else ()
        return needed + (("use_category",) if self.use_categories else ())

    def missing(self, *, capacity_kva: Decimal | None, use_category: str | None) -> tuple[str, ...]:
        """The facts the scope tests that are not given (``None``)."""
        given = {"capacity_kva": capacity_kva, "use_category": use_category}
        return tuple(need for need in self.needs if given[need] is None)

    def admits(self, *, capacity_kva: Decimal | None, use_category: str | None) -> bool | None:
        """Return whether an account with these facts is in scope; ``None``: a fact is missing.

        A fact that is given and fails decides (``False``) even when another is missing: it is
        not a guess.
        """
        tests: list[bool | None] = []
        if self.min_capacity_kva is not None:
            tests.append(None if capacity_kva is None else capacity_kva >= self.min_capacity_kva)
        if self.use_categories:
            tests.append(None if use_category is None else use_category in self.use_categories)
        if False in tests:
            return False
        return None if None in tests else True

    def describe(self) -> str:
        """Say who the scope admits: ``industrial users of 315 kVA and more``."""
        kinds = " or ".join(sorted(self.use_categories)) or "all"
        text = f"{kinds} users"
        if self.min_capacity_kva is not None:
            text += f" of {self.min_capacity_kva} kVA and more"
        return f"{text} ({self.source})" if self.source else text


def _scope(value: object) -> OverlayScope | None:
    if value is None or isinstance(value, OverlayScope):
        return value
    raise InvalidInput("applies_to", value, "an OverlayScope or None")


@attrs.frozen(kw_only=True)
class Overlay:
    """Put ``bucket`` over the windows' times on the days this overlay applies to.

    A day qualifies when every given filter matches: ``months`` (empty: any month),
    ``day_types`` (empty: any) and ``dates`` (empty: any date). The windows' own bucket names are
    ignored; only their times count. Later overlays win over earlier ones. ``applies_to``
    (``None``: every account) limits the accounts it applies to (:func:`scope_schedule`).
    """

    name: str
    bucket: str = attrs.field(converter=_bucket)
    windows: tuple[TouWindow, ...] = attrs.field(converter=_windows)
    months: tuple[int, ...] = attrs.field(default=(), converter=_months)
    day_types: frozenset[str] = attrs.field(default=frozenset(), converter=_day_type_set)
    dates: frozenset[date] = attrs.field(default=frozenset(), converter=_dates)
    note: str = ""
    applies_to: OverlayScope | None = attrs.field(default=None, converter=_scope)

    def __attrs_post_init__(self) -> None:
        if not self.windows:
            raise InvalidInput("windows", [], "at least one window")

    def applies_on(self, day: date, day_type: str) -> bool:
        """Return whether the overlay applies on ``day`` (of type ``day_type``)."""
        return (
            (not self.months or day.month in self.months)
            and (not self.day_types or day_type in self.day_types)
            and (not self.dates or day in self.dates)
        )


def _season_tuple(value: Iterable[Season]) -> tuple[Season, ...]:
    return tuple(value)


def _overlay_tuple(value: Iterable[Overlay]) -> tuple[Overlay, ...]:
    return tuple(value)


def _zone(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput("timezone", value, "an IANA time-zone name such as Asia/Shanghai")
    timezone(value)
    return value


@attrs.frozen(kw_only=True)
class TouSchedule:
    """Which bucket each quarter hour of each local day belongs to.

    Raises:
        InvalidInput: a month in no season or in two, or seasons with broken windows.
    """

    name: str
    seasons: tuple[Season, ...] = attrs.field(converter=_season_tuple)
    overlays: tuple[Overlay, ...] = attrs.field(default=(), converter=_overlay_tuple)
    holidays: frozenset[date] = attrs.field(default=frozenset(), converter=_dates)
    workdays: frozenset[date] = attrs.field(default=frozenset(), converter=_dates)
    holiday_calendar: str | None = None
    calendar: HolidayCalendar | None = attrs.field(default=None, eq=False, repr=False)
    #: Holidays by date rule (fourth Thursday of November …), besides ``holidays``.
    holiday_rules: tuple[HolidayRule, ...] = attrs.field(default=(), converter=tuple)
    _rule_calendar: RuleCalendar | None = attrs.field(init=False, eq=False, repr=False)
    timezone: str = attrs.field(default=DEFAULT_TIMEZONE, converter=_zone)
    _by_month: tuple[int, ...] = attrs.field(init=False, eq=False, repr=False)
    _base: Mapping[tuple[int, str], tuple[str, ...]] = attrs.field(init=False, eq=False, repr=False)
    _overlay_slots: tuple[tuple[int, ...], ...] = attrs.field(init=False, eq=False, repr=False)
    _days: dict[tuple[int, str, tuple[int, ...]], tuple[str, ...]] = attrs.field(
        init=False, eq=False, repr=False
    )
    _by_date: dict[date, tuple[str, ...]] = attrs.field(init=False, eq=False, repr=False)
    _without: dict[tuple[int, ...], TouSchedule] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        by_month: list[int | None] = [None] * 13
        for index, season in enumerate(self.seasons):
            for month in season.months:
                if by_month[month] is not None:
                    raise InvalidInput(
                        f"seasons[{index}].months", month, "a month in no other season"
                    )
                by_month[month] = index
        for month in range(1, 13):
            if by_month[month] is None:
                raise InvalidInput("seasons", month, "seasons that cover every month 1-12")
        if self.holiday_calendar is not None:
            if self.holidays or self.workdays:
                raise InvalidInput(
                    "holiday_calendar",
                    self.holiday_calendar,
                    "either a holiday calendar or listed holidays and workdays, not both",
                )
            if self.calendar is None:
                if self.holiday_calendar not in HOLIDAY_CALENDARS:
                    raise InvalidInput(
                        "holiday_calendar",
                        self.holiday_calendar,
                        f"one of {', '.join(sorted(HOLIDAY_CALENDARS))}, or pass the calendar",
                    )
                object.__setattr__(self, "calendar", HOLIDAY_CALENDARS[self.holiday_calendar])
        elif self.calendar is not None:
            raise InvalidInput("holiday_calendar", None, "the name of the calendar passed")
        if self.holiday_rules and self.holiday_calendar is not None:
            raise InvalidInput(
                "holiday_rules", self.holiday_calendar, "either a holiday calendar or rules"
            )
        rules = RuleCalendar(self.holiday_rules) if self.holiday_rules else None
        object.__setattr__(self, "_rule_calendar", rules)
        overlap = self.holidays & self.workdays
        if overlap:
            raise InvalidInput(
                "workdays", min(overlap).isoformat(), "dates that are not also holidays"
            )
        object.__setattr__(self, "_by_month", tuple(i or 0 for i in by_month))
        base = {
            (index, day_type): season.slots(day_type)
            for index, season in enumerate(self.seasons)
            for day_type in DAY_TYPES
        }
        object.__setattr__(self, "_base", base)
        object.__setattr__(
            self,
            "_overlay_slots",
            tuple(
                tuple(slot for window in overlay.windows for slot in window.slots())
                for overlay in self.overlays
            ),
        )
        object.__setattr__(self, "_days", {})
        object.__setattr__(self, "_by_date", {})
        object.__setattr__(self, "_without", {})

    @property
    def season_buckets(self) -> frozenset[str]:
        """The buckets of the seasons' windows (before overlays)."""
        return frozenset(bucket for slots in self._base.values() for bucket in slots)

    @property
    def buckets(self) -> tuple[str, ...]:
        """Every bucket the schedule can put energy in, sorted."""
        names = {bucket for slots in self._base.values() for bucket in slots}
        names.update(overlay.bucket for overlay in self.overlays)
        return tuple(sorted(names))

    def day_type(self, day: date) -> str:
        """Return ``holiday``, ``weekend`` or ``workday`` for ``day`` (调休 days are workdays).

        Raises:
            CalendarYearNotCovered: the schedule's holiday calendar has no data for the year
                (it never guesses that a year has no holidays).
        """
        if self.calendar is not None:
            if self.calendar.holiday_name(day) is not None:
                return "holiday"
            if day.weekday() >= 5 and not self.calendar.is_working_day(day):
                return "weekend"
            return "workday"
        if day in self.holidays or (
            self._rule_calendar is not None and self._rule_calendar.holiday_name(day) is not None
        ):
            return "holiday"
        if day.weekday() >= 5 and day not in self.workdays:
            return "weekend"
        return "workday"

    def slots_on(self, day: date) -> tuple[str, ...]:
        """Return the bucket of each of the 96 quarter hours of local ``day``."""
        known = self._by_date.get(day)
        if known is not None:
            return known
        if len(self._by_date) > _DATE_CACHE_LIMIT:
            self._by_date.clear()
        known = self._by_date[day] = self._slots_of(day)
        return known

    def _slots_of(self, day: date) -> tuple[str, ...]:
        day_type = self.day_type(day)
        season = self._by_month[day.month]
        applying = tuple(i for i, o in enumerate(self.overlays) if o.applies_on(day, day_type))
        if not applying:
            return self._base[season, day_type]
        key = (season, day_type, applying)
        cached = self._days.get(key)
        if cached is None:
            result = list(self._base[season, day_type])
            for index in applying:
                for slot in self._overlay_slots[index]:
                    result[slot] = self.overlays[index].bucket
            cached = self._days[key] = tuple(result)
        return cached

    def bucket_at(self, day: date, minute: int) -> str:
        """Return the bucket of the quarter hour ``minute`` minutes after ``day``'s midnight."""
        return self.slots_on(day)[minute // MINUTES_PER_SLOT]

    def without(self, dropped: Iterable[int]) -> TouSchedule:
        """Return the schedule without the overlays at indexes ``dropped`` (made once each)."""
        key = tuple(sorted(set(dropped)))
        if not key:
            return self
        made = self._without.get(key)
        if made is None:
            kept = tuple(o for i, o in enumerate(self.overlays) if i not in key)
            made = self._without[key] = attrs.evolve(self, overlays=kept)
        return made

    def applies_in(self, overlay: Overlay, days: Iterable[date]) -> tuple[date, ...]:
        """Return the days of ``days`` on which ``overlay`` applies."""
        return tuple(day for day in days if overlay.applies_on(day, self.day_type(day)))


@attrs.frozen
class ScopedSchedule:
    """The schedule one account's energy is bucketed by over some days.

    ``schedule`` lacks the overlays whose scope leaves the account out; ``left_out`` are those of
    them that would have applied on one of the days; ``unknown`` the overlays applying on one of
    the days whose scope tests a fact the account does not give (kept in ``schedule``).
    """

    schedule: TouSchedule
    left_out: tuple[Overlay, ...]
    unknown: tuple[Overlay, ...]
    #: The facts the scopes were tested with.
    capacity_kva: Decimal | None = None
    use_category: str | None = None

    def facts_text(self) -> str:
        """The account's facts as a bill says them: ``commercial, 200 kVA``."""
        kind = self.use_category or "use category not given"
        size = "capacity not given" if self.capacity_kva is None else f"{self.capacity_kva} kVA"
        return f"{kind}, {size}"

    def notes(self) -> tuple[str, ...]:
        """Say, for a bill, which overlays were not applied and by which rule."""
        return tuple(
            f"{overlay.name} ({BUCKET_LABELS.get(overlay.bucket, ('', overlay.bucket))[1]}) not "
            f"applied: it applies to {overlay.applies_to.describe()} only and the account is "
            f"{self.facts_text()}; its hours are billed in the season's bucket"
            for overlay in self.left_out
            if overlay.applies_to is not None
        )

    def require_facts(self, field: str = "account") -> None:
        """Refuse when an overlay applying on the days needs a fact that is not given.

        Raises:
            InvalidInput: ``unknown`` is not empty (the facts needed and the rule are named).
        """
        if not self.unknown:
            return
        overlay = self.unknown[0]
        assert overlay.applies_to is not None
        needs = self.missing()
        raise InvalidInput(
            f"{field}.{needs[0]}" if len(needs) == 1 else field,
            None,
            f"{' and '.join(needs)}: {overlay.name} applies to {overlay.applies_to.describe()} "
            "only, and the account does not say whether it is one",
        )

    def missing(self) -> tuple[str, ...]:
        """The facts the ``unknown`` overlays' scopes test that the account does not give."""
        return tuple(
            sorted(
                {
                    need
                    for o in self.unknown
                    if o.applies_to is not None
                    for need in o.applies_to.missing(
                        capacity_kva=self.capacity_kva, use_category=self.use_category
                    )
                }
            )
        )


def scope_schedule(
    schedule: TouSchedule,
    days: Iterable[date],
    *,
    capacity_kva: Decimal | None,
    use_category: str | None,
) -> ScopedSchedule:
    """Return the schedule for an account of ``capacity_kva`` and ``use_category`` over ``days``.

    Overlays whose :class:`OverlayScope` leaves the account out are dropped: their hours fall to
    the bucket of the season's windows (peak stays peak, holiday valley stays valley).

    >>> scope = OverlayScope(min_capacity_kva=315, use_categories=["industrial"])
    >>> schedule = TouSchedule(
    ...     name="demo",
    ...     seasons=(Season(name="all", months=tuple(range(1, 13)),
    ...                     windows=(TouWindow("peak", "08:00", "24:00"),
    ...                              TouWindow("valley", "00:00", "08:00"))),),
    ...     overlays=(Overlay(name="critical", bucket="critical", applies_to=scope,
    ...                       windows=(TouWindow("critical", "19:00", "20:00"),)),),
    ... )
    >>> day = date(2025, 7, 1)
    >>> scoped = scope_schedule(schedule, [day], capacity_kva=Decimal(200), use_category=None)
    >>> scoped.schedule.bucket_at(day, 19 * 60), len(scoped.left_out)
    ('peak', 1)
    """
    if not any(o.applies_to is not None for o in schedule.overlays):
        return ScopedSchedule(schedule, (), (), capacity_kva, use_category)
    listed = tuple(days)
    dropped: list[int] = []
    left_out: list[Overlay] = []
    unknown: list[Overlay] = []
    for index, overlay in enumerate(schedule.overlays):
        if overlay.applies_to is None:
            continue
        verdict = overlay.applies_to.admits(capacity_kva=capacity_kva, use_category=use_category)
        if verdict:
            continue
        applying = bool(schedule.applies_in(overlay, listed))
        if verdict is None:
            if applying:
                unknown.append(overlay)
            continue
        dropped.append(index)
        if applying:
            left_out.append(overlay)
    return ScopedSchedule(
        schedule.without(dropped), tuple(left_out), tuple(unknown), capacity_kva, use_category
    )
