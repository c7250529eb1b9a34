from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pytest

from powerretail.calendars import WeekendCalendar
from powerretail.errors import InvalidInput
from powerretail.metering.estimation import (
    NATIONAL_POLICY,
    SEED_POLICY,
    estimate_register_read,
    fill_interval_gaps,
    find_gaps,
    scale_estimates,
)
from powerretail.metering.meters import MeterEvent
from powerretail.metering.process import validate_intervals, validate_read
from powerretail.metering.reads import (
    EstimationMethod,
    IntervalQuality,
    IntervalSeries,
    ReadSource,
)
from powerretail.metering.rules import SEED_RULES
from powerretail.metering.vee import IntervalSubject
from powerretail.quantities import Energy
from tests.strategies.metering import a_meter, a_read, a_series, a_subject, at_day


@attrs.frozen
class NewYearOnly:
    def is_working_day(self, day: date) -> bool:
        return (day.month, day.day) != (1, 1) and day.weekday() < 5


class TestEstimateRegisterRead:
    history = (a_read(0, "100.0"), a_read(30, "130.0"), a_read(60, "190.0"), a_read(90, "220.0"))

    def test_repeats_the_previous_period_by_default(self) -> None:
        estimate = estimate_register_read(meter=a_meter(), history=self.history, at=at_day(120))

        assert estimate.read.value == Decimal("250.0")
        assert estimate.read.source is ReadSource.ESTIMATED
        assert estimate.read.method is EstimationMethod.PREVIOUS_PERIOD
        assert estimate.energy == Energy(30)

    def test_averages_the_last_three_periods_for_the_seed_policy(self) -> None:
        estimate = estimate_register_read(
            meter=a_meter(ct_ratio="40"),
            history=self.history,
            at=at_day(120),
            method=SEED_POLICY.register_method,
            unreadable=True,
        )

        assert estimate.basis == (Energy(1200), Energy(2400), Energy(1200))
        assert estimate.energy == Energy(1600)
        assert estimate.read.value == Decimal("260.0")
        assert estimate.read.unreadable

    def test_rounds_the_register_to_its_decimals_and_rolls_over(self) -> None:
        history = (a_read(0, "9990.0"), a_read(30, "9999.1"))

        estimate = estimate_register_read(meter=a_meter(digits=4), history=history, at=at_day(60))

        assert estimate.read.value == Decimal("8.2")

    def test_uses_only_reads_before_the_instant(self) -> None:
        estimate = estimate_register_read(meter=a_meter(), history=self.history, at=at_day(75))

        assert estimate.read.value == Decimal("250.0")

    def test_needs_enough_history(self) -> None:
        with pytest.raises(InvalidInput, match="at least 4 reads"):
            estimate_register_read(
                meter=a_meter(),
                history=self.history[:3],
                at=at_day(120),
                method=EstimationMethod.AVERAGE_LAST_3,
            )

    def test_refuses_an_interval_method(self) -> None:
        with pytest.raises(InvalidInput, match="method"):
            estimate_register_read(
                meter=a_meter(),
                history=self.history,
                at=at_day(120),
                method=EstimationMethod.LINEAR,
            )

    def test_accepts_a_plain_aware_datetime(self) -> None:
        moment = at_day(120)
        plain = moment.__class__.__bases__[0](
            moment.year, moment.month, moment.day, moment.hour, tzinfo=moment.tzinfo
        )

        estimate = estimate_register_read(meter=a_meter(), history=self.history, at=plain)

        assert estimate.read.read_at == moment


class TestFindGaps:
    def test_a_gap_of_two_hours_between_actuals_is_linear(self) -> None:
        (gap,) = find_gaps(a_series(["1", *([None] * 8), "2"]))

        assert (gap.first, gap.length, gap.method) == (1, 8, EstimationMethod.LINEAR)

    def test_a_gap_at_the_start_is_like_day(self) -> None:
        (gap,) = find_gaps(a_series([None, "2"]))

        assert (gap.left_anchor, gap.method) == (None, EstimationMethod.LIKE_DAY)

    def test_an_outage_interval_is_no_anchor(self) -> None:
        series = IntervalSeries.of_actuals(
            meter_id="M-1",
            start=at_day(0),
            values=["1", None, "2"],
            events={0: frozenset({MeterEvent.OUTAGE})},
        )

        (gap,) = find_gaps(series)

        assert gap.method is EstimationMethod.LIKE_DAY
        assert list(gap.indices) == [1]


class TestFillIntervalGaps:
    def test_leaves_a_complete_series_alone(self) -> None:
        series = a_series(["1", "2"])

        assert fill_interval_gaps(series) == (series, ())

    def test_interpolates_between_the_anchors(self) -> None:
        filled, _ = fill_interval_gaps(a_series(["2", None, None, None, "1"]))

        assert filled.values == (
            Decimal(2),
            Decimal("1.75"),
            Decimal("1.5"),
            Decimal("1.25"),
            Decimal(1),
        )
        assert filled.methods == dict.fromkeys((1, 2, 3), EstimationMethod.LINEAR)
        assert filled.quality[2] is IntervalQuality.ESTIMATED

    def test_fills_a_long_gap_from_the_nearest_like_days(self) -> None:
        # Mon 6 Jan .. Mon 13 Jan 2025; the first hours of Monday 13th are missing.
        values: list[str | None] = []
        for day in range(8):
            values.extend([str(day + 1)] * 96)
        for index in range(7 * 96, 7 * 96 + 12):
            values[index] = None

        filled, (gap,) = fill_interval_gaps(a_series(values))

        # like workdays nearest first: Fri 10th (5), Thu 9th (4), Wed 8th (3)
        assert gap.method is EstimationMethod.LIKE_DAY
        assert filled.values[7 * 96] == Decimal(4)
        assert filled.methods[7 * 96] is EstimationMethod.LIKE_DAY

    def test_a_holiday_is_estimated_from_holidays_then_sundays(self) -> None:
        values: list[str | None] = ["7"] * 96 * 4  # Sun 29 Dec .. Wed 1 Jan 2025
        for index in range(96):
            values[index] = "3"
        for index in range(3 * 96, 3 * 96 + 12):
            values[index] = None

        filled, _ = fill_interval_gaps(
            a_series(values, start="2024-12-29T00:00+08:00"), holidays=NewYearOnly()
        )

        assert filled.values[3 * 96] == Decimal(3)

    def test_leaves_a_gap_missing_when_no_like_day_exists(self) -> None:
        filled, (gap,) = fill_interval_gaps(a_series([None] * 12 + ["1"]))

        assert gap.method is EstimationMethod.LIKE_DAY
        assert filled.values[0] is None
        assert filled.quality[0] is IntervalQuality.MISSING

    def test_never_touches_actuals_or_final_estimates(self) -> None:
        series = IntervalSeries(
            meter_id="M-1",
            start=at_day(0),
            values=("1", "9", None, "3"),
            quality=(
                IntervalQuality.ACTUAL,
                IntervalQuality.FINAL_ESTIMATE,
                IntervalQuality.MISSING,
                IntervalQuality.ACTUAL,
            ),
            methods={1: EstimationMethod.MANUAL},
        )

        filled, _ = fill_interval_gaps(series)

        assert filled.values[:2] == (Decimal(1), Decimal(9))
        assert filled.methods[1] is EstimationMethod.MANUAL

    def test_the_weekend_calendar_has_no_holidays(self) -> None:
        assert WeekendCalendar().is_working_day(date(2025, 1, 1))
        assert not WeekendCalendar().is_working_day(date(2025, 1, 4))
        assert NATIONAL_POLICY.register_method is EstimationMethod.PREVIOUS_PERIOD


class TestValidate:
    def test_validating_intervals_twice_gives_the_same_outcome(self) -> None:
        subject = IntervalSubject(series=a_series(["1", None, "3", None, None, "5"]))

        once = validate_intervals(subject)
        twice = validate_intervals(attrs.evolve(subject, series=once.series))

        assert (twice.series, twice.findings) == (once.series, once.findings)

    def test_validates_a_read_with_the_chosen_rules(self) -> None:
        subject = a_subject(a_read(60, "300"), a_read(0, "0"), a_read(30, "100"))

        assert [f.rule_id for f in validate_read(subject, SEED_RULES)] == ["SEED-MONTHLY-CHANGE"]


class TestScaleEstimates:
    def test_scales_only_estimates_to_the_register_advance(self) -> None:
        filled, _ = fill_interval_gaps(a_series(["1", None, None, None, "1"]))

        scaled = scale_estimates(filled, Energy(8))

        assert scaled.total() == Decimal(8)
        assert (scaled.values[0], scaled.values[4]) == (Decimal(1), Decimal(1))
        assert scaled.values[1:4] == (Decimal(2), Decimal(2), Decimal(2))

    def test_puts_the_rounding_residue_on_the_last_estimate(self) -> None:
        filled, _ = fill_interval_gaps(a_series(["1", None, None, None, "1"]))

        scaled = scale_estimates(filled, Energy(3))

        assert scaled.total() == Decimal(3)
        assert scaled.values[3] == Decimal("0.3334")

    @pytest.mark.parametrize(("values", "target"), [(["1", "2"], 5), (["1", None, "1"], 1)])
    def test_refuses_what_it_cannot_scale(self, values: list[str | None], target: int) -> None:
        filled, _ = fill_interval_gaps(a_series(values))

        with pytest.raises(InvalidInput):
            scale_estimates(filled, Energy(target))
