from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from powerretail.metering.meters import MeterEvent, RegisterKind
from powerretail.metering.reads import EstimationMethod, IntervalQuality, ReadSource
from powerretail.metering.rows import (
    INTERVAL_COLUMNS,
    NO_CONTEXT,
    READ_COLUMNS,
    MissedRead,
    RowError,
    meter_from_row,
    parse_interval_row,
    parse_read_row,
    read_context_from_row,
    series_from_rows,
)
from powerretail.metering.vee import ServiceStatus
from powerretail.quantities import Energy

READ = {"meter_id": "M-1", "read_at": "2025-03-01T08:00+08:00", "value": "236.8"}
INTERVAL = {"meter_id": "M-1", "interval_start": "2025-03-01T00:00+08:00", "kwh": "1.5"}


class TestParseReadRow:
    def test_reads_every_optional_column(self) -> None:
        row = {
            **READ,
            "register": "PEAK",
            "source": "estimated",
            "method": "average_last_3",
            "unreadable": "yes",
            "events": "tamper; reset",
            "produced_by": "VEE",
        }

        read = parse_read_row(row, line=2)

        assert not isinstance(read, MissedRead)
        assert (read.register, read.source, read.method) == (
            RegisterKind.PEAK,
            ReadSource.ESTIMATED,
            EstimationMethod.AVERAGE_LAST_3,
        )
        assert read.unreadable
        assert read.events == frozenset({MeterEvent.TAMPER, MeterEvent.RESET})

    def test_a_blank_value_is_a_missed_read(self) -> None:
        missed = parse_read_row({**READ, "value": " "}, line=4)

        assert isinstance(missed, MissedRead)
        assert (missed.unreadable, missed.line) == (True, 4)

    def test_a_missed_read_may_not_be_the_customers_fault(self) -> None:
        missed = parse_read_row({**READ, "value": "", "unreadable": "false"}, line=4)

        assert isinstance(missed, MissedRead)
        assert not missed.unreadable

    @pytest.mark.parametrize(
        ("column", "text", "expected"),
        [
            ("meter_id", "", "required"),
            ("meter_id", "M\x00", "identifier"),
            ("read_at", "2025-03-01T08:00", "aware"),
            ("value", "-1", "zero or more"),
            ("value", "NaN", "finite"),
            ("register", "apparent", "one of active_total"),
            ("source", "guess", "one of actual"),
            ("method", "magic", "one of previous_period"),
            ("unreadable", "perhaps", "true or false"),
            ("events", "fire", "one of outage"),
        ],
    )
    def test_a_bad_column_names_the_line_and_the_column(
        self, column: str, text: str, expected: str
    ) -> None:
        with pytest.raises(RowError, match=expected) as caught:
            parse_read_row({**READ, column: text}, line=7)

        assert (caught.value.line, caught.value.column) == (7, column)
        assert str(caught.value).startswith(f"line 7, column {column}")

    def test_an_estimate_without_a_method_names_the_method_column(self) -> None:
        with pytest.raises(RowError) as caught:
            parse_read_row({**READ, "source": "estimated"}, line=3)

        assert caught.value.column == "method"


class TestMeterFromRow:
    def test_reads_the_multiplier_digits_and_installation(self) -> None:
        row = {**READ, "multiplier": "100/5", "digits": "5", "installed_on": "2024-01-01"}

        meter = meter_from_row(row, line=2, first_read_on=date(2025, 3, 1))

        assert (meter.multiplier, meter.register_digits, meter.installed_on) == (
            Decimal(20),
            5,
            date(2024, 1, 1),
        )

    def test_is_installed_on_its_first_read_by_default(self) -> None:
        meter = meter_from_row(READ, line=2, first_read_on=date(2025, 3, 1))

        assert meter.installed_on == date(2025, 3, 1)

    @pytest.mark.parametrize(
        ("column", "text"),
        [("multiplier", "x"), ("digits", "six"), ("digits", "13"), ("installed_on", "3/1")],
    )
    def test_refuses_bad_meter_columns(self, column: str, text: str) -> None:
        with pytest.raises(RowError) as caught:
            meter_from_row({**READ, column: text}, line=5, first_read_on=date(2025, 3, 1))

        assert caught.value.column in (column, "register_digits")


class TestReadContextFromRow:
    def test_a_row_without_context_columns_has_no_context(self) -> None:
        assert read_context_from_row(READ, line=2) is NO_CONTEXT
        assert read_context_from_row({**READ, "service": " ", "large_customer": ""}, line=2) is (
            NO_CONTEXT
        )

    def test_reads_every_context_column(self) -> None:
        row = {
            **READ,
            "service": "Inactive",
            "expected_kwh": "300",
            "last_year_kwh": "280.5",
            "reference_daily_kwh": "9.75",
            "large_customer": "yes",
        }

        context = read_context_from_row(row, line=2)

        assert context.service is ServiceStatus.INACTIVE
        assert (context.expected, context.same_period_last_year, context.reference_daily) == (
            Energy(Decimal(300)),
            Energy(Decimal("280.5")),
            Energy(Decimal("9.75")),
        )
        assert context.is_large_customer

    @pytest.mark.parametrize(
        ("column", "text", "expected"),
        [
            ("service", "off", "one of energised, de_energised, inactive"),
            ("expected_kwh", "lots", "a decimal number"),
            ("last_year_kwh", "-5", "zero or more"),
            ("reference_daily_kwh", "Infinity", "a finite number"),
            ("large_customer", "maybe", "true or false"),
        ],
    )
    def test_a_bad_context_column_names_the_line_and_the_column(
        self, column: str, text: str, expected: str
    ) -> None:
        with pytest.raises(RowError) as caught:
            read_context_from_row({**READ, column: text}, line=7)

        assert (caught.value.line, caught.value.column) == (7, column)
        assert expected in str(caught.value)


class TestParseIntervalRow:
    def test_reads_an_actual_interval(self) -> None:
        row = parse_interval_row(INTERVAL, line=2)

        assert (row.kwh, row.quality, row.step_minutes) == (
            Decimal("1.5"),
            IntervalQuality.ACTUAL,
            15,
        )

    def test_a_blank_kwh_is_missing(self) -> None:
        assert (
            parse_interval_row({**INTERVAL, "kwh": ""}, line=2).quality is IntervalQuality.MISSING
        )

    @pytest.mark.parametrize(
        ("column", "text"),
        [
            ("meter_id", "   "),
            ("meter_id", "M\x07"),
            ("interval_start", "noon"),
            ("step_minutes", "5"),
            ("kwh", "-0.5"),
            ("kwh", "lots"),
            ("quality", "missing"),
            ("quality", "estimated"),
            ("channel", "water"),
        ],
    )
    def test_a_bad_column_names_the_line_and_the_column(self, column: str, text: str) -> None:
        with pytest.raises(RowError) as caught:
            parse_interval_row({**INTERVAL, column: text}, line=9)

        assert caught.value.line == 9
        assert caught.value.column in (column, "method")


class TestSeriesFromRows:
    def rows(self, *specs: tuple[str, str, int]) -> list[object]:
        return [
            parse_interval_row(
                {**INTERVAL, "interval_start": start, "kwh": kwh, "step_minutes": "15"}, line=line
            )
            for start, kwh, line in specs
        ]

    def test_places_rows_on_the_grid_and_leaves_holes_missing(self) -> None:
        rows = self.rows(
            ("2025-03-01T00:30+08:00", "3", 4),
            ("2025-03-01T00:00+08:00", "1", 2),
        )

        (series,), problems = series_from_rows(rows)  # type: ignore[arg-type]

        assert series.values == (Decimal(1), None, Decimal(3))
        assert problems == ()

    def test_reports_rows_off_the_grid_repeats_and_other_steps(self) -> None:
        rows = self.rows(
            ("2025-03-01T00:00+08:00", "1", 2),
            ("2025-03-01T00:07+08:00", "1", 3),
            ("2025-03-01T00:00+08:00", "2", 4),
            ("2025-03-01T00:00+08:00", "1", 5),
        )
        rows.append(
            parse_interval_row(
                {**INTERVAL, "interval_start": "2025-03-01T01:00+08:00", "step_minutes": "60"},
                line=6,
            )
        )

        (series,), problems = series_from_rows(rows)  # type: ignore[arg-type]

        assert series.values == (Decimal(1),)
        assert [(p.line, p.column) for p in problems] == [
            (3, "interval_start"),
            (4, "kwh"),
            (6, "step_minutes"),
        ]

    def test_keeps_estimates_with_their_method_and_events(self) -> None:
        rows = [
            parse_interval_row(
                {**INTERVAL, "quality": "estimated", "method": "linear", "events": "outage"},
                line=2,
            )
        ]

        (series,), _ = series_from_rows(rows)

        assert series.methods == {0: EstimationMethod.LINEAR}
        assert series.events == {0: frozenset({MeterEvent.OUTAGE})}


def test_the_column_lists_start_with_the_required_columns() -> None:
    assert list(READ_COLUMNS)[:3] == ["meter_id", "read_at", "value"]
    assert list(INTERVAL_COLUMNS)[:3] == ["meter_id", "interval_start", "kwh"]


class TestBoundedWork:
    """Rows that would make absurd work are refused, not padded (R21)."""

    @pytest.mark.parametrize("digits", ["²", "١٢", "１２"])
    def test_dials_must_be_ascii_digits(self, digits: str) -> None:
        with pytest.raises(RowError, match="column digits"):
            meter_from_row({**READ, "digits": digits}, line=2, first_read_on=date(2025, 3, 1))

    @pytest.mark.parametrize("step", ["²", "١٥"])
    def test_steps_must_be_ascii_digits(self, step: str) -> None:
        with pytest.raises(RowError, match="column step_minutes"):
            parse_interval_row({**INTERVAL, "step_minutes": step}, line=2)

    @pytest.mark.parametrize("year", ["1969", "2200", "7025"])
    def test_a_read_or_interval_outside_1970_to_2199_is_a_typo(self, year: str) -> None:
        with pytest.raises(RowError, match="a date-time in the years 1970-2199"):
            parse_read_row({**READ, "read_at": f"{year}-03-01T08:00+08:00"}, line=2)
        with pytest.raises(RowError, match="a date-time in the years 1970-2199"):
            parse_interval_row({**INTERVAL, "interval_start": f"{year}-03-01T00:00+08:00"}, line=3)

    def test_two_rows_a_year_apart_are_refused_not_padded(self) -> None:
        rows = TestSeriesFromRows().rows(
            ("2025-01-01T00:00+08:00", "1", 2),
            ("2026-01-01T00:00+08:00", "1", 3),
        )

        series, problems = series_from_rows(rows)  # type: ignore[arg-type]

        assert series == ()
        assert [p.line for p in problems] == [2, 3]
        assert problems[0].message == (
            "meter M-1 active_total: 2 intervals from 2025-01-01 00:00:00+08:00 to "
            "2026-01-01 00:00:00+08:00 would be a series of 35041 15-minute intervals, mostly "
            "missing (at most twice the rows given plus 2976); is a date mistyped?"
        )

    def test_a_month_of_gaps_is_still_a_series(self) -> None:
        rows = TestSeriesFromRows().rows(
            ("2025-01-01T00:00+08:00", "1", 2),
            ("2025-01-31T23:45+08:00", "1", 3),
        )

        (series,), problems = series_from_rows(rows)  # type: ignore[arg-type]

        assert len(series.values) == 31 * 96
        assert problems == ()
