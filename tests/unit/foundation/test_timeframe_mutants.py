"""Tests that kill the mutants of timeframe.py that survived the mutation run (scripts/mutation).

They pin how periods are cut and prorated (the local-midnight cuts, cuts on an interval's bounds,
the share of a part period) and what every refusal names (field, value, expected).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from datetime import date
from types import SimpleNamespace

import pendulum
import pytest

from powerretail.errors import InvalidInput, NotFound
from powerretail.timeframe import (
    DateRange,
    Interval,
    as_date,
    as_instant,
    in_force_on,
    latest_in_force,
    timezone,
)

_START = pendulum.datetime(2025, 7, 1, tz="Asia/Shanghai")
_END = pendulum.datetime(2025, 7, 2, tz="Asia/Shanghai")


class _NoOffset(dt.tzinfo):
    """A zone that does not know its offset: a datetime in it is not an instant."""

    def utcoffset(self, moment: dt.datetime | None) -> dt.timedelta | None:
        return None


class TestIntervalCuts:
    def test_by_local_day_cuts_at_the_zones_midnights(self) -> None:
        span = Interval(pendulum.datetime(2025, 7, 1, 12, tz="UTC"), _END.add(days=1, hours=1))

        pieces = span.by_local_day("Asia/Shanghai")

        # Shanghai midnights are 16:00 UTC the day before.
        assert [piece.start for piece in pieces] == [
            pendulum.datetime(2025, 7, 1, 12, tz="UTC"),
            pendulum.datetime(2025, 7, 1, 16, tz="UTC"),
            pendulum.datetime(2025, 7, 2, 16, tz="UTC"),
        ]

    def test_by_local_day_of_one_whole_local_day_is_that_day(self) -> None:
        day = Interval(_START, _END)

        assert day.by_local_day("Asia/Shanghai") == (day,)

    def test_split_at_ignores_cuts_on_the_bounds(self) -> None:
        day = Interval(_START, _END)

        assert day.split_at(_START, _END) == (day,)


class TestDateRangeSplitAt:
    def test_takes_cuts_given_as_iso_text(self) -> None:
        july = DateRange.month(2025, 7)

        pieces = july.split_at("2025-07-11")  # type: ignore[arg-type]

        assert pieces == (
            DateRange("2025-07-01", "2025-07-11"),
            DateRange("2025-07-11", "2025-08-01"),
        )

    def test_refuses_a_datetime_cut_as_invalid_input(self) -> None:
        # Before the fix the cut was compared with the start before it was checked, so a
        # datetime or text cut escaped as a bare TypeError.
        with pytest.raises(InvalidInput) as caught:
            DateRange.month(2025, 7).split_at(_NAIVE)

        assert (caught.value.field, caught.value.value) == ("cut", _NAIVE)


class TestProrationFactor:
    def test_refuses_a_part_outside_the_whole_naming_both(self) -> None:
        july = DateRange.month(2025, 7)

        with pytest.raises(InvalidInput) as caught:
            DateRange(date(2025, 7, 20), date(2025, 8, 5)).proration_factor(july)

        assert (caught.value.field, caught.value.value, caught.value.expected) == (
            "part",
            "[2025-07-20, 2025-08-05)",
            "a range inside [2025-07-01, 2025-08-01)",
        )


class TestLatestInForce:
    def test_refuses_two_items_taking_effect_on_the_same_day(self) -> None:
        first = SimpleNamespace(effective_from=date(2026, 1, 1))
        twin = SimpleNamespace(effective_from=date(2026, 1, 1))

        with pytest.raises(InvalidInput) as caught:
            latest_in_force([first, twin], date(2026, 6, 1), "policy")

        assert (caught.value.field, caught.value.value, caught.value.expected) == (
            "effective_from",
            "2026-01-01",
            "one policy per effective date",
        )

    def test_names_the_latest_date_when_the_latest_two_share_it(self) -> None:
        items = [
            SimpleNamespace(effective_from=date(2025, 1, 1)),
            SimpleNamespace(effective_from=date(2025, 6, 1)),
            SimpleNamespace(effective_from=date(2026, 1, 1)),
            SimpleNamespace(effective_from=date(2026, 1, 1)),
        ]

        with pytest.raises(InvalidInput) as caught:
            latest_in_force(items, date(2026, 6, 1), "policy")

        assert caught.value.value == "2026-01-01"

    def test_names_the_day_when_nothing_is_in_force_yet(self) -> None:
        first = SimpleNamespace(effective_from=date(2026, 1, 1))

        with pytest.raises(NotFound) as caught:
            latest_in_force([first], date(2025, 12, 31), "policy")

        assert (caught.value.kind, caught.value.key) == ("policy in force on", "2025-12-31")

    def test_looks_only_at_the_latest_two(self) -> None:
        items = [
            SimpleNamespace(key="a", effective_from=date(2026, 1, 1)),
            SimpleNamespace(key="b", effective_from=date(2026, 1, 1)),
            SimpleNamespace(key="c", effective_from=date(2026, 3, 1)),
        ]

        assert latest_in_force(items, date(2026, 6, 1), "policy").key == "c"


class TestInForceOn:
    def test_refuses_overlapping_items_naming_the_day_and_their_ranges(self) -> None:
        one = SimpleNamespace(effective=DateRange(date(2026, 1, 1)))
        two = SimpleNamespace(effective=DateRange(date(2026, 3, 1), date(2026, 9, 1)))

        with pytest.raises(InvalidInput) as caught:
            in_force_on([one, two], "2026-06-01", "rule set")  # type: ignore[arg-type]

        assert (caught.value.field, caught.value.value, caught.value.expected) == (
            "effective",
            "2026-06-01",
            "one rule set in force on a day, not 2 ([2026-01-01, …), [2026-03-01, 2026-09-01))",
        )

    def test_converts_a_day_given_as_text(self) -> None:
        one = SimpleNamespace(key="one", effective=DateRange(date(2026, 1, 1)))

        assert in_force_on([one], "2026-06-01", "rule set").key == "one"  # type: ignore[arg-type]

    def test_names_the_day_field_when_it_is_no_date(self) -> None:
        with pytest.raises(InvalidInput) as caught:
            in_force_on([], "June", "rule set")  # type: ignore[arg-type]

        assert (caught.value.field, caught.value.value) == ("on", "June")


def _refusal(action: Callable[[], object]) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        action()
    return caught.value


_NAIVE = dt.datetime(2025, 7, 1, 8)  # noqa: DTZ001 - the naive datetime is the point
_BLIND = dt.datetime(2025, 7, 1, 8, tzinfo=_NoOffset())


class TestRefusalsNameFieldValueAndExpectation:
    @pytest.mark.parametrize(
        ("action", "field", "value", "expected"),
        [
            (
                lambda: timezone("Mars/Olympus"),
                "timezone",
                "Mars/Olympus",
                "an IANA time-zone name such as Asia/Shanghai",
            ),
            (
                lambda: as_date(_NAIVE),
                "date",
                _NAIVE,
                "a date; take the local date of an instant explicitly",
            ),
            (lambda: as_date("2025-13-01"), "date", "2025-13-01", "an ISO date YYYY-MM-DD"),
            (lambda: as_date(20250701), "date", 20250701, "a date"),
            (
                lambda: as_instant("noon"),
                "instant",
                "noon",
                "an ISO 8601 date-time with an offset",
            ),
            (lambda: as_instant(20250701), "instant", 20250701, "an aware datetime"),
            (
                lambda: as_instant(_NAIVE),
                "instant",
                _NAIVE,
                "an aware datetime (with a time zone or offset)",
            ),
            (
                lambda: as_instant(_BLIND),
                "instant",
                _BLIND,
                "an aware datetime (with a time zone or offset)",
            ),
            (lambda: DateRange("July", None), "start", "July", "an ISO date YYYY-MM-DD"),
            (lambda: DateRange("2025-07-01", "Aug"), "end", "Aug", "an ISO date YYYY-MM-DD"),
            (
                lambda: DateRange("2025-07-01", "2025-07-01"),
                "end",
                date(2025, 7, 1),
                "a date after start (2025-07-01)",
            ),
            (lambda: DateRange.month(2025, 13), "month", "2025-13", "a year and a month 1-12"),
            (lambda: DateRange.year(0), "year", 0, "a year 1-9998"),
            (
                lambda: DateRange.monthly(date(2025, 1, 31), 0),
                "count",
                0,
                "a whole number of periods, at least 1",
            ),
            (
                lambda: DateRange.monthly("31 Jan", 2),  # type: ignore[arg-type]
                "anchor",
                "31 Jan",
                "an ISO date YYYY-MM-DD",
            ),
            (
                lambda: DateRange.month(2025, 7).split_at("1 July"),  # type: ignore[arg-type]
                "cut",
                "1 July",
                "an ISO date YYYY-MM-DD",
            ),
            (lambda: DateRange("2025-07-01").days, "end", None, "a closed range to count its days"),
            (
                lambda: DateRange("2025-07-01").by_month(),
                "end",
                None,
                "a closed range to cut it into months",
            ),
            (
                lambda: list(DateRange("2025-07-01").dates()),
                "end",
                None,
                "a closed range to list its days",
            ),
            (
                lambda: DateRange("2025-07-01").to_interval(),
                "end",
                None,
                "a closed range to turn it into an interval",
            ),
            (
                lambda: Interval("noon", _END),
                "start",
                "noon",
                "an ISO 8601 date-time with an offset",
            ),
            (
                lambda: Interval(_START, "noon"),
                "end",
                "noon",
                "an ISO 8601 date-time with an offset",
            ),
            (
                lambda: Interval(_END, _START),
                "end",
                _START.isoformat(),
                f"an instant after start ({_END})",
            ),
            (
                lambda: Interval(_START, _END).split_at("noon"),  # type: ignore[arg-type]
                "cut",
                "noon",
                "an ISO 8601 date-time with an offset",
            ),
            (lambda: latest_in_force([], "June", "policy"), "on", "June", "an ISO date YYYY-MM-DD"),  # type: ignore[arg-type]
        ],
    )
    def test_for_each_refusal(
        self, action: Callable[[], object], field: str, value: object, expected: str
    ) -> None:
        error = _refusal(action)

        assert (error.field, error.value, error.expected) == (field, value, expected)
