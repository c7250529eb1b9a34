"""Every VEE action is honoured for interval series as for reads: reject, estimate, hold_bill."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pendulum

from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.billing.bill import Bill
from powerretail.billing.lifecycle import billed_energy
from powerretail.ids import BillId
from powerretail.metering.reads import IntervalQuality, IntervalSeries
from powerretail.metering.rules import CATALOGUE_RULES
from powerretail.metering.vee import RuleSet
from powerretail.repositories.billing import BILLS
from powerretail.repositories.metering import SERIES, StoredSeries
from powerretail.workflows.billing_cycle import Outcome, run_billing_cycle
from powerretail.workflows.reads import submit_reads, submit_series
from tests.unit.workflows.conftest import JULY, open_account, reads

ISSUED_ON = date(2025, 8, 1)
#: The book's meter has peak, flat and valley registers only; without V01 its active-total
#: series is accepted (as a head-end with the channel mapped would deliver it).
NO_IDENTITY = RuleSet(name="no V01", rules=[r for r in CATALOGUE_RULES.rules if r.rule_id != "V01"])


def july(values: list[str | None]) -> IntervalSeries:
    return IntervalSeries(
        meter_id="M-A-1",
        start=pendulum.datetime(2025, 7, 1, tz="Asia/Shanghai"),
        step_minutes=60,
        values=values,
        quality=[
            IntervalQuality.MISSING if value is None else IntervalQuality.ACTUAL for value in values
        ],
    )


def stored(store: MemoryStore, key: str) -> StoredSeries:
    with store.unit_of_work() as uow:
        return uow.repository(SERIES).get(key).entity


def bill(store: MemoryStore, bill_id: str = "A-1-20250701") -> Bill:
    with store.unit_of_work() as uow:
        return uow.repository(BILLS).get(BillId(bill_id)).entity


class TestReject:
    def test_a_series_on_a_channel_the_meter_lacks_is_kept_but_never_billed(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        # Fails before the fix: the V01-rejected series billed 744 kWh and the bill was issued.
        open_account(store.unit_of_work, clock)

        submission = submit_series(store.unit_of_work, series=[july(["1"] * 744)])
        report = run_billing_cycle(
            store.unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON
        )

        (key,) = submission.stored
        assert submission.rejected == (key,)
        assert "V01" in {finding.rule_id for finding in submission.findings}
        kept = stored(store, key)
        assert kept.billable is False
        assert [f.rule_id for f in kept.findings if f.rule_id == "V01"] == ["V01"]
        (outcome,) = report.outcomes
        assert outcome.outcome is Outcome.WAITING  # no end-of-July reads: nothing billed

    def test_the_account_is_billed_from_its_reads_not_the_rejected_series(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        open_account(store.unit_of_work, clock)  # start reads 1000 / 2000 / 500
        submit_series(store.unit_of_work, series=[july(["1"] * 744)])
        submit_reads(
            store.unit_of_work, clock=clock, reads=reads("M-A-1", JULY.end, ("1100", "2150", "560"))
        )

        report = run_billing_cycle(
            store.unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON
        )

        (outcome,) = report.outcomes
        assert outcome.outcome is Outcome.ISSUED
        assert billed_energy(bill(store)) == Decimal(310)  # 100 + 150 + 60, not 744


class TestEstimate:
    def test_missing_intervals_are_estimated_and_the_estimate_is_billed(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        values: list[str | None] = ["2"] * 744
        values[100] = values[101] = None  # a 2-hour gap: V14, linear
        open_account(store.unit_of_work, clock)

        submission = submit_series(store.unit_of_work, series=[july(values)], rule_set=NO_IDENTITY)
        report = run_billing_cycle(
            store.unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON
        )

        assert {"V04", "V14"} <= {finding.rule_id for finding in submission.findings}
        assert submission.rejected == ()
        kept = stored(store, submission.stored[0])
        assert kept.quality[100] is IntervalQuality.ESTIMATED
        assert kept.values[100] == Decimal(2)
        (outcome,) = report.outcomes
        assert outcome.outcome is Outcome.ISSUED
        assert billed_energy(bill(store)) == Decimal(1488)  # 744 h × 2 kWh, the gap estimated

    def test_a_gap_that_cannot_be_estimated_bills_nothing_from_the_series(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        values: list[str | None] = [None] * 744  # no like day to estimate from
        open_account(store.unit_of_work, clock)

        submission = submit_series(store.unit_of_work, series=[july(values)], rule_set=NO_IDENTITY)
        report = run_billing_cycle(
            store.unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON
        )

        assert "V15" in {finding.rule_id for finding in submission.findings}
        (outcome,) = report.outcomes
        assert outcome.outcome is Outcome.WAITING


class TestStoredBefore:
    def test_a_series_stored_without_the_billable_field_loads_as_billable(self) -> None:
        record = StoredSeries.of(july(["1"] * 24))
        data = SERIES.encode(record)
        del data["billable"]  # the shape stored before the field existed

        assert SERIES.decode(data) == record
        assert SERIES.decode(data).billable is True
