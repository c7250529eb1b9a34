"""Monthly totals over a season change: a register read shared between seasons by days.

A seasonal rate (winter and summer prices, each all day) read once per cycle gives one total.
When the cycle straddles the season change, the total is shared between the seasons' buckets in
proportion to the days of each, exactly (no kWh lost), the way read-cycle utilities prorate a
cycle's usage. This only applies where every day of the period is a single bucket; a schedule
with time-of-day windows needs its registers or interval data.

>>> from powerretail.tariffs.tou import Season, TouSchedule, TouWindow
>>> seasonal = TouSchedule(name="s", seasons=(
...     Season(name="winter", months=(1, 2, 3, 4, 5, 10, 11, 12),
...            windows=(TouWindow("winter", "00:00", "24:00"),)),
...     Season(name="summer", months=(6, 7, 8, 9),
...            windows=(TouWindow("summer", "00:00", "24:00"),)),
... ))
>>> whole_day_buckets(seasonal, DateRange("2025-05-15", "2025-06-17"))
{'winter': 17, 'summer': 16}
"""

from __future__ import annotations

from powerretail.tariffs.tou import TouSchedule
from powerretail.timeframe import DateRange

__all__ = ["whole_day_buckets"]


def whole_day_buckets(schedule: TouSchedule, period: DateRange) -> dict[str, int] | None:
    """Return the days of ``period`` in each bucket, when each of its days is one bucket.

    ``None`` when some day of ``period`` has more than one bucket (time-of-day windows or an
    overlay): a total cannot then be shared by days without inventing a load shape.

    Raises:
        CalendarYearNotCovered: the schedule's holiday calendar has no data for a year.
    """
    days: dict[str, int] = {}
    for day in period.dates():
        slots = schedule.slots_on(day)
        bucket = slots[0]
        if slots.count(bucket) != len(slots):
            return None
        days[bucket] = days.get(bucket, 0) + 1
    return days
