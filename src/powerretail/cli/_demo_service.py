"""The demo's service section: a capacity increase and a complaint, opened, and their clocks."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import pendulum

from powerretail.access import SEED_POLICY, Actor
from powerretail.repositories.clock import Clock
from powerretail.repositories.service import SERVICE_CASES
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.service.cases import IntakeChannel, case_clocks, hand_off_clocks
from powerretail.service.connections import (
    CHECKLISTS,
    ConnectionClass,
    ConnectionDetails,
    ConnectionPurpose,
)
from powerretail.service.kinds import CaseEvent, CaseKind
from powerretail.timeframe import DEFAULT_TIMEZONE
from powerretail.workflows.service import fire_step, hand_off_case, intake_case, load_case

__all__ = ["run_service_demo"]

_CLERK: Final = Actor(id="counter-3", name="Chen", roles={"customer_service"})
_FACTORY: Final = "C-JS-I-0007"
_HOUSEHOLD: Final = "C-JS-R-0001"


def run_service_demo(
    make_unit_of_work: UnitOfWorkFactory, *, clock: Clock, at: pendulum.DateTime
) -> list[str]:
    """Open a capacity increase and a complaint (idempotent); return the lines showing their
    clocks as of ``at``."""
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
    lines = ["service cases (already open)" if known else "service cases opened"]
    for case_id in ("SVC-CONN-1", "SVC-COMP-1"):
        case = load_case(make_unit_of_work, case_id)
        lines.append(
            f"  {case.id}: {case.kind.value} of {case.customer_id} via {case.channel.value}, "
            f"{case.state.value}, owner {case.owner} (first contact {case.first_contact})"
        )
        for clock_ in (*case_clocks(case), *hand_off_clocks(case)):
            if clock_.clock is None or clock_.policy is None:
                continue
            due = clock_.clock.due_at
            shown = "-" if due is None else f"{due.in_timezone(DEFAULT_TIMEZONE):%Y-%m-%d %H:%M}"
            status = clock_.status(as_of)
            lines.append(
                f"    {clock_.name:<28} {clock_.policy.limit} {clock_.policy.unit.value:<13} "
                f"({clock_.policy.rule_set}) due {shown}  {'' if status is None else status.value}"
            )
    return lines
