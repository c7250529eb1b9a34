"""The kinds of customer case, each a declared state machine with its clocks.

Every customer demand is one case (:mod:`powerretail.service.cases`); what it may go through
depends on its kind. A :class:`KindSpec` names the kind's :class:`~powerretail.statemachine.
StateMachine` (over the one :class:`CaseState` enum, each machine declaring its own subset) and
its :class:`ClockSpec` s: which events start, pause, resume and stop each clock, and which limit
keys of the SLA catalogue (:mod:`powerretail.sla.catalogue`) give its time limit.

The limits are chosen by a :class:`ServiceRules` set, not by ``if``: ``SEED`` reads our seed
documents first, then the State Grid commitments, then the supply-supervision measures; ``SGCC10``
and ``JGBF`` put their own instrument first. Each clock carries the policy it found, so a limit
filled in from another instrument says so (its ``rule_set`` and ``source``). A kind with no limit
in any instrument of the chain (a consultation) runs no clock.

>>> complaint = limit_for(SERVICE_RULES["SEED"], ("complaint_reply",))
>>> complaint.limit, complaint.unit.value, complaint.rule_set
(5, 'calendar_days', 'SEED')
>>> limit_for(SERVICE_RULES["JGBF"], ("complaint_reply",)).limit
10

Source: the machines follow 供电所农电营销工作管理制度 六 (投诉、举报的受理与答复) and 七
(客户来信来访), 苏州供电公司大客户管理 流程说明 (需求受理、派发、监控); the limits are in the
catalogue with theirs.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from powerretail.errors import InvalidInput, NotFound
from powerretail.sla.catalogue import CATALOGUE, SlaRuleSet
from powerretail.sla.policy import NoticeRule, SlaPolicy
from powerretail.statemachine import StateMachine, Transition

__all__ = [
    "COMPLAINT_MACHINE",
    "CONSULTATION_MACHINE",
    "METER_TEST_MACHINE",
    "OPENED",
    "REPAIR_MACHINE",
    "REPORT_MACHINE",
    "SERVICE_RULES",
    "Area",
    "CaseEvent",
    "CaseKind",
    "CaseState",
    "ClockSpec",
    "KindSpec",
    "ServiceRules",
    "limit_for",
    "notice_for",
    "service_rules",
]

#: The pseudo-event a clock may start on: the case was opened (the demand was received).
OPENED: Final = "opened"


class CaseKind(enum.Enum):
    """What the customer asks for."""

    COMPLAINT = "complaint"
    REPORT = "report"
    CONSULTATION = "consultation"
    REPAIR = "repair"
    METER_TEST = "meter_test"
    CONNECTION = "connection"
    CHANGE_OF_USE = "change of use"


class Area(enum.Enum):
    """Where the customer is, as the repair clocks need it (城区 / 农村 / 边远)."""

    URBAN = "urban"
    RURAL = "rural"
    REMOTE = "remote"


class CaseState(enum.Enum):
    """Every state a case of any kind can be in; each kind's machine declares its subset."""

    RECEIVED = "received"
    IN_HAND = "in hand"
    WAITING_ON_CUSTOMER = "waiting on customer"
    DISPATCHED = "dispatched"
    ON_SITE = "on site"
    SUPPLY_RESTORED = "supply restored"
    FEE_PAID = "fee paid"
    TESTED = "tested"
    ACCEPTED = "accepted"
    SURVEYED = "surveyed"
    SCHEME_REPLIED = "scheme replied"
    DESIGN_SUBMITTED = "design submitted"
    DESIGN_APPROVED = "design approved"
    MID_INSPECTION_DUE = "mid inspection due"
    UNDER_CONSTRUCTION = "under construction"
    COMPLETION_REPORTED = "completion reported"
    EQUIPMENT_ACCEPTED = "equipment accepted"
    ENERGISED = "energised"
    REPLIED = "replied"
    CHECKED = "checked"
    APPROVED = "approved"
    CARRIED_OUT = "carried out"
    REFUSED = "refused"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"
    WITH_MARKETING = "with marketing"


class CaseEvent(enum.Enum):
    """Everything that can happen to a case (each kind's machine uses some)."""

    ACCEPT = "accept"
    WAIT_FOR_CUSTOMER = "wait for customer"
    CUSTOMER_REPLIED = "customer replied"
    DISPATCH = "dispatch"
    ARRIVE = "arrive"
    RESTORE_SUPPLY = "restore supply"
    TEST = "test"
    REPLY = "reply"
    FOLLOW_UP = "follow up"
    WITHDRAW = "withdraw"
    SURVEY = "survey"
    REPLY_SCHEME = "reply scheme"
    EXTEND_SCHEME = "extend scheme"
    SUBMIT_DESIGN = "submit design"
    APPROVE_DESIGN = "approve design"
    REQUEST_MID_INSPECTION = "request mid inspection"
    PASS_MID_INSPECTION = "pass mid inspection"
    REPORT_COMPLETION = "report completion"
    ACCEPT_EQUIPMENT = "accept equipment"
    ENERGISE = "energise"
    LAPSE = "lapse"
    CHECK = "check"
    REFUSE = "refuse"
    APPROVE = "approve"
    CARRY_OUT = "carry out"
    PAY_TEST_FEE = "pay test fee"
    HAND_TO_MARKETING = "hand to marketing"


def _event_names(value: Iterable[CaseEvent | str]) -> frozenset[str]:
    names = frozenset(item.value if isinstance(item, CaseEvent) else item for item in value)
    known = {event.value for event in CaseEvent} | {OPENED}
    for name in names:
        if name not in known:
            raise InvalidInput("clock events", name, f"a case event or {OPENED!r}")
    return names


def _start_on(value: Mapping[str, Iterable[CaseEvent | str]]) -> Mapping[str, frozenset[str]]:
    return MappingProxyType({str(name): _event_names(events) for name, events in value.items()})


def _keys(value: object) -> Callable[[Any], tuple[str, ...]]:
    if callable(value):
        return value
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidInput("limit_keys", value, "limit keys, or a function of the case")
    keys = tuple(str(key) for key in value)
    return lambda _case: keys


@attrs.frozen(kw_only=True)
class ClockSpec:
    """One clock of a kind: ``name``, the events that drive it and the limit keys it reads.

    ``limit_keys`` is a sequence of catalogue keys, or a function of the case returning them (a
    repair's arrival limit depends on its area); the first key found in the chosen
    :class:`ServiceRules` chain gives the limit. The start may be :data:`OPENED`.

    ``start_on`` lets the limit found choose its own start: when the policy starts on one of
    its keys (a policy event name, such as ``"fee_paid"``), the clock starts on that key's case
    events instead of ``start`` (《供电营业规则》(1996) 第79条 counts a meter test from the
    fee's payment, State Grid from the request).
    """

    name: str
    limit_keys: Callable[[Any], tuple[str, ...]] = attrs.field(converter=_keys, eq=False)
    start: frozenset[str] = attrs.field(converter=_event_names)
    stop: frozenset[str] = attrs.field(converter=_event_names)
    pause: frozenset[str] = attrs.field(default=frozenset(), converter=_event_names)
    resume: frozenset[str] = attrs.field(default=frozenset(), converter=_event_names)
    start_on: Mapping[str, frozenset[str]] = attrs.field(
        factory=lambda: MappingProxyType({}), converter=_start_on, eq=False
    )
    applies: Callable[[Any], bool] = attrs.field(default=lambda _case: True, eq=False)


@attrs.frozen(kw_only=True)
class KindSpec:
    """A case kind: its machine and clocks, and whether it ends with a reply to the customer."""

    kind: CaseKind
    machine: StateMachine[CaseState, CaseEvent]
    clocks: tuple[ClockSpec, ...]
    source: str


def _rule_sets(value: Iterable[str | SlaRuleSet]) -> tuple[SlaRuleSet, ...]:
    found: list[SlaRuleSet] = []
    for item in value:
        if isinstance(item, SlaRuleSet):
            found.append(item)
        elif isinstance(item, str) and item in CATALOGUE:
            found.append(CATALOGUE[item])
        else:
            raise InvalidInput(
                "chain", item, f"an SlaRuleSet or a catalogue key ({', '.join(CATALOGUE)})"
            )
    if not found:
        raise InvalidInput("chain", (), "at least one rule set")
    return tuple(found)


@attrs.frozen(kw_only=True)
class ServiceRules:
    """Which instruments give the service limits, in the order they are asked.

    ``chain`` takes catalogue keys (``"SEED"``) or rule sets of your own (``SlaRuleSet``).
    """

    key: str
    title: str
    chain: tuple[SlaRuleSet, ...] = attrs.field(converter=_rule_sets)


#: The selectable service rule sets: our seeds, the State Grid commitments, the national measures.
SERVICE_RULES: Final[Mapping[str, ServiceRules]] = MappingProxyType(
    {
        rules.key: rules
        for rules in (
            ServiceRules(
                key="SEED",
                title="Our seed documents, filled in from SGCC10 then JGBF",
                chain=("SEED", "SGCC10", "JGBF"),
            ),
            ServiceRules(
                key="SGCC10",
                title="State Grid ten commitments, filled in from JGBF then the seeds",
                chain=("SGCC10", "JGBF", "SEED"),
            ),
            ServiceRules(
                key="JGBF",
                title="Supply-supervision measures, filled in from SGCC10 then the seeds",
                chain=("JGBF", "SGCC10", "SEED"),
            ),
            ServiceRules(
                key="GYGZ1996",
                title="Supply business rules 1996 where they set a limit (lapsed 2024-05-31: "
                "older cases, or a contract keeping them), filled in from SGCC10, JGBF, the seeds",
                chain=("GYGZ1996", "SGCC10", "JGBF", "SEED"),
            ),
        )
    }
)


def service_rules(key: str) -> ServiceRules:
    """Return the service rule set ``key`` (``"SEED"``, ``"SGCC10"``, ``"JGBF"``, ``"GYGZ1996"``).

    Raises:
        NotFound: no such service rule set.
    """
    try:
        return SERVICE_RULES[key]
    except KeyError:
        raise NotFound("service rule set", key) from None


def limit_for(rules: ServiceRules, keys: Iterable[str]) -> SlaPolicy | None:
    """Return the first limit of ``keys`` in the first rule set of ``rules.chain`` that has one.

    Rule sets are asked in order; within one, the keys in order. None: no instrument sets it.
    """
    wanted = tuple(keys)
    for rule_set in rules.chain:
        policies = {policy.key: policy for policy in rule_set.policies}
        for key in wanted:
            if key in policies:
                return policies[key]
    return None


def notice_for(rules: ServiceRules, key: str) -> NoticeRule | None:
    """Return the notice rule ``key`` from the first rule set of the chain that has it."""
    for rule_set in rules.chain:
        for notice in rule_set.notices:
            if notice.key == key:
                return notice
    return None


_S: Final = CaseState
_E: Final = CaseEvent
_OPEN_STATES: Final = (_S.RECEIVED, _S.IN_HAND, _S.WAITING_ON_CUSTOMER)


def _reply_machine(name: str, *, test: bool = False) -> StateMachine[CaseState, CaseEvent]:
    """A received-handled-replied-closed machine (complaints, reports, consultations, tests)."""
    arrows: list[Transition[CaseState, CaseEvent]] = [
        Transition(_S.RECEIVED, _E.ACCEPT, _S.IN_HAND),
        Transition(_S.IN_HAND, _E.WAIT_FOR_CUSTOMER, _S.WAITING_ON_CUSTOMER),
        Transition(_S.WAITING_ON_CUSTOMER, _E.CUSTOMER_REPLIED, _S.IN_HAND),
    ]
    states = {*_OPEN_STATES, _S.REPLIED, _S.CLOSED, _S.WITHDRAWN}
    if test:
        arrows.append(Transition(_S.IN_HAND, _E.PAY_TEST_FEE, _S.FEE_PAID))
        arrows.append(Transition(_S.IN_HAND, _E.TEST, _S.TESTED))
        arrows.append(Transition(_S.FEE_PAID, _E.TEST, _S.TESTED))
        arrows.append(Transition(_S.TESTED, _E.REPLY, _S.REPLIED))
        states.update({_S.FEE_PAID, _S.TESTED})
    else:
        arrows.append(Transition(_S.IN_HAND, _E.REPLY, _S.REPLIED))
    arrows.append(Transition(_S.REPLIED, _E.FOLLOW_UP, _S.CLOSED))
    arrows.extend(Transition(state, _E.WITHDRAW, _S.WITHDRAWN) for state in _OPEN_STATES)
    if test:
        arrows.append(Transition(_S.FEE_PAID, _E.WITHDRAW, _S.WITHDRAWN))
    return StateMachine(
        name,
        initial=_S.RECEIVED,
        finals={_S.CLOSED, _S.WITHDRAWN},
        transitions=arrows,
        states=states,
    )


#: A complaint (投诉): accepted (the customer contacted), handled, replied, followed up.
COMPLAINT_MACHINE: Final = _reply_machine("complaint")
#: A report (举报) of theft, misconduct or danger: the same steps as a complaint.
REPORT_MACHINE: Final = _reply_machine("report")
#: A consultation (咨询): the same steps; no instrument sets its reply limit.
CONSULTATION_MACHINE: Final = _reply_machine("consultation")
#: A meter test request (电能表校验申请): accepted, the test fee paid where one is asked (验表费),
#: tested, the result replied.
METER_TEST_MACHINE: Final = _reply_machine("meter test", test=True)

#: A repair (故障报修): dispatched, arrived, supply restored, replied, followed up.
REPAIR_MACHINE: Final[StateMachine[CaseState, CaseEvent]] = StateMachine(
    "repair",
    initial=_S.RECEIVED,
    finals={_S.CLOSED, _S.WITHDRAWN},
    states={
        _S.RECEIVED,
        _S.DISPATCHED,
        _S.ON_SITE,
        _S.SUPPLY_RESTORED,
        _S.REPLIED,
        _S.CLOSED,
        _S.WITHDRAWN,
    },
    transitions=[
        Transition(_S.RECEIVED, _E.DISPATCH, _S.DISPATCHED),
        Transition(_S.DISPATCHED, _E.ARRIVE, _S.ON_SITE),
        Transition(_S.ON_SITE, _E.RESTORE_SUPPLY, _S.SUPPLY_RESTORED),
        Transition(_S.SUPPLY_RESTORED, _E.REPLY, _S.REPLIED),
        Transition(_S.REPLIED, _E.FOLLOW_UP, _S.CLOSED),
        Transition(_S.RECEIVED, _E.WITHDRAW, _S.WITHDRAWN),
        Transition(_S.DISPATCHED, _E.WITHDRAW, _S.WITHDRAWN),
    ],
)

_RURAL = "供电所农电营销工作管理制度"


def _area_keys(prefix: str) -> Callable[[Any], tuple[str, ...]]:
    def keys(case: Any) -> tuple[str, ...]:
        return (f"{prefix}_{case.area.value}",)

    return keys


#: The kinds other than connections (see :mod:`powerretail.service.connections`).
BASIC_KINDS: Final[tuple[KindSpec, ...]] = (
    KindSpec(
        kind=CaseKind.COMPLAINT,
        machine=COMPLAINT_MACHINE,
        clocks=(
            ClockSpec(
                name="contact",
                limit_keys=("complaint_contact",),
                start={OPENED},
                stop={_E.ACCEPT, _E.WITHDRAW},
            ),
            ClockSpec(
                name="reply",
                limit_keys=("complaint_reply",),
                start={OPENED},
                stop={_E.REPLY, _E.WITHDRAW},
                pause={_E.WAIT_FOR_CUSTOMER},
                resume={_E.CUSTOMER_REPLIED},
            ),
        ),
        source=f"{_RURAL} 六 25 (投诉电话应在5日内答复)",
    ),
    KindSpec(
        kind=CaseKind.REPORT,
        machine=REPORT_MACHINE,
        clocks=(
            ClockSpec(
                name="reply",
                limit_keys=("report_reply",),
                start={OPENED},
                stop={_E.REPLY, _E.WITHDRAW},
                pause={_E.WAIT_FOR_CUSTOMER},
                resume={_E.CUSTOMER_REPLIED},
            ),
        ),
        source=f"{_RURAL} 六 25 (举报电话应在10日内答复)",
    ),
    KindSpec(
        kind=CaseKind.CONSULTATION,
        machine=CONSULTATION_MACHINE,
        clocks=(
            ClockSpec(
                name="reply",
                limit_keys=("consultation_reply",),
                start={OPENED},
                stop={_E.REPLY, _E.WITHDRAW},
            ),
        ),
        source=f"{_RURAL} 一 1 (用电咨询服务)",
    ),
    KindSpec(
        kind=CaseKind.REPAIR,
        machine=REPAIR_MACHINE,
        clocks=(
            ClockSpec(
                name="arrival",
                limit_keys=_area_keys("repair_arrival"),
                start={OPENED},
                stop={_E.ARRIVE, _E.WITHDRAW},
            ),
            ClockSpec(
                name="restoration",
                limit_keys=_area_keys("restoration"),
                start={_E.ARRIVE},
                stop={_E.RESTORE_SUPPLY},
            ),
        ),
        source=f"{_RURAL} 六 14 (立即通知抢修部门前去处理)",
    ),
    KindSpec(
        kind=CaseKind.METER_TEST,
        machine=METER_TEST_MACHINE,
        clocks=(
            ClockSpec(
                name="test result",
                limit_keys=("meter_test_result",),
                start={OPENED},
                start_on={"fee_paid": {_E.PAY_TEST_FEE}},
                stop={_E.TEST, _E.WITHDRAW},
                pause={_E.WAIT_FOR_CUSTOMER},
                resume={_E.CUSTOMER_REPLIED},
            ),
        ),
        source=f"{_RURAL} 一 1 (电能表计校试)",
    ),
)
