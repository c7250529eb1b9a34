"""The mainland-China business calendar: statutory holidays and make-up working days (调休).

Each year's schedule is versioned data (:class:`YearSchedule`): the holidays with their names,
the make-up working days (weekend days worked to bridge a holiday), where the schedule came from
and which version of it this is. The library ships every year from 2004 to 2026
(``_china_data``, generated from the ``chinesecalendar`` package by
``scripts/gen_china_calendar.py``). A year without a schedule is refused with
:class:`~powerretail.calendars.base.CalendarYearNotCovered`, never guessed.

When the State Council publishes next year's notice (usually in November), an embedder adds it
without waiting for a release: read the notice from a TOML or JSON file at the edge, turn it
into a schedule with :func:`parse_year_schedule`, and call :meth:`ChinaMainlandCalendar.with_year`.

>>> calendar = ChinaMainlandCalendar.default()
>>> calendar.is_working_day(date(2025, 10, 11))  # a Saturday worked for National Day
True
>>> calendar.holiday_name(date(2025, 10, 3))
'National Day'
>>> calendar.covered_years[0], calendar.covered_years[-1]
(2004, 2026)

Source: 《全国年节及纪念日放假办法》 (State Council, amended from 2025-01-01) and the yearly
notices of the State Council General Office.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Final

import attrs

from powerretail.calendars._china_data import SCHEDULES
from powerretail.calendars.base import CalendarYearNotCovered, _describe_years
from powerretail.errors import InvalidInput, describe_value
from powerretail.timeframe import as_date

__all__ = [
    "ChinaMainlandCalendar",
    "NamedDay",
    "YearSchedule",
    "parse_year_schedule",
]

_SATURDAY: Final = 5
_NOTICE_KEYS: Final = frozenset(
    {"year", "source", "version", "notice_date", "holidays", "makeup_workdays"}
)
_HOLIDAY_KEYS: Final = frozenset({"name", "name_zh", "first", "last"})
_WORKDAY_KEYS: Final = frozenset({"name", "name_zh", "date"})


def _text(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(field, value, "non-empty text")
    return value.strip()


def _day(value: object) -> date:
    return as_date(value, "day")


def _name(value: object) -> str:
    return _text(value, "name")


def _source(value: object) -> str:
    return _text(value, "source")


def _version(value: object) -> str:
    return _text(value, "version")


@attrs.frozen
class NamedDay:
    """One date of a schedule and the holiday it belongs to (for a make-up working day: the
    holiday it bridges)."""

    day: date = attrs.field(converter=_day)
    name: str = attrs.field(converter=_name)
    name_zh: str = ""


def _named_days(values: Iterable[NamedDay]) -> tuple[NamedDay, ...]:
    return tuple(sorted(values, key=lambda named: named.day))


def _optional_date(value: object) -> date | None:
    return None if value is None else as_date(value, "notice_date")


def _year(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 2 <= value <= 9998:
        raise InvalidInput("year", value, "a whole year 2-9998")
    return value


@attrs.frozen(kw_only=True)
class YearSchedule:
    """The official holiday arrangement of one year: days off and make-up working days.

    Attributes:
        year: the calendar year the schedule covers.
        holidays: every day off by the notice, weekend days inside a holiday run included.
        makeup_workdays: weekend days that are working days (调休上班).
        source: the notice (and the transcription) the schedule comes from.
        version: which version of the data this is (a package release, a notice number).
        notice_date: when the notice was published, where known.

    Dates belong to the notice that lists them, so a schedule may reach back into the last
    days of the previous year (see :attr:`earliest_day`).

    Raises:
        InvalidInput: a date outside ``year`` (and its last-December window), a date listed
            twice, a date both a holiday and a working day, or a make-up working day that is not
            a Saturday or Sunday.
    """

    year: int = attrs.field(converter=_year)
    holidays: tuple[NamedDay, ...] = attrs.field(converter=_named_days)
    makeup_workdays: tuple[NamedDay, ...] = attrs.field(converter=_named_days)
    source: str = attrs.field(converter=_source)
    version: str = attrs.field(converter=_version)
    notice_date: date | None = attrs.field(default=None, converter=_optional_date)

    def __attrs_post_init__(self) -> None:
        first = self.earliest_day
        seen: set[date] = set()
        for field, days in (("holidays", self.holidays), ("makeup_workdays", self.makeup_workdays)):
            for index, named in enumerate(days):
                where = f"{field}[{index}].day"
                if not first <= named.day <= date(self.year, 12, 31):
                    raise InvalidInput(
                        where,
                        named.day.isoformat(),
                        f"a date in {self.year} (or from {first}, for a New Year break that "
                        "begins in December)",
                    )
                if named.day in seen:
                    raise InvalidInput(
                        where,
                        named.day.isoformat(),
                        "a date listed once (not twice, not both a holiday and a working day)",
                    )
                seen.add(named.day)
        for index, named in enumerate(self.makeup_workdays):
            if named.day.weekday() < _SATURDAY:
                raise InvalidInput(
                    f"makeup_workdays[{index}].day",
                    named.day.isoformat(),
                    "a Saturday or Sunday (Monday to Friday are working days anyway)",
                )

    @property
    def earliest_day(self) -> date:
        """The earliest date the notice may list: 25 December of the year before.

        A notice for year *Y* can start the New Year break, or put a make-up working day, in the
        last days of *Y − 1* (the 2023 notice: holiday from 31 December 2022).
        """
        return date(self.year - 1, 12, 25)

    def to_mapping(self) -> dict[str, object]:
        """Return the schedule in the notice format :func:`parse_year_schedule` reads."""
        runs: list[dict[str, str]] = []
        for named in self.holidays:
            last = runs[-1] if runs else None
            if (
                last is not None
                and last["name"] == named.name
                and last["name_zh"] == named.name_zh
                and date.fromisoformat(last["last"]) + timedelta(days=1) == named.day
            ):
                last["last"] = named.day.isoformat()
            else:
                runs.append(
                    {
                        "name": named.name,
                        "name_zh": named.name_zh,
                        "first": named.day.isoformat(),
                        "last": named.day.isoformat(),
                    }
                )
        mapping: dict[str, object] = {
            "year": self.year,
            "source": self.source,
            "version": self.version,
        }
        if self.notice_date is not None:
            mapping["notice_date"] = self.notice_date.isoformat()
        mapping["holidays"] = tuple(runs)
        mapping["makeup_workdays"] = tuple(
            {"name": named.name, "name_zh": named.name_zh, "date": named.day.isoformat()}
            for named in self.makeup_workdays
        )
        return mapping


def _entries(notice: Mapping[str, object], key: str) -> list[Mapping[str, object]]:
    value = notice.get(key, ())
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidInput(key, value, "a list of tables")
    entries = list(value)
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise InvalidInput(f"{key}[{index}]", entry, "a table (mapping)")
    return entries


def _no_unknown_keys(entry: Mapping[str, object], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(str(key) for key in entry if key not in allowed)
    if unknown:
        raise InvalidInput(
            f"{where}{unknown[0]}", entry[unknown[0]], f"only the keys {sorted(allowed)}"
        )


def parse_year_schedule(notice: Mapping[str, object]) -> YearSchedule:
    """Return the :class:`YearSchedule` described by a plain mapping (a parsed TOML/JSON notice).

    The format, with the dates of a holiday run inclusive at both ends as the notices write
    them ("1月1日至3日放假")::

        year = 2027
        source = "国务院办公厅关于2027年部分节假日安排的通知"
        version = "国办发明电〔2026〕N号"
        notice_date = "2026-11-10"          # optional
        [[holidays]]
        name = "New Year's Day"
        name_zh = "元旦"                    # optional
        first = "2027-01-01"
        last = "2027-01-03"                 # optional: a one-day holiday
        [[makeup_workdays]]
        name = "Spring Festival"
        date = "2027-02-07"

    >>> schedule = parse_year_schedule({
    ...     "year": 2027, "source": "a notice", "version": "draft",
    ...     "holidays": [{"name": "New Year's Day", "first": "2027-01-01", "last": "2027-01-03"}],
    ... })
    >>> len(schedule.holidays), schedule.holidays[-1].day
    (3, datetime.date(2027, 1, 3))

    Raises:
        InvalidInput: a missing or unknown key, a malformed date, a run that ends before it
            starts, or anything :class:`YearSchedule` refuses; the field names the entry.
    """
    if not isinstance(notice, Mapping):
        raise InvalidInput("notice", notice, "a mapping (a parsed TOML or JSON table)")
    _no_unknown_keys(notice, _NOTICE_KEYS, "")
    for key in ("year", "source", "version"):
        if key not in notice:
            raise InvalidInput(key, None, f"the key {describe_value(key)}")
    holidays: list[NamedDay] = []
    for index, entry in enumerate(_entries(notice, "holidays")):
        where = f"holidays[{index}]."
        _no_unknown_keys(entry, _HOLIDAY_KEYS, where)
        name = _text(entry.get("name"), where + "name")
        name_zh = str(entry.get("name_zh", ""))
        first = as_date(entry.get("first"), where + "first")
        last = as_date(entry.get("last", entry.get("first")), where + "last")
        if last < first:
            raise InvalidInput(where + "last", last.isoformat(), f"a date on or after {first}")
        day = first
        while day <= last:
            holidays.append(NamedDay(day, name, name_zh))
            day += timedelta(days=1)
    workdays = []
    for index, entry in enumerate(_entries(notice, "makeup_workdays")):
        where = f"makeup_workdays[{index}]."
        _no_unknown_keys(entry, _WORKDAY_KEYS, where)
        workdays.append(
            NamedDay(
                as_date(entry.get("date"), where + "date"),
                _text(entry.get("name"), where + "name"),
                str(entry.get("name_zh", "")),
            )
        )
    return YearSchedule(
        year=notice["year"],
        holidays=holidays,
        makeup_workdays=workdays,
        source=notice["source"],
        version=notice["version"],
        notice_date=notice.get("notice_date"),
    )


def _conflict(day: date, year: int) -> InvalidInput:
    return InvalidInput(
        f"schedules[{year}]",
        day.isoformat(),
        "a date that no other year's notice lists the other way (holiday vs working day)",
    )


def _schedules(values: Iterable[YearSchedule]) -> tuple[YearSchedule, ...]:
    by_year: dict[int, YearSchedule] = {}
    for schedule in values:
        if not isinstance(schedule, YearSchedule):
            raise InvalidInput("schedules", schedule, "YearSchedule values")
        if schedule.year in by_year:
            raise InvalidInput("schedules", schedule.year, "one schedule per year")
        by_year[schedule.year] = schedule
    return tuple(by_year[year] for year in sorted(by_year))


@attrs.frozen(repr=False)
class ChinaMainlandCalendar:
    """Working days in mainland China: Monday to Friday, minus holidays, plus make-up days.

    Build the shipped calendar with :meth:`default`; extend it with :meth:`with_year`. A date
    in a year without a schedule raises
    :class:`~powerretail.calendars.base.CalendarYearNotCovered`.

    Source: 《全国年节及纪念日放假办法》 and the yearly notices.
    """

    schedules: tuple[YearSchedule, ...] = attrs.field(converter=_schedules)
    name: str = "CN mainland"
    _by_year: Mapping[int, YearSchedule] = attrs.field(init=False, eq=False, repr=False)
    _holidays: Mapping[date, NamedDay] = attrs.field(init=False, eq=False, repr=False)
    _workdays: Mapping[date, NamedDay] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        holidays: dict[date, NamedDay] = {}
        workdays: dict[date, NamedDay] = {}
        for schedule in self.schedules:
            for named in schedule.holidays:
                if named.day in workdays:
                    raise _conflict(named.day, schedule.year)
                holidays[named.day] = named
            for named in schedule.makeup_workdays:
                if named.day in holidays:
                    raise _conflict(named.day, schedule.year)
                workdays[named.day] = named
        object.__setattr__(self, "_by_year", {s.year: s for s in self.schedules})
        object.__setattr__(self, "_holidays", holidays)
        object.__setattr__(self, "_workdays", workdays)

    def __repr__(self) -> str:
        years = _describe_years(self.covered_years)
        return f"ChinaMainlandCalendar(name={self.name!r}, years={years!r})"

    @classmethod
    def default(cls) -> ChinaMainlandCalendar:
        """Return the calendar with every schedule the library ships (2004–2026)."""
        return _DEFAULT

    @property
    def covered_years(self) -> tuple[int, ...]:
        """The years this calendar holds a schedule for, in order."""
        return tuple(schedule.year for schedule in self.schedules)

    def schedule_for(self, year: int) -> YearSchedule:
        """Return the schedule of ``year``.

        Raises:
            CalendarYearNotCovered: no schedule for ``year``.
        """
        try:
            return self._by_year[year]
        except KeyError:
            raise CalendarYearNotCovered(self.name, year, self.covered_years) from None

    def _require_covered(self, day: date) -> date:
        day = as_date(day, "day")
        if day.year not in self._by_year:
            raise CalendarYearNotCovered(self.name, day.year, self.covered_years)
        return day

    def is_working_day(self, day: date) -> bool:
        """Return whether ``day`` is a working day in mainland China.

        Raises:
            CalendarYearNotCovered: no schedule for ``day``'s year.
        """
        day = self._require_covered(day)
        if day in self._workdays:
            return True
        if day in self._holidays:
            return False
        return day.weekday() < _SATURDAY

    def holiday_name(self, day: date) -> str | None:
        """Return the name of the holiday ``day`` is off for, or ``None`` for any other day.

        Raises:
            CalendarYearNotCovered: no schedule for ``day``'s year.
        """
        named = self._holidays.get(self._require_covered(day))
        return None if named is None else named.name

    def with_year(self, schedule: YearSchedule) -> ChinaMainlandCalendar:
        """Return a new calendar that also holds ``schedule``; it replaces that year's old one.

        A later notice supersedes an earlier one (the State Council has amended a year's
        schedule before, e.g. the 2020 Spring Festival extension); the calendar it is called on
        is not changed.

        Raises:
            InvalidInput: not a :class:`YearSchedule`, or it lists a date the other way round
                from a neighbouring year's notice (a holiday there, a working day here).
        """
        if not isinstance(schedule, YearSchedule):
            raise InvalidInput("schedule", schedule, "a YearSchedule (see parse_year_schedule)")
        kept = [s for s in self.schedules if s.year != schedule.year]
        return ChinaMainlandCalendar((*kept, schedule), name=self.name)


_DEFAULT: Final = ChinaMainlandCalendar(tuple(parse_year_schedule(notice) for notice in SCHEDULES))
