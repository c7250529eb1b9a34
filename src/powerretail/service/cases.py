"""One case model for every customer demand, whatever the channel and the kind.

A demand received at the counter, on the hotline, online or by a key-account manager opens a
:class:`Case` (:func:`open_case`) and adds a contact to the customer's contact record
(客户接触记录). Whoever received it is the case's first contact and stays answerable for it
(首问负责): :attr:`Case.first_contact` never changes, whoever owns the case later. The case is
routed by policy (:mod:`powerretail.service.routing`) and handed from role to role
(:func:`hand_off`), each hand-off under the internal hand-off clock until the receiver takes it
(:func:`take_over`); the manager supervises (:func:`supervise`). It moves by its kind's machine
(:mod:`powerretail.service.kinds`, :mod:`powerretail.service.connections`) with :func:`step`, is
answered with feedback to the customer (:func:`reply`) and closed by the satisfaction follow-up
(:func:`follow_up`).

Every clock of the case is computed from its history (:func:`case_clocks`): nothing is stored
that the history does not already say.

>>> import pendulum
>>> from powerretail.access import SEED_POLICY, Actor
>>> t = pendulum.datetime(2026, 3, 2, 9, tz="Asia/Shanghai")
>>> opened = open_case(case_id="K-1", kind=CaseKind.COMPLAINT, customer_id="C-1",
...     channel=IntakeChannel.HOTLINE, received_by="hotline-7", at=t,
...     subject="bill too high")
>>> reply_clock = next(c for c in case_clocks(opened.case) if c.name == "reply")
>>> print(reply_clock.clock.due_at)
2026-03-08 00:00:00+08:00
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs
import pendulum

from powerretail.access import AccessPolicy, Actor, AuditRecord
from powerretail.calendars.base import CalendarYearNotCovered
from powerretail.customers.contacts import Channel, ContactEntry, ContactRecord, record_contact
from powerretail.errors import InvalidInput, NotFound
from powerretail.ids import CustomerId, require_id
from powerretail.service.changes import CHANGE_OF_USE_KIND, ChangeOfUseDetails
from powerretail.service.connections import (
    CONNECTION_KIND,
    ConnectionDetails,
    ConnectionRefused,
    SchemeRefusal,
    SupplyScheme,
    extended_until,
    extension_refusals,
    missing_documents,
    scheme_refusals,
    valid_until,
)
from powerretail.service.kinds import (
    BASIC_KINDS,
    OPENED,
    Area,
    CaseEvent,
    CaseKind,
    CaseState,
    ClockSpec,
    KindSpec,
    ServiceRules,
    limit_for,
    service_rules,
)
from powerretail.sla.clock import SlaClock, SlaEvent, SlaState
from powerretail.sla.policy import SlaPolicy
from powerretail.statemachine import TransitionRecord
from powerretail.timeframe import as_instant

__all__ = [
    "KINDS",
    "Case",
    "CaseClock",
    "ClockStatus",
    "HandOff",
    "IntakeChannel",
    "Opened",
    "Satisfaction",
    "Stepped",
    "Supervision",
    "case_clocks",
    "energise",
    "extend_scheme",
    "follow_up",
    "hand_off",
    "hand_off_clocks",
    "is_breached",
    "kind_spec",
    "next_due",
    "open_case",
    "reply",
    "reply_scheme",
    "step",
    "supervise",
    "take_over",
]

_HAND_OFF_SOURCE: Final = (
    "电力大客户用电管理制度 第二节 2-4 (报客户服务中心业扩专责审批; 供电所传递到市场营销部)"
)
_FIRST_CONTACT: Final = "苏州供电公司大客户管理 5.主要控制点 (首次接触的人员负责生成“客户接触记录”)"


class IntakeChannel(enum.Enum):
    """Where the demand came in (各服务渠道均可受理)."""

    COUNTER = "counter"
    HOTLINE = "hotline"
    ONLINE = "online"
    KEY_ACCOUNT_MANAGER = "key account manager"

    @property
    def contact_channel(self) -> Channel:
        """The channel of the contact record entry the intake makes."""
        return _CONTACT_CHANNELS[self]


_CONTACT_CHANNELS: Final[Mapping[IntakeChannel, Channel]] = {
    IntakeChannel.COUNTER: Channel.COUNTER,
    IntakeChannel.HOTLINE: Channel.PHONE,
    IntakeChannel.ONLINE: Channel.SYSTEM,
    IntakeChannel.KEY_ACCOUNT_MANAGER: Channel.VISIT,
}


class Satisfaction(enum.Enum):
    """What the customer said at the follow-up (满意度回访)."""

    SATISFIED = "satisfied"
    NEUTRAL = "neutral"
    DISSATISFIED = "dissatisfied"
    UNREACHABLE = "unreachable"


def _instant(value: object) -> pendulum.DateTime:
    return as_instant(value, "at")


def _instant_or_none(value: object) -> pendulum.DateTime | None:
    return None if value is None else as_instant(value, "at")


def _who(value: object) -> str:
    return require_id(value, "who")


@attrs.frozen(kw_only=True)
class HandOff:
    """A hand-off of the case from one owner to another, taken (acknowledged) or not yet."""

    from_owner: str = attrs.field(converter=_who)
    to_owner: str = attrs.field(converter=_who)
    to_role: str
    at: pendulum.DateTime = attrs.field(converter=_instant)
    why: str
    taken_at: pendulum.DateTime | None = attrs.field(default=None, converter=_instant_or_none)


@attrs.frozen(kw_only=True)
class Supervision:
    """A supervisor's note on the case (督办): who, when, what."""

    by: str = attrs.field(converter=_who)
    at: pendulum.DateTime = attrs.field(converter=_instant)
    note: str


def _customer(value: object) -> CustomerId:
    return CustomerId(require_id(value, "customer_id"))


def _case_id(value: object) -> str:
    return require_id(value, "case_id")


def _tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Case:
    """A customer demand of any kind, from intake to the satisfaction follow-up.

    Attributes:
        id: the case id.
        kind: what the customer asks for.
        customer_id: who asks.
        channel: where the demand came in.
        subject: what the customer asked, in their terms.
        opened_at: when it was received (clocks that start on :data:`OPENED` start here).
        first_contact: who received it: answerable for it to the end (首问负责).
        owner / owner_role: who holds it now, and in which role.
        area / region: where the customer is (repair limits; routing and reports).
        rules: the key of the :class:`~powerretail.service.kinds.ServiceRules` that set its limits.
        state: where it stands in its kind's machine.
        history: every transition record.
        hand_offs / supervision: hand-offs between owners and the supervisor's notes.
        contacts: the contacts the case made (intake, feedback, follow-up).
        feedback / satisfaction: what the customer was told, and what they said.
        connection: the application of a connection case (None for other kinds).
        change_of_use: the request of a change-of-use case (None for other kinds).
    """

    id: str = attrs.field(converter=_case_id)
    kind: CaseKind
    customer_id: CustomerId = attrs.field(converter=_customer)
    channel: IntakeChannel
    subject: str
    opened_at: pendulum.DateTime = attrs.field(converter=_instant)
    first_contact: str = attrs.field(converter=_who)
    owner: str = attrs.field(converter=_who)
    owner_role: str = "first contact"
    area: Area = Area.URBAN
    region: str = ""
    rules: str = "SEED"
    state: CaseState = CaseState.RECEIVED
    history: tuple[TransitionRecord[Any, Any], ...] = attrs.field(default=(), converter=_tuple)
    hand_offs: tuple[HandOff, ...] = attrs.field(default=(), converter=_tuple)
    supervision: tuple[Supervision, ...] = attrs.field(default=(), converter=_tuple)
    contacts: tuple[ContactEntry, ...] = attrs.field(default=(), converter=_tuple)
    feedback: str | None = None
    satisfaction: Satisfaction | None = None
    connection: ConnectionDetails | None = None
    change_of_use: ChangeOfUseDetails | None = None

    def __attrs_post_init__(self) -> None:
        if (self.kind is CaseKind.CONNECTION) != (self.connection is not None):
            raise InvalidInput(
                "connection", self.connection, "application details exactly for a connection"
            )
        if (self.kind is CaseKind.CHANGE_OF_USE) != (self.change_of_use is not None):
            raise InvalidInput(
                "change_of_use", self.change_of_use, "the request exactly for a change of use"
            )
        if not isinstance(self.subject, str) or not self.subject.strip():
            raise InvalidInput("subject", self.subject, "what the customer asked")
        if self.state not in kind_spec(self.kind).machine.states:
            raise InvalidInput("state", self.state, f"a state of the {self.kind.value} machine")

    @property
    def is_closed(self) -> bool:
        """Whether the case has reached a final state of its machine."""
        return kind_spec(self.kind).machine.is_final(self.state)


#: Every kind of case by kind.
KINDS: Final[Mapping[CaseKind, KindSpec]] = {
    spec.kind: spec for spec in (*BASIC_KINDS, CONNECTION_KIND, CHANGE_OF_USE_KIND)
}


def kind_spec(kind: CaseKind) -> KindSpec:
    """Return the machine and clocks of ``kind``.

    Raises:
        NotFound: the kind has no spec.
    """
    try:
        return KINDS[kind]
    except KeyError:  # pragma: no cover - every CaseKind has a spec (tested)
        raise NotFound("case kind", kind) from None


@attrs.frozen
class Opened:
    """A case opened at intake and the customer's contact record with the intake added."""

    case: Case
    contact_record: ContactRecord


def open_case(
    *,
    case_id: str,
    kind: CaseKind,
    customer_id: str,
    channel: IntakeChannel,
    received_by: str,
    at: _dt.datetime,
    subject: str,
    area: Area = Area.URBAN,
    region: str = "",
    rules: str = "SEED",
    connection: ConnectionDetails | None = None,
    contact_record: ContactRecord | None = None,
    change_of_use: ChangeOfUseDetails | None = None,
) -> Opened:
    """Open a case at intake; ``received_by`` becomes its first contact and owner.

    The intake is added to ``contact_record`` (created when the customer has none: the first
    contact creates it).

    Raises:
        NotFound: ``rules`` is not a service rule set.
        InvalidInput: a connection without details (or details on another kind), a change of
            use without its request (or a request on another kind), a blank
            subject, a naive ``at``, or a contact record of another customer or later contact.
    """
    service_rules(rules)
    case = Case(
        id=case_id,
        kind=kind,
        customer_id=customer_id,
        channel=channel,
        subject=subject,
        opened_at=at,
        first_contact=received_by,
        owner=received_by,
        area=area,
        region=region,
        rules=rules,
        connection=connection,
        change_of_use=change_of_use,
    )
    what = f"{kind.value} received ({case.id}): {subject}"
    entry = ContactEntry(who=received_by, at=at, channel=channel.contact_channel, what=what)
    record = record_contact(
        contact_record,
        customer_id=case.customer_id,
        who=received_by,
        at=at,
        channel=channel.contact_channel,
        what=what,
    )
    return Opened(attrs.evolve(case, contacts=(entry,)), record)


def _open(case: Case, what: str) -> None:
    if case.is_closed:
        raise InvalidInput("case.state", case.state.value, f"an open case to {what}")


def hand_off(case: Case, *, to_owner: str, to_role: str, at: _dt.datetime, why: str) -> Case:
    """Hand the case from its owner to ``to_owner`` (in ``to_role``): its clock starts.

    Raises:
        InvalidInput: the case is closed, the last hand-off is not yet taken, ``to_owner`` is
            the owner already, or ``at`` is before the last hand-off.
    """
    _open(case, "hand off")
    if case.hand_offs and case.hand_offs[-1].taken_at is None:
        raise InvalidInput(
            "hand_off", case.hand_offs[-1].to_owner, "the last hand-off taken before another"
        )
    if to_owner == case.owner:
        raise InvalidInput("to_owner", to_owner, f"someone other than the owner {case.owner}")
    made = HandOff(from_owner=case.owner, to_owner=to_owner, to_role=to_role, at=at, why=why)
    if case.hand_offs and made.at < (case.hand_offs[-1].taken_at or made.at):
        raise InvalidInput("at", made.at, f"at or after {case.hand_offs[-1].taken_at}")
    return attrs.evolve(case, hand_offs=(*case.hand_offs, made), owner=to_owner, owner_role=to_role)


def take_over(case: Case, *, by: str, at: _dt.datetime) -> Case:
    """Record that the receiver of the last hand-off took the case (its clock stops).

    Raises:
        InvalidInput: no hand-off is waiting, ``by`` is not its receiver, or ``at`` is earlier.
    """
    if not case.hand_offs or case.hand_offs[-1].taken_at is not None:
        raise InvalidInput("hand_offs", case.id, "a hand-off waiting to be taken")
    last = case.hand_offs[-1]
    if by != last.to_owner:
        raise InvalidInput("by", by, f"the receiver of the hand-off ({last.to_owner})")
    taken = attrs.evolve(last, taken_at=at)
    if taken.taken_at is not None and taken.taken_at < last.at:
        raise InvalidInput("at", taken.taken_at, f"at or after the hand-off at {last.at}")
    return attrs.evolve(case, hand_offs=(*case.hand_offs[:-1], taken))


def supervise(case: Case, *, by: str, at: _dt.datetime, note: str) -> Case:
    """Add the supervisor's note (督办) to the case.

    Raises:
        InvalidInput: a blank note.
    """
    if not isinstance(note, str) or not note.strip():
        raise InvalidInput("note", note, "what the supervisor asks or found")
    return attrs.evolve(case, supervision=(*case.supervision, Supervision(by=by, at=at, note=note)))


@attrs.frozen
class Stepped:
    """A step done: the moved case, its transition record and the grant (if the arrow needs one)."""

    case: Case
    record: TransitionRecord[CaseState, CaseEvent]
    audit: AuditRecord | None


def step(
    case: Case,
    event: CaseEvent,
    *,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
    why: str,
    context: Mapping[str, Any] | None = None,
    **changes: Any,
) -> Stepped:
    """Move ``case`` by ``event`` of its kind's machine (authorising ``actor`` where needed).

    The receiver of a hand-off not yet taken takes it by stepping the case (its hand-off clock
    stops at the step). Connection steps with rules of their own (acceptance with its checklist,
    the scheme, its extension) are refused with every reason
    (:class:`~powerretail.service.connections.ConnectionRefused`) before the machine is asked.

    Raises:
        PermissionDenied: the arrow needs a permission ``actor`` lacks (its ``audit`` records it).
        ConnectionRefused: a connection step's rules failed (each named).
        TransitionNotAllowed: the event makes no sense in the case's state.
        GuardRefused: a guard of the arrow refused.
    """
    rules = service_rules(case.rules)
    ctx = {"at": at, "rules": rules, **(context or {})}
    waiting = case.hand_offs[-1] if case.hand_offs else None
    if waiting is not None and waiting.taken_at is None and actor.id == waiting.to_owner:
        case = take_over(case, by=actor.id, at=at)
    if case.connection is not None:
        _check_connection(case, event, ctx)
    fired = kind_spec(case.kind).machine.fire(
        case,
        event,
        policy=policy,
        actor=actor,
        at=at,
        why=why,
        context=ctx,
        history=True,
        **changes,
    )
    return Stepped(fired.entity, fired.record, fired.audit)


def _check_connection(case: Case, event: CaseEvent, ctx: Mapping[str, Any]) -> None:
    details = case.connection
    assert details is not None  # only connection cases are checked
    found: tuple[SchemeRefusal, ...] = ()
    if event is CaseEvent.ACCEPT and case.state is CaseState.RECEIVED:
        missing = missing_documents(details)
        if missing:
            names = ", ".join(sorted(document.value for document in missing))
            found = (
                SchemeRefusal(
                    "documents_complete",
                    f"missing for {details.customer_class.value} {details.purpose.value}: {names}",
                    "供电公司重要客户业扩报装工作管理规定(试行) 第三条",
                ),
            )
    elif event is CaseEvent.REPLY_SCHEME and case.state in (
        CaseState.SURVEYED,
        CaseState.WITH_MARKETING,
    ):
        scheme = ctx.get("scheme")
        if not isinstance(scheme, SupplyScheme):
            raise InvalidInput("scheme", scheme, "the SupplyScheme to reply")
        found = scheme_refusals(details, scheme)
        if case.state is CaseState.SURVEYED and details.customer_class.is_high_voltage:
            found = (
                SchemeRefusal(
                    "handed_to_marketing",
                    "a high-voltage application is handed to marketing, which approves its "
                    "scheme, before the scheme is replied",
                    _HAND_OFF_SOURCE,
                ),
                *found,
            )
    elif event is CaseEvent.EXTEND_SCHEME and case.state is CaseState.SCHEME_REPLIED:
        found = extension_refusals(details, at=ctx["at"], rules=ctx["rules"])
    if found:
        raise ConnectionRefused(case.id, event.value, found)


def reply_scheme(
    case: Case,
    *,
    scheme: SupplyScheme,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
) -> Stepped:
    """Approve and reply the supply scheme: its validity runs from the reply.

    Raises:
        PermissionDenied: ``actor`` may not approve a supply scheme (the refusal is audited).
        ConnectionRefused: the scheme does not fit (capacity; dual sources from different
            substations for a first-level important customer).
        TransitionNotAllowed: the case is not surveyed.
    """
    details = case.connection
    if details is None:
        raise InvalidInput("case.kind", case.kind.value, "a connection case")
    replied = attrs.evolve(details, scheme=scheme, valid_until=valid_until(details, at))
    return step(
        case,
        CaseEvent.REPLY_SCHEME,
        policy=policy,
        actor=actor,
        at=at,
        why=f"供电方案答复: {len(scheme.access.sources)} source(s), "
        f"{scheme.access.capacity_kva} kVA",
        context={"scheme": scheme},
        connection=replied,
    )


def extend_scheme(case: Case, *, policy: AccessPolicy, actor: Actor, at: _dt.datetime) -> Stepped:
    """Extend the scheme's validity by one period on a request made at ``at``.

    Raises:
        ConnectionRefused: already extended, or requested too close to expiry.
        TransitionNotAllowed: the case has no scheme in force.
    """
    details = case.connection
    if details is None or details.valid_until is None:
        raise InvalidInput("case", case.id, "a connection case with a replied scheme")
    extended = attrs.evolve(details, valid_until=extended_until(details), extended=True)
    return step(
        case,
        CaseEvent.EXTEND_SCHEME,
        policy=policy,
        actor=actor,
        at=at,
        why=f"供电方案延期 to {extended.valid_until}",
        connection=extended,
    )


def _tell(
    case: Case,
    event: CaseEvent,
    what: str,
    *,
    feedback: str,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
) -> Stepped:
    """Take ``event`` and record ``feedback`` as a contact with the customer (``what``: the
    step's name in the transition record)."""
    entry = ContactEntry(who=actor.id, at=at, channel=case.channel.contact_channel, what=feedback)
    return step(
        case,
        event,
        policy=policy,
        actor=actor,
        at=at,
        why=f"{what}: {feedback}",
        feedback=feedback,
        contacts=(*case.contacts, entry),
    )


def reply(
    case: Case, *, feedback: str, policy: AccessPolicy, actor: Actor, at: _dt.datetime
) -> Stepped:
    """Answer the customer (``feedback``, a recorded contact) and move the case to replied.

    A connection is answered by energising it (:func:`energise`).

    Raises:
        InvalidInput: blank feedback.
        TransitionNotAllowed: the case cannot be replied in its state.
    """
    return _tell(
        case, CaseEvent.REPLY, "答复", feedback=feedback, policy=policy, actor=actor, at=at
    )


def energise(
    case: Case, *, feedback: str, policy: AccessPolicy, actor: Actor, at: _dt.datetime
) -> Stepped:
    """Energise a connection and tell the customer (``feedback``, a recorded contact).

    Raises:
        TransitionNotAllowed: the receiving equipment is not accepted yet.
    """
    return _tell(
        case, CaseEvent.ENERGISE, "送电", feedback=feedback, policy=policy, actor=actor, at=at
    )


def follow_up(
    case: Case,
    *,
    satisfaction: Satisfaction,
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
    note: str = "",
) -> Stepped:
    """Close the case with the satisfaction follow-up (回访), a recorded phone contact.

    Raises:
        InvalidInput: the customer was never given feedback.
        TransitionNotAllowed: the case is not replied (or energised).
    """
    if case.feedback is None:
        raise InvalidInput("feedback", None, "feedback given to the customer before the follow-up")
    what = f"回访: {satisfaction.value}" + (f" ({note})" if note else "")
    entry = ContactEntry(who=actor.id, at=at, channel=Channel.PHONE, what=what)
    return step(
        case,
        CaseEvent.FOLLOW_UP,
        policy=policy,
        actor=actor,
        at=at,
        why=what,
        satisfaction=satisfaction,
        contacts=(*case.contacts, entry),
    )


# ---------------------------------------------------------------------------- clocks


class ClockStatus(enum.Enum):
    """Where a clock stands as of an instant."""

    RUNNING = "running"
    PAUSED = "paused"
    MET = "on time"
    BREACHED = "breached"


@attrs.frozen
class CaseClock:
    """A clock of a case: its name, the limit that applies and the SLA clock (None: not started).

    ``policy`` is None when no instrument of the case's rules sets the limit. ``problem`` says why
    a started clock has no due moment: its working days run into a year the calendar does not
    cover yet (the clock is shown, not guessed; add the year's schedule to the calendar).
    """

    name: str
    policy: SlaPolicy | None
    clock: SlaClock | None
    problem: str = ""

    def status(self, as_of: _dt.datetime) -> ClockStatus | None:
        """Return where the clock stands as of ``as_of`` (None: no limit, or not started)."""
        if self.clock is None:
            return None
        moment = max(as_instant(as_of, "as_of"), self.clock.events[-1].at)
        if self.clock.state is SlaState.STOPPED:
            return ClockStatus.MET if self.clock.is_met else ClockStatus.BREACHED
        if self.clock.is_breached(moment):
            return ClockStatus.BREACHED
        if self.clock.state is SlaState.PAUSED:
            return ClockStatus.PAUSED
        return ClockStatus.RUNNING


def _first(names: frozenset[str]) -> str:
    return sorted(names)[0]


def _sla_events(spec: ClockSpec, policy: SlaPolicy, case: Case) -> tuple[SlaEvent, ...]:
    stream = [(OPENED, case.opened_at)] + [(r.event.value, r.at) for r in case.history]
    starts = spec.start
    for start_name, events in spec.start_on.items():
        if start_name in policy.start_events:
            starts = events
    out: list[SlaEvent] = []
    paused = False
    for name, at in stream:
        if not out:
            if name in starts:
                out.append(SlaEvent(_first(policy.start_events), at))
            continue
        if name in spec.stop:
            out.append(SlaEvent(_first(policy.stop_events), at))
            break
        if policy.pause_events and name in spec.pause and not paused:
            out.append(SlaEvent(_first(policy.pause_events), at))
            paused = True
        elif paused and name in spec.resume:
            out.append(SlaEvent(_first(policy.resume_events), at))
            paused = False
    return tuple(out)


def case_clocks(case: Case, rules: ServiceRules | None = None) -> tuple[CaseClock, ...]:
    """Return every clock of ``case`` under ``rules`` (default: the case's own rules).

    A clock whose working days run into a year the calendar does not cover has no SLA clock and
    says so in its ``problem``.

    Raises:
        NotFound: the case's rules are not a service rule set.
    """
    chosen = rules or service_rules(case.rules)
    found: list[CaseClock] = []
    for spec in kind_spec(case.kind).clocks:
        if not spec.applies(case):
            continue
        policy = limit_for(chosen, spec.limit_keys(case))
        if policy is None:
            found.append(CaseClock(spec.name, None, None))
            continue
        events = _sla_events(spec, policy, case)
        try:
            clock = SlaClock(policy=policy, events=events) if events else None
        except CalendarYearNotCovered as uncovered:
            found.append(CaseClock(spec.name, policy, None, problem=str(uncovered)))
            continue
        found.append(CaseClock(spec.name, policy, clock))
    return tuple(found)


def hand_off_clocks(case: Case, rules: ServiceRules | None = None) -> tuple[CaseClock, ...]:
    """Return the internal hand-off clock of each hand-off (none when no limit is set)."""
    chosen = rules or service_rules(case.rules)
    policy = limit_for(chosen, ("internal_handover",))
    found: list[CaseClock] = []
    for index, made in enumerate(case.hand_offs, start=1):
        if policy is None:  # pragma: no cover - every shipped chain reaches the seeds' 1 day
            found.append(CaseClock(f"hand-off {index}", None, None))
            continue
        events = [SlaEvent(_first(policy.start_events), made.at)]
        if made.taken_at is not None:
            events.append(SlaEvent(_first(policy.stop_events), made.taken_at))
        found.append(
            CaseClock(
                f"hand-off {index} to {made.to_owner}",
                policy,
                SlaClock(policy=policy, events=events),
            )
        )
    return tuple(found)


def is_breached(case: Case, as_of: _dt.datetime) -> bool:
    """Return whether any clock of ``case`` (hand-offs included) is breached as of ``as_of``."""
    return any(
        clock.status(as_of) is ClockStatus.BREACHED
        for clock in (*case_clocks(case), *hand_off_clocks(case))
    )


def next_due(case: Case, as_of: _dt.datetime) -> tuple[str, pendulum.DateTime] | None:
    """Return the running clock of ``case`` due soonest (name, due moment), or None.

    ``as_of`` is accepted for symmetry with :func:`is_breached`: a running clock's due moment
    does not depend on it (an overdue clock is still the one due soonest).
    """
    running = [
        (clock.clock.due_at, clock.name)
        for clock in (*case_clocks(case), *hand_off_clocks(case))
        if clock.clock is not None
        and clock.clock.state is SlaState.RUNNING
        and clock.clock.due_at is not None
    ]
    if not running:
        return None
    due, name = min(running, key=lambda item: (item[0].in_timezone("UTC"), item[1]))
    return name, due
