from __future__ import annotations

from datetime import timedelta

import pendulum
import pytest

from powerretail.adapters.clocks import FixedClock, SystemClock
from powerretail.errors import InvalidInput


class TestSystemClock:
    def test_tells_an_aware_instant_in_utc(self) -> None:
        now = SystemClock().now()

        assert now.utcoffset() == timedelta(0)
        assert now.year >= 2025


class TestFixedClock:
    def test_tells_the_same_instant_until_moved(self) -> None:
        clock = FixedClock(pendulum.datetime(2025, 1, 1, tz="Asia/Shanghai"))

        assert clock.now() == clock.now() == pendulum.datetime(2025, 1, 1, tz="Asia/Shanghai")

    def test_moves_to_a_set_instant(self) -> None:
        clock = FixedClock("2025-01-01T00:00:00+08:00")

        clock.set(pendulum.datetime(2030, 6, 1, tz="UTC"))

        assert clock.now() == pendulum.datetime(2030, 6, 1, tz="UTC")

    def test_refuses_a_naive_instant(self) -> None:
        with pytest.raises(InvalidInput, match="aware"):
            FixedClock("2025-01-01T00:00:00")

    def test_refuses_to_run_backwards(self) -> None:
        clock = FixedClock(pendulum.datetime(2025, 1, 1, tz="UTC"))

        with pytest.raises(InvalidInput, match="elapsed"):
            clock.advance(timedelta(seconds=-1))
