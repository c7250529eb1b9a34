"""Run VEE end to end: validate a read, or validate and estimate an interval series.

:func:`validate_intervals` estimates the gaps first and then checks the filled series, so the
result is a fixed point: validating its output again returns the same series and the same
findings (RELIABILITY R17).

>>> from powerretail.metering.reads import IntervalSeries
>>> from powerretail.metering.vee import IntervalSubject
>>> series = IntervalSeries.of_actuals(
...     meter_id="M-1", start="2025-01-06T00:00+08:00", values=["1", None, "3"])
>>> outcome = validate_intervals(IntervalSubject(series=series))
>>> outcome.series.values[1], outcome.rule_ids
(Decimal('2.0000'), ('V04', 'V14'))
"""

from __future__ import annotations

import attrs

from powerretail.metering.estimation import (
    NATIONAL_POLICY,
    EstimationPolicy,
    Gap,
    WorkingDayCalendar,
    fill_interval_gaps,
)
from powerretail.metering.reads import IntervalSeries
from powerretail.metering.rules import CATALOGUE_RULES
from powerretail.metering.vee import Finding, IntervalSubject, ReadSubject, RuleSet, check

__all__ = ["IntervalOutcome", "validate_intervals", "validate_read"]


@attrs.frozen(kw_only=True)
class IntervalOutcome:
    """The series with its estimates, every finding, and the gaps that were estimated."""

    series: IntervalSeries
    findings: tuple[Finding, ...]
    gaps: tuple[Gap, ...]

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The ids of the rules that found something, in order, with repeats."""
        return tuple(finding.rule_id for finding in self.findings)


def validate_read(subject: ReadSubject, rule_set: RuleSet = CATALOGUE_RULES) -> tuple[Finding, ...]:
    """Return every finding of ``rule_set`` about a register read."""
    return check(subject, rule_set).findings


def validate_intervals(
    subject: IntervalSubject,
    rule_set: RuleSet = CATALOGUE_RULES,
    *,
    policy: EstimationPolicy = NATIONAL_POLICY,
    holidays: WorkingDayCalendar | None = None,
) -> IntervalOutcome:
    """Estimate the gaps of ``subject``'s series, then check the filled series with ``rule_set``.

    Actual values and final estimates are never replaced; every estimate carries its method.
    """
    filled, gaps = fill_interval_gaps(
        subject.series, policy=policy, zone=subject.zone, holidays=holidays
    )
    findings = check(attrs.evolve(subject, series=filled), rule_set).findings
    return IntervalOutcome(series=filled, findings=findings, gaps=gaps)
