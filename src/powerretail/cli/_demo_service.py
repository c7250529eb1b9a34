"""The demo's service section: a capacity increase and a complaint, opened, and their clocks.

The increase is accepted, surveyed and handed by the supply office to marketing within its
limit, as a desk would; the complaint is handed to the billing desk.

Printed in English or Chinese (``language``), as the rest of the demo: the case kinds, channels,
states, clock names, units and statuses have their Chinese terms here; ids, owners and rule-set
keys are data and print as stored.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import pendulum

from powerretail.access import SEED_POLICY, Actor
from powerretail.repositories.clock import Clock
from powerretail.repositories.service import SERVICE_CASES
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.service.cases import ClockStatus, IntakeChannel, case_clocks, hand_off_clocks
from powerretail.service.connections import (
    CHECKLISTS,
    ConnectionClass,
    ConnectionDetails,
    ConnectionPurpose,
)
from powerretail.service.kinds import CaseEvent, CaseKind, CaseState
from powerretail.sla.policy import SlaUnit
from powerretail.timeframe import DEFAULT_TIMEZONE
from powerretail.workflows.service import fire_step, hand_off_case, intake_case, load_case

__all__ = ["run_service_demo"]

_CLERK: Final = Actor(id="counter-3", name="Chen", roles={"customer_service"})
_FACTORY: Final = "C-JS-I-0007"
_HOUSEHOLD: Final = "C-JS-R-0001"

_TEXT: Final = {
    "en": {
        "opened": "service cases opened",
        "known": "service cases (already open)",
        "case": "  {id}: {kind} of {customer} via {channel}, {state}, owner {owner} "
        "(first contact {first})",
        "clock": "    {name:<28} {limit} {unit:<13} ({rules}) due {due}  {status}",
    },
    "zh": {
        "opened": "服务工单已受理",
        "known": "服务工单（已受理，不重复建立）",
        "case": "  {id}：{customer} 的{kind}（{channel}），{state}，现由 {owner} 处理"
        "（首问负责人 {first}）",
        "clock": "    {name}：{limit} {unit}（{rules}），期限 {due}  {status}",
    },
}

_KIND_ZH: Final = {
    CaseKind.COMPLAINT: "投诉",
    CaseKind.REPORT: "举报",
    CaseKind.CONSULTATION: "咨询",
    CaseKind.REPAIR: "故障报修",
    CaseKind.METER_TEST: "电能表校验申请",
    CaseKind.CONNECTION: "新装/增容申请",
    CaseKind.CHANGE_OF_USE: "变更用电申请",
}
_CHANNEL_ZH: Final = {
    IntakeChannel.COUNTER: "营业厅",
    IntakeChannel.HOTLINE: "服务热线",
    IntakeChannel.ONLINE: "网上渠道",
    IntakeChannel.KEY_ACCOUNT_MANAGER: "大客户经理",
}
_STATE_ZH: Final = {
    CaseState.RECEIVED: "已接收",
    CaseState.IN_HAND: "处理中",
    CaseState.WAITING_ON_CUSTOMER: "等待客户",
    CaseState.DISPATCHED: "已派工",
    CaseState.ON_SITE: "已到达现场",
    CaseState.SUPPLY_RESTORED: "已恢复供电",
    CaseState.FEE_PAID: "已交验表费",
    CaseState.TESTED: "已校验",
    CaseState.ACCEPTED: "已受理",
    CaseState.SURVEYED: "已现场勘查",
    CaseState.WITH_MARKETING: "已报市场营销部审批",
    CaseState.SCHEME_REPLIED: "供电方案已答复",
    CaseState.DESIGN_SUBMITTED: "设计已送审",
    CaseState.DESIGN_APPROVED: "设计已审核",
    CaseState.MID_INSPECTION_DUE: "待中间检查",
    CaseState.UNDER_CONSTRUCTION: "施工中",
    CaseState.COMPLETION_REPORTED: "已报竣工",
    CaseState.EQUIPMENT_ACCEPTED: "受电装置已验收",
    CaseState.ENERGISED: "已送电",
    CaseState.REPLIED: "已答复",
    CaseState.CHECKED: "已审查",
    CaseState.APPROVED: "已批准",
    CaseState.CARRIED_OUT: "已办结",
    CaseState.REFUSED: "不予受理",
    CaseState.CLOSED: "已回访归档",
    CaseState.WITHDRAWN: "已撤回",
    CaseState.LAPSED: "方案已失效",
}
_CLOCK_ZH: Final = {
    "contact": "联系客户",
    "reply": "答复",
    "arrival": "到达现场",
    "restoration": "恢复供电",
    "test result": "校验结果",
    "scheme reply": "供电方案答复",
    "hand-off to marketing": "供电所传递市场营销部",
    "design review": "设计审核",
    "mid-construction inspection": "中间检查",
    "completion inspection": "竣工检验",
    "energisation": "装表送电",
    "residential power-on": "居民送电",
    "decision": "审批",
}
_UNIT_ZH: Final = {
    SlaUnit.CALENDAR_DAYS: "日",
    SlaUnit.WORKING_DAYS: "个工作日",
    SlaUnit.HOURS: "小时",
    SlaUnit.MINUTES: "分钟",
}
_STATUS_ZH: Final = {
    ClockStatus.RUNNING: "计时中",
    ClockStatus.PAUSED: "暂停计时",
    ClockStatus.MET: "按时",
    ClockStatus.BREACHED: "超时",
}


def _clock_name(name: str, language: str) -> str:
    if language != "zh":
        return name
    if name in _CLOCK_ZH:
        return _CLOCK_ZH[name]
    number, _, owner = name.removeprefix("hand-off ").partition(" to ")  # "hand-off 1 to x"
    return f"内部传递 {number}（至 {owner}）"


def run_service_demo(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    at: pendulum.DateTime,
    language: str = "en",
) -> list[str]:
    """Open a capacity increase and a complaint (idempotent); return the lines showing their
    clocks as of ``at``, in ``language`` (``"en"`` or ``"zh"``)."""
    text = _TEXT[language]
    zh = language == "zh"
    with make_unit_of_work() as uow:
        known = uow.repository(SERVICE_CASES).find("SVC-CONN-1") is not None
    increase = ConnectionDetails(
        customer_class=ConnectionClass.HV,
        purpose=ConnectionPurpose.INCREASE,
        capacity_kva=Decimal(1250),
        documents=CHECKLISTS[ConnectionClass.HV, ConnectionPurpose.INCREASE],
    )
    intake_case(
        make_unit_of_work,
        clock=clock,
        case_id="SVC-CONN-1",
        kind=CaseKind.CONNECTION,
        customer_id=_FACTORY,
        channel=IntakeChannel.COUNTER,
        received_by=_CLERK.id,
        at=at,
        subject="增容 to 1250 kVA",
        connection=increase,
    )
    fire_step(
        make_unit_of_work,
        clock=clock,
        case_id="SVC-CONN-1",
        event_name=CaseEvent.ACCEPT,
        policy=SEED_POLICY,
        actor=_CLERK,
        at=at.add(minutes=20),
        why="受理: documents complete",
    )
    # The supply office surveys the site and hands the high-voltage application to marketing
    # the same morning, well inside the hand-off's 5 working days (so its clock is met).
    for event_name, minutes, why in (
        (CaseEvent.SURVEY, 60, "现场勘查: site surveyed"),
        (CaseEvent.HAND_TO_MARKETING, 90, "供电所传递市场营销部: for the scheme's approval"),
    ):
        fire_step(
            make_unit_of_work,
            clock=clock,
            case_id="SVC-CONN-1",
            event_name=event_name,
            policy=SEED_POLICY,
            actor=_CLERK,
            at=at.add(minutes=minutes),
            why=why,
        )
    intake_case(
        make_unit_of_work,
        clock=clock,
        case_id="SVC-COMP-1",
        kind=CaseKind.COMPLAINT,
        customer_id=_HOUSEHOLD,
        channel=IntakeChannel.HOTLINE,
        received_by="hotline-1",
        at=at.add(minutes=30),
        subject="the July bill looks too high",
    )
    hand_off_case(
        make_unit_of_work,
        clock=clock,
        case_id="SVC-COMP-1",
        to_owner="billing-desk",
        to_role="billing_auditor",
        at=at.add(minutes=40),
        why="bill query",
    )
    as_of = at.add(hours=2)
    lines = [text["known" if known else "opened"]]
    for case_id in ("SVC-CONN-1", "SVC-COMP-1"):
        case = load_case(make_unit_of_work, case_id)
        lines.append(
            text["case"].format(
                id=case.id,
                kind=_KIND_ZH[case.kind] if zh else case.kind.value,
                customer=case.customer_id,
                channel=_CHANNEL_ZH[case.channel] if zh else case.channel.value,
                state=_STATE_ZH[case.state] if zh else case.state.value,
                owner=case.owner,
                first=case.first_contact,
            )
        )
        for clock_ in (*case_clocks(case), *hand_off_clocks(case)):
            if clock_.clock is None or clock_.policy is None:
                continue
            due = clock_.clock.due_at
            shown = "-" if due is None else f"{due.in_timezone(DEFAULT_TIMEZONE):%Y-%m-%d %H:%M}"
            status = clock_.status(as_of)
            assert status is not None  # a started clock with a limit always has one
            unit = clock_.policy.unit
            lines.append(
                text["clock"].format(
                    name=_clock_name(clock_.name, language),
                    limit=clock_.policy.limit,
                    unit=_UNIT_ZH[unit] if zh else unit.value,
                    rules=clock_.policy.rule_set,
                    due=shown,
                    status=_STATUS_ZH[status] if zh else status.value,
                )
            )
    return lines
