"""Clocks: the only module of powerretail that reads the wall clock.

* :class:`SystemClock` — the real time, in UTC, for production.
* :class:`FixedClock` — a time that moves only when told, for tests and replays.

>>> clock = FixedClock(pendulum.datetime(2025, 3, 1, 8, tz="Asia/Shanghai"))
>>> clock.now().isoformat()
'2025-03-01T08:00:00+08:00'
>>> clock.advance(timedelta(minutes=15)).isoformat()
'2025-03-01T08:15:00+08:00'
"""

from __future__ import annotations

import datetime as _dt
from datetime import timedelta

import attrs
import pendulum

from powerretail.errors import InvalidInput
from powerretail.timeframe import as_instant

__all__ = ["FixedClock", "SystemClock"]


@attrs.frozen
class SystemClock:
    """Tell the real current instant, in UTC."""

    def now(self) -> pendulum.DateTime:
        """Return the current instant [UTC]."""
        # This adapter is the one place allowed to read the wall clock (STYLE.md §5).
        return pendulum.now("UTC")  # noqa: TID251


def _instant(value: object) -> pendulum.DateTime:
    return as_instant(value, "instant")


@attrs.define
class FixedClock:
    """Tell a fixed instant that moves only with :meth:`advance` or :meth:`set`.

    Raises:
        InvalidInput: a naive instant.
    """

    instant: pendulum.DateTime = attrs.field(converter=_instant)

    def now(self) -> pendulum.DateTime:
        """Return the fixed instant."""
        return self.instant

    def set(self, instant: _dt.datetime) -> None:
        """Move the clock to ``instant`` (aware)."""
        self.instant = _instant(instant)

    def advance(self, elapsed: timedelta) -> pendulum.DateTime:
        """Move the clock forward by ``elapsed`` (not negative) and return the new instant.

        Raises:
            InvalidInput: ``elapsed`` is negative (time does not run backwards).
        """
        if elapsed < timedelta(0):
            raise InvalidInput("elapsed", elapsed, "a duration of zero or more")
        self.instant = self.instant + elapsed
        return self.instant
