"""Service processes: every customer demand is a case with its kind's machine and clocks.

* :mod:`powerretail.service.cases` — the case model: intake from any channel, first-contact
  ownership, hand-offs, supervision, reply and follow-up, and the clocks computed from history;
* :mod:`powerretail.service.kinds` — complaints, reports, consultations, repairs and meter tests,
  each a declared machine with its clocks, and the selectable service rule sets;
* :mod:`powerretail.service.connections` — new connections and capacity increases (业扩报装);
* :mod:`powerretail.service.routing` — routing by customer attributes as policy data;
* :mod:`powerretail.service.reports` — SLA attainment, the rolling review and the backlog;
* :mod:`powerretail.service.work_orders` — work orders raised by meter-read findings,
  inspections and service cases: created, dispatched, done, verified, each kind on its limit;
* :mod:`powerretail.service.outages` — planned and temporary outages: approval, notices to the
  affected key and important customers before the limit, progress, restoration, call-back.
"""

from __future__ import annotations

from powerretail.service import outages, work_orders
from powerretail.service.cases import (
    KINDS,
    Case,
    CaseClock,
    ClockStatus,
    IntakeChannel,
    Satisfaction,
    case_clocks,
    open_case,
)
from powerretail.service.connections import CONNECTION_MACHINE, ConnectionDetails
from powerretail.service.kinds import SERVICE_RULES, Area, CaseEvent, CaseKind, CaseState

__all__ = [
    "CONNECTION_MACHINE",
    "KINDS",
    "SERVICE_RULES",
    "Area",
    "Case",
    "CaseClock",
    "CaseEvent",
    "CaseKind",
    "CaseState",
    "ClockStatus",
    "ConnectionDetails",
    "IntakeChannel",
    "Satisfaction",
    "case_clocks",
    "open_case",
    "outages",
    "work_orders",
]
