from __future__ import annotations

from datetime import date
from typing import ClassVar

import pytest

from powerretail.collections.allocation import ItemKind, OpenItem
from powerretail.collections.arrears import (
    DEFAULT_AGEING,
    AccountArrears,
    AgeingBucket,
    AgeingBuckets,
    MonthPayment,
    arrears_register,
    collection_rate,
)
from powerretail.errors import InvalidInput
from powerretail.quantities import Money
from powerretail.repositories.payments import Receivable


def item(bill: str, amount: str, due: date, kind: ItemKind = ItemKind.PRINCIPAL) -> OpenItem:
    return OpenItem(bill_id=bill, kind=kind, amount=Money(amount), dated=due)


AS_OF = date(2025, 6, 30)


class TestAgeing:
    @pytest.mark.parametrize(
        ("days", "bucket"),
        [
            (-5, "current"),
            (0, "current"),
            (1, "1-30"),
            (30, "1-30"),
            (31, "31-60"),
            (60, "31-60"),
            (61, "61-90"),
            (90, "61-90"),
            (91, ">90"),
            (4000, ">90"),
        ],
    )
    def test_puts_each_edge_day_in_its_bucket(self, days: int, bucket: str) -> None:
        assert DEFAULT_AGEING.bucket_of(days).key == bucket

    def test_refuses_a_gap_between_buckets(self) -> None:
        with pytest.raises(InvalidInput, match="the day after the previous bucket"):
            AgeingBuckets("X", (AgeingBucket("a", 0, 10), AgeingBucket("b", 12)))

    def test_refuses_a_closed_last_bucket(self) -> None:
        with pytest.raises(InvalidInput, match="an open last bucket"):
            AgeingBuckets("X", (AgeingBucket("a", 0, 10),))

    def test_refuses_no_buckets_and_a_backwards_bucket(self) -> None:
        with pytest.raises(InvalidInput, match="at least one bucket"):
            AgeingBuckets("X", ())
        with pytest.raises(InvalidInput, match="at least 5"):
            AgeingBucket("a", 5, 4)

    def test_a_custom_partition_sends_days_below_its_first_bucket_there(self) -> None:
        ageing = AgeingBuckets("X", (AgeingBucket("early", 0, 10), AgeingBucket("late", 11)))
        assert ageing.bucket_of(-3).key == "early"


class TestRegister:
    BOOK = (
        AccountArrears(
            account_id="A-2",
            customer_class="一般工商业",
            area="T-02",
            open_items=(
                item("B-3", "1000.00", date(2025, 3, 1)),  # 121 days
                item("B-3", "12.34", date(2025, 3, 1), ItemKind.LATE_FEE),
            ),
        ),
        AccountArrears(
            account_id="A-1",
            customer_class="居民",
            area="T-01",
            open_items=(
                item("B-1", "80.00", date(2025, 5, 31)),  # 30 days
                item("B-2", "50.00", date(2025, 5, 30)),  # 31 days
                item("B-4", "20.00", date(2025, 7, 10)),  # not yet due
            ),
        ),
    )

    def test_ages_each_item_and_keeps_principal_and_fee_apart(self) -> None:
        register = arrears_register(self.BOOK, as_of=AS_OF)
        assert [
            (ln.account_id, ln.bucket, str(ln.principal.amount), str(ln.late_fee.amount))
            for ln in register.lines
        ] == [
            ("A-1", "current", "20.00", "0.00"),
            ("A-1", "1-30", "80.00", "0.00"),
            ("A-1", "31-60", "50.00", "0.00"),
            ("A-2", ">90", "1000.00", "12.34"),
        ]
        assert register.total == Money("1162.34")

    def test_totals_by_class_area_and_bucket(self) -> None:
        register = arrears_register(self.BOOK, as_of=AS_OF)
        assert register.by_class()["居民"] == {
            "current": Money("20.00"),
            "1-30": Money("80.00"),
            "31-60": Money("50.00"),
        }
        assert register.by_area()["T-02"] == {">90": Money("1012.34")}
        assert register.by_bucket()["61-90"] == Money("0.00")
        assert register.by_account()["A-1"]["1-30"] == Money("80.00")
        data = register.to_dict()
        assert data["total"] == "1162.34"
        assert data["by_area"] == {
            "T-01": {"current": "20.00", "1-30": "80.00", "31-60": "50.00"},
            "T-02": {">90": "1012.34"},
        }

    def test_reads_a_stored_receivable(self) -> None:
        receivable = Receivable.open(account_id="A-9", customer_id="C-9")
        receivable = Receivable(
            **{
                **{
                    f: getattr(receivable, f)
                    for f in (
                        "account_id",
                        "customer_id",
                        "credit",
                        "deposit",
                        "issued",
                        "credited",
                        "paid",
                        "written_off",
                    )
                },
                "open_items": (item("B-9", "5.00", date(2025, 6, 1)),),
            }
        )
        view = AccountArrears.of(receivable, classes={"A-9": "居民"}, areas={})
        assert (view.customer_class, view.area, view.open_items[0].bill_id) == (
            "居民",
            "unknown",
            "B-9",
        )

    def test_refuses_an_item_in_another_currency(self) -> None:
        book = [
            AccountArrears(
                account_id="A",
                customer_class="c",
                area="a",
                open_items=(
                    OpenItem(
                        bill_id="B",
                        kind=ItemKind.PRINCIPAL,
                        amount=Money("1.00", "USD"),
                        dated=AS_OF,
                    ),
                ),
            )
        ]
        with pytest.raises(InvalidInput, match="CNY"):
            arrears_register(book, as_of=AS_OF)


class TestCollectionRate:
    BILLED: ClassVar[dict[str, Money]] = {"B-1": Money("100.00"), "B-2": Money("300.00")}

    def test_counts_payments_on_the_28th_and_not_on_the_29th(self) -> None:
        payments = [
            MonthPayment(bill_id="B-1", amount=Money("100.00"), received_on=date(2025, 6, 28)),
            MonthPayment(bill_id="B-2", amount=Money("300.00"), received_on=date(2025, 6, 29)),
            MonthPayment(bill_id="B-X", amount=Money("9.00"), received_on=date(2025, 6, 1)),
        ]
        rate = collection_rate(self.BILLED, payments, year=2025, month=6)
        assert (rate.month, rate.cutoff, rate.collected, rate.billed) == (
            "2025-06",
            date(2025, 6, 28),
            Money("100.00"),
            Money("400.00"),
        )
        assert rate.rate == 0.25
        assert not rate.is_met

    def test_is_met_when_every_bill_is_paid_by_the_cutoff_and_caps_overpayments(self) -> None:
        payments = [
            MonthPayment(bill_id="B-1", amount=Money("150.00"), received_on="2025-06-02"),
            MonthPayment(bill_id="B-2", amount=Money("300.00"), received_on=date(2025, 6, 3)),
        ]
        rate = collection_rate(self.BILLED, payments, year=2025, month=6)
        assert rate.is_met
        assert rate.rate == 1
        assert rate.collected == Money("400.00")

    def test_nothing_billed_is_fully_collected_and_a_bad_cutoff_is_refused(self) -> None:
        assert collection_rate({}, [], year=2025, month=2).rate == 1
        with pytest.raises(InvalidInput, match="a day of the month"):
            collection_rate({}, [], year=2025, month=2, cutoff_day=30)
