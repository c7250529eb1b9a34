"""Load register reads or interval data from CSV text or a CSV file, keeping every good row.

The file is UTF-8 (a byte-order mark is fine; GBK or GB18030 with ``encoding``) with a header
line. Its kind is told by the header:
``read_at`` for register reads, ``interval_start`` for intervals; the columns are documented in
:mod:`powerretail.metering.rows`. A row that cannot be read becomes a
:class:`~powerretail.metering.rows.RowProblem` naming the line and column; the other rows load.
A header that is not one of the two kinds, or a file that cannot be read, raises
:class:`~powerretail.errors.InvalidInput`.

>>> text = "meter_id,read_at,value\\nM-1,2025-01-01T08:00+08:00,100\\nM-1,yesterday,120\\n"
>>> loaded = load_reads_text(text)
>>> len(loaded.reads), loaded.problems[0].line, loaded.problems[0].column
(1, 3, 'read_at')
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path

import attrs

from powerretail.adapters.text_files import DEFAULT_ENCODING, read_text
from powerretail.errors import InvalidInput
from powerretail.ids import MeterId
from powerretail.metering.meters import Meter
from powerretail.metering.reads import IntervalSeries, RegisterRead
from powerretail.metering.rows import (
    INTERVAL_COLUMNS,
    NO_CONTEXT,
    READ_COLUMNS,
    IntervalRow,
    MissedRead,
    ReadContext,
    RowError,
    RowProblem,
    meter_from_row,
    parse_interval_row,
    parse_read_row,
    read_context_from_row,
    series_from_rows,
)
from powerretail.timeframe import DEFAULT_TIMEZONE, local_date

__all__ = ["LoadedReads", "load_reads_file", "load_reads_text"]

_MAX_PROBLEM_TEXT = 200


@attrs.frozen(kw_only=True)
class LoadedReads:
    """What a CSV held: register reads (and missed reads) with their meters, or interval series.

    ``rows`` counts the data rows seen; ``problems`` lists the rows left out (or kept with a
    remark) and why.
    """

    kind: str
    rows: int
    reads: tuple[RegisterRead | MissedRead, ...] = ()
    #: The context columns of each read, in the order of ``reads`` (empty: none given).
    contexts: tuple[ReadContext, ...] = ()
    meters: Mapping[MeterId, Meter] = attrs.field(factory=dict)
    series: tuple[IntervalSeries, ...] = ()
    problems: tuple[RowProblem, ...] = ()

    def __attrs_post_init__(self) -> None:
        if self.contexts and len(self.contexts) != len(self.reads):
            raise InvalidInput("contexts", len(self.contexts), f"one per read ({len(self.reads)})")

    def reads_with_context(self) -> Iterator[tuple[RegisterRead | MissedRead, ReadContext]]:
        """Yield each read with its context (:data:`NO_CONTEXT` where the file gave none)."""
        if not self.contexts:
            for read in self.reads:
                yield read, NO_CONTEXT
            return
        yield from zip(self.reads, self.contexts, strict=True)


def _rows(text: str, problems: list[RowProblem]) -> Iterator[tuple[int, dict[str, str | None]]]:
    # One physical line is one row: reads never need a quoted field across lines, and a stray
    # quote must not swallow the good rows after it.
    header: list[str] | None = None
    for line, physical in enumerate(text.splitlines(), start=1):
        try:
            fields = next(csv.reader([physical], strict=True), [])
        except csv.Error as err:
            problems.append(RowProblem(line, "", f"not CSV: {err}"[:_MAX_PROBLEM_TEXT]))
            continue
        if header is None:
            header = [name.strip().lower() for name in fields]
            if len(set(header)) != len(header):
                raise InvalidInput("line 1 (header)", ",".join(header), "each column once")
            yield line, {name: name for name in header}
            continue
        if not any(field.strip() for field in fields):
            continue
        if len(fields) != len(header):
            problems.append(
                RowProblem(line, "", f"{len(fields)} fields where the header has {len(header)}")
            )
            continue
        yield line, dict(zip(header, fields, strict=True))


def _kind(header: Mapping[str, str | None]) -> tuple[str, Mapping[str, str]]:
    names = set(header)
    if "interval_start" in names:
        kind, columns = "intervals", INTERVAL_COLUMNS
    elif "read_at" in names:
        kind, columns = "reads", READ_COLUMNS
    else:
        raise InvalidInput(
            "line 1 (header)",
            ",".join(header),
            "columns meter_id,read_at,value (register reads) or "
            "meter_id,interval_start,kwh (intervals)",
        )
    required = list(columns)[:3]
    for name in required:
        if name not in names:
            raise InvalidInput(f"line 1, column {name}", ",".join(header), f"a {name} column")
    for name in header:
        if name not in columns:
            raise InvalidInput(
                f"line 1, column {name}", name, f"one of the {kind} columns: {', '.join(columns)}"
            )
    return kind, columns


def load_reads_text(text: str, *, zone: str = DEFAULT_TIMEZONE) -> LoadedReads:
    """Return the reads or intervals of CSV ``text``; bad rows become problems.

    Raises:
        InvalidInput: no header, or a header that names neither kind of file.
    """
    if not isinstance(text, str):
        raise InvalidInput("text", type(text).__name__, "CSV text")
    problems: list[RowProblem] = []
    rows = _rows(text.removeprefix("\ufeff"), problems)
    first = next(rows, None)
    if first is None:
        raise InvalidInput("line 1 (header)", "", "a header line naming the columns")
    kind, _ = _kind(first[1])
    parsed: list[tuple[int, dict[str, str | None], RegisterRead | MissedRead | IntervalRow]] = []
    for line, row in rows:
        try:
            value = (
                parse_interval_row(row, line=line)
                if kind == "intervals"
                else parse_read_row(row, line=line)
            )
        except RowError as err:
            problems.append(RowProblem(err.line, err.column, str(err)[:_MAX_PROBLEM_TEXT]))
            continue
        parsed.append((line, row, value))
    # every data row is now either parsed or a problem
    count = len(parsed) + len(problems)
    if kind == "intervals":
        intervals = [value for _, _, value in parsed if isinstance(value, IntervalRow)]
        series, more = series_from_rows(intervals)
        return LoadedReads(
            kind=kind,
            rows=count,
            series=series,
            problems=tuple(sorted([*problems, *more], key=lambda p: p.line)),
        )
    return _with_meters(kind, count, parsed, problems, zone)


def _with_meters(
    kind: str,
    count: int,
    parsed: list[tuple[int, dict[str, str | None], RegisterRead | MissedRead | IntervalRow]],
    problems: list[RowProblem],
    zone: str,
) -> LoadedReads:
    first_day: dict[MeterId, date] = {}
    for _, _, value in parsed:
        assert not isinstance(value, IntervalRow)
        day = local_date(value.read_at, zone)
        first_day[value.meter_id] = min(day, first_day.get(value.meter_id, day))
    meters: dict[MeterId, Meter] = {}
    reads: list[RegisterRead | MissedRead] = []
    contexts: list[ReadContext] = []
    for line, row, value in parsed:
        assert not isinstance(value, IntervalRow)
        try:
            meter = meter_from_row(row, line=line, first_read_on=first_day[value.meter_id])
            context = read_context_from_row(row, line=line)
        except RowError as err:
            problems.append(RowProblem(err.line, err.column, str(err)[:_MAX_PROBLEM_TEXT]))
            continue
        held = meters.setdefault(value.meter_id, meter)
        if (held.multiplier, held.register_digits, held.installed_on) != (
            meter.multiplier,
            meter.register_digits,
            meter.installed_on,
        ):
            problems.append(
                RowProblem(
                    line,
                    "multiplier",
                    f"meter {value.meter_id} was given multiplier {held.multiplier}, "
                    f"{held.register_digits} digits, installed {held.installed_on} on an earlier "
                    "line; this row differs",
                )
            )
            continue
        reads.append(value)
        contexts.append(context)
    return LoadedReads(
        kind=kind,
        rows=count,
        reads=tuple(reads),
        contexts=tuple(contexts),
        meters=meters,
        problems=tuple(sorted(problems, key=lambda p: p.line)),
    )


def load_reads_file(
    path: str | Path, *, zone: str = DEFAULT_TIMEZONE, encoding: str = DEFAULT_ENCODING
) -> LoadedReads:
    """Return the reads or intervals of the CSV file at ``path``, in ``encoding`` (UTF-8).

    Raises:
        NotFound: no such file.
        InvalidInput: the file cannot be read or is not ``encoding`` text (see
            :func:`~powerretail.adapters.text_files.read_text`); see :func:`load_reads_text`.
    """
    return load_reads_text(read_text(path, encoding=encoding, what="file"), zone=zone)
