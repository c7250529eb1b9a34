"""Service time limits (SLA): policies, clocks driven by events, and a catalogue of instruments.

* :mod:`powerretail.sla.policy` — :class:`SlaPolicy` (a limit in calendar days, working days,
  hours or minutes, the events that drive it, the day-1 convention) and :class:`NoticeRule`
  (a minimum notice before an event);
* :mod:`powerretail.sla.clock` — :class:`SlaClock`: due moment, time remaining, breached or
  not, with pauses, from events passed in (never a clock read);
* :mod:`powerretail.sla.catalogue` — the named, versioned rule sets ``SEED``, ``SGCC10``,
  ``SGCC10_2011``, ``JGBF`` and ``GYGZ1996``, each limit with its source.
"""

from __future__ import annotations

from powerretail.sla.catalogue import CATALOGUE, SlaRuleSet, rule_set
from powerretail.sla.clock import Pause, SlaClock, SlaEvent, SlaState
from powerretail.sla.policy import DayOne, NoticeRule, SlaPolicy, SlaUnit

__all__ = [
    "CATALOGUE",
    "DayOne",
    "NoticeRule",
    "Pause",
    "SlaClock",
    "SlaEvent",
    "SlaPolicy",
    "SlaRuleSet",
    "SlaState",
    "SlaUnit",
    "rule_set",
]
