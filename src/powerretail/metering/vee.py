"""Validation (VEE): rules as data, findings, rule sets, and the check that runs them all.

A rule looks at a subject — a register read in its context (:class:`ReadSubject`) or an interval
series (:class:`IntervalSubject`) — and returns findings: which rule, how bad, a message naming the
values, the action it suggests and the work order it calls for. :func:`check` runs every rule of a
:class:`RuleSet` and returns every finding, never only the first.

Thresholds are data: each rule declares its :class:`Threshold` s with defaults and their source,
and a rule set may override them (``rule_set.with_thresholds("V07", factor="3")``). An embedder
adds a rule of their own by writing any object with the :class:`VeeRule` attributes and ``check``
method, and ``rule_set.with_rule(mine)``: no change to the library.

Source: the VEE catalogue V01–V18 (docs/reference/vee-catalogue.md) and the company's reading rules
(供电所抄、核、收管理制度).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Protocol, runtime_checkable

import attrs
import pendulum

from powerretail.errors import InvalidInput
from powerretail.metering.consumption import consumption
from powerretail.metering.meters import Meter
from powerretail.metering.reads import IntervalSeries, RegisterRead, elapsed
from powerretail.quantities import MONEY_CONTEXT, Energy, exact_decimal
from powerretail.timeframe import DEFAULT_TIMEZONE, as_instant

__all__ = [
    "Action",
    "Finding",
    "IntervalSubject",
    "ReadSubject",
    "Rule",
    "RuleSet",
    "ServiceStatus",
    "Severity",
    "Subject",
    "Threshold",
    "VeeResult",
    "VeeRule",
    "WorkOrderKind",
    "check",
]


class Severity(enum.Enum):
    """How bad a finding is."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        """Order of severity: info 0, warning 1, error 2."""
        return list(Severity).index(self)


class Action(enum.Enum):
    """What a finding suggests doing with the value."""

    DROP = "drop"
    REJECT = "reject"
    FLAG = "flag"
    ESTIMATE = "estimate"
    HOLD_BILL = "hold_bill"
    SUPERSEDE = "supersede"
    RAISE_WORK_ORDER = "raise_work_order"


class WorkOrderKind(enum.Enum):
    """The work order a finding calls for."""

    #: 客户异常情况处理单 — the seed's exception ticket to the marketing manager.
    EXCEPTION_TICKET = "exception_ticket"
    #: Notify the customer that supply will be terminated (seed + GYGZ1996, 6 unread months).
    SUPPLY_TERMINATION_PROPOSAL = "supply_termination_proposal"
    #: 电量波动分析 — analyse a change in consumption.
    CONSUMPTION_ANALYSIS = "consumption_analysis"
    #: Send someone to the meter (access, tamper, stopped meter, phase loss).
    FIELD_VISIT = "field_visit"
    #: Read the meter again (a special read order).
    READ_ORDER = "read_order"
    #: Test the meter (reset, overflow, suspected error).
    METER_TEST = "meter_test"
    #: Find or record a meter change that would explain the values.
    METER_CHANGE_RECORD = "meter_change_record"
    #: Re-run the bills built on superseded values.
    REBILL = "rebill"
    #: Review the bill before it is issued.
    BILL_REVIEW = "bill_review"


class _RuleDefault(enum.Enum):
    """Marks an argument left out: the rule's own default applies."""

    RULE = "rule"


class ServiceStatus(enum.Enum):
    """The state of supply at the service point during the read period."""

    ENERGISED = "energised"
    DE_ENERGISED = "de_energised"
    INACTIVE = "inactive"


@attrs.frozen(kw_only=True)
class Finding:
    """What a rule found: rule, severity, message naming the values, action and work order."""

    rule_id: str
    severity: Severity
    message: str
    action: Action
    work_order: WorkOrderKind | None
    subject: str
    source: str

    def as_dict(self) -> dict[str, str | None]:
        """Return the finding as plain strings (for JSON and tables)."""
        return {
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "action": self.action.value,
            "work_order": None if self.work_order is None else self.work_order.value,
            "subject": self.subject,
            "message": self.message,
            "source": self.source,
        }


@attrs.frozen(kw_only=True)
class Threshold:
    """A configurable number of a rule: its name, default, unit and where the default comes from."""

    name: str
    default: Decimal = attrs.field(converter=exact_decimal)
    unit: str
    source: str


def _sorted_history(value: Iterable[RegisterRead]) -> tuple[RegisterRead, ...]:
    return tuple(sorted(value, key=lambda read: (read.read_at, read.source.is_actual)))


def _optional_energy(value: object) -> Energy | None:
    if value is None or isinstance(value, Energy):
        return value
    raise InvalidInput("energy", value, "an Energy or None")


def _as_of(value: object) -> pendulum.DateTime:
    return as_instant(value, "as_of")


def _days_between(start: pendulum.DateTime, end: pendulum.DateTime) -> Decimal:
    seconds = Decimal(elapsed(start, end) // timedelta(seconds=1))
    return MONEY_CONTEXT.divide(seconds, Decimal(86400))


@attrs.frozen(kw_only=True)
class ReadSubject:
    """A register read to check, with what the rules need to know about its context.

    Attributes:
        meter: the meter the read claims to be from (as installed).
        read: the read to check.
        history: earlier reads of the meter (any order; kept sorted by time).
        as_of: when the check runs (reads after it are in the future).
        service: the state of supply during the period.
        expected: the consumption expected for the period [kWh], when known (VEE V07).
        same_period_last_year: consumption of the same period a year before [kWh] (seed rule).
        reference_daily: the reference daily consumption for the large-customer weekly check
            [kWh/day] (the same period last month); defaults to the previous period's.
        is_large_customer: whether the account is a large customer (company rule, ≥ 4000 kWh/month).
        zone: the zone of calendar rules (install dates, months).
    """

    meter: Meter
    read: RegisterRead
    history: tuple[RegisterRead, ...] = attrs.field(default=(), converter=_sorted_history)
    as_of: pendulum.DateTime = attrs.field(converter=_as_of)
    service: ServiceStatus = ServiceStatus.ENERGISED
    expected: Energy | None = attrs.field(default=None, converter=_optional_energy)
    same_period_last_year: Energy | None = attrs.field(default=None, converter=_optional_energy)
    reference_daily: Energy | None = attrs.field(default=None, converter=_optional_energy)
    is_large_customer: bool = False
    zone: str = DEFAULT_TIMEZONE

    @property
    def label(self) -> str:
        """How findings name this subject."""
        return self.read.describe()

    @functools.cached_property
    def _earlier(self) -> tuple[RegisterRead, ...]:
        return tuple(
            r
            for r in self.history
            if r.register is self.read.register and r.read_at < self.read.read_at
        )

    def earlier(self) -> tuple[RegisterRead, ...]:
        """Return history reads of the same register strictly before the read, oldest first."""
        return self._earlier

    @property
    def previous(self) -> RegisterRead | None:
        """The latest earlier read of the same register (actual preferred at one instant)."""
        earlier = self.earlier()
        return earlier[-1] if earlier else None

    def period_consumption(self) -> Energy | None:
        """Return the consumption since the previous read [kWh], when there is one."""
        previous = self.previous
        if previous is None or not self.read.register.is_active_energy:
            return None
        if previous.meter_id != self.meter.id or self.read.meter_id != self.meter.id:
            return None
        return consumption(previous, self.read, self.meter)

    def period_days(self) -> Decimal | None:
        """Return the length of the read period in days (elapsed time, fractional)."""
        previous = self.previous
        if previous is None:
            return None
        return _days_between(previous.read_at, self.read.read_at)

    def previous_period(self) -> tuple[Energy, Decimal] | None:
        """Return the consumption [kWh] and length [days] of the period before this one."""
        earlier = self.earlier()
        if len(earlier) < 2:
            return None
        start, end = earlier[-2], earlier[-1]
        if end.read_at == start.read_at:
            return None
        return consumption(start, end, self.meter), _days_between(start.read_at, end.read_at)


@attrs.frozen(kw_only=True)
class IntervalSubject:
    """An interval series to check, with the register advance it should add up to.

    Attributes:
        series: the interval values.
        zone: the zone whose local days the series is counted in (DST-aware counts).
        register_advance: the energy the register moved over the same span [kWh], if known.
        meter: the meter as installed, if known (for identity checks).
    """

    series: IntervalSeries
    zone: str = DEFAULT_TIMEZONE
    register_advance: Energy | None = attrs.field(default=None, converter=_optional_energy)
    meter: Meter | None = None

    @property
    def label(self) -> str:
        """How findings name this subject."""
        return f"{self.series.meter_id}/{self.series.channel.value} from {self.series.start}"


#: What a rule can look at.
Subject = ReadSubject | IntervalSubject


@runtime_checkable
class VeeRule(Protocol):
    """What a validation rule is: an id, a title, a source, thresholds, and ``check``.

    Any object with these members is a rule; :class:`Rule` is the library's own shape.
    """

    @property
    def rule_id(self) -> str:
        """A short unique id, e.g. ``"V07"`` or ``"ACME-01"``."""

    @property
    def title(self) -> str:
        """What the rule checks, in a few words."""

    @property
    def source(self) -> str:
        """Where the rule comes from (regulation, document, section)."""

    @property
    def thresholds(self) -> tuple[Threshold, ...]:
        """The configurable numbers with their defaults."""

    def check(self, subject: Subject, limits: Mapping[str, Decimal]) -> Iterable[Finding]:
        """Return every finding about ``subject`` with thresholds ``limits`` (none: nothing)."""


#: The body of a built-in rule: the rule itself (for its id and defaults), subject, limits.
Checker = Callable[["Rule", Subject, Mapping[str, Decimal]], Iterable[Finding]]


@attrs.frozen(kw_only=True)
class Rule:
    """A built-in rule: its data (id, title, source, severity, action, work order, thresholds)
    and the function that applies it.
    """

    rule_id: str
    title: str
    source: str
    severity: Severity
    action: Action
    work_order: WorkOrderKind | None = None
    thresholds: tuple[Threshold, ...] = ()
    checker: Checker = attrs.field(eq=False, repr=False)

    def check(self, subject: Subject, limits: Mapping[str, Decimal]) -> tuple[Finding, ...]:
        """Return every finding of this rule about ``subject``."""
        return tuple(self.checker(self, subject, limits))

    def finding(
        self,
        subject: Subject,
        message: str,
        *,
        severity: Severity | None = None,
        action: Action | None = None,
        work_order: WorkOrderKind | _RuleDefault | None = _RuleDefault.RULE,
    ) -> Finding:
        """Return a finding of this rule, with the rule's defaults unless told otherwise.

        ``work_order=None`` means the finding calls for no work order at all; leaving it out
        takes the rule's.
        """
        return Finding(
            rule_id=self.rule_id,
            severity=severity or self.severity,
            message=message,
            action=action or self.action,
            work_order=self.work_order if work_order is _RuleDefault.RULE else work_order,
            subject=subject.label,
            source=self.source,
        )


def _rules(value: Iterable[VeeRule]) -> tuple[VeeRule, ...]:
    rules = tuple(value)
    seen: set[str] = set()
    for rule in rules:
        if not isinstance(rule, VeeRule):
            raise InvalidInput("rules", rule, "objects with rule_id, title, source, thresholds")
        if rule.rule_id in seen:
            raise InvalidInput("rules", rule.rule_id, "rule ids that are unique in the set")
        seen.add(rule.rule_id)
    return rules


@attrs.frozen(kw_only=True)
class RuleSet:
    """A named set of rules with threshold overrides (``{rule_id: {name: value}}``).

    Raises:
        InvalidInput: two rules with one id; an override for a rule or a threshold the set does
            not have.
    """

    name: str
    rules: tuple[VeeRule, ...] = attrs.field(converter=_rules)
    overrides: Mapping[str, Mapping[str, Decimal]] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        by_id = {rule.rule_id: rule for rule in self.rules}
        for rule_id, values in self.overrides.items():
            if rule_id not in by_id:
                raise InvalidInput("overrides", rule_id, f"a rule of {self.name}")
            names = {threshold.name for threshold in by_id[rule_id].thresholds}
            for name in values:
                if name not in names:
                    raise InvalidInput(
                        f"overrides.{rule_id}", name, f"one of {sorted(names)} (thresholds)"
                    )

    def rule(self, rule_id: str) -> VeeRule:
        """Return the rule with ``rule_id``.

        Raises:
            InvalidInput: no such rule in the set.
        """
        for rule in self.rules:
            if rule.rule_id == rule_id:
                return rule
        raise InvalidInput("rule_id", rule_id, f"a rule of {self.name}")

    def limits_for(self, rule: VeeRule) -> dict[str, Decimal]:
        """Return the thresholds ``rule`` runs with in this set: defaults, then overrides."""
        limits = {threshold.name: threshold.default for threshold in rule.thresholds}
        limits.update(self.overrides.get(rule.rule_id, {}))
        return limits

    @functools.cached_property
    def _plan(self) -> tuple[tuple[VeeRule, Mapping[str, Decimal]], ...]:
        return tuple((rule, self.limits_for(rule)) for rule in self.rules)

    def with_rule(self, rule: VeeRule) -> RuleSet:
        """Return the set with ``rule`` added at the end."""
        return attrs.evolve(self, rules=(*self.rules, rule))

    def combined(self, other: RuleSet, name: str | None = None) -> RuleSet:
        """Return the rules of both sets (this one's first) and both sets' overrides."""
        return RuleSet(
            name=name or f"{self.name}+{other.name}",
            rules=(*self.rules, *other.rules),
            overrides={**self.overrides, **other.overrides},
        )

    def with_thresholds(self, rule_id: str, **values: Decimal | int | str) -> RuleSet:
        """Return the set with thresholds of ``rule_id`` set to ``values``.

        Raises:
            InvalidInput: no such rule or threshold, or a value that is not a number.
        """
        self.rule(rule_id)
        current = dict(self.overrides.get(rule_id, {}))
        current.update({name: exact_decimal(v, name) for name, v in values.items()})
        return attrs.evolve(self, overrides={**self.overrides, rule_id: current})


@attrs.frozen
class VeeResult:
    """Every finding of one check, in rule order."""

    findings: tuple[Finding, ...]

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The ids of the rules that found something, in order, with repeats."""
        return tuple(finding.rule_id for finding in self.findings)

    @property
    def is_clean(self) -> bool:
        """Whether nothing was found."""
        return not self.findings

    @property
    def is_rejected(self) -> bool:
        """Whether any finding rejects the value."""
        return any(finding.action is Action.REJECT for finding in self.findings)

    def worst(self) -> Severity | None:
        """Return the highest severity found, or ``None`` when clean."""
        if not self.findings:
            return None
        return max((finding.severity for finding in self.findings), key=lambda s: s.rank)


def check(subject: Subject, rule_set: RuleSet) -> VeeResult:
    """Run every rule of ``rule_set`` on ``subject`` and return all their findings.

    The result depends only on the subject and the rule set: checking twice gives the same
    findings (RELIABILITY R17).
    """
    findings: list[Finding] = []
    for rule, limits in rule_set._plan:
        findings.extend(rule.check(subject, limits))
    return VeeResult(tuple(findings))
