"""Properties of VEE on interval data: linear estimates lie between their anchors, VEE is a
fixed point (running it twice gives the same result), actuals are never replaced."""

from __future__ import annotations

from hypothesis import given, settings

from powerretail.metering.estimation import fill_interval_gaps
from powerretail.metering.process import validate_intervals
from powerretail.metering.reads import EstimationMethod, IntervalQuality, IntervalSeries
from powerretail.metering.rules import CATALOGUE_RULES, SEED_RULES
from powerretail.metering.vee import IntervalSubject
from tests.strategies.metering import series_with_gaps


@given(series_with_gaps())
@settings(max_examples=40, deadline=None)
def test_linear_estimates_lie_between_their_anchors(series: IntervalSeries) -> None:
    filled, gaps = fill_interval_gaps(series)

    for gap in gaps:
        if gap.method is not EstimationMethod.LINEAR:
            continue
        assert gap.left_anchor is not None
        assert gap.right_anchor is not None
        left, right = series.values[gap.left_anchor], series.values[gap.right_anchor]
        assert left is not None
        assert right is not None
        for index in gap.indices:
            value = filled.values[index]
            assert value is not None
            assert min(left, right) <= value <= max(left, right)


@given(series_with_gaps())
@settings(max_examples=25, deadline=None)
def test_vee_is_idempotent(series: IntervalSeries) -> None:
    rules = CATALOGUE_RULES.combined(SEED_RULES)
    once = validate_intervals(IntervalSubject(series=series), rules)

    twice = validate_intervals(IntervalSubject(series=once.series), rules)

    assert twice.series == once.series
    assert twice.findings == once.findings


@given(series_with_gaps())
@settings(max_examples=25, deadline=None)
def test_estimates_never_overwrite_actuals_and_carry_their_method(
    series: IntervalSeries,
) -> None:
    filled, _ = fill_interval_gaps(series)

    for index, flag in enumerate(series.quality):
        if flag is IntervalQuality.ACTUAL:
            assert filled.values[index] == series.values[index]
            assert filled.quality[index] is IntervalQuality.ACTUAL
        elif filled.quality[index] is IntervalQuality.ESTIMATED:
            assert filled.methods[index] in (EstimationMethod.LINEAR, EstimationMethod.LIKE_DAY)
    assert filled.meter_id == series.meter_id
