"""New connections and capacity increases (新装/增容, 业扩报装) as a declared state machine.

A connection case is accepted only with the documents its customer class must bring
(:data:`CHECKLISTS`; a coal mine or other first-level important customer brings its mining
licence and approvals, and for an increase the six certificates), surveyed, and answered with a
supply scheme (:class:`SupplyScheme`: the access part and the receiving part). A high-voltage
application is first handed by the supply office to marketing (the customer-service centre's
connection desk), which approves its scheme; the seeds give the hand-off 5 working days from
acceptance (``scheme_handover_to_marketing``). The scheme is
approved by a key-account manager (the ``approve_supply_scheme`` permission); a first-level
important customer's scheme must take two sources from different substations. The scheme is
valid one year (high voltage) or three months (low voltage) from its reply, and may be extended
once, by one more period, on a request made before it expires by the rule set's lead (10 days
in the seeds). A high-voltage customer's design is reviewed and its works inspected
mid-construction; every customer reports completion, the manager accepts the receiving
equipment (``accept_equipment``), and supply is energised. Fees are data (:class:`FeeSchedule`).

>>> from decimal import Decimal
>>> details = ConnectionDetails(customer_class=ConnectionClass.FIRST_LEVEL_IMPORTANT,
...     purpose=ConnectionPurpose.NEW, capacity_kva=Decimal(5000),
...     documents=CHECKLISTS[ConnectionClass.HV, ConnectionPurpose.NEW])
>>> print(", ".join(sorted(d.name for d in missing_documents(details))))
EIA_APPROVAL, MINING_LICENCE, PRELIMINARY_DESIGN, PROJECT_ENDORSEMENT, SAFETY_CHAPTER

Source: 供电公司重要客户业扩报装工作管理规定(试行) 第三条 (受理资料), 第四条 (现场勘查, 双电源),
第六条 (接入系统方案与受电系统方案); 电力大客户用电管理制度 第二节 2 (报客户服务中心业扩专责审批),
4 (答复时间、供电所传递到市场营销部的时间、有效期、延期申请),
6-8 (设计、中间检查、竣工报告); 《供电营业规则》(1996) 第21条.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

import attrs
import pendulum

from powerretail.access import ACCEPT_EQUIPMENT, APPROVE_SUPPLY_SCHEME
from powerretail.errors import InvalidInput, RuleViolation
from powerretail.quantities import Money, Rounding, exact_decimal
from powerretail.service.kinds import (
    OPENED,
    CaseEvent,
    CaseKind,
    CaseState,
    ClockSpec,
    KindSpec,
    ServiceRules,
    notice_for,
)
from powerretail.sla.policy import end_of_day
from powerretail.statemachine import StateMachine, Transition
from powerretail.timeframe import DEFAULT_TIMEZONE, as_date, local_date

__all__ = [
    "CHECKLISTS",
    "CONNECTION_KIND",
    "CONNECTION_MACHINE",
    "ILLUSTRATIVE_FEES",
    "AccessPart",
    "ConnectionClass",
    "ConnectionDetails",
    "ConnectionPurpose",
    "ConnectionRefused",
    "Document",
    "FeeItem",
    "FeeLine",
    "FeeSchedule",
    "ReceivingPart",
    "SchemeRefusal",
    "Source",
    "SupplyScheme",
    "extended_until",
    "extension_refusals",
    "fees_for",
    "missing_documents",
    "scheme_refusals",
    "valid_until",
]

_RULES_IMPORTANT: Final = "供电公司重要客户业扩报装工作管理规定(试行)"
_RULES_KEY: Final = "电力大客户用电管理制度 第二节"


class ConnectionClass(enum.Enum):
    """The customer class a connection's documents, scheme and limits depend on."""

    RESIDENTIAL = "residential"
    LV_NON_RESIDENTIAL = "lv non-residential"
    HV = "hv"
    #: First-level important customers: coal mines, non-coal mines and the like (一级重要客户).
    FIRST_LEVEL_IMPORTANT = "first-level important"

    @property
    def is_high_voltage(self) -> bool:
        """Whether the customer is supplied at high voltage (its scheme is valid a year)."""
        return self in (ConnectionClass.HV, ConnectionClass.FIRST_LEVEL_IMPORTANT)


class ConnectionPurpose(enum.Enum):
    """A new connection or a capacity increase (新装 / 增容)."""

    NEW = "new"
    INCREASE = "increase"


class Document(enum.Enum):
    """A document an application brings."""

    APPLICATION = "用电申请书"
    IDENTITY = "身份证明"
    PROPERTY_PROOF = "用电地址产权证明"
    BUSINESS_LICENCE = "工商营业执照"
    PROJECT_APPROVAL = "项目批准文件"
    LOAD_DATA = "用电资料(地点、用途、性质、设备清单、负荷、保安电力、自备应急电源)"
    MINING_LICENCE = "采矿许可证"
    PROJECT_ENDORSEMENT = "项目核准"
    SAFETY_CHAPTER = "安全专篇"
    PRELIMINARY_DESIGN = "初步设计"
    EIA_APPROVAL = "环评报告批复"
    MINE_MANAGER_QUALIFICATION = "矿长资格证"
    MINE_MANAGER_SAFETY = "矿长安全资格证"
    SAFETY_PRODUCTION_LICENCE = "安全生产许可证"
    COAL_PRODUCTION_LICENCE = "煤炭生产许可证"


_D: Final = Document
_C: Final = ConnectionClass
_P: Final = ConnectionPurpose
_BASE: Final = frozenset({_D.APPLICATION, _D.IDENTITY, _D.PROPERTY_PROOF})
_LV: Final = _BASE | {_D.BUSINESS_LICENCE}
_HV: Final = _LV | {_D.PROJECT_APPROVAL, _D.LOAD_DATA}
_MINE_NEW: Final = _HV | {
    _D.MINING_LICENCE,
    _D.PROJECT_ENDORSEMENT,
    _D.SAFETY_CHAPTER,
    _D.PRELIMINARY_DESIGN,
    _D.EIA_APPROVAL,
}
_SIX_CERTIFICATES: Final = frozenset(
    {
        _D.MINING_LICENCE,
        _D.MINE_MANAGER_QUALIFICATION,
        _D.MINE_MANAGER_SAFETY,
        _D.SAFETY_PRODUCTION_LICENCE,
        _D.COAL_PRODUCTION_LICENCE,
        _D.BUSINESS_LICENCE,
    }
)

#: The documents each class brings, per purpose. The first-level lists are the seed's
#: (重要客户业扩报装工作管理规定 第三条); the others are illustrative, to be replaced by the
#: company's own checklist.
CHECKLISTS: Final[Mapping[tuple[ConnectionClass, ConnectionPurpose], frozenset[Document]]] = (
    MappingProxyType(
        {
            (_C.RESIDENTIAL, _P.NEW): _BASE,
            (_C.RESIDENTIAL, _P.INCREASE): _BASE,
            (_C.LV_NON_RESIDENTIAL, _P.NEW): _LV,
            (_C.LV_NON_RESIDENTIAL, _P.INCREASE): _LV,
            (_C.HV, _P.NEW): _HV,
            (_C.HV, _P.INCREASE): _HV,
            (_C.FIRST_LEVEL_IMPORTANT, _P.NEW): _MINE_NEW,
            (_C.FIRST_LEVEL_IMPORTANT, _P.INCREASE): _HV | _SIX_CERTIFICATES,
        }
    )
)


@attrs.frozen
class Source:
    """One supply source: the substation and bus section it is taken from, and the line."""

    substation: str
    bus_section: str
    line: str = ""


def _sources(value: Iterable[Source]) -> tuple[Source, ...]:
    return tuple(value)


def _kva(value: object) -> Decimal:
    amount = exact_decimal(value, "capacity_kva")
    if amount <= 0:
        raise InvalidInput("capacity_kva", value, "a capacity above zero [kVA]")
    return amount


@attrs.frozen(kw_only=True)
class AccessPart:
    """The access-system part (接入系统方案): voltage, capacity, sources, lines, routes."""

    voltage_kv: Decimal = attrs.field(converter=exact_decimal)
    capacity_kva: Decimal = attrs.field(converter=_kva)
    sources: tuple[Source, ...] = attrs.field(converter=_sources)
    route: str = ""


@attrs.frozen(kw_only=True)
class ReceivingPart:
    """The receiving-system part (受电系统方案): wiring, protection, metering, boundary."""

    main_wiring: str
    protection: str
    metering: str
    ownership_boundary: str


@attrs.frozen(kw_only=True)
class SupplyScheme:
    """A supply scheme (供电方案): the access part and the receiving part."""

    access: AccessPart
    receiving: ReceivingPart

    @property
    def is_dual_source(self) -> bool:
        """Whether the scheme takes two or more sources."""
        return len(self.access.sources) >= 2


def _documents(value: Iterable[Document]) -> frozenset[Document]:
    return frozenset(value)


def _date_or_none(value: object) -> date | None:
    return None if value is None else as_date(value, "date")


@attrs.frozen(kw_only=True)
class ConnectionDetails:
    """What a connection case carries beside the case itself.

    ``valid_until`` is the last day the scheme is in force (set at its reply); ``extended``
    says whether its one extension was granted.
    """

    customer_class: ConnectionClass
    purpose: ConnectionPurpose
    capacity_kva: Decimal = attrs.field(converter=_kva)
    documents: frozenset[Document] = attrs.field(default=frozenset(), converter=_documents)
    scheme: SupplyScheme | None = None
    valid_until: date | None = attrs.field(default=None, converter=_date_or_none)
    extended: bool = False


def missing_documents(details: ConnectionDetails) -> frozenset[Document]:
    """Return the documents of the class's checklist the application does not have."""
    return CHECKLISTS[details.customer_class, details.purpose] - details.documents


@attrs.frozen
class SchemeRefusal:
    """Why a supply scheme, or a step on it, is refused: the rule, what was found, the source."""

    rule: str
    reason: str
    source: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.reason} ({self.source})"


class ConnectionRefused(RuleViolation):
    """A connection step refused; ``refusals`` names each rule that failed and why."""

    def __init__(self, case_id: str, step: str, refusals: tuple[SchemeRefusal, ...]) -> None:
        self.case_id = case_id
        self.step = step
        self.refusals = refusals
        super().__init__(case_id, step, refusals)

    def __str__(self) -> str:
        reasons = "; ".join(str(refusal) for refusal in self.refusals)
        return f"connection case {self.case_id}: cannot {self.step}: {reasons}"


def scheme_refusals(details: ConnectionDetails, scheme: SupplyScheme) -> tuple[SchemeRefusal, ...]:
    """Return why ``scheme`` does not fit the application (empty: it fits)."""
    found: list[SchemeRefusal] = []
    if scheme.access.capacity_kva < details.capacity_kva:
        found.append(
            SchemeRefusal(
                "capacity_covered",
                f"the scheme gives {scheme.access.capacity_kva} kVA, the application asks "
                f"{details.capacity_kva} kVA",
                f"{_RULES_IMPORTANT} 第四条 (确定客户用电容量)",
            )
        )
    if not scheme.access.sources:
        found.append(SchemeRefusal("has_source", "the scheme names no source", _RULES_IMPORTANT))
    if details.customer_class is ConnectionClass.FIRST_LEVEL_IMPORTANT:
        substations = {source.substation for source in scheme.access.sources}
        if not scheme.is_dual_source or len(substations) < 2:
            found.append(
                SchemeRefusal(
                    "dual_source_different_substations",
                    f"a first-level important customer needs two sources from different "
                    f"substations; the scheme has {len(scheme.access.sources)} from "
                    f"{len(substations)}",
                    f"{_RULES_IMPORTANT} 第四条",
                )
            )
    return tuple(found)


def valid_until(
    details: ConnectionDetails, replied_at: _dt.datetime, zone: str = DEFAULT_TIMEZONE
) -> date:
    """Return the last day a scheme replied at ``replied_at`` is in force.

    One year (high voltage) or three months (low voltage) from the reply day, counted from that
    anchor (the day before the same date a year or three months on is the last day).
    """
    day = local_date(replied_at, zone)
    months = 12 if details.customer_class.is_high_voltage else 3
    return pendulum.date(day.year, day.month, day.day).add(months=months).subtract(days=1)


def extension_refusals(
    details: ConnectionDetails,
    *,
    at: _dt.datetime,
    rules: ServiceRules,
    zone: str = DEFAULT_TIMEZONE,
) -> tuple[SchemeRefusal, ...]:
    """Return why extending the scheme on a request made at ``at`` is refused (empty: granted)."""
    found: list[SchemeRefusal] = []
    if details.extended:
        found.append(
            SchemeRefusal(
                "extended_once",
                "the scheme was already extended by one period",
                f"{_RULES_KEY} 4",
            )
        )
    assert details.valid_until is not None  # set when the scheme was replied
    notice = notice_for(rules, "scheme_extension_request")
    assert notice is not None  # every service rule chain reaches one (SEED has it)
    expiry = _end_of_validity(details.valid_until, zone)
    if not notice.is_satisfied(at, expiry, zone=zone):
        found.append(
            SchemeRefusal(
                "requested_before_expiry",
                f"the request at {at} is later than {notice.lead} {notice.unit.value} before "
                f"the scheme expires at {expiry}",
                notice.source,
            )
        )
    return tuple(found)


def _end_of_validity(last_day: date, zone: str) -> pendulum.DateTime:
    return end_of_day(last_day, zone)


def extended_until(details: ConnectionDetails) -> date:
    """Return the last day of the scheme after its one extension (one more period)."""
    assert details.valid_until is not None  # set when the scheme was replied
    months = 12 if details.customer_class.is_high_voltage else 3
    last = details.valid_until
    return (
        pendulum.date(last.year, last.month, last.day)
        .add(days=1)
        .add(months=months)
        .subtract(days=1)
    )


def _classes(value: Iterable[ConnectionClass]) -> frozenset[ConnectionClass]:
    return frozenset(value)


def _items(value: Iterable[FeeItem]) -> tuple[FeeItem, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class FeeItem:
    """A fee: ``yuan_per_kva`` of the applied capacity or a ``fixed`` amount, for ``classes``."""

    name: str
    classes: frozenset[ConnectionClass] = attrs.field(converter=_classes)
    yuan_per_kva: Decimal | None = None
    fixed: Money | None = None
    dual_source_only: bool = False
    source: str = ""

    def __attrs_post_init__(self) -> None:
        if (self.yuan_per_kva is None) == (self.fixed is None):
            raise InvalidInput(
                f"{self.name}.yuan_per_kva", self.yuan_per_kva, "a rate or a fixed amount"
            )


@attrs.frozen(kw_only=True)
class FeeSchedule:
    """The fees a connection pays, as data (a company's or a province's list)."""

    key: str
    items: tuple[FeeItem, ...] = attrs.field(converter=_items)
    note: str = ""


@attrs.frozen
class FeeLine:
    """A fee charged: its name, the amount (rounded once) and how it was worked out."""

    name: str
    amount: Money
    explanation: str
    source: str


#: An illustrative fee schedule: a high-reliability fee on dual-source supply. The amount is
#: not any province's; replace the schedule with your own.
ILLUSTRATIVE_FEES: Final = FeeSchedule(
    key="ILLUSTRATIVE",
    items=(
        FeeItem(
            name="高可靠性供电费 (high-reliability supply fee)",
            classes={ConnectionClass.HV, ConnectionClass.FIRST_LEVEL_IMPORTANT},
            yuan_per_kva=Decimal("100"),
            dual_source_only=True,
            source="illustrative (provincial price notices set the rate)",
        ),
    ),
    note="illustrative amounts",
)


def fees_for(
    details: ConnectionDetails, schedule: FeeSchedule, rounding: Rounding | None = None
) -> tuple[FeeLine, ...]:
    """Return the fees the application pays under ``schedule``, each line rounded once."""
    rounder = rounding or Rounding()
    dual = details.scheme is not None and details.scheme.is_dual_source
    lines: list[FeeLine] = []
    for item in schedule.items:
        if details.customer_class not in item.classes or (item.dual_source_only and not dual):
            continue
        if item.yuan_per_kva is not None:
            amount = rounder.to_money(item.yuan_per_kva * details.capacity_kva)
            how = f"{details.capacity_kva} kVA x {item.yuan_per_kva} 元/kVA"
        else:
            assert item.fixed is not None  # one of the two, checked on the item
            amount = item.fixed
            how = "fixed"
        lines.append(FeeLine(item.name, amount, how, item.source))
    return tuple(lines)


# ---------------------------------------------------------------------------- guards


def _details(case: Any) -> ConnectionDetails:
    details = case.connection
    assert isinstance(details, ConnectionDetails)  # a connection case always has them
    return details


def documents_complete(case: Any, ctx: Mapping[str, Any]) -> bool:
    """The application brings every document of its class's checklist."""
    return not missing_documents(_details(case))


def scheme_fits(case: Any, ctx: Mapping[str, Any]) -> bool:
    """The proposed scheme fits the application (capacity, dual sources where needed)."""
    scheme = ctx.get("scheme")
    return isinstance(scheme, SupplyScheme) and not scheme_refusals(_details(case), scheme)


def _in_force(case: Any, ctx: Mapping[str, Any]) -> bool:
    details = _details(case)
    assert details.valid_until is not None  # set when the scheme was replied
    return bool(local_date(ctx["at"]) <= details.valid_until)


def scheme_fits_lv(case: Any, ctx: Mapping[str, Any]) -> bool:
    """The scheme fits, and the supply office replies it itself (a low-voltage application)."""
    return not _details(case).customer_class.is_high_voltage and scheme_fits(case, ctx)


def high_voltage(case: Any, ctx: Mapping[str, Any]) -> bool:
    """The application is for high-voltage supply (a 高压用电申请, approved by marketing)."""
    return bool(_details(case).customer_class.is_high_voltage)


def scheme_in_force_hv(case: Any, ctx: Mapping[str, Any]) -> bool:
    """The scheme is in force and the customer is supplied at high voltage."""
    return _in_force(case, ctx) and _details(case).customer_class.is_high_voltage


def scheme_in_force_lv(case: Any, ctx: Mapping[str, Any]) -> bool:
    """The scheme is in force and the customer is supplied at low voltage (no design review)."""
    return _in_force(case, ctx) and not _details(case).customer_class.is_high_voltage


def scheme_expired(case: Any, ctx: Mapping[str, Any]) -> bool:
    """The scheme's validity has run out."""
    return not _in_force(case, ctx)


def extension_in_time(case: Any, ctx: Mapping[str, Any]) -> bool:
    """Not yet extended, and requested at least the rule set's lead before expiry."""
    return not extension_refusals(_details(case), at=ctx["at"], rules=ctx["rules"])


_S: Final = CaseState
_E: Final = CaseEvent
_BEFORE_SCHEME: Final = (_S.RECEIVED, _S.ACCEPTED, _S.SURVEYED, _S.WITH_MARKETING)
_AFTER_SCHEME: Final = (
    _S.SCHEME_REPLIED,
    _S.DESIGN_SUBMITTED,
    _S.DESIGN_APPROVED,
    _S.MID_INSPECTION_DUE,
    _S.UNDER_CONSTRUCTION,
    _S.COMPLETION_REPORTED,
)

#: The connection process; see the module docstring for its guards and their sources.
CONNECTION_MACHINE: Final[StateMachine[CaseState, CaseEvent]] = StateMachine(
    "connection",
    initial=_S.RECEIVED,
    finals={_S.CLOSED, _S.WITHDRAWN, _S.LAPSED},
    states={
        *_BEFORE_SCHEME,
        *_AFTER_SCHEME,
        _S.EQUIPMENT_ACCEPTED,
        _S.ENERGISED,
        _S.CLOSED,
        _S.WITHDRAWN,
        _S.LAPSED,
    },
    transitions=[
        Transition(_S.RECEIVED, _E.ACCEPT, _S.ACCEPTED, guard=documents_complete),
        Transition(_S.ACCEPTED, _E.SURVEY, _S.SURVEYED),
        Transition(
            _S.SURVEYED,
            _E.REPLY_SCHEME,
            _S.SCHEME_REPLIED,
            guard=scheme_fits_lv,
            permission=APPROVE_SUPPLY_SCHEME,
        ),
        Transition(_S.SURVEYED, _E.HAND_TO_MARKETING, _S.WITH_MARKETING, guard=high_voltage),
        Transition(
            _S.WITH_MARKETING,
            _E.REPLY_SCHEME,
            _S.SCHEME_REPLIED,
            guard=scheme_fits,
            permission=APPROVE_SUPPLY_SCHEME,
        ),
        Transition(_S.SCHEME_REPLIED, _E.EXTEND_SCHEME, _S.SCHEME_REPLIED, guard=extension_in_time),
        Transition(
            _S.SCHEME_REPLIED, _E.SUBMIT_DESIGN, _S.DESIGN_SUBMITTED, guard=scheme_in_force_hv
        ),
        Transition(
            _S.SCHEME_REPLIED,
            _E.REPORT_COMPLETION,
            _S.COMPLETION_REPORTED,
            guard=scheme_in_force_lv,
        ),
        Transition(_S.SCHEME_REPLIED, _E.LAPSE, _S.LAPSED, guard=scheme_expired),
        Transition(_S.DESIGN_SUBMITTED, _E.APPROVE_DESIGN, _S.DESIGN_APPROVED),
        Transition(_S.DESIGN_APPROVED, _E.REQUEST_MID_INSPECTION, _S.MID_INSPECTION_DUE),
        Transition(_S.MID_INSPECTION_DUE, _E.PASS_MID_INSPECTION, _S.UNDER_CONSTRUCTION),
        Transition(_S.UNDER_CONSTRUCTION, _E.REPORT_COMPLETION, _S.COMPLETION_REPORTED),
        Transition(
            _S.COMPLETION_REPORTED,
            _E.ACCEPT_EQUIPMENT,
            _S.EQUIPMENT_ACCEPTED,
            permission=ACCEPT_EQUIPMENT,
        ),
        Transition(_S.EQUIPMENT_ACCEPTED, _E.ENERGISE, _S.ENERGISED),
        Transition(_S.ENERGISED, _E.FOLLOW_UP, _S.CLOSED),
        *(
            Transition(state, _E.WITHDRAW, _S.WITHDRAWN)
            for state in (*_BEFORE_SCHEME, *_AFTER_SCHEME)
        ),
    ],
)


def _class_of(case: Any) -> ConnectionClass:
    return _details(case).customer_class


def _scheme_keys(case: Any) -> tuple[str, ...]:
    details = _details(case)
    if details.customer_class is ConnectionClass.RESIDENTIAL:
        return ("supply_scheme_reply_residential",)
    if not details.customer_class.is_high_voltage:
        return ("supply_scheme_reply_lv",)
    dual = details.customer_class is ConnectionClass.FIRST_LEVEL_IMPORTANT or (
        details.scheme is not None and details.scheme.is_dual_source
    )
    return ("supply_scheme_reply_hv_dual",) if dual else ("supply_scheme_reply_hv_single",)


def _voltage_keys(stem: str) -> Any:
    def keys(case: Any) -> tuple[str, ...]:
        return (f"{stem}_{'hv' if _class_of(case).is_high_voltage else 'lv'}",)

    return keys


def _energisation_keys(case: Any) -> tuple[str, ...]:
    klass = _class_of(case)
    if klass is ConnectionClass.RESIDENTIAL:
        return ("energisation_residential",)
    if klass.is_high_voltage:
        return ("energisation_non_residential", "energisation_hv")
    return ("energisation_non_residential", "energisation_lv")


def _is_residential(case: Any) -> bool:
    return bool(_class_of(case) is ConnectionClass.RESIDENTIAL)


def _is_high_voltage(case: Any) -> bool:
    return bool(_class_of(case).is_high_voltage)


#: The connection kind: its machine and its clocks.
CONNECTION_KIND: Final = KindSpec(
    kind=CaseKind.CONNECTION,
    machine=CONNECTION_MACHINE,
    clocks=(
        ClockSpec(
            name="scheme reply",
            limit_keys=_scheme_keys,
            start={_E.ACCEPT},
            stop={_E.REPLY_SCHEME, _E.WITHDRAW},
        ),
        ClockSpec(
            name="hand-off to marketing",
            limit_keys=("scheme_handover_to_marketing",),
            start={_E.ACCEPT},
            stop={_E.HAND_TO_MARKETING, _E.WITHDRAW},
            applies=_is_high_voltage,
        ),
        ClockSpec(
            name="design review",
            limit_keys=_voltage_keys("design_review"),
            start={_E.SUBMIT_DESIGN},
            stop={_E.APPROVE_DESIGN, _E.WITHDRAW},
            applies=_is_high_voltage,
        ),
        ClockSpec(
            name="mid-construction inspection",
            limit_keys=_voltage_keys("mid_construction_inspection"),
            start={_E.REQUEST_MID_INSPECTION},
            stop={_E.PASS_MID_INSPECTION, _E.WITHDRAW},
            applies=_is_high_voltage,
        ),
        ClockSpec(
            name="completion inspection",
            limit_keys=_voltage_keys("completion_inspection"),
            start={_E.REPORT_COMPLETION},
            stop={_E.ACCEPT_EQUIPMENT, _E.WITHDRAW},
        ),
        ClockSpec(
            name="energisation",
            limit_keys=_energisation_keys,
            start={_E.ACCEPT_EQUIPMENT},
            stop={_E.ENERGISE},
        ),
        ClockSpec(
            name="residential power-on",
            limit_keys=("residential_power_on", "connection_residential"),
            start={OPENED},
            stop={_E.ENERGISE, _E.WITHDRAW, _E.LAPSE},
            applies=_is_residential,
        ),
    ),
    source=f"{_RULES_IMPORTANT}; {_RULES_KEY} 4-8",
)
