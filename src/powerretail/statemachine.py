"""A declarative state machine for every process in the library.

A :class:`StateMachine` is a table of :class:`Transition` s over an ``Enum`` of states. It is
checked when it is defined: exactly one initial state, every state reachable from it, no arrow out
of a final state, no dead end (a non-final state with no way out), and at most one unguarded arrow
per (state, event), listed after the guarded ones. Applying an event to an entity is pure: it
returns the new entity and a :class:`TransitionRecord` (from, to, event, when, who, why) and
changes nothing, or raises a refusal that names the state and the event.

An arrow may name the permission (the operation of :mod:`powerretail.access`) it needs. Such an
arrow moves only with a grant :func:`~powerretail.access.authorize` returned for that operation:
:meth:`StateMachine.fire` asks for it with the policy and the actor and returns the moved entity,
the transition record and the audit record, or raises
:class:`~powerretail.access.PermissionDenied` carrying the audit record of the refusal (to be
stored: a refusal is audited too). An audit record built by hand is not a grant.

>>> import enum
>>> class Door(enum.Enum):
...     OPEN = "open"
...     CLOSED = "closed"
...     GONE = "gone"
>>> machine = StateMachine(
...     "door",
...     initial=Door.OPEN,
...     finals={Door.GONE},
...     transitions=[
...         Transition(Door.OPEN, "close", Door.CLOSED),
...         Transition(Door.CLOSED, "open", Door.OPEN),
...         Transition(Door.CLOSED, "remove", Door.GONE),
...     ],
... )
>>> machine.next_state(Door.OPEN, "close")
<Door.CLOSED: 'closed'>
>>> machine.next_state(Door.OPEN, "remove")
Traceback (most recent call last):
...
powerretail.statemachine.TransitionNotAllowed: door: cannot remove when open
>>> print(machine.to_mermaid())
stateDiagram-v2
    state "closed" as CLOSED
    state "gone" as GONE
    state "open" as OPEN
    [*] --> OPEN
    OPEN --> CLOSED : close
    CLOSED --> OPEN : open
    CLOSED --> GONE : remove
    GONE --> [*]
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar

import attrs

from powerretail.access import AccessPolicy, Actor, AuditRecord, authorize, is_granted
from powerretail.errors import InvalidInput, RuleViolation
from powerretail.timeframe import as_instant

__all__ = [
    "Fired",
    "GuardRefused",
    "MachineDefinitionError",
    "NotAuthorised",
    "StateMachine",
    "Transition",
    "TransitionNotAllowed",
    "TransitionRecord",
]

S = TypeVar("S", bound=enum.Enum)
E = TypeVar("E")
T = TypeVar("T")

#: A guard looks at the entity and the context of the event and says whether the arrow may fire.
Guard = Callable[[Any, Mapping[str, Any]], bool]


def _label(value: object) -> str:
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def _node(state: enum.Enum) -> str:
    return state.name


class MachineDefinitionError(InvalidInput):
    """A state machine's table breaks one of the rules checked when it is defined."""

    def __init__(self, machine: str, problem: str) -> None:
        self.machine = machine
        self.problem = problem
        super().__init__(f"{machine}.transitions", problem, "a well-formed transition table")

    def __str__(self) -> str:
        return f"state machine {self.machine!r}: {self.problem}"


class TransitionNotAllowed(RuleViolation):
    """The event has no arrow out of the entity's current state."""

    def __init__(self, machine: str, state: enum.Enum, event: object) -> None:
        self.machine = machine
        self.state = state
        self.event = event
        super().__init__(machine, state, event)

    def __str__(self) -> str:
        return f"{self.machine}: cannot {_label(self.event)} when {_label(self.state)}"


class GuardRefused(RuleViolation):
    """Arrows exist for the state and event, but every guard on them said no."""

    def __init__(
        self, machine: str, state: enum.Enum, event: object, guards: tuple[str, ...]
    ) -> None:
        self.machine = machine
        self.state = state
        self.event = event
        self.guards = guards
        super().__init__(machine, state, event, guards)

    def __str__(self) -> str:
        return (
            f"{self.machine}: cannot {_label(self.event)} when {_label(self.state)}: "
            f"refused by {', '.join(self.guards)}"
        )


class NotAuthorised(RuleViolation):
    """The arrow needs a grant of ``permission`` from ``authorize``, and none was given."""

    def __init__(self, machine: str, state: enum.Enum, event: object, permission: str) -> None:
        self.machine = machine
        self.state = state
        self.event = event
        self.permission = permission
        super().__init__(machine, state, event, permission)

    def __str__(self) -> str:
        return (
            f"{self.machine}: cannot {_label(self.event)} when {_label(self.state)}: it needs a "
            f"grant of {self.permission} from authorize (fire the event with a policy and an "
            "actor)"
        )


def _permission(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("transition.permission", value, "an operation name, or None")
    return value


@attrs.frozen
class Transition(Generic[S, E]):
    """An arrow: in state ``source``, on ``event``, go to ``target`` if ``guard`` allows.

    ``guard_name`` is what a refusal and the diagram say; it defaults to the guard's name.
    ``permission`` is the operation (:mod:`powerretail.access`) whose grant the arrow needs.
    """

    source: S
    event: E
    target: S
    guard: Guard | None = attrs.field(default=None, kw_only=True, eq=False)
    guard_name: str = attrs.field(default="", kw_only=True)
    permission: str | None = attrs.field(default=None, kw_only=True, converter=_permission)

    def __attrs_post_init__(self) -> None:
        if self.guard is not None and not self.guard_name:
            object.__setattr__(self, "guard_name", getattr(self.guard, "__name__", "guard"))

    def allows(self, entity: object, context: Mapping[str, Any]) -> bool:
        """Return whether the guard (if any) lets this arrow fire (the permission aside)."""
        return self.guard is None or bool(self.guard(entity, context))

    def authorised_by(self, grant: AuditRecord | None) -> bool:
        """Return whether ``grant`` is a grant from ``authorize`` of the permission it needs."""
        return self.permission is None or is_granted(grant, self.permission)


def _record_time(value: object) -> _dt.datetime:
    return as_instant(value, "at")


@attrs.frozen
class TransitionRecord(Generic[S, E]):
    """What happened: ``machine`` moved ``subject`` from ``source`` to ``target`` on ``event``.

    ``at`` is when (aware), ``by`` who, ``why`` the reason given. Records are the audit trail and
    the domain events a process emits.
    """

    machine: str
    subject: str
    source: S
    event: E
    target: S
    at: _dt.datetime = attrs.field(converter=_record_time)
    by: str
    why: str = ""


@attrs.frozen
class Fired(Generic[T, S, E]):
    """What :meth:`StateMachine.fire` returns: the moved entity, the record and the audit.

    ``audit`` is the grant that authorised the move (None when the arrow needs no permission);
    store it with the entity.
    """

    entity: T
    record: TransitionRecord[S, E]
    audit: AuditRecord | None


class StateMachine(Generic[S, E]):
    """A checked transition table over the states of an ``Enum``.

    Args:
        name: what the machine is called in messages and diagrams.
        initial: the state every entity starts in.
        finals: states nothing leaves.
        transitions: the arrows; for one (state, event) the first arrow whose guard allows wins.
        states: the full state set (defaults to every member of ``initial``'s enum).

    Raises:
        MachineDefinitionError: the table breaks a definition rule (see the module docstring).
    """

    def __init__(
        self,
        name: str,
        *,
        initial: S,
        finals: Iterable[S],
        transitions: Iterable[Transition[S, E]],
        states: Iterable[S] | None = None,
    ) -> None:
        self.name = name
        self.initial = initial
        self.finals: frozenset[S] = frozenset(finals)
        self.transitions: tuple[Transition[S, E], ...] = tuple(transitions)
        self.states: frozenset[S] = frozenset(states if states is not None else type(initial))
        self._table: dict[tuple[S, E], tuple[Transition[S, E], ...]] = {}
        for arrow in self.transitions:
            key = (arrow.source, arrow.event)
            self._table[key] = (*self._table.get(key, ()), arrow)
        self._check()

    def _fail(self, problem: str) -> MachineDefinitionError:
        return MachineDefinitionError(self.name, problem)

    def _check(self) -> None:
        if self.initial not in self.states:
            raise self._fail(f"initial state {_label(self.initial)} is not among the states")
        for arrow in self.transitions:
            for end in (arrow.source, arrow.target):
                if end not in self.states:
                    raise self._fail(f"{_label(end)} is not among the states")
            if arrow.source in self.finals:
                raise self._fail(
                    f"final state {_label(arrow.source)} has an arrow out ({_label(arrow.event)})"
                )
        for (state, event), arrows in self._table.items():
            unguarded = [i for i, arrow in enumerate(arrows) if arrow.guard is None]
            if len(unguarded) > 1 or (unguarded and unguarded[0] != len(arrows) - 1):
                raise self._fail(
                    f"{_label(state)} on {_label(event)}: an unguarded arrow must be the only one "
                    "or come last"
                )
        reached = self.reachable_from(self.initial)
        unreachable = self.states - reached
        if unreachable:
            names = ", ".join(sorted(_label(s) for s in unreachable))
            raise self._fail(f"unreachable from {_label(self.initial)}: {names}")
        sources = {arrow.source for arrow in self.transitions}
        dead = self.states - self.finals - sources
        if dead:
            names = ", ".join(sorted(_label(s) for s in dead))
            raise self._fail(f"non-final states with no way out: {names}")

    def reachable_from(self, state: S) -> frozenset[S]:
        """Return every state some sequence of events can lead to from ``state`` (itself too)."""
        seen = {state}
        frontier = [state]
        while frontier:
            current = frontier.pop()
            for arrow in self.transitions:
                if arrow.source == current and arrow.target not in seen:
                    seen.add(arrow.target)
                    frontier.append(arrow.target)
        return frozenset(seen)

    @property
    def events(self) -> frozenset[E]:
        """Every event the table knows."""
        return frozenset(arrow.event for arrow in self.transitions)

    def is_final(self, state: S) -> bool:
        """Return whether ``state`` is final."""
        return state in self.finals

    def allowed_events(
        self, state: S, entity: object = None, context: Mapping[str, Any] | None = None
    ) -> frozenset[E]:
        """Return the events that would move an entity in ``state`` (guards consulted)."""
        ctx = context or {}
        return frozenset(
            event
            for (source, event), arrows in self._table.items()
            if source == state and any(arrow.allows(entity, ctx) for arrow in arrows)
        )

    def next_state(
        self,
        state: S,
        event: E,
        entity: object = None,
        context: Mapping[str, Any] | None = None,
        *,
        grant: AuditRecord | None = None,
    ) -> S:
        """Return the state an entity in ``state`` moves to on ``event``.

        ``grant`` is the audit record :func:`~powerretail.access.authorize` returned, for an
        arrow that names a permission; guards see it in the context as ``"grant"``.

        Raises:
            TransitionNotAllowed: no arrow for this state and event.
            GuardRefused: arrows exist, but their guards refused.
            NotAuthorised: a guard allowed an arrow that needs a grant, and none was given.
        """
        return self._arrow(state, event, entity, context, grant).target

    def _arrows(self, state: S, event: E) -> tuple[Transition[S, E], ...]:
        if state not in self.states:
            raise InvalidInput(f"{self.name}.state", state, "a state of this machine")
        arrows = self._table.get((state, event))
        if not arrows:
            raise TransitionNotAllowed(self.name, state, event)
        return arrows

    def _arrow(
        self,
        state: S,
        event: E,
        entity: object,
        context: Mapping[str, Any] | None,
        grant: AuditRecord | None,
    ) -> Transition[S, E]:
        arrows = self._arrows(state, event)
        ctx = dict(context or {})
        if grant is not None:
            ctx["grant"] = grant
        unauthorised: Transition[S, E] | None = None
        for arrow in arrows:
            if arrow.allows(entity, ctx):
                if arrow.authorised_by(grant):
                    return arrow
                unauthorised = unauthorised or arrow
        if unauthorised is not None:
            assert unauthorised.permission is not None  # authorised_by is True without one
            raise NotAuthorised(self.name, state, event, unauthorised.permission)
        raise GuardRefused(self.name, state, event, tuple(a.guard_name for a in arrows))

    def apply(
        self,
        entity: T,
        event: E,
        *,
        at: _dt.datetime,
        by: str,
        why: str = "",
        context: Mapping[str, Any] | None = None,
        state_field: str = "state",
        subject: str | None = None,
        grant: AuditRecord | None = None,
    ) -> tuple[T, TransitionRecord[S, E]]:
        """Return ``entity`` moved by ``event`` and the record of the move; change nothing.

        ``entity`` is an attrs instance whose ``state_field`` holds the state; the new entity is
        ``attrs.evolve(entity, state=target)``. ``subject`` names the entity in the record
        (defaults to its ``id`` attribute, else its repr). ``grant`` is as for
        :meth:`next_state` (:meth:`fire` obtains it).

        Raises:
            TransitionNotAllowed: no arrow for the entity's state and this event.
            GuardRefused: every guard on the arrows refused.
            NotAuthorised: the arrow needs a grant and ``grant`` is not one.
        """
        state: S = getattr(entity, state_field)
        target = self.next_state(state, event, entity, context, grant=grant)
        record = TransitionRecord(
            machine=self.name,
            subject=self._subject(entity, subject),
            source=state,
            event=event,
            target=target,
            at=at,
            by=by,
            why=why,
        )
        return attrs.evolve(entity, **{state_field: target}), record  # type: ignore[misc]

    @staticmethod
    def _subject(entity: object, subject: str | None) -> str:
        return subject if subject is not None else str(getattr(entity, "id", repr(entity)))

    def advance(
        self,
        entity: T,
        event: E,
        *,
        at: _dt.datetime,
        by: str,
        why: str = "",
        context: Mapping[str, Any] | None = None,
        state_field: str = "state",
        subject: str | None = None,
        grant: AuditRecord | None = None,
        **changes: Any,
    ) -> T:
        """Return ``entity`` moved by ``event``, the record appended to its ``history``.

        :meth:`apply` for entities that keep their own history (a tuple attribute ``history``
        of :class:`TransitionRecord`); ``changes`` are further attributes set in the same step
        (the document the move rests on, say).

        Raises:
            TransitionNotAllowed: no arrow for the entity's state and this event.
            GuardRefused: every guard on the arrows refused.
            NotAuthorised: the arrow needs a grant and ``grant`` is not one.
        """
        moved, record = self.apply(
            entity,
            event,
            at=at,
            by=by,
            why=why,
            context=context,
            state_field=state_field,
            subject=subject,
            grant=grant,
        )
        return _with_history(moved, entity, record, changes)

    def fire(
        self,
        entity: T,
        event: E,
        *,
        policy: AccessPolicy,
        actor: Actor,
        at: _dt.datetime,
        why: str,
        context: Mapping[str, Any] | None = None,
        magnitude: Any = None,
        prior: Iterable[AuditRecord] = (),
        state_field: str = "state",
        subject: str | None = None,
        history: bool = False,
        **changes: Any,
    ) -> Fired[T, S, E]:
        """Authorise ``actor`` for the arrow ``event`` takes, then move ``entity``; change nothing.

        The arrows for the state and event are tried in order, as :meth:`apply` tries them; an
        arrow that names a permission is first authorised by
        :func:`~powerretail.access.authorize` (``magnitude`` and ``prior`` as there, the subject
        being the record's subject), then its guard is asked, seeing the grant as
        ``context["grant"]``. Nothing moves before the grant. ``history`` appends the
        record to the entity's ``history`` as :meth:`advance` does, with ``changes``.

        >>> import enum
        >>> from datetime import datetime, timezone
        >>> from powerretail.access import CHANGE_TARIFF_ARCHIVE, SEED_POLICY, Actor
        >>> class Draft(enum.Enum):
        ...     OPEN = "open"
        ...     PUBLISHED = "published"
        >>> @attrs.frozen
        ... class Notice:
        ...     id: str
        ...     state: Draft = Draft.OPEN
        >>> machine = StateMachine("notice", initial=Draft.OPEN, finals={Draft.PUBLISHED},
        ...     transitions=[Transition(Draft.OPEN, "publish", Draft.PUBLISHED,
        ...                             permission=CHANGE_TARIFF_ARCHIVE)])
        >>> auditor = Actor(id="u-7", name="Wang", roles={"billing_auditor"})
        >>> done = machine.fire(Notice("N-1"), "publish", policy=SEED_POLICY, actor=auditor,
        ...     at=datetime(2025, 6, 1, tzinfo=timezone.utc), why="426号")
        >>> done.entity.state, done.record.by, done.audit.granted_by
        (<Draft.PUBLISHED: 'published'>, 'u-7', 'billing_auditor')
        >>> machine.apply(Notice("N-1"), "publish", at=datetime(2025, 6, 1, tzinfo=timezone.utc),
        ...               by="u-7")
        Traceback (most recent call last):
        ...
        powerretail.statemachine.NotAuthorised: notice: cannot publish when open: it needs a \
grant of change_tariff_archive from authorize (fire the event with a policy and an actor)

        Raises:
            PermissionDenied: the policy does not let ``actor`` take the arrow; its ``audit`` is
                the record of the refusal, to be stored.
            TransitionNotAllowed: no arrow for the entity's state and this event.
            GuardRefused: every guard on the arrows refused.
        """
        state: S = getattr(entity, state_field)
        name = self._subject(entity, subject)
        grant: AuditRecord | None = None
        for arrow in self._arrows(state, event):
            if arrow.permission is None:
                if arrow.allows(entity, context or {}):
                    grant = None
                    break
                continue
            grant = authorize(
                policy,
                actor,
                arrow.permission,
                subject=name,
                at=at,
                why=why,
                magnitude=magnitude,
                prior=prior,
            )
            if arrow.allows(entity, {**(context or {}), "grant": grant}):
                break
        moved, record = self.apply(
            entity,
            event,
            at=at,
            by=actor.id,
            why=why,
            context=context,
            state_field=state_field,
            subject=name,
            grant=grant,
        )
        if history:
            moved = _with_history(moved, entity, record, changes)
        elif changes:
            moved = attrs.evolve(moved, **changes)  # type: ignore[misc]
        return Fired(moved, record, grant)

    def to_mermaid(self) -> str:
        """Return the machine as a Mermaid ``stateDiagram-v2`` (guards in brackets, permissions
        in parentheses).

        States are drawn by their enum names, labelled with their values where those differ.
        """
        lines = ["stateDiagram-v2"]
        for state in sorted(self.states, key=_node):
            if _label(state) != _node(state):
                lines.append(f'    state "{_label(state)}" as {_node(state)}')
        lines.append(f"    [*] --> {_node(self.initial)}")
        for arrow in self.transitions:
            guard = f" [{arrow.guard_name}]" if arrow.guard is not None else ""
            needs = f" ({arrow.permission})" if arrow.permission is not None else ""
            lines.append(
                f"    {_node(arrow.source)} --> {_node(arrow.target)} : "
                f"{_label(arrow.event)}{guard}{needs}"
            )
        lines.extend(f"    {_node(state)} --> [*]" for state in sorted(self.finals, key=_node))
        return "\n".join(lines)


def _with_history(moved: T, entity: object, record: object, changes: Mapping[str, Any]) -> T:
    history = (*getattr(entity, "history"), record)  # noqa: B009 - any entity with a history
    return attrs.evolve(moved, history=history, **changes)  # type: ignore[misc]
