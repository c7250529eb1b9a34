"""The Clock port: the one way workflows learn the time.

The deterministic core never asks for "now"; workflows take a :class:`Clock` keyword-only and pass
the instant on as ``as_of=``. ``powerretail.adapters.clocks`` has the system clock and a fixed
clock for tests.
"""

from __future__ import annotations

import datetime as _dt
from typing import Protocol

__all__ = ["Clock"]


class Clock(Protocol):
    """Tell the current instant."""

    def now(self) -> _dt.datetime:
        """Return the current instant, time-zone aware (never naive)."""
        ...
