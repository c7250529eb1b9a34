"""Submitting reads and series: validated, stored once, estimated where needed."""

from __future__ import annotations

from datetime import date, timedelta

import pendulum

from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.ids import MeterId
from powerretail.metering.meters import RegisterKind
from powerretail.metering.reads import IntervalQuality, IntervalSeries, ReadSource
from powerretail.repositories.metering import METERS, READS, SERIES
from powerretail.workflows.billing_cycle import Outcome, run_billing_cycle
from powerretail.workflows.reads import estimate_reads, submit_reads, submit_series
from tests.unit.workflows.conftest import JULY, a_meter, midnight, open_account, reads


class TestSubmitReads:
    def test_stores_each_read_once(self, store: MemoryStore, clock: FixedClock) -> None:
        open_account(store.unit_of_work, clock)
        end = reads("M-A-1", JULY.end, ("1100", "2200", "560"))

        first = submit_reads(store.unit_of_work, clock=clock, reads=end)
        again = submit_reads(store.unit_of_work, clock=clock, reads=end)

        assert len(first.accepted) == 3
        assert not first.duplicates
        assert len(again.duplicates) == 3
        assert not again.accepted
        assert "3 already stored" in str(again)

    def test_a_rejected_read_is_estimated_from_the_previous_period(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        open_account(store.unit_of_work, clock, start_day=date(2025, 6, 1))
        submit_reads(
            store.unit_of_work,
            clock=clock,
            reads=reads("M-A-1", JULY.start, ("1100", "2200", "560")),
        )
        clock.set(pendulum.datetime(2025, 7, 31, 12, tz="Asia/Shanghai"))

        submission = submit_reads(  # dated tomorrow: V02 rejects it
            store.unit_of_work, clock=clock, reads=reads("M-A-1", JULY.end, ("1", "2", "3"))
        )
        report = run_billing_cycle(
            store.unit_of_work, clock=clock, period=JULY, issued_on=date(2025, 8, 1)
        )

        assert len(submission.rejected) == 3
        assert len(submission.estimated) == 3
        assert {f.rule_id for f in submission.findings} >= {"V02"}
        with store.unit_of_work() as uow:
            estimate = uow.repository(READS).get(submission.estimated[0]).entity
        assert estimate.read.source is ReadSource.ESTIMATED
        assert estimate.replaces == submission.rejected[0]
        assert [o.outcome for o in report.outcomes] == [Outcome.ISSUED]

    def test_an_unreadable_meter_is_estimated_where_history_allows(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        open_account(store.unit_of_work, clock, start_day=date(2025, 6, 1))
        submit_reads(
            store.unit_of_work,
            clock=clock,
            reads=reads("M-A-1", JULY.start, ("1100", "2200", "560")),
        )

        made = estimate_reads(store.unit_of_work, meter_id="M-A-1", at=midnight(JULY.end))
        again = estimate_reads(store.unit_of_work, meter_id="M-A-1", at=midnight(JULY.end))
        too_early = estimate_reads(
            store.unit_of_work, meter_id="M-A-1", at=midnight(date(2025, 5, 1))
        )

        assert len(made) == 3
        assert again == ()
        assert too_early == ()
        with store.unit_of_work() as uow:
            assert uow.repository(READS).get(made[0]).entity.read.unreadable

    def test_without_history_a_rejected_read_stays_unestimated(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        with store.unit_of_work() as uow:
            uow.repository(METERS).add(a_meter("M-7"))
            uow.commit()

        submission = submit_reads(
            store.unit_of_work, clock=clock, reads=reads("M-7", date(2025, 9, 1), ("1", "2", "3"))
        )

        assert len(submission.rejected) == 3
        assert not submission.estimated


class TestSubmitSeries:
    def test_fills_a_short_gap_and_stores_the_series_once(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        with store.unit_of_work() as uow:
            uow.repository(METERS).add(a_meter("M-9"))
            uow.commit()
        values = ["1.0"] * 40 + [None] + ["1.0"] * 55
        series = IntervalSeries.of_actuals(
            meter_id="M-9", start=pendulum.datetime(2025, 7, 1, tz="Asia/Shanghai"), values=values
        )

        first = submit_series(store.unit_of_work, series=[series])
        again = submit_series(store.unit_of_work, series=[series])

        assert len(first.stored) == 1
        assert again.duplicates == first.stored
        with store.unit_of_work() as uow:
            stored = uow.repository(SERIES).get(first.stored[0]).entity
        assert stored.series.quality[40] is IntervalQuality.ESTIMATED
        assert stored.channel is RegisterKind.ACTIVE_TOTAL
        assert stored.meter_id == MeterId("M-9")
        assert stored.series.end - stored.series.start == timedelta(days=1)
