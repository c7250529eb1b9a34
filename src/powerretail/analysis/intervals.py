"""Interval data (15-minute or hourly, long format) to a usage table, with the exact path's rules.

:func:`usage_from_intervals` buckets each account's interval energies into the time-of-use
buckets of the tariff version in force (seasons, day types, critical peak, holidays and deep
valley from the same :class:`~powerretail.tariffs.tou.TouSchedule` and holiday calendar the bill
engine uses), and takes the maximum 15-minute demand and the reactive energy, for each billing
period. The bucketing itself is the engine's (:func:`~powerretail.billing.usage.bucket_energy`),
run once per account and period; the result feeds the batch pricer like any usage table.

Interval columns: ``account_id``, ``start`` (an aware instant, ISO text with an offset or a
tz-aware timestamp), ``kwh`` and, optionally, ``kvarh``; each account's intervals are consecutive
and of one length (15 or 60 minutes). ``periods`` holds ``account_id``, ``period_start``,
``period_end`` and any other usage column (capacity, residential …), carried through.
Overlays limited to some accounts (``applies_to``: Jiangsu's critical peak and deep valley,
industrial users of 315 kVA and more) are bucketed by the period row's ``capacity_kva``,
``use_category`` and ``residential``: outside the scope their hours stay in the season's bucket,
and a row lacking a fact the scope tests is refused.

Wide tables — one row per account and day, one column per interval, as many meter-data systems
export them — become long ones with :func:`intervals_from_wide`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from powerretail.analysis.pricer import NotVectorisable
from powerretail.analysis.usage import (
    QUANTITY_EXP,
    Quantity,
    _booleans,
    _quantity,
    _text,
    iso_days,
    use_categories,
)
from powerretail.billing.usage import IntervalSeries, determinants_from_intervals
from powerretail.errors import InvalidInput
from powerretail.tariffs.model import Tariff, TimeOfUseCharge
from powerretail.tariffs.tou import Season, TouSchedule, TouWindow, scope_schedule
from powerretail.timeframe import DateRange

__all__ = ["intervals_from_wide", "usage_from_intervals"]

_UNTIMED = TouSchedule(
    name="untimed",
    seasons=(
        Season(
            name="all", months=tuple(range(1, 13)), windows=(TouWindow("total", "00:00", "24:00"),)
        ),
    ),
)


def _schedule(tariff: Tariff, period: DateRange) -> TouSchedule:
    version = tariff.version_on(period.start)
    if tariff.boundaries_within(period):
        raise NotVectorisable(
            f"interval data of {period}",
            f"a version of {tariff.code} starts or ends inside the period; give one period "
            "per version so each is bucketed by its own schedule",
        )
    for charge in version.charges:
        if isinstance(charge, TimeOfUseCharge):
            return version.schedules[charge.schedule]
    return _UNTIMED


def _series(rows: Any, account: str, kwh: Quantity, kvarh: Quantity) -> IntervalSeries:
    seconds = rows["start"].dt.as_unit("s").astype("int64").to_numpy()
    steps = np.diff(seconds) // 60 if len(seconds) > 1 else []
    minutes = int(steps[0]) if len(steps) else 15
    if len(steps) and (np.asarray(steps) != minutes).any():
        raise InvalidInput(
            f"intervals.start (account {account})",
            str(rows["start"].iloc[int(np.flatnonzero(np.asarray(steps) != minutes)[0]) + 1]),
            f"consecutive intervals of {minutes} minutes",
        )
    index = rows.index.to_numpy()
    reactive = kvarh.values[index].tolist() if kvarh.present[index].all() else None
    return IntervalSeries(
        start=rows["start"].iloc[0].to_pydatetime(),
        minutes=minutes,
        active_units=kwh.values[index].tolist(),
        reactive_units=reactive,
        unit_exponent=QUANTITY_EXP,
    )


_CLOCK = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$")
_CHANNELS = ("kwh", "kvarh")


def intervals_from_wide(wide: Any, *, zone: str = "Asia/Shanghai") -> Any:
    """Return the long interval table (``account_id``, ``start``, ``kwh``[, ``kvarh``]) of ``wide``.

    ``wide`` has ``account_id``, ``date`` (the local day, ISO text or a date), optionally
    ``channel`` (``kwh`` or ``kvarh``; ``kwh`` when absent), and one column per interval named by
    its local start time, ``"00:00"``, ``"00:15"`` … (15-minute) or ``"00:00"``, ``"01:00"`` …
    (hourly), all of one length. Each start is the local time in ``zone`` (``Asia/Shanghai`` by
    default, stated, never assumed from the data); a time that does not exist or is ambiguous on
    a day (a daylight-saving change) is refused. An empty cell is a missing interval (it stays
    missing; the usage table then names it).

    Raises:
        InvalidInput: a missing ``account_id`` or ``date`` column, no interval column, columns
            of unequal steps, a bad date or channel, a local time that does not exist that day.
    """
    frame = pd.DataFrame(wide).reset_index(drop=True)
    for name in ("account_id", "date"):
        if name not in frame.columns:
            raise InvalidInput("wide", name, f"a column {name!r}")
    clocks = [str(c) for c in frame.columns if _CLOCK.match(str(c))]
    if not clocks:
        raise InvalidInput(
            "wide", list(map(str, frame.columns)), "interval columns such as '00:15'"
        )
    minutes = sorted(int(c[:2]) * 60 + int(c[3:]) for c in clocks)
    steps = set(np.diff(minutes).tolist()) if len(minutes) > 1 else {1440 // len(minutes)}
    if len(steps) != 1 or minutes[0] != 0 or minutes[-1] + next(iter(steps)) != 1440:
        raise InvalidInput(
            "wide", ", ".join(clocks[:4]) + ", …", "interval columns of one step covering the day"
        )
    channel = frame["channel"].astype(str) if "channel" in frame.columns else None
    if channel is not None and not channel.isin(_CHANNELS).all():
        row = int(np.flatnonzero(~channel.isin(_CHANNELS).to_numpy())[0])
        raise InvalidInput(f"wide[{row}].channel", channel.iloc[row], "kwh or kvarh")
    days = iso_days(frame["date"], frame["date"].isna().to_numpy(), "wide[{row}].date")
    if days.isna().any():
        row = int(np.flatnonzero(days.isna().to_numpy())[0])
        raise InvalidInput(
            f"wide[{row}].date", str(frame["date"].iloc[row]), "a date such as 2025-07-01"
        )
    ordered = sorted(clocks)
    long = frame.assign(date=days, channel=channel if channel is not None else "kwh").melt(
        id_vars=["account_id", "date", "channel"], value_vars=ordered, var_name="clock"
    )
    local = long["date"] + pd.to_timedelta(long["clock"] + ":00")
    try:
        starts = local.dt.tz_localize(zone, ambiguous="raise", nonexistent="raise")
    except (ValueError, TypeError) as err:  # pytz/zoneinfo errors are ValueErrors
        raise InvalidInput("wide", str(err), f"local times that exist once in {zone}") from None
    indexed = long.assign(start=starts).set_index(["account_id", "start", "channel"])["value"]
    if indexed.index.duplicated().any():
        where = indexed.index[indexed.index.duplicated()][0]
        raise InvalidInput(
            "wide", f"{where[0]} {where[1]} {where[2]}", "one row per account, day and channel"
        )
    long = indexed.unstack("channel")
    result = long.reset_index()
    result.columns.name = None
    if "kwh" not in result.columns:
        raise InvalidInput("wide.channel", "kvarh", "kwh rows beside the kvarh rows")
    keep = ["account_id", "start", *[c for c in _CHANNELS if c in result.columns]]
    return result[keep].sort_values(["account_id", "start"], kind="stable").reset_index(drop=True)


def usage_from_intervals(intervals: Any, periods: Any, tariff: Tariff) -> Any:
    """Return a usage table: ``periods`` with ``kwh_<bucket>``, demand and reactive energy.

    Raises:
        InvalidInput: a missing column, an instant without a time zone, intervals that are not
            consecutive, a period the intervals do not cover, a period row without the
            ``capacity_kva`` or ``use_category`` a scoped overlay over its days tests.
        NotVectorisable: a period inside which the tariff changes version.
    """
    frame = pd.DataFrame(intervals).reset_index(drop=True)
    for name in ("account_id", "start", "kwh"):
        if name not in frame.columns:
            raise InvalidInput("intervals", name, f"a column {name!r}")
    frame["account_id"] = _text(frame, "account_id", required=True)
    start = frame["start"]
    if start.dtype.kind == "M":
        aware = np.full(len(frame), start.dt.tz is not None)
    else:
        text = start.astype(str).str.strip()
        aware = np.asarray(text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$").to_numpy(), dtype=bool)
    if not aware.all():
        naive = int(np.flatnonzero(~aware)[0])
        raise InvalidInput(
            f"intervals[{naive}].start",
            str(start.iloc[naive]),
            "an instant with a time zone offset",
        )
    try:
        frame["start"] = pd.to_datetime(start, format="ISO8601", utc=True)
    except (ValueError, TypeError):
        raise InvalidInput(
            "intervals.start", "", "aware instants such as 2025-07-01T00:00+08:00"
        ) from None
    kwh = _quantity(frame, "kwh", non_negative=True)
    kvarh = _quantity(frame, "kvarh", non_negative=True)
    table = pd.DataFrame(periods).reset_index(drop=True)
    capacity = _quantity(table, "capacity_kva", non_negative=True)
    kinds = use_categories(table, _booleans(table, "residential"))
    rows = []
    groups = {str(k): g.sort_values("start") for k, g in frame.groupby("account_id")}
    for position, period_row in table.iterrows():
        account = str(period_row["account_id"])
        if account not in groups:
            raise InvalidInput(
                f"periods[{position}].account_id", account, "an account with intervals"
            )
        period = DateRange(
            pd.Timestamp(period_row["period_start"]).date(),
            pd.Timestamp(period_row["period_end"]).date(),
        )
        series = _series(groups[account], account, kwh, kvarh)
        kva = capacity.values[position]
        scoped = scope_schedule(
            _schedule(tariff, period),
            period.dates(),
            capacity_kva=Decimal(int(kva)).scaleb(QUANTITY_EXP)
            if capacity.present[position]
            else None,
            use_category=kinds[position],
        )
        scoped.require_facts(f"periods[{position}]")
        determinants = determinants_from_intervals(series, scoped.schedule, period)
        row: dict[str, Decimal | None] = {
            f"kwh_{bucket}": value for bucket, value in determinants.energy_kwh.items()
        }
        row["max_demand_kw"] = determinants.max_demand_kw
        row["reactive_kvarh"] = determinants.reactive_kvarh
        rows.append(row)
    measured = pd.DataFrame(rows, index=table.index)
    return pd.concat([table, measured], axis=1)
