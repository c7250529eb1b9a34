"""Planned and temporary outages (计划停电 / 临时停电) as a declared state machine.

An outage is requested for a feeder, a transformer area (台区) and the service points it cuts,
over an announced window. It is approved by someone holding ``approve_outage``
(:data:`~powerretail.access.APPROVE_OUTAGE`; 经审批同意后实施); the affected key and important
customers are notified, each notice recorded (who, when, how); it starts only once every one of
them has been notified (``key_customers_notified``) and not before its window; progress and the
expected restoration time are recorded while it runs; it is restored; and the customers are
called back afterwards, never at night (``not_at_night``).

The notice limits are data, per rule set (:class:`OutageRules`, :data:`OUTAGE_RULE_SETS`): the
seed asks for 24 hours before a planned outage; the State Grid commitments and the
supply-supervision measures for 7 days before a planned outage and 24 hours before a temporary
one (《电力供应与使用条例》第28条). A notice later than its limit is allowed (the customer still
has to know) but is a visible breach (:func:`outage_breaches`), as are a key customer never
notified once the limit has passed, and a restoration later than the announced window.

>>> print(OUTAGE_MACHINE.to_mermaid().splitlines()[-1])
    CANCELLED --> [*]

Source: 供电所大客户维护与管理办法 第九条 (一)-(五); 国家电网有限公司供电服务“十项承诺”;
《供电监管办法》(2009); 《电力供应与使用条例》第28条.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable, Mapping
from datetime import time, timedelta
from typing import Any, Final

import attrs
import pendulum

from powerretail.access import APPROVE_OUTAGE, AccessPolicy, Actor, AuditRecord
from powerretail.customers.contacts import Channel
from powerretail.errors import InvalidInput, NotFound, RuleViolation
from powerretail.ids import non_blank
from powerretail.sla.catalogue import rule_set
from powerretail.sla.policy import NoticeRule, elapsed
from powerretail.statemachine import StateMachine, Transition, TransitionRecord
from powerretail.timeframe import DEFAULT_TIMEZONE, as_instant, timezone

__all__ = [
    "JGBF",
    "OUTAGE_MACHINE",
    "OUTAGE_RULE_SETS",
    "SEED",
    "SEED_CALL_BACK",
    "SGCC10",
    "AffectedCustomer",
    "BreachKind",
    "CallBackPolicy",
    "Outage",
    "OutageBreach",
    "OutageEvent",
    "OutageKind",
    "OutageNotice",
    "OutageRefused",
    "OutageRules",
    "OutageState",
    "OutageStep",
    "ProgressUpdate",
    "approve",
    "call_back",
    "cancel",
    "notice_due",
    "notify",
    "outage_breaches",
    "outage_rules",
    "record_progress",
    "request",
    "restore",
    "start",
    "unnotified",
]

_SEED_OUTAGE: Final = "供电所大客户维护与管理办法 第九条"


class OutageKind(enum.Enum):
    """Planned (计划停电: construction, maintenance) or temporary (临时停电) outage."""

    PLANNED = "planned"
    TEMPORARY = "temporary"


class OutageState(enum.Enum):
    """Where an outage stands."""

    REQUESTED = "requested"
    APPROVED = "approved"
    IN_PROGRESS = "in progress"
    RESTORED = "restored"
    CALLED_BACK = "called back"
    CANCELLED = "cancelled"


class OutageEvent(enum.Enum):
    """What happens to an outage."""

    APPROVE = "approve"
    NOTIFY = "notify"
    START = "start"
    PROGRESS = "progress"
    RESTORE = "restore"
    CALL_BACK = "call back"
    CANCEL = "cancel"


# ---------------------------------------------------------------------- policy data


def _clock_time(value: object) -> time:
    if not isinstance(value, time) or value.tzinfo is not None:
        raise InvalidInput("night", value, "a local time of day (no zone)")
    return value


@attrs.frozen(kw_only=True)
class CallBackPolicy:
    """When the call-back after an outage is due: ``delay`` after restoration, outside the
    night window ``night_start``-``night_end`` (local times in ``zone``; the start is at night,
    the end is not). A call-back falling at night moves to the next ``night_end``.

    >>> policy = CallBackPolicy()
    >>> print(policy.due_after(pendulum.datetime(2026, 10, 1, 21, 30, tz="Asia/Shanghai")))
    2026-10-02 08:00:00+08:00
    """

    night_start: time = attrs.field(default=time(22), converter=_clock_time)
    night_end: time = attrs.field(default=time(8), converter=_clock_time)
    delay: timedelta = timedelta(hours=1)
    zone: str = DEFAULT_TIMEZONE
    source: str = f"{_SEED_OUTAGE}(五) (电话回访, 夜间除外); times: powerretail default"

    def __attrs_post_init__(self) -> None:
        if self.night_start == self.night_end:
            raise InvalidInput("night_end", self.night_end, f"a time other than {self.night_start}")
        if self.delay < timedelta(0):
            raise InvalidInput("delay", self.delay, "a delay of zero or more")

    def is_night(self, at: _dt.datetime) -> bool:
        """Whether ``at`` falls in the night window (local time in ``zone``)."""
        local = as_instant(at, "at").in_timezone(timezone(self.zone)).time()
        if self.night_start > self.night_end:  # across midnight: 22:00-08:00
            return local >= self.night_start or local < self.night_end
        return self.night_start <= local < self.night_end

    def due_after(self, restored_at: _dt.datetime) -> pendulum.DateTime:
        """Return when the call-back is due for an outage restored at ``restored_at``."""
        due = as_instant(restored_at, "restored_at").in_timezone(timezone(self.zone)) + self.delay
        if not self.is_night(due):
            return due
        morning = due.replace(
            hour=self.night_end.hour,
            minute=self.night_end.minute,
            second=self.night_end.second,
            microsecond=0,
        )
        return morning if morning > due else morning.add(days=1)


#: The seed's call-back: an hour after restoration, never 22:00-08:00 Asia/Shanghai.
SEED_CALL_BACK: Final = CallBackPolicy()


def _notice_rule(value: object) -> NoticeRule:
    if not isinstance(value, NoticeRule):
        raise InvalidInput("notice", value, "a NoticeRule")
    return value


@attrs.frozen(kw_only=True)
class OutageRules:
    """The outage notice limits of one rule set and its call-back policy."""

    key: str
    title: str
    planned_notice: NoticeRule = attrs.field(converter=_notice_rule)
    temporary_notice: NoticeRule = attrs.field(converter=_notice_rule)
    call_back: CallBackPolicy = SEED_CALL_BACK

    def notice_for(self, kind: OutageKind) -> NoticeRule:
        """Return the notice limit of an outage of ``kind``."""
        return self.planned_notice if kind is OutageKind.PLANNED else self.temporary_notice


def _from_catalogue(key: str, title: str, temporary_from: str | None = None) -> OutageRules:
    rules = rule_set(key)
    return OutageRules(
        key=key,
        title=title,
        planned_notice=rules.notice("planned_outage_notice"),
        temporary_notice=rule_set(temporary_from or key).notice("temporary_outage_notice"),
    )


#: The seed: 24 h before a planned outage (第九条(二)); it names no temporary limit, so the
#: national 24 h applies (State Grid commitments; 《电力供应与使用条例》第28条).
SEED: Final = _from_catalogue(
    "SEED", "Seed: 24 h planned; national 24 h temporary", temporary_from="SGCC10"
)
#: State Grid commitments: 7 days planned, 24 h temporary (important users).
SGCC10: Final = _from_catalogue("SGCC10", "State Grid commitments: 7 days planned, 24 h temporary")
#: Supply-supervision measures: 7 days planned, 24 h temporary (public notice).
JGBF: Final = _from_catalogue("JGBF", "供电监管办法: 7 days planned, 24 h temporary")

#: The outage rule sets by key.
OUTAGE_RULE_SETS: Final[Mapping[str, OutageRules]] = {r.key: r for r in (SEED, SGCC10, JGBF)}


def outage_rules(key: str) -> OutageRules:
    """Return the outage rule set ``key`` (``"SEED"``, ``"SGCC10"``, ``"JGBF"``).

    Raises:
        NotFound: no such rule set.
    """
    try:
        return OUTAGE_RULE_SETS[key]
    except KeyError:
        raise NotFound("outage rule set", key) from None


# ---------------------------------------------------------------------- the record


def _instant(value: object) -> pendulum.DateTime:
    return as_instant(value, "at")


def _optional_instant(value: object) -> pendulum.DateTime | None:
    return None if value is None else as_instant(value, "at")


@attrs.frozen(kw_only=True)
class AffectedCustomer:
    """A customer behind a service point the outage cuts.

    ``needs_notice`` marks a key or important customer, who must be notified individually;
    ``why`` says which rule made them one (the important-customer category, the load level, a
    key account).
    """

    customer_id: str
    account_id: str
    service_point_id: str
    name: str
    needs_notice: bool
    why: str = ""


@attrs.frozen(kw_only=True)
class OutageNotice:
    """A notice given to one customer: when, how, by whom, what was said."""

    customer_id: str
    at: pendulum.DateTime = attrs.field(converter=_instant)
    channel: Channel
    by: str
    what: str = ""


@attrs.frozen(kw_only=True)
class ProgressUpdate:
    """Progress of the work and the restoration time now expected."""

    at: pendulum.DateTime = attrs.field(converter=_instant)
    note: str
    expected_restoration: pendulum.DateTime = attrs.field(converter=_instant)
    by: str


def _tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Outage:
    """One planned or temporary outage.

    Attributes:
        id: the outage id.
        kind: planned or temporary.
        rules: the key of the :class:`OutageRules` that apply.
        feeder / area: the feeder (线路) and transformer area (台区) it cuts.
        service_points: the ids of the service points without supply.
        window_start / window_end: the announced outage window (the end is the announced
            restoration).
        reason: why (construction, maintenance …).
        requested_at / requested_by: the request.
        affected: the customers behind the service points (found from the store).
        notices: every notice given; ``updates``: every progress update.
        approved_by / started_at / restored_at / called_back_at: later steps.
        state: where it stands; ``history``: every transition record.
    """

    id: str = attrs.field(validator=non_blank("outage.id"))
    kind: OutageKind
    rules: str
    feeder: str
    area: str
    service_points: tuple[str, ...] = attrs.field(converter=_tuple)
    window_start: pendulum.DateTime = attrs.field(converter=_instant)
    window_end: pendulum.DateTime = attrs.field(converter=_instant)
    reason: str
    requested_at: pendulum.DateTime = attrs.field(converter=_instant)
    requested_by: str
    affected: tuple[AffectedCustomer, ...] = attrs.field(default=(), converter=_tuple)
    notices: tuple[OutageNotice, ...] = attrs.field(default=(), converter=_tuple)
    updates: tuple[ProgressUpdate, ...] = attrs.field(default=(), converter=_tuple)
    approved_by: str | None = None
    started_at: pendulum.DateTime | None = attrs.field(default=None, converter=_optional_instant)
    restored_at: pendulum.DateTime | None = attrs.field(default=None, converter=_optional_instant)
    called_back_at: pendulum.DateTime | None = attrs.field(
        default=None, converter=_optional_instant
    )
    state: OutageState = OutageState.REQUESTED
    history: tuple[TransitionRecord[Any, Any], ...] = attrs.field(default=(), converter=_tuple)

    def __attrs_post_init__(self) -> None:
        if self.window_end <= self.window_start:
            raise InvalidInput("window_end", self.window_end, f"after {self.window_start}")
        if not self.service_points:
            raise InvalidInput("service_points", (), "at least one service point")

    @property
    def key_customers(self) -> tuple[AffectedCustomer, ...]:
        """The affected customers who must be notified individually (one entry per customer)."""
        seen: dict[str, AffectedCustomer] = {}
        for customer in self.affected:
            if customer.needs_notice and customer.customer_id not in seen:
                seen[customer.customer_id] = customer
        return tuple(seen.values())

    def first_notice(self, customer_id: str) -> OutageNotice | None:
        """The earliest notice given to ``customer_id``, if any."""
        given = [n for n in self.notices if n.customer_id == customer_id]
        return min(given, key=lambda n: n.at) if given else None

    @property
    def expected_restoration(self) -> pendulum.DateTime:
        """The restoration now expected: the latest update's, else the window's end."""
        return self.updates[-1].expected_restoration if self.updates else self.window_end


def request(
    *,
    id: str,
    kind: OutageKind,
    feeder: str,
    area: str,
    service_points: Iterable[str],
    window_start: _dt.datetime,
    window_end: _dt.datetime,
    reason: str,
    at: _dt.datetime,
    by: str,
    affected: Iterable[AffectedCustomer] = (),
    rules: str = "SGCC10",
) -> Outage:
    """Return a requested outage (state ``requested``).

    Raises:
        NotFound: ``rules`` is not an outage rule set.
        InvalidInput: the window ends before it starts, or no service point is named.
    """
    outage_rules(rules)
    return Outage(
        id=id,
        kind=kind,
        rules=rules,
        feeder=feeder,
        area=area,
        service_points=tuple(service_points),
        window_start=window_start,
        window_end=window_end,
        reason=reason,
        requested_at=at,
        requested_by=by,
        affected=tuple(affected),
    )


def notice_due(outage: Outage, rules: OutageRules | None = None) -> pendulum.DateTime:
    """Return the latest moment a notice of ``outage`` may be given on time."""
    chosen = rules or outage_rules(outage.rules)
    return chosen.notice_for(outage.kind).latest_notice_for(outage.window_start)


def unnotified(outage: Outage) -> tuple[AffectedCustomer, ...]:
    """The key and important customers not yet notified."""
    return tuple(c for c in outage.key_customers if outage.first_notice(c.customer_id) is None)


# ---------------------------------------------------------------------- the machine


def key_customers_notified(outage: Outage, ctx: Mapping[str, Any]) -> bool:
    """Every affected key and important customer has been notified."""
    return not unnotified(outage)


def within_window(outage: Outage, ctx: Mapping[str, Any]) -> bool:
    """The outage does not start before its announced window."""
    return as_instant(ctx["at"]) >= outage.window_start


def is_affected(outage: Outage, ctx: Mapping[str, Any]) -> bool:
    """The notice is for a customer the outage affects."""
    return any(c.customer_id == ctx.get("customer_id") for c in outage.affected)


def not_at_night(outage: Outage, ctx: Mapping[str, Any]) -> bool:
    """The call-back is not made at night, nor before it is due."""
    policy = outage_rules(outage.rules).call_back
    assert outage.restored_at is not None  # called back only once restored
    at = as_instant(ctx["at"])
    return not policy.is_night(at) and at >= policy.due_after(outage.restored_at)


_S: Final = OutageState
_E: Final = OutageEvent

#: The outage process. See the module docstring for the guards and their sources.
OUTAGE_MACHINE: Final[StateMachine[OutageState, OutageEvent]] = StateMachine(
    "outage",
    initial=_S.REQUESTED,
    finals={_S.CALLED_BACK, _S.CANCELLED},
    transitions=[
        Transition(_S.REQUESTED, _E.APPROVE, _S.APPROVED, permission=APPROVE_OUTAGE),
        Transition(_S.APPROVED, _E.NOTIFY, _S.APPROVED, guard=is_affected),
        Transition(
            _S.APPROVED,
            _E.START,
            _S.IN_PROGRESS,
            guard=lambda o, c: key_customers_notified(o, c) and within_window(o, c),
            guard_name="key_customers_notified, within_window",
        ),
        Transition(_S.IN_PROGRESS, _E.PROGRESS, _S.IN_PROGRESS),
        Transition(_S.IN_PROGRESS, _E.RESTORE, _S.RESTORED),
        Transition(_S.RESTORED, _E.CALL_BACK, _S.CALLED_BACK, guard=not_at_night),
        Transition(_S.REQUESTED, _E.CANCEL, _S.CANCELLED),
        Transition(_S.APPROVED, _E.CANCEL, _S.CANCELLED),
    ],
)


class OutageRefused(RuleViolation):
    """An outage step refused: ``reasons`` say which rule and which customers."""

    def __init__(self, outage_id: str, step: str, reasons: tuple[str, ...]) -> None:
        self.outage_id = outage_id
        self.step = step
        self.reasons = reasons
        super().__init__(outage_id, step, reasons)

    def __str__(self) -> str:
        return f"outage {self.outage_id}: cannot {self.step}: {'; '.join(self.reasons)}"


@attrs.frozen
class OutageStep:
    """An outage step done: the moved outage, its transition record and the grant (if any)."""

    outage: Outage
    record: TransitionRecord[OutageState, OutageEvent]
    audit: AuditRecord | None


def _fire(
    outage: Outage,
    event: OutageEvent,
    *,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
    why: str,
    context: Mapping[str, Any] | None = None,
    **changes: Any,
) -> OutageStep:
    fired = OUTAGE_MACHINE.fire(
        outage,
        event,
        policy=policy,
        actor=actor,
        at=at,
        why=why,
        context={"at": at, **(context or {})},
        history=True,
        **changes,
    )
    return OutageStep(fired.entity, fired.record, fired.audit)


def approve(outage: Outage, *, policy: AccessPolicy, actor: Actor, at: _dt.datetime) -> OutageStep:
    """Approve the outage (审批): needs ``approve_outage``.

    Raises:
        PermissionDenied: the actor may not approve outages (its ``audit`` records it).
        TransitionNotAllowed: the outage is not waiting for approval.
    """
    return _fire(
        outage,
        OutageEvent.APPROVE,
        policy=policy,
        actor=actor,
        at=at,
        why=f"{outage.kind.value} outage approved",
        approved_by=actor.id,
    )


def notify(
    outage: Outage,
    *,
    customer_id: str,
    channel: Channel,
    what: str,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
) -> OutageStep:
    """Record a notice to ``customer_id`` (书面送达, 电话告知, 短信 …); a late one is kept too.

    Raises:
        GuardRefused: the customer is not affected by the outage.
        TransitionNotAllowed: the outage is not approved (or has started).
    """
    notice = OutageNotice(customer_id=customer_id, at=at, channel=channel, by=actor.id, what=what)
    late = as_instant(at) > notice_due(outage)
    return _fire(
        outage,
        OutageEvent.NOTIFY,
        policy=policy,
        actor=actor,
        at=at,
        why=f"停电通知 to {customer_id} by {channel.value}" + (" (late)" if late else ""),
        context={"customer_id": customer_id},
        notices=(*outage.notices, notice),
    )


def start(outage: Outage, *, policy: AccessPolicy, actor: Actor, at: _dt.datetime) -> OutageStep:
    """Start the outage: refused while a key or important customer is not notified, or
    before the announced window.

    Raises:
        OutageRefused: a guard failed (naming the customers not notified).
        TransitionNotAllowed: the outage is not approved.
    """
    if outage.state is OutageState.APPROVED:
        reasons: list[str] = []
        missing = unnotified(outage)
        if missing:
            names = ", ".join(f"{c.customer_id} ({c.why})" for c in missing)
            reasons.append(f"key_customers_notified: not notified: {names} ({_SEED_OUTAGE}(二))")
        if as_instant(at) < outage.window_start:
            reasons.append(f"within_window: the window starts {outage.window_start}")
        if reasons:
            raise OutageRefused(outage.id, "start", tuple(reasons))
    return _fire(
        outage, OutageEvent.START, policy=policy, actor=actor, at=at, why="停电", started_at=at
    )


def record_progress(
    outage: Outage,
    *,
    note: str,
    expected_restoration: _dt.datetime,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
) -> OutageStep:
    """Record the progress of the work and the restoration time now expected (第九条(四)).

    Raises:
        TransitionNotAllowed: the outage is not in progress.
    """
    update = ProgressUpdate(
        at=at, note=note, expected_restoration=expected_restoration, by=actor.id
    )
    return _fire(
        outage,
        OutageEvent.PROGRESS,
        policy=policy,
        actor=actor,
        at=at,
        why=f"{note}; restoration expected {update.expected_restoration}",
        updates=(*outage.updates, update),
    )


def restore(outage: Outage, *, policy: AccessPolicy, actor: Actor, at: _dt.datetime) -> OutageStep:
    """Record that supply is restored.

    Raises:
        TransitionNotAllowed: the outage is not in progress.
    """
    return _fire(
        outage, OutageEvent.RESTORE, policy=policy, actor=actor, at=at, why="复电", restored_at=at
    )


def call_back(
    outage: Outage, *, what: str, policy: AccessPolicy, actor: Actor, at: _dt.datetime
) -> OutageStep:
    """Record the call-back (回访) after restoration: never at night, not before it is due.

    Raises:
        GuardRefused: at night, or before :meth:`CallBackPolicy.due_after` the restoration.
        TransitionNotAllowed: the outage is not restored.
    """
    return _fire(
        outage,
        OutageEvent.CALL_BACK,
        policy=policy,
        actor=actor,
        at=at,
        why=f"回访: {what}",
        called_back_at=at,
    )


def cancel(
    outage: Outage, *, why: str, policy: AccessPolicy, actor: Actor, at: _dt.datetime
) -> OutageStep:
    """Cancel an outage that has not started.

    Raises:
        TransitionNotAllowed: the outage has started.
    """
    return _fire(outage, OutageEvent.CANCEL, policy=policy, actor=actor, at=at, why=why)


# ---------------------------------------------------------------------- breaches


class BreachKind(enum.Enum):
    """What was late."""

    NOTICE_LATE = "notice late"
    NOT_NOTIFIED = "not notified"
    RESTORATION_LATE = "restoration late"


@attrs.frozen(kw_only=True)
class OutageBreach:
    """A limit an outage missed: which, for whom, due when, done when, how late, which rule."""

    outage_id: str
    kind: BreachKind
    customer_id: str | None
    due_at: pendulum.DateTime
    done_at: pendulum.DateTime | None
    late_by: timedelta
    rule_set: str
    source: str

    def explain(self) -> str:
        """One line: which outage, what was late, for whom, which rule."""
        who = f" to {self.customer_id}" if self.customer_id else ""
        done = "not done" if self.done_at is None else f"done {self.done_at}"
        return (
            f"outage {self.outage_id}: {self.kind.value}{who}: due {self.due_at}, {done}, late "
            f"by {self.late_by} ({self.rule_set}: {self.source})"
        )


def outage_breaches(
    outage: Outage, *, as_of: _dt.datetime, rules: OutageRules | None = None
) -> tuple[OutageBreach, ...]:
    """Return every breach of ``outage`` as of ``as_of``: each key customer notified late (or
    not at all once the limit has passed), and — once it has started — a restoration later
    than the announced window (or none yet when the window is over).

    A cancelled outage has none.
    """
    if outage.state is OutageState.CANCELLED:
        return ()
    chosen = rules or outage_rules(outage.rules)
    rule = chosen.notice_for(outage.kind)
    moment = as_instant(as_of, "as_of")
    due = notice_due(outage, chosen)
    found: list[OutageBreach] = []
    for customer in outage.key_customers:
        notice = outage.first_notice(customer.customer_id)
        if notice is not None and notice.at > due:
            kind, done, late = BreachKind.NOTICE_LATE, notice.at, elapsed(notice.at, due)
        elif notice is None and moment > due:
            kind, done, late = BreachKind.NOT_NOTIFIED, None, elapsed(moment, due)
        else:
            continue
        found.append(
            OutageBreach(
                outage_id=outage.id,
                kind=kind,
                customer_id=customer.customer_id,
                due_at=due,
                done_at=done,
                late_by=late,
                rule_set=chosen.key,
                source=rule.source,
            )
        )
    restored = outage.restored_at
    end = outage.window_end
    late_restore = restored > end if restored is not None else moment > end
    if outage.started_at is not None and late_restore:
        found.append(
            OutageBreach(
                outage_id=outage.id,
                kind=BreachKind.RESTORATION_LATE,
                customer_id=None,
                due_at=end,
                done_at=restored,
                late_by=elapsed(restored or moment, end),
                rule_set=chosen.key,
                source="the announced outage window (停电通知)",
            )
        )
    return tuple(found)
