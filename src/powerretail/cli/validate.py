"""``powerretail validate FILE.csv`` — validate register reads or interval data (VEE).

Reads a CSV of register reads or of intervals (columns in :mod:`powerretail.metering.rows`),
estimates missed reads and missing intervals, runs the chosen rule set and prints every finding as
a table, or as JSON with ``--json``. ``--write-estimates OUT.csv`` writes the estimates, in the
same columns as the input (a read's meter columns too: multiplier, digits, installed_on), so
they load again, alone or in place of the rows they estimate.

Exit codes: 0 nothing worse than information found; 1 warnings, errors or rows left out; 2 the file
could not be read at all.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from powerretail.adapters.read_csv import LoadedReads, load_reads_text
from powerretail.cli._files import add_encoding_option, read_file
from powerretail.errors import InvalidInput
from powerretail.ids import MeterId
from powerretail.metering.estimation import NATIONAL_POLICY, SEED_POLICY, estimate_register_read
from powerretail.metering.meters import Meter, RegisterKind
from powerretail.metering.process import validate_intervals
from powerretail.metering.reads import IntervalQuality, IntervalSeries, RegisterRead
from powerretail.metering.rows import (
    INTERVAL_COLUMNS,
    READ_COLUMNS,
    MissedRead,
    ReadContext,
    RowProblem,
)
from powerretail.metering.rules import CATALOGUE_RULES, SEED_RULES
from powerretail.metering.vee import (
    Action,
    Finding,
    IntervalSubject,
    ReadSubject,
    RuleSet,
    Severity,
    check,
)
from powerretail.timeframe import DEFAULT_TIMEZONE, as_instant, timezone

__all__ = ["register", "run"]

RULE_SETS = {
    "all": SEED_RULES.combined(CATALOGUE_RULES, name="seed+catalogue"),
    "seed": SEED_RULES,
    "catalogue": CATALOGUE_RULES,
}
POLICIES = {"national": NATIONAL_POLICY, "seed": SEED_POLICY}


def _columns_help() -> str:
    lines = ["register-read columns (first three required):"]
    lines.extend(f"  {name:<13} {text}" for name, text in READ_COLUMNS.items())
    lines.append("interval columns (first three required):")
    lines.extend(f"  {name:<13} {text}" for name, text in INTERVAL_COLUMNS.items())
    return "\n".join(lines)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``validate`` command."""
    parser = subparsers.add_parser(
        "validate",
        help="validate a CSV of register reads or intervals (VEE) and print the findings",
        description=__doc__,
        epilog=_columns_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "file", help="CSV of register reads (read_at) or intervals (interval_start)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--write-estimates", metavar="OUT.csv", help="write the estimates here")
    parser.add_argument("--rules", choices=sorted(RULE_SETS), default="all", help="rule set")
    parser.add_argument(
        "--policy", choices=sorted(POLICIES), default="national", help="estimation policy"
    )
    parser.add_argument(
        "--as-of",
        help="instant the check runs at (ISO 8601 with offset; default: the latest read in FILE)",
    )
    parser.add_argument("--zone", default=DEFAULT_TIMEZONE, help="time zone of calendar rules")
    add_encoding_option(parser)
    parser.set_defaults(handler=run)


def _problem_finding(problem: RowProblem) -> dict[str, Any]:
    return {
        "rule_id": "CSV",
        "severity": Severity.ERROR.value,
        "action": Action.REJECT.value,
        "work_order": None,
        "subject": f"line {problem.line}"
        + (f", column {problem.column}" if problem.column else ""),
        "message": problem.message,
        "source": "powerretail.metering.rows",
    }


def _validate_reads(
    loaded: LoadedReads, rule_set: RuleSet, args: argparse.Namespace
) -> tuple[list[Finding], list[RowProblem], list[RegisterRead]]:
    findings: list[Finding] = []
    problems: list[RowProblem] = []
    estimates: list[RegisterRead] = []
    if not loaded.reads:
        return findings, problems, estimates
    as_of = (
        as_instant(args.as_of, "--as-of")
        if args.as_of
        else max(read.read_at for read in loaded.reads)
    )
    policy = POLICIES[args.policy]
    groups: dict[tuple[MeterId, RegisterKind], list[tuple[RegisterRead | MissedRead, ReadContext]]]
    groups = {}
    for item, context in loaded.reads_with_context():
        groups.setdefault((item.meter_id, item.register), []).append((item, context))
    for (meter_id, _), items in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1].value)):
        meter = loaded.meters[meter_id]
        accepted: list[RegisterRead] = []
        for item, context in sorted(items, key=lambda pair: pair[0].read_at):
            if isinstance(item, MissedRead):
                try:
                    estimate = estimate_register_read(
                        meter=meter,
                        history=accepted,
                        at=item.read_at,
                        method=policy.register_method,
                        produced_by=f"powerretail validate ({policy.name} policy)",
                        unreadable=item.unreadable,
                    )
                except InvalidInput as err:
                    problems.append(RowProblem(item.line, "value", f"cannot estimate: {err}"))
                    continue
                read = estimate.read
                estimates.append(read)
            else:
                read = item
            subject = ReadSubject(
                meter=meter,
                read=read,
                history=tuple(accepted),
                as_of=as_of,
                zone=args.zone,
                service=context.service,
                expected=context.expected,
                same_period_last_year=context.same_period_last_year,
                reference_daily=context.reference_daily,
                is_large_customer=context.is_large_customer,
            )
            result = check(subject, rule_set)
            findings.extend(result.findings)
            if not any(f.action in (Action.REJECT, Action.DROP) for f in result.findings):
                accepted.append(read)
    return findings, problems, estimates


def _validate_intervals(
    loaded: LoadedReads, rule_set: RuleSet, args: argparse.Namespace
) -> tuple[list[Finding], list[IntervalSeries]]:
    findings: list[Finding] = []
    filled: list[IntervalSeries] = []
    for series in loaded.series:
        outcome = validate_intervals(
            IntervalSubject(series=series, zone=args.zone), rule_set, policy=POLICIES[args.policy]
        )
        findings.extend(outcome.findings)
        filled.append(outcome.series)
    return findings, filled


def _write_estimates(
    path: str,
    reads: Sequence[RegisterRead],
    series: Sequence[IntervalSeries],
    meters: Mapping[MeterId, Meter],
) -> int:
    rows: list[dict[str, str]] = []
    if series:
        header = [
            "meter_id",
            "channel",
            "interval_start",
            "kwh",
            "quality",
            "method",
            "step_minutes",
        ]
        for one in series:
            for index, flag in enumerate(one.quality):
                if flag is not IntervalQuality.ESTIMATED:
                    continue
                rows.append(
                    {
                        "meter_id": one.meter_id,
                        "channel": one.channel.value,
                        "interval_start": one.instant(index).isoformat(),
                        "kwh": str(one.values[index]),
                        "quality": flag.value,
                        "method": one.methods[index].value,
                        "step_minutes": str(one.step_minutes),
                    }
                )
    else:
        header = ["meter_id", "register", "read_at", "value", "source", "method", "produced_by"]
        header.extend(["unreadable", "multiplier", "digits", "installed_on"])
        for read in reads:
            assert read.method is not None
            meter = meters[read.meter_id]
            rows.append(
                {
                    # the meter's columns, so the estimates load back onto the same meter
                    "multiplier": str(meter.multiplier),
                    "digits": str(meter.register_digits),
                    "installed_on": str(meter.installed_on or ""),
                    "meter_id": read.meter_id,
                    "register": read.register.value,
                    "read_at": read.read_at.isoformat(),
                    "value": str(read.value),
                    "source": read.source.value,
                    "method": read.method.value,
                    "produced_by": read.produced_by,
                    "unreadable": "true" if read.unreadable else "false",
                }
            )
    try:
        with Path(path).open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)
    except OSError as err:
        raise InvalidInput("--write-estimates", path, f"a writable file ({err.strerror})") from None
    return len(rows)


def _table(entries: Sequence[dict[str, Any]]) -> str:
    columns = ("subject", "rule_id", "severity", "action", "work_order", "message")
    titles = ("subject", "rule", "severity", "action", "work order", "message")
    cells = [[str(entry[c] or "—") for c in columns] for entry in entries]
    widths = [max([len(title), *(len(row[i]) for row in cells)]) for i, title in enumerate(titles)]
    widths[-1] = len(titles[-1])
    lines = ["  ".join(t.ljust(w) for t, w in zip(titles, widths, strict=True)).rstrip()]
    lines.extend(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in cells
    )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Validate the file named in ``args`` and print the findings; return the exit code."""
    timezone(args.zone)
    loaded = load_reads_text(read_file(args, args.file, "file"), zone=args.zone)
    rule_set = RULE_SETS[args.rules]
    estimates: list[RegisterRead] = []
    filled: list[IntervalSeries] = []
    problems = list(loaded.problems)
    if loaded.kind == "reads":
        findings, more, estimates = _validate_reads(loaded, rule_set, args)
        problems.extend(more)
    else:
        findings, filled = _validate_intervals(loaded, rule_set, args)
    written = None
    if args.write_estimates:
        written = _write_estimates(args.write_estimates, estimates, filled, loaded.meters)
    entries = [_problem_finding(p) for p in sorted(problems, key=lambda p: p.line)]
    entries.extend(finding.as_dict() for finding in findings)
    estimated = (
        len(estimates)
        if loaded.kind == "reads"
        else sum(s.quality.count(IntervalQuality.ESTIMATED) for s in filled)
    )
    if args.json:
        report = {
            "file": args.file,
            "kind": loaded.kind,
            "rows": loaded.rows,
            "rule_set": rule_set.name,
            "estimates": estimated,
            "estimates_written": written,
            "findings": entries,
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(
            f"{args.file}: {loaded.rows} {loaded.kind} rows, {len(problems)} left out, "
            f"{len(findings)} findings ({rule_set.name}), {estimated} estimates"
            + (f", {written} written to {args.write_estimates}" if written is not None else "")
        )
        if entries:
            print(_table(entries))
    serious = [f for f in findings if f.severity is not Severity.INFO]
    return 1 if problems or serious else 0
