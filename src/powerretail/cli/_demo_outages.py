"""The demo's service section: a meter-read finding raising a work order, and a planned outage
notifying an important customer.

A county hospital (an important customer by its sector) is added to the demo book with a meter
read in May and June; July and August cannot be read, so the second unread cycle raises the
seed's exception ticket. A planned outage on its feeder, also cutting the print shop, is
approved, the hospital notified eight days ahead (State Grid asks for seven), started, restored
and the customers called back an hour later. Every step is idempotent: a second demo run on
the same store prints the same lines and stores nothing twice.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import pendulum

from powerretail.access import SEED_POLICY, Actor
from powerretail.customers.contacts import Channel
from powerretail.customers.parties import (
    Account,
    Customer,
    LoadImportance,
    Sector,
    ServicePoint,
    VoltageLevel,
)
from powerretail.ids import CustomerId, MeterId, ServicePointId
from powerretail.metering.meters import Meter, MeterType, RegisterKind
from powerretail.metering.reads import ReadSource, RegisterRead
from powerretail.metering.rules import SEED_RULES
from powerretail.repositories.clock import Clock
from powerretail.repositories.customers import ACCOUNTS, CUSTOMERS, SERVICE_POINTS
from powerretail.repositories.metering import METERS
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.service.outages import OutageEvent, OutageKind, OutageState
from powerretail.service.work_orders import work_order_clock
from powerretail.timeframe import DEFAULT_TIMEZONE
from powerretail.workflows.outages import outage_statuses, request_outage, step_outage
from powerretail.workflows.reads import estimate_reads, submit_reads
from powerretail.workflows.work_orders import list_work_orders

__all__ = ["run_outages_demo"]

_HOSPITAL: Final = "JS-H-0100"
_METER: Final = MeterId("M-JS-H-0100")
_OUTAGE: Final = "OUT-DEMO-1"
_HEAD: Final = Actor(id="head-demo", name="Zhang", roles={"supply_office_head"})
_CLERK: Final = Actor(id="clerk-demo", name="Li", roles={"customer_service"})
_WINDOW: Final = pendulum.datetime(2025, 8, 12, 9, tz=DEFAULT_TIMEZONE)

_TEXT: Final = {
    "en": {
        "title": "service: work orders and outages",
        "orders": "work orders raised by meter reads ({n}):",
        "order": "  {kind} on {subject}, {state}, due {due}: {detail}",
        "outage": "outage {id} ({kind}, {rules}) {feeder} / {area}, {start}-{end}: {state}",
        "notice": "  {customer} ({why}): notified {at} by {channel}, due by {due}: {verdict}",
        "on_time": "on time",
        "late": "late",
        "restored": "  restored {at}; called back {back} (never at night)",
    },
    "zh": {
        "title": "供电服务：工作单与停电",
        "orders": "抄表发现生成的工作单（{n} 张）：",
        "order": "  {kind}，{subject}，{state}，期限 {due}：{detail}",
        "outage": "停电 {id}（{kind}，{rules}）{feeder} / {area}，{start}-{end}：{state}",
        "notice": "  {customer}（{why}）：{at} 经{channel}通知，最迟 {due}：{verdict}",
        "on_time": "按时",
        "late": "逾期",
        "restored": "  {at} 复电；{back} 回访（夜间除外）",
    },
}


def _local(instant: pendulum.DateTime) -> str:
    return f"{instant.in_timezone(DEFAULT_TIMEZONE):%Y-%m-%d %H:%M}"


def _book(make_unit_of_work: UnitOfWorkFactory) -> None:
    with make_unit_of_work() as uow:
        if uow.repository(CUSTOMERS).find(CustomerId(f"C-{_HOSPITAL}")) is not None:
            return
        uow.repository(CUSTOMERS).add(
            Customer(
                id=f"C-{_HOSPITAL}",
                name="County hospital, Suzhou",
                sector=Sector.HOSPITAL,
                industry="hospital",
                region="gusu",
            )
        )
        uow.repository(ACCOUNTS).add(
            Account(id=_HOSPITAL, customer_id=f"C-{_HOSPITAL}", opened_on=date(2020, 1, 1))
        )
        uow.repository(SERVICE_POINTS).add(
            ServicePoint(
                id=f"SP-{_HOSPITAL}",
                account_id=_HOSPITAL,
                address="1 Renmin Road",
                voltage_level=VoltageLevel.KV10,
                contracted_capacity=800,
                load_importance=LoadImportance.FIRST,
                industry="hospital",
                region="gusu",
            )
        )
        if uow.repository(SERVICE_POINTS).find(ServicePointId("SP-JS-C-0042")) is None:
            uow.repository(SERVICE_POINTS).add(
                ServicePoint(
                    id="SP-JS-C-0042",
                    account_id="JS-C-0042",
                    address="18 Shiquan Street",
                    voltage_level=VoltageLevel.V380,
                    contracted_capacity=160,
                    load_importance=LoadImportance.THIRD,
                    industry="printing",
                    region="gusu",
                )
            )
        uow.repository(METERS).add(
            Meter(
                id=_METER,
                serial="S-H-0100",
                meter_type=MeterType.SMART,
                accuracy_class="0.5S",
                registers=frozenset({RegisterKind.ACTIVE_TOTAL}),
                service_point=ServicePointId(f"SP-{_HOSPITAL}"),
                installed_on=date(2020, 1, 1),
            )
        )
        uow.commit()


def _reads(make_unit_of_work: UnitOfWorkFactory, clock: Clock) -> None:
    submit_reads(
        make_unit_of_work,
        clock=clock,
        reads=[
            RegisterRead(
                meter_id=_METER,
                read_at=pendulum.datetime(2025, month, 1, tz=DEFAULT_TIMEZONE),
                value=value,
                source=ReadSource.ACTUAL,
                produced_by="reader",
            )
            for month, value in ((5, "120000"), (6, "152000"))
        ],
        rule_set=SEED_RULES,
    )
    for month in (7, 8):  # the meter room is locked: two cycles unread
        estimate_reads(
            make_unit_of_work,
            meter_id=str(_METER),
            at=pendulum.datetime(2025, month, 1, tz=DEFAULT_TIMEZONE),
            rule_set=SEED_RULES,
        )


def _outage(make_unit_of_work: UnitOfWorkFactory, clock: Clock) -> None:
    request_outage(
        make_unit_of_work,
        clock=clock,
        outage_id=_OUTAGE,
        kind=OutageKind.PLANNED,
        feeder="10kV 人民线",
        area="人民路 2 号台区",
        service_points=(f"SP-{_HOSPITAL}", "SP-JS-C-0042"),
        window_start=_WINDOW,
        window_end=_WINDOW.add(hours=8),
        reason="line maintenance",
        actor=_CLERK,
    )
    steps: tuple[tuple[OutageEvent, pendulum.DateTime, Actor, dict[str, object]], ...] = (
        (OutageEvent.APPROVE, _WINDOW.subtract(days=10), _HEAD, {}),
        (
            OutageEvent.NOTIFY,
            _WINDOW.subtract(days=8).add(hours=1),
            _CLERK,
            {"customer_id": f"C-{_HOSPITAL}", "channel": Channel.PHONE, "what": "停电通知"},
        ),
        (OutageEvent.START, _WINDOW, _HEAD, {}),
        (OutageEvent.RESTORE, _WINDOW.add(hours=7, minutes=30), _HEAD, {}),
        (OutageEvent.CALL_BACK, _WINDOW.add(hours=8, minutes=30), _CLERK, {"what": "已复电"}),
    )
    for event, at, actor, details in steps:
        step_outage(
            make_unit_of_work,
            clock=clock,
            outage_id=_OUTAGE,
            step=event,
            at=at,
            policy=SEED_POLICY,
            actor=actor,
            customer_id=details.get("customer_id"),  # type: ignore[arg-type]
            channel=details.get("channel"),  # type: ignore[arg-type]
            what=str(details.get("what", "")),
        )


def run_outages_demo(
    make_unit_of_work: UnitOfWorkFactory, *, clock: Clock, language: str = "en"
) -> list[str]:
    """Run the service section on the demo store; return its lines (the same on every run)."""
    text = _TEXT[language]
    _book(make_unit_of_work)
    _reads(make_unit_of_work, clock)
    out = [text["title"]]
    orders = [o for o in list_work_orders(make_unit_of_work) if o.subject == str(_METER)]
    out.append(text["orders"].format(n=len(orders)))
    for order in orders:
        due = work_order_clock(order).due_at
        out.append(
            text["order"].format(
                kind=order.kind.value,
                subject=order.subject,
                state=order.state.value,
                due="-" if due is None else _local(due),
                detail=order.detail,
            )
        )
    state = [s for s in outage_statuses(make_unit_of_work, as_of=_WINDOW) if s.outage.id == _OUTAGE]
    if not state or state[0].outage.state is not OutageState.CALLED_BACK:
        _outage(make_unit_of_work, clock)
    (status,) = [
        s
        for s in outage_statuses(make_unit_of_work, as_of=_WINDOW.add(days=1))
        if s.outage.id == _OUTAGE
    ]
    outage = status.outage
    out.append(
        text["outage"].format(
            id=outage.id,
            kind=outage.kind.value,
            rules=outage.rules,
            feeder=outage.feeder,
            area=outage.area,
            start=_local(outage.window_start),
            end=_local(outage.window_end),
            state=outage.state.value,
        )
    )
    for customer in outage.key_customers:
        notice = outage.first_notice(customer.customer_id)
        assert notice is not None  # the outage started: every key customer was notified
        out.append(
            text["notice"].format(
                customer=customer.name,
                why=customer.why,
                at=_local(notice.at),
                channel=notice.channel.value if language == "zh" else notice.channel.name.lower(),
                due=_local(status.notice_due),
                verdict=text["late" if customer.customer_id in status.notified_late else "on_time"],
            )
        )
    assert outage.restored_at is not None
    assert outage.called_back_at is not None
    out.append(
        text["restored"].format(at=_local(outage.restored_at), back=_local(outage.called_back_at))
    )
    return out
