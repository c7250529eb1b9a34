"""One account's bad data never stops a cycle; a discarded held bill's month is billed again."""

from __future__ import annotations

from datetime import date

from powerretail.adapters.clocks import FixedClock
from powerretail.billing.bill import BillState
from powerretail.billing.lifecycle import discard
from powerretail.ids import BillId
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLS
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.workflows._common import event_id
from powerretail.workflows.billing_cycle import (
    Outcome,
    bill_account,
    cycle_key,
    run_billing_cycle,
)
from powerretail.workflows.moves import move_out
from powerretail.workflows.reads import submit_reads
from tests.unit.workflows.conftest import JULY, open_account, reads

ISSUED_ON = date(2025, 8, 1)


def opened(
    make_unit_of_work: UnitOfWorkFactory, clock: FixedClock, account_id: str, **kw: object
) -> None:
    meter = kw.pop("meter_id", None) or f"M-{account_id}"
    open_account(make_unit_of_work, clock, account_id, meter_id=str(meter), **kw)  # type: ignore[arg-type]
    submit_reads(
        make_unit_of_work, clock=clock, reads=reads(str(meter), JULY.end, ("1100", "2200", "560"))
    )


def bills_of(make_unit_of_work: UnitOfWorkFactory, account_id: str = "A-1") -> dict[str, BillState]:
    with make_unit_of_work() as uow:
        return {
            s.entity.bill_id: s.entity.state
            for s in uow.repository(BILLS).query(account_id=account_id)
        }


class TestLongAccountIds:
    def test_a_long_account_s_cycle_key_fits_and_is_stable(self) -> None:
        long = "L" * 128

        key = cycle_key(long, JULY)

        assert len(key) <= 128
        assert key == cycle_key(long, JULY)
        assert key.startswith("billing-cycle~LLL")
        assert key.endswith("/2025-07-01..2025-08-01")
        assert key != cycle_key("L" * 127, JULY)
        assert cycle_key("A-1", JULY) == "billing-cycle/A-1/2025-07-01..2025-08-01"

    def test_an_account_id_of_100_characters_is_billed(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        """Failed before: the cycle key was 137 characters and the cycle stopped."""
        long = "A" * 100
        opened(make_unit_of_work, clock, long, meter_id="M-L")
        opened(make_unit_of_work, clock, "A-2", customer_id="C-2")

        report = run_billing_cycle(make_unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON)

        assert [(o.account_id, o.outcome) for o in report.outcomes] == [
            ("A-2", Outcome.ISSUED),
            (long, Outcome.ISSUED),
        ] or [(o.account_id, o.outcome) for o in report.outcomes] == [
            (long, Outcome.ISSUED),
            ("A-2", Outcome.ISSUED),
        ]
        assert bills_of(make_unit_of_work, long) == {f"{long}-20250701": BillState.ISSUED}
        again = bill_account(
            make_unit_of_work, clock=clock, account_id=long, period=JULY, issued_on=ISSUED_ON
        )
        assert again["bill_id"] == f"{long}-20250701"

    def test_an_account_whose_bill_id_cannot_be_named_is_refused_and_the_cycle_goes_on(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        """Failed before: InvalidInput left the cycle, and no other account was billed."""
        long = "B" * 120  # its month bill id, 129 characters, cannot be stored
        opened(make_unit_of_work, clock, long, meter_id="M-B")
        opened(make_unit_of_work, clock, "A-2", customer_id="C-2")

        report = run_billing_cycle(
            make_unit_of_work,
            clock=clock,
            period=JULY,
            issued_on=ISSUED_ON,
            accounts=[long, "A-2"],
        )

        refused, issued = report.outcomes
        assert (refused.account_id, refused.outcome) == (long, Outcome.REFUSED)
        assert refused.reason.startswith("InvalidInput: ")
        assert f'at most 128 printable characters, got "{long}-20250701"' in refused.reason
        assert (issued.account_id, issued.outcome) == ("A-2", Outcome.ISSUED)
        assert bills_of(make_unit_of_work, long) == {}

    def test_an_unknown_account_waits_and_the_cycle_goes_on(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        opened(make_unit_of_work, clock, "A-2", customer_id="C-2")

        report = run_billing_cycle(
            make_unit_of_work,
            clock=clock,
            period=JULY,
            issued_on=ISSUED_ON,
            accounts=["nobody", "bad\nid", "A-2"],
        )

        assert [o.outcome for o in report.outcomes] == [
            Outcome.WAITING,
            Outcome.REFUSED,
            Outcome.ISSUED,
        ]
        assert report.outcomes[1].reason.startswith('account "bad\nid" not billed: key: expected')


def held_july(make_unit_of_work: UnitOfWorkFactory, clock: FixedClock) -> None:
    """A-1 (typical bill 10.00) with July held, then discarded."""
    opened(make_unit_of_work, clock, "A-1", typical=Money("10.00"))
    report = run_billing_cycle(make_unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON)
    assert report.outcomes[0].outcome is Outcome.HELD
    discard_bill(make_unit_of_work, clock, "A-1-20250701")


def discard_bill(make_unit_of_work: UnitOfWorkFactory, clock: FixedClock, bill_id: str) -> None:
    with make_unit_of_work() as uow:
        bills = uow.repository(BILLS)
        held, version = bills.get(BillId(bill_id))
        bills.save(discard(held, at=clock.now(), by="reviewer", why="wrong read")[0], version)
        uow.commit()


class TestDiscardedHeldBills:
    def test_the_cycle_bills_the_month_again_under_a_new_id(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        """Failed before: the re-run replayed the held result of the discarded bill."""
        held_july(make_unit_of_work, clock)

        report = run_billing_cycle(make_unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON)

        (outcome,) = report.outcomes
        assert (outcome.outcome, outcome.bill_id) == (Outcome.HELD, "A-1-20250701-2")
        assert bills_of(make_unit_of_work) == {
            "A-1-20250701": BillState.DISCARDED,
            "A-1-20250701-2": BillState.HELD,
        }
        rerun = run_billing_cycle(make_unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON)
        assert rerun.bill_ids == ("A-1-20250701-2",)

    def test_each_discard_gives_the_next_suffix(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        held_july(make_unit_of_work, clock)
        run_billing_cycle(make_unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON)
        discard_bill(make_unit_of_work, clock, "A-1-20250701-2")

        report = run_billing_cycle(make_unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON)

        assert report.bill_ids == ("A-1-20250701-3",)
        assert len(bills_of(make_unit_of_work)) == 3

    def test_a_move_out_bills_the_discarded_month(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        """Failed before: VersionConflict after the retries, the bill id being taken."""
        held_july(make_unit_of_work, clock)

        final = move_out(
            make_unit_of_work,
            clock=clock,
            key="out-1",
            account_id="A-1",
            on=date(2025, 8, 1),
            final_reads=(),
            by="clerk",
        )

        assert final["bill_id"] == "A-1-20250701-2"
        assert set(bills_of(make_unit_of_work)) == {"A-1-20250701", "A-1-20250701-2"}

    def test_after_a_move_out_bills_it_the_cycle_reports_that_bill(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        held_july(make_unit_of_work, clock)
        move_out(
            make_unit_of_work,
            clock=clock,
            key="out-1",
            account_id="A-1",
            on=date(2025, 8, 1),
            final_reads=(),
            by="clerk",
        )

        report = run_billing_cycle(
            make_unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON, accounts=["A-1"]
        )

        assert report.bill_ids == ("A-1-20250701-2",)
        assert len(bills_of(make_unit_of_work)) == 2

    def test_the_new_bill_s_event_is_not_the_discarded_one_s(self) -> None:
        first = event_id("bill_account", cycle_key("A-1", JULY), "BillHeld")
        second = event_id("bill_account", cycle_key("A-1", JULY, draft=2), "BillHeld")

        assert first != second
        assert cycle_key("A-1", JULY, draft=2) == "billing-cycle/A-1/2025-07-01..2025-08-01#2"
