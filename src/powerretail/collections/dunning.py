"""Dunning (电费催收) as a declared state machine: reminder, stop notice, stop, payment, restore.

An overdue bill opens a :class:`DunningCase`. It is reminded (each reminder a recorded contact:
phone, SMS, letter or visit), then — once the arrears are more than 30 days overdue — a written
stop notice is served naming the planned stop, a final notice is given shortly before it, and
supply is stopped. Payment of a stopped case issues the restore order at once and starts its
clock; restoring supply closes the case. Payment before the stop settles the case.

Every step is an arrow of :data:`DUNNING_MACHINE`; the guards on the stop carry the law:

* ``more_than_30_days_overdue`` and ``reminder_given`` — 《电力供应与使用条例》第39条: supply may
  be stopped for arrears only when they are more than 30 days overdue and the customer was
  reminded (经催交仍未交付).
* ``notice_period_held`` — the stop notice served within the rule set's window before the stop
  (3 to 7 days under 《供电营业规则》(1996) 第67条; 7 days under the State Grid commitments); and
  ``final_notice_given`` — notified again 30 minutes (1 hour in the provincial variant) before.
* ``authority_copied`` — for an important customer the stop notice is copied to the electricity
  authority (《供电营业规则》(1996) 第67条), or no stop notice is served.
* ``not_moved_out`` — a moved-out customer's dunning runs on shorter intervals and never reaches
  the stop level (苏州供电公司客户迁出 5.主要控制点).
* ``force_majeure_or_theft`` — the only stops without notice (《供电营业规则》(1996) 第66条:
  不可抗力 and 确有窃电行为).

The stop needs the ``stop_supply`` permission (:data:`~powerretail.access.STOP_SUPPLY`).
Refusals name every guard that failed and why (:class:`DunningRefused`). The time limits are
data: a :class:`DunningRules` set per instrument (:data:`DUNNING_RULE_SETS`), each with its notice
window, final-notice lead, reminder intervals and restore :class:`~powerretail.sla.policy.
SlaPolicy` (24 h State Grid, 12 h China Southern Grid, 3 days 《供电营业规则》(1996) 第69条).
After a stop for discovered theft the restore limit is the rule set's ``theft_restore``: 24 h
after the theft charges are paid (:data:`THEFT_RESTORE`, one municipal regulation).

>>> print(DUNNING_MACHINE.to_mermaid().splitlines()[1])
    state "final notice" as FINAL_NOTICE
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any, Final

import attrs
import pendulum

from powerretail.access import STOP_SUPPLY, AccessPolicy, Actor, AuditRecord
from powerretail.customers.contacts import Channel, ContactEntry
from powerretail.errors import InvalidInput, NotFound, RuleViolation
from powerretail.quantities import Money
from powerretail.sla.clock import SlaClock, SlaEvent
from powerretail.sla.policy import NoticeRule, SlaPolicy, SlaUnit
from powerretail.statemachine import StateMachine, Transition, TransitionRecord
from powerretail.timeframe import DEFAULT_TIMEZONE, as_date, as_instant, timezone

__all__ = [
    "CSG",
    "DUNNING_MACHINE",
    "DUNNING_RULE_SETS",
    "GYGZ1996",
    "PROVINCIAL",
    "REMINDER_CHANNELS",
    "SGCC2011",
    "THEFT_RESTORE",
    "DunningCase",
    "DunningEvent",
    "DunningRefused",
    "DunningRules",
    "DunningState",
    "Refusal",
    "RestoreBreach",
    "StopReason",
    "days_overdue",
    "dunning_rules",
    "final_notice",
    "notice_refusals",
    "open_case",
    "pay",
    "remind",
    "restore",
    "restore_breach",
    "restore_clock",
    "restore_policy",
    "serve_stop_notice",
    "stop_refusals",
    "stop_supply",
]

_GYGZ: Final = "《供电营业规则》(1996, 电力工业部令第8号)"
_TIAOLI: Final = "《电力供应与使用条例》第39条"
_SEED_MOVE_OUT: Final = "苏州供电公司客户迁出 5.主要控制点 (最后一个催收等级中停电处理不再使用)"


class DunningState(enum.Enum):
    """Where a dunning case stands."""

    OVERDUE = "overdue"
    REMINDED = "reminded"
    STOP_NOTICE_SERVED = "stop notice served"
    FINAL_NOTICE = "final notice"
    SUPPLY_STOPPED = "supply stopped"
    #: Paid while stopped: the restore order is issued and its clock runs.
    RESTORE_DUE = "paid, restore due"
    RESTORED = "restored"
    #: Paid before any stop: nothing more to do.
    SETTLED = "settled"


class DunningEvent(enum.Enum):
    """What happens to a dunning case."""

    REMIND = "remind"
    SERVE_STOP_NOTICE = "serve stop notice"
    FINAL_NOTICE = "final notice"
    STOP = "stop"
    STOP_IMMEDIATELY = "stop immediately"
    PAY = "pay"
    RESTORE = "restore"


class StopReason(enum.Enum):
    """Why supply was stopped."""

    ARREARS = "arrears"
    FORCE_MAJEURE = "force_majeure"
    THEFT = "theft"


#: The channels a reminder (催交) may use; each is a recorded contact.
REMINDER_CHANNELS: Final = frozenset({Channel.PHONE, Channel.SMS, Channel.LETTER, Channel.VISIT})


#: Restore within 24 hours after a stop for theft, once the theft charges are paid: one municipal
#: electricity-protection regulation (一个市的电力设施保护条例: 窃电停电，结清后 24 小时内恢复供电;
#: one source). Stricter than the 3 days of 《供电营业规则》(1996) 第69条.
THEFT_RESTORE: Final = SlaPolicy(
    key="theft_restore",
    name="Supply restored after the theft charges are paid",
    limit=24,
    unit=SlaUnit.HOURS,
    rule_set="THEFT",
    source="municipal electricity-protection regulation: 窃电停电，依法处理并结清后 24 小时内复电",
    status="1 source",
    start_events={"paid"},
    stop_events={"restored"},
    pause_events=frozenset(),
    resume_events=frozenset(),
)


def _notice(value: object) -> NoticeRule:
    if not isinstance(value, NoticeRule):
        raise InvalidInput("notice", value, "a NoticeRule")
    return value


@attrs.frozen(kw_only=True)
class DunningRules:
    """The time limits of dunning under one instrument.

    Attributes:
        key: the rule set's key (``"GYGZ1996"``).
        title: the instrument.
        min_days_overdue: supply may be stopped only *more* than this many days overdue.
        stop_notice: the least notice before the stop (days).
        stop_notice_residential: a different least notice for residential customers, if any.
        stop_notice_max_days: the most days the notice may be served before the stop (None: no
            upper bound).
        final_notice: the re-notice before cutting (minutes or hours).
        restore: the restore time limit, started by ``paid`` and stopped by ``restored``.
        reminder_interval_days: days between reminders (and from the last reminder to the
            stop notice).
        moved_out_interval_days: the shorter interval for a moved-out customer.
        theft_restore: the restore time limit after a stop for discovered theft, started when
            the theft charges (追补电费 and 违约使用电费) are paid.
    """

    key: str
    title: str
    min_days_overdue: int = 30
    stop_notice: NoticeRule = attrs.field(converter=_notice)
    stop_notice_residential: NoticeRule | None = None
    stop_notice_max_days: int | None = None
    final_notice: NoticeRule = attrs.field(converter=_notice)
    restore: SlaPolicy
    reminder_interval_days: int = 10
    moved_out_interval_days: int = 5
    theft_restore: SlaPolicy = THEFT_RESTORE

    def __attrs_post_init__(self) -> None:
        if self.moved_out_interval_days >= self.reminder_interval_days:
            raise InvalidInput(
                f"{self.key}.moved_out_interval_days",
                self.moved_out_interval_days,
                f"fewer days than the reminder interval ({self.reminder_interval_days})",
            )

    def notice_for(self, case: DunningCase) -> NoticeRule:
        """Return the least stop notice for ``case``'s customer."""
        if case.is_residential and self.stop_notice_residential is not None:
            return self.stop_notice_residential
        return self.stop_notice

    def interval_for(self, case: DunningCase) -> int:
        """Return the days between dunning steps for ``case`` (shorter once moved out)."""
        return self.moved_out_interval_days if case.is_moved_out else self.reminder_interval_days


def _restore(key: str, limit: int, unit: SlaUnit, source: str, status: str) -> SlaPolicy:
    return SlaPolicy(
        key="arrears_restore",
        name="Supply restored after the arrears are paid",
        limit=limit,
        unit=unit,
        rule_set=key,
        source=source,
        status=status,
        start_events={"paid"},
        stop_events={"restored"},
        pause_events=frozenset(),
        resume_events=frozenset(),
    )


def _lead(key: str, name: str, lead: int, unit: SlaUnit, source: str) -> NoticeRule:
    return NoticeRule(key=name, name=name, lead=lead, unit=unit, rule_set=key, source=source)


GYGZ1996: Final = DunningRules(
    key="GYGZ1996",
    title=f"{_GYGZ} 第67、69条; {_TIAOLI}",
    stop_notice=_lead("GYGZ1996", "stop_notice", 3, SlaUnit.CALENDAR_DAYS, f"{_GYGZ} 第67条"),
    stop_notice_max_days=7,
    final_notice=_lead("GYGZ1996", "final_notice", 30, SlaUnit.MINUTES, f"{_GYGZ} 第67条"),
    restore=_restore(
        "GYGZ1996", 3, SlaUnit.CALENDAR_DAYS, f"{_GYGZ} 第69条", "confirmed: 2 sources"
    ),
)

SGCC2011: Final = DunningRules(
    key="SGCC2011",
    title="国家电网公司供电服务“十项承诺” (2011); 30-minute re-notice per 《供电营业规则》第67条",
    stop_notice=_lead(
        "SGCC2011",
        "stop_notice",
        7,
        SlaUnit.CALENDAR_DAYS,
        "国家电网公司供电服务“十项承诺” (2011)",
    ),
    final_notice=_lead("SGCC2011", "final_notice", 30, SlaUnit.MINUTES, f"{_GYGZ} 第67条"),
    restore=_restore(
        "SGCC2011",
        24,
        SlaUnit.HOURS,
        "国家电网公司供电服务“十项承诺” (2011): 欠费复电 24 小时",
        "confirmed: 2 sources",
    ),
)

CSG: Final = DunningRules(
    key="CSG",
    title="中国南方电网供电服务承诺 (restore); notice per 《供电营业规则》第67条",
    stop_notice=_lead("CSG", "stop_notice", 3, SlaUnit.CALENDAR_DAYS, f"{_GYGZ} 第67条"),
    stop_notice_max_days=7,
    final_notice=_lead("CSG", "final_notice", 30, SlaUnit.MINUTES, f"{_GYGZ} 第67条"),
    restore=_restore(
        "CSG", 12, SlaUnit.HOURS, "中国南方电网供电服务承诺: 交清欠费后 12 小时复电", "1 source"
    ),
)

PROVINCIAL: Final = DunningRules(
    key="PROVINCIAL",
    title="A provincial variant (province not named): residential 7 d, others 3 d and 1 h",
    stop_notice=_lead("PROVINCIAL", "stop_notice", 3, SlaUnit.CALENDAR_DAYS, "provincial rule"),
    stop_notice_residential=_lead(
        "PROVINCIAL", "stop_notice_residential", 7, SlaUnit.CALENDAR_DAYS, "provincial rule"
    ),
    final_notice=_lead("PROVINCIAL", "final_notice", 1, SlaUnit.HOURS, "provincial rule"),
    restore=_restore(
        "PROVINCIAL", 3, SlaUnit.CALENDAR_DAYS, f"{_GYGZ} 第69条", "confirmed: 2 sources"
    ),
)

#: The dunning rule sets by key.
DUNNING_RULE_SETS: Final[Mapping[str, DunningRules]] = {
    rules.key: rules for rules in (GYGZ1996, SGCC2011, CSG, PROVINCIAL)
}


def dunning_rules(key: str) -> DunningRules:
    """Return the dunning rule set ``key``.

    Raises:
        NotFound: no such rule set.
    """
    try:
        return DUNNING_RULE_SETS[key]
    except KeyError:
        raise NotFound("dunning rule set", key) from None


def _instant_or_none(value: object) -> pendulum.DateTime | None:
    return None if value is None else as_instant(value, "at")


def _reminders(value: Iterable[ContactEntry]) -> tuple[ContactEntry, ...]:
    return tuple(value)


def _history(value: Iterable[TransitionRecord[Any, Any]]) -> tuple[TransitionRecord[Any, Any], ...]:
    return tuple(value)


def _due_date(value: object) -> date:
    return as_date(value, "due_date")


@attrs.frozen(kw_only=True)
class DunningCase:
    """The dunning of one overdue bill.

    Attributes:
        id: the case id (one case per bill: ``"DUN-" + bill id`` by :func:`open_case`).
        account_id / customer_id / bill_id: what is dunned.
        amount: what the bill owes.
        due_date: the payment deadline; the day after it is overdue day 1.
        rules: the key of the :class:`DunningRules` that apply.
        is_residential / is_important / is_moved_out: the customer, as dunning needs it.
        state: where the case stands.
        reminders: every reminder given, as recorded contacts.
        stop_notice_at / planned_stop_at / authority_copy: the written stop notice, the stop it
            announced and the reference of its copy to the electricity authority.
        final_notice_at / stopped_at / stop_reason / paid_at / restored_at: later steps.
        history: every transition record.
    """

    id: str
    account_id: str
    customer_id: str
    bill_id: str
    amount: Money
    due_date: date = attrs.field(converter=_due_date)
    rules: str = "GYGZ1996"
    is_residential: bool = False
    is_important: bool = False
    is_moved_out: bool = False
    state: DunningState = DunningState.OVERDUE
    reminders: tuple[ContactEntry, ...] = attrs.field(default=(), converter=_reminders)
    stop_notice_at: pendulum.DateTime | None = attrs.field(default=None, converter=_instant_or_none)
    planned_stop_at: pendulum.DateTime | None = attrs.field(
        default=None, converter=_instant_or_none
    )
    authority_copy: str | None = None
    final_notice_at: pendulum.DateTime | None = attrs.field(
        default=None, converter=_instant_or_none
    )
    stopped_at: pendulum.DateTime | None = attrs.field(default=None, converter=_instant_or_none)
    stop_reason: StopReason | None = None
    paid_at: pendulum.DateTime | None = attrs.field(default=None, converter=_instant_or_none)
    restored_at: pendulum.DateTime | None = attrs.field(default=None, converter=_instant_or_none)
    history: tuple[TransitionRecord[Any, Any], ...] = attrs.field(default=(), converter=_history)


def open_case(
    *,
    account_id: str,
    customer_id: str,
    bill_id: str,
    amount: Money,
    due_date: date,
    rules: str = "GYGZ1996",
    is_residential: bool = False,
    is_important: bool = False,
    is_moved_out: bool = False,
) -> DunningCase:
    """Return the dunning case of an overdue bill (state ``overdue``).

    Raises:
        NotFound: ``rules`` is not a dunning rule set.
        InvalidInput: the amount is not above zero.
    """
    dunning_rules(rules)
    if not isinstance(amount, Money) or amount.amount <= 0:
        raise InvalidInput("amount", amount, "Money above zero")
    return DunningCase(
        id=f"DUN-{bill_id}",
        account_id=account_id,
        customer_id=customer_id,
        bill_id=bill_id,
        amount=amount,
        due_date=due_date,
        rules=rules,
        is_residential=is_residential,
        is_important=is_important,
        is_moved_out=is_moved_out,
    )


def days_overdue(case: DunningCase, at: _dt.datetime, zone: str = DEFAULT_TIMEZONE) -> int:
    """Return how many days overdue the bill is at ``at`` (the day after the deadline is 1)."""
    local = as_instant(at, "at").in_timezone(timezone(zone))
    return (date(local.year, local.month, local.day) - case.due_date).days


@attrs.frozen
class Refusal:
    """A guard that failed: its name, what it found and the rule behind it."""

    guard: str
    reason: str
    source: str

    def __str__(self) -> str:
        return f"{self.guard}: {self.reason} ({self.source})"


class DunningRefused(RuleViolation):
    """A dunning step refused by its guards; ``refusals`` says which and why."""

    def __init__(self, case_id: str, step: str, refusals: tuple[Refusal, ...]) -> None:
        self.case_id = case_id
        self.step = step
        self.refusals = refusals
        super().__init__(case_id, step, refusals)

    def __str__(self) -> str:
        reasons = "; ".join(str(refusal) for refusal in self.refusals)
        return f"dunning case {self.case_id}: cannot {self.step}: {reasons}"


def _eligibility(case: DunningCase, at: _dt.datetime, rules: DunningRules) -> list[Refusal]:
    found: list[Refusal] = []
    days = days_overdue(case, at)
    if days <= rules.min_days_overdue:
        found.append(
            Refusal(
                "more_than_30_days_overdue",
                f"the arrears are {days} days overdue, not more than {rules.min_days_overdue}",
                _TIAOLI,
            )
        )
    if not any(entry.at <= as_instant(at) for entry in case.reminders):
        found.append(Refusal("reminder_given", "no reminder (催交) was given", _TIAOLI))
    if case.is_moved_out:
        found.append(
            Refusal(
                "not_moved_out",
                "the customer has moved out; their dunning never reaches the stop",
                _SEED_MOVE_OUT,
            )
        )
    return found


def _window(
    case: DunningCase, notice_at: _dt.datetime, stop_at: _dt.datetime, rules: DunningRules
) -> list[Refusal]:
    rule = rules.notice_for(case)
    found: list[Refusal] = []
    if not rule.is_satisfied(notice_at, stop_at):
        found.append(
            Refusal(
                "notice_period_held",
                f"the stop notice of {as_instant(notice_at)} is less than {rule.lead} days "
                f"before the stop at {as_instant(stop_at)}",
                rule.source,
            )
        )
    elif rules.stop_notice_max_days is not None:
        earliest = as_instant(stop_at) - timedelta(days=rules.stop_notice_max_days)
        if as_instant(notice_at) < earliest:
            found.append(
                Refusal(
                    "notice_period_held",
                    f"the stop notice of {as_instant(notice_at)} is more than "
                    f"{rules.stop_notice_max_days} days before the stop at {as_instant(stop_at)}",
                    rule.source,
                )
            )
    return found


def notice_refusals(
    case: DunningCase,
    *,
    at: _dt.datetime,
    planned_stop_at: _dt.datetime,
    authority_copy: str | None,
    rules: DunningRules,
) -> tuple[Refusal, ...]:
    """Return why a stop notice served at ``at`` for a stop at ``planned_stop_at`` is refused
    (empty: it may be served)."""
    found = _eligibility(case, at, rules)
    found += _window(case, at, planned_stop_at, rules)
    if case.is_important and not authority_copy:
        found.append(
            Refusal(
                "authority_copied",
                "an important customer's stop notice is not copied to the electricity authority",
                f"{_GYGZ} 第67条",
            )
        )
    return tuple(found)


def stop_refusals(
    case: DunningCase, *, at: _dt.datetime, rules: DunningRules
) -> tuple[Refusal, ...]:
    """Return why stopping supply for arrears at ``at`` is refused (empty: it may stop)."""
    found = _eligibility(case, at, rules)
    if case.stop_notice_at is None or case.planned_stop_at is None:
        found.append(Refusal("notice_period_held", "no stop notice was served", f"{_GYGZ} 第67条"))
    else:
        found += _window(case, case.stop_notice_at, at, rules)
        if as_instant(at) < case.planned_stop_at:
            found.append(
                Refusal(
                    "notice_period_held",
                    f"the notice announced the stop for {case.planned_stop_at}, not earlier",
                    f"{_GYGZ} 第67条",
                )
            )
    if case.is_important and not case.authority_copy:
        found.append(
            Refusal(
                "authority_copied",
                "an important customer's stop notice is not copied to the electricity authority",
                f"{_GYGZ} 第67条",
            )
        )
    if case.final_notice_at is None or not rules.final_notice.is_satisfied(
        case.final_notice_at, at
    ):
        found.append(
            Refusal(
                "final_notice_given",
                f"no final notice {rules.final_notice.lead} {rules.final_notice.unit.value} "
                "before the stop",
                rules.final_notice.source,
            )
        )
    return tuple(found)


def _rules_of(ctx: Mapping[str, Any], case: DunningCase) -> DunningRules:
    rules = ctx.get("rules")
    return rules if isinstance(rules, DunningRules) else dunning_rules(case.rules)


def stop_guards_hold(case: DunningCase, ctx: Mapping[str, Any]) -> bool:
    """Every guard of an arrears stop holds at ``ctx["at"]``."""
    return not stop_refusals(case, at=ctx["at"], rules=_rules_of(ctx, case))


def notice_guards_hold(case: DunningCase, ctx: Mapping[str, Any]) -> bool:
    """Every guard of serving a stop notice holds at ``ctx["at"]``."""
    return not notice_refusals(
        case,
        at=ctx["at"],
        planned_stop_at=ctx["planned_stop_at"],
        authority_copy=ctx.get("authority_copy"),
        rules=_rules_of(ctx, case),
    )


def force_majeure_or_theft(case: DunningCase, ctx: Mapping[str, Any]) -> bool:
    """The stop is for force majeure or discovered theft (no notice needed)."""
    return ctx.get("reason") in (StopReason.FORCE_MAJEURE, StopReason.THEFT)


def is_overdue(case: DunningCase, ctx: Mapping[str, Any]) -> bool:
    """The bill is at least one day overdue."""
    return days_overdue(case, ctx["at"]) >= 1


def final_notice_in_time(case: DunningCase, ctx: Mapping[str, Any]) -> bool:
    """The final notice is given at least the rule set's lead before the planned stop."""
    assert case.planned_stop_at is not None  # served in STOP_NOTICE_SERVED
    return _rules_of(ctx, case).final_notice.is_satisfied(ctx["at"], case.planned_stop_at)


_S: Final = DunningState
_E: Final = DunningEvent
_BEFORE_STOP: Final = (_S.OVERDUE, _S.REMINDED, _S.STOP_NOTICE_SERVED, _S.FINAL_NOTICE)

#: The dunning process. See the module docstring for the guards and their sources.
DUNNING_MACHINE: Final[StateMachine[DunningState, DunningEvent]] = StateMachine(
    "dunning",
    initial=DunningState.OVERDUE,
    finals={DunningState.RESTORED, DunningState.SETTLED},
    transitions=[
        Transition(_S.OVERDUE, _E.REMIND, _S.REMINDED, guard=is_overdue),
        Transition(_S.REMINDED, _E.REMIND, _S.REMINDED, guard=is_overdue),
        Transition(
            _S.REMINDED,
            _E.SERVE_STOP_NOTICE,
            _S.STOP_NOTICE_SERVED,
            guard=notice_guards_hold,
            guard_name="more_than_30_days_overdue, reminder_given, not_moved_out, "
            "notice_period_held, authority_copied",
        ),
        Transition(
            _S.STOP_NOTICE_SERVED,
            _E.FINAL_NOTICE,
            _S.FINAL_NOTICE,
            guard=final_notice_in_time,
            guard_name="final_notice_given",
        ),
        Transition(
            _S.FINAL_NOTICE,
            _E.STOP,
            _S.SUPPLY_STOPPED,
            guard=stop_guards_hold,
            guard_name="more_than_30_days_overdue, reminder_given, not_moved_out, "
            "notice_period_held, authority_copied, final_notice_given",
            permission=STOP_SUPPLY,
        ),
        *(
            Transition(
                state,
                _E.STOP_IMMEDIATELY,
                _S.SUPPLY_STOPPED,
                guard=force_majeure_or_theft,
                permission=STOP_SUPPLY,
            )
            for state in _BEFORE_STOP
        ),
        *(Transition(state, _E.PAY, _S.SETTLED) for state in _BEFORE_STOP),
        Transition(_S.SUPPLY_STOPPED, _E.PAY, _S.RESTORE_DUE),
        Transition(_S.RESTORE_DUE, _E.RESTORE, _S.RESTORED),
    ],
)


@attrs.frozen
class Stepped:
    """A dunning step done: the moved case, its transition record and the grant (if any)."""

    case: DunningCase
    record: TransitionRecord[DunningState, DunningEvent]
    audit: AuditRecord | None


def _fire(
    case: DunningCase,
    event: DunningEvent,
    *,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
    why: str,
    context: Mapping[str, Any] | None = None,
    **changes: Any,
) -> Stepped:
    fired = DUNNING_MACHINE.fire(
        case,
        event,
        policy=policy,
        actor=actor,
        at=at,
        why=why,
        context={"at": at, **(context or {})},
        history=True,
        **changes,
    )
    return Stepped(fired.entity, fired.record, fired.audit)


def remind(
    case: DunningCase,
    *,
    channel: Channel,
    what: str,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
) -> Stepped:
    """Remind the customer (催交) by ``channel``; the reminder is a recorded contact.

    Raises:
        InvalidInput: ``channel`` is not phone, SMS, letter or visit.
        GuardRefused: the bill is not yet overdue.
        TransitionNotAllowed: the case is past reminding.
    """
    if channel not in REMINDER_CHANNELS:
        names = sorted(c.name for c in REMINDER_CHANNELS)
        raise InvalidInput("channel", channel, f"one of {names}")
    entry = ContactEntry(who=actor.id, at=at, channel=channel, what=what)
    return _fire(
        case,
        DunningEvent.REMIND,
        policy=policy,
        actor=actor,
        at=at,
        why=f"催交 by {channel.value}: {what}",
        reminders=(*case.reminders, entry),
    )


def serve_stop_notice(
    case: DunningCase,
    *,
    planned_stop_at: _dt.datetime,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
    authority_copy: str | None = None,
    rules: DunningRules | None = None,
) -> Stepped:
    """Serve the written stop notice at ``at`` for a stop at ``planned_stop_at``.

    Raises:
        DunningRefused: a guard failed (each named with its reason and rule).
        TransitionNotAllowed: the case is not reminded.
    """
    chosen = rules or dunning_rules(case.rules)
    if case.state is DunningState.REMINDED:
        refusals = notice_refusals(
            case,
            at=at,
            planned_stop_at=planned_stop_at,
            authority_copy=authority_copy,
            rules=chosen,
        )
        if refusals:
            raise DunningRefused(case.id, "serve a stop notice", refusals)
    return _fire(
        case,
        DunningEvent.SERVE_STOP_NOTICE,
        policy=policy,
        actor=actor,
        at=at,
        why=f"停电通知: stop planned for {as_instant(planned_stop_at)}",
        context={
            "planned_stop_at": planned_stop_at,
            "authority_copy": authority_copy,
            "rules": chosen,
        },
        stop_notice_at=at,
        planned_stop_at=planned_stop_at,
        authority_copy=authority_copy,
    )


def final_notice(
    case: DunningCase,
    *,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
    rules: DunningRules | None = None,
) -> Stepped:
    """Give the final notice before cutting (30 minutes, or the rule set's lead).

    Raises:
        GuardRefused: less than the lead before the planned stop.
        TransitionNotAllowed: no stop notice is served.
    """
    chosen = rules or dunning_rules(case.rules)
    return _fire(
        case,
        DunningEvent.FINAL_NOTICE,
        policy=policy,
        actor=actor,
        at=at,
        why="停电前再通知",
        context={"rules": chosen},
        final_notice_at=at,
    )


def stop_supply(
    case: DunningCase,
    *,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
    reason: StopReason = StopReason.ARREARS,
    why: str = "",
    rules: DunningRules | None = None,
) -> Stepped:
    """Stop supply: for arrears after the notices, or at once for force majeure or theft.

    Raises:
        PermissionDenied: ``actor`` may not stop supply (its ``audit`` records the refusal).
        DunningRefused: an arrears stop whose guards failed (each named).
        GuardRefused: an immediate stop that is not for force majeure or theft.
        TransitionNotAllowed: the case cannot be stopped from its state.
    """
    chosen = rules or dunning_rules(case.rules)
    if reason is StopReason.ARREARS:
        if case.state is DunningState.FINAL_NOTICE:
            refusals = stop_refusals(case, at=at, rules=chosen)
            if refusals:
                raise DunningRefused(case.id, "stop supply", refusals)
        event = DunningEvent.STOP
    else:
        event = DunningEvent.STOP_IMMEDIATELY
    return _fire(
        case,
        event,
        policy=policy,
        actor=actor,
        at=at,
        why=why or f"停电: {reason.value}",
        context={"rules": chosen, "reason": reason},
        stopped_at=at,
        stop_reason=reason,
    )


def pay(case: DunningCase, *, policy: AccessPolicy, actor: Actor, at: _dt.datetime) -> Stepped:
    """Record that the arrears are paid: settles the case, or issues the restore order.

    Raises:
        TransitionNotAllowed: the case is already paid.
    """
    return _fire(
        case, DunningEvent.PAY, policy=policy, actor=actor, at=at, why="欠费已结清", paid_at=at
    )


def restore(case: DunningCase, *, policy: AccessPolicy, actor: Actor, at: _dt.datetime) -> Stepped:
    """Restore supply after payment.

    Raises:
        TransitionNotAllowed: no restore is due.
    """
    return _fire(
        case, DunningEvent.RESTORE, policy=policy, actor=actor, at=at, why="复电", restored_at=at
    )


def restore_clock(case: DunningCase, rules: DunningRules | None = None) -> SlaClock:
    """Return the restore clock of a paid, stopped case (started at payment).

    Raises:
        InvalidInput: the case was not paid while stopped.
    """
    if case.paid_at is None or case.stopped_at is None:
        raise InvalidInput("case.state", case.state.value, "a case paid while stopped")
    chosen = rules or dunning_rules(case.rules)
    events = [SlaEvent("paid", case.paid_at)]
    if case.restored_at is not None:
        events.append(SlaEvent("restored", case.restored_at))
    return SlaClock(policy=restore_policy(case, chosen), events=tuple(events))


def restore_policy(case: DunningCase, rules: DunningRules | None = None) -> SlaPolicy:
    """Return the restore time limit of ``case``: the theft one after a stop for theft."""
    chosen = rules or dunning_rules(case.rules)
    return chosen.theft_restore if case.stop_reason is StopReason.THEFT else chosen.restore


@attrs.frozen(kw_only=True)
class RestoreBreach:
    """A restoration later than its limit: the breach record."""

    case_id: str
    account_id: str
    paid_at: pendulum.DateTime
    due_at: pendulum.DateTime
    restored_at: pendulum.DateTime | None
    late_by: timedelta
    rule_set: str
    source: str

    def explain(self) -> str:
        """One line: which case, how late, which rule."""
        done = "not yet restored" if self.restored_at is None else f"restored {self.restored_at}"
        return (
            f"dunning case {self.case_id}: restore due {self.due_at}, {done}, late by "
            f"{self.late_by} ({self.rule_set}: {self.source})"
        )


def restore_breach(
    case: DunningCase, *, as_of: _dt.datetime, rules: DunningRules | None = None
) -> RestoreBreach | None:
    """Return the breach record if the restoration is (or was) late as of ``as_of``, else None.

    Cases not paid while stopped have no restore clock and no breach.
    """
    if case.paid_at is None or case.stopped_at is None:
        return None
    chosen = rules or dunning_rules(case.rules)
    clock = restore_clock(case, chosen)
    late = clock.overdue_by(as_of, done_at=case.restored_at)
    if late is None:
        return None
    assert clock.due_at is not None  # the restore clock never pauses
    return RestoreBreach(
        case_id=case.id,
        account_id=case.account_id,
        paid_at=case.paid_at,
        due_at=clock.due_at,
        restored_at=case.restored_at,
        late_by=late,
        rule_set=chosen.key,
        source=restore_policy(case, chosen).source,
    )
