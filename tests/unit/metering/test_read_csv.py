from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from powerretail.adapters.read_csv import LoadedReads, load_reads_file, load_reads_text
from powerretail.errors import InvalidInput, NotFound
from powerretail.metering.rows import NO_CONTEXT, MissedRead
from powerretail.metering.vee import ServiceStatus
from powerretail.quantities import Energy

HEADER = "meter_id,read_at,value,multiplier\n"


class TestLoadReadsText:
    def test_loads_reads_and_their_meters(self) -> None:
        loaded = load_reads_text(
            HEADER + "M-1,2025-01-01T08:00+08:00,100,40\nM-1,2025-02-01T08:00+08:00,,40\n"
        )

        assert (loaded.kind, loaded.rows, loaded.problems) == ("reads", 2, ())
        assert isinstance(loaded.reads[1], MissedRead)
        assert loaded.meters["M-1"].multiplier == 40  # type: ignore[index]

    def test_keeps_good_rows_around_bad_ones(self) -> None:
        text = (
            HEADER
            + "M-1,2025-01-01T08:00+08:00,100,40\n"
            + "M-1,2025-02-01T08:00+08:00,1,2,3\n"
            + "\n"
            + 'M-1,"2025-03-01T08:00+08:00,110,40\n'
        )

        loaded = load_reads_text(text)

        assert len(loaded.reads) == 1
        assert [p.line for p in loaded.problems] == [3, 5]

    def test_reports_a_row_that_changes_the_meter(self) -> None:
        loaded = load_reads_text(
            HEADER + "M-1,2025-01-01T08:00+08:00,100,40\nM-1,2025-02-01T08:00+08:00,110,20\n"
        )

        assert [(p.line, p.column) for p in loaded.problems] == [(3, "multiplier")]

    def test_reports_a_bad_meter_column(self) -> None:
        loaded = load_reads_text(HEADER + "M-1,2025-01-01T08:00+08:00,100,x\n")

        assert [(p.line, p.column) for p in loaded.problems] == [(2, "multiplier")]

    def test_keeps_each_reads_context_and_reports_a_bad_one(self) -> None:
        loaded = load_reads_text(
            "meter_id,read_at,value,service,last_year_kwh,large_customer\n"
            "M-1,2025-01-01T08:00+08:00,100,,,\n"
            "M-1,2025-02-01T08:00+08:00,130,de_energised,250,yes\n"
            "M-1,2025-03-01T08:00+08:00,160,unplugged,,\n"
        )

        pairs = list(loaded.reads_with_context())

        assert [(p.line, p.column) for p in loaded.problems] == [(4, "service")]
        assert [context.service for _, context in pairs] == [
            ServiceStatus.ENERGISED,
            ServiceStatus.DE_ENERGISED,
        ]
        assert pairs[1][1].is_large_customer
        assert pairs[1][1].same_period_last_year == Energy(Decimal(250))

    def test_reads_given_without_contexts_have_none(self) -> None:
        loaded = load_reads_text(HEADER + "M-1,2025-01-01T08:00+08:00,100,40\n")
        bare = LoadedReads(kind="reads", rows=1, reads=loaded.reads, meters=loaded.meters)

        assert [context for _, context in bare.reads_with_context()] == [NO_CONTEXT]
        with pytest.raises(InvalidInput, match="one per read"):
            LoadedReads(kind="reads", rows=1, reads=loaded.reads, contexts=(NO_CONTEXT,) * 2)

    def test_loads_intervals_into_series(self) -> None:
        text = (
            "meter_id,interval_start,kwh\n"
            "M-1,2025-01-01T00:00+08:00,1\n"
            "M-1,2025-01-01T00:30+08:00,3\n"
            "M-1,2025-01-01T00:31+08:00,3\n"
        )

        loaded = load_reads_text(text)

        assert loaded.kind == "intervals"
        assert loaded.series[0].values[1] is None
        assert [p.line for p in loaded.problems] == [4]

    @pytest.mark.parametrize(
        ("text", "field"),
        [
            ("", "header"),
            ("a,b\n1,2\n", "header"),
            ("meter_id,read_at\n", "column value"),
            ("meter_id,read_at,value,colour\n", "column colour"),
            ("meter_id,read_at,value,value\n", "header"),
        ],
    )
    def test_refuses_a_header_it_cannot_use(self, text: str, field: str) -> None:
        with pytest.raises(InvalidInput, match=field):
            load_reads_text(text)

    def test_refuses_bytes(self) -> None:
        with pytest.raises(InvalidInput):
            load_reads_text(b"meter_id")  # type: ignore[arg-type]

    def test_accepts_a_byte_order_mark(self) -> None:
        assert load_reads_text("\ufeff" + HEADER).rows == 0


class TestLoadReadsFile:
    def test_reads_a_file(self, tmp_path: Path) -> None:
        path = tmp_path / "reads.csv"
        path.write_text(HEADER + "M-1,2025-01-01T08:00+08:00,100,40\n", encoding="utf-8")

        assert load_reads_file(path).rows == 1

    def test_names_a_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(NotFound, match=r"none\.csv"):
            load_reads_file(tmp_path / "none.csv")

    def test_names_a_file_that_is_not_utf8(self, tmp_path: Path) -> None:
        path = tmp_path / "gbk.csv"
        path.write_bytes("meter_id,电表\n".encode("gbk"))

        with pytest.raises(InvalidInput, match="UTF-8 text \\(line 1, byte 9 is not UTF-8"):
            load_reads_file(path)

    def test_reads_a_gb18030_file_with_its_encoding(self, tmp_path: Path) -> None:
        path = tmp_path / "gb18030.csv"
        path.write_bytes((HEADER + "电表-1,2025-01-01T08:00+08:00,100,40\n").encode("gb18030"))

        loaded = load_reads_file(path, encoding="gb18030")

        assert [str(read.meter_id) for read in loaded.reads] == ["电表-1"]
