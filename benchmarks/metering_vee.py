"""Benchmark VEE: register reads validated per second, and a year of 15-minute data per meter.

    python benchmarks/metering_vee.py                      # sample sizes, extrapolated
    python benchmarks/metering_vee.py --reads 1000000 --meters 1000   # the full sizes

Register reads: monthly reads of many meters, each read checked against the reads before it with
the seed rules plus V01-V18 (22 rules). Intervals: a year of 15-minute values per meter (35 040),
with a few short and long gaps, filled and checked by ``validate_intervals`` (same rules).
Sizes below the full ones are timed and the full time is extrapolated linearly (printed as such).
"""

from __future__ import annotations

import argparse
import platform
import time
from datetime import date
from decimal import Decimal

import pendulum

from powerretail.metering.meters import Meter, MeterType
from powerretail.metering.process import validate_intervals
from powerretail.metering.reads import IntervalSeries, ReadSource, RegisterRead
from powerretail.metering.rules import CATALOGUE_RULES, SEED_RULES
from powerretail.metering.vee import IntervalSubject, ReadSubject, check

FULL_READS = 1_000_000
FULL_METERS = 1_000
READS_PER_METER = 12
INTERVALS_PER_YEAR = 365 * 96
RULES = SEED_RULES.combined(CATALOGUE_RULES)
ZONE = pendulum.timezone("Asia/Shanghai")


def a_meter(number: int) -> Meter:
    return Meter(
        id=f"M-{number:07d}",
        serial=f"S-{number:07d}",
        meter_type=MeterType.ELECTRONIC,
        accuracy_class="1",
        ct_ratio="40",
        installed_on=date(2020, 1, 1),
    )


def register_reads(count: int) -> float:
    """Validate ``count`` reads; return the seconds it took."""
    meters = -(-count // READS_PER_METER)
    start = pendulum.datetime(2024, 1, 25, 9, tz=ZONE)
    elapsed = 0.0
    done = 0
    for number in range(meters):
        meter = a_meter(number)
        value = Decimal(1000 + number % 500)
        history: list[RegisterRead] = []
        for month in range(READS_PER_METER):
            if done == count:
                break
            value += Decimal(100 + (number * 7 + month * 13) % 90) / 10
            read = RegisterRead(
                meter_id=meter.id,
                read_at=start.add(months=month),
                value=value,
                source=ReadSource.ACTUAL,
                produced_by="bench",
            )
            subject = ReadSubject(
                meter=meter, read=read, history=tuple(history), as_of=read.read_at
            )
            began = time.perf_counter()
            check(subject, RULES)
            elapsed += time.perf_counter() - began
            history.append(read)
            done += 1
    return elapsed


def year_of_intervals(meters: int) -> float:
    """Fill and validate a year of 15-minute data for ``meters`` meters; return the seconds."""
    pattern = [Decimal(f"{(i % 96) // 4 + 1}.{i % 10}") for i in range(96 * 7)]
    base: list[Decimal | None] = [pattern[i % len(pattern)] for i in range(INTERVALS_PER_YEAR)]
    for day in range(0, 365, 30):  # a 1-hour gap and a 4-hour gap every month
        base[day * 96 + 40 : day * 96 + 44] = [None] * 4
        base[day * 96 + 960 : day * 96 + 976] = [None] * 16
    elapsed = 0.0
    for number in range(meters):
        series = IntervalSeries.of_actuals(
            meter_id=f"M-{number:07d}", start="2025-01-01T00:00+08:00", values=base
        )
        began = time.perf_counter()
        validate_intervals(IntervalSubject(series=series), RULES)
        elapsed += time.perf_counter() - began
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=20_000, help="register reads to validate")
    parser.add_argument("--meters", type=int, default=5, help="meters with a year of intervals")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} "
        f"python {platform.python_version()} on {platform.system()}"
    )

    seconds = register_reads(args.reads)
    rate = args.reads / seconds
    full = FULL_READS / rate
    print(
        f"register reads: {args.reads} validated in {seconds:.1f} s = {rate:,.0f} reads/s"
        + (
            ""
            if args.reads >= FULL_READS
            else f"; 1 000 000 reads extrapolated: {full:,.0f} s ({full / 60:.1f} min)"
        )
    )

    seconds = year_of_intervals(args.meters)
    intervals = args.meters * INTERVALS_PER_YEAR
    rate = intervals / seconds
    full = FULL_METERS * INTERVALS_PER_YEAR / rate
    print(
        f"intervals: {args.meters} meter-years ({intervals:,} values) in {seconds:.1f} s = "
        f"{rate:,.0f} intervals/s, {seconds / args.meters:.2f} s per meter-year"
        + (
            ""
            if args.meters >= FULL_METERS
            else f"; 1 000 meter-years extrapolated: {full:,.0f} s ({full / 60:.1f} min)"
        )
    )


if __name__ == "__main__":
    main()
