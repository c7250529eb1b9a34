from datetime import UTC, datetime

import pytest

from powerretail.customers.contacts import Channel, ContactRecord, record_contact
from powerretail.errors import InvalidInput
from powerretail.ids import CustomerId

C1 = CustomerId("C-1")


def contact(
    record: ContactRecord | None, who: str, day: int, what: str = "talked"
) -> ContactRecord:
    return record_contact(
        record,
        customer_id=C1,
        who=who,
        at=datetime(2025, 3, day, 2, tzinfo=UTC),
        channel=Channel.PHONE,
        what=what,
    )


class TestRecordContact:
    def test_the_first_contact_creates_the_record_and_owns_it(self) -> None:
        record = contact(None, "zhang", 1)

        assert (record.customer_id, record.opened_by, len(record.entries)) == (C1, "zhang", 1)
        assert record.opened_at == datetime(2025, 3, 1, 2, tzinfo=UTC)

    def test_later_contacts_update_the_record_and_leave_the_old_one_alone(self) -> None:
        first = contact(None, "zhang", 1)

        later = contact(first, "li", 5, "sent scheme")

        assert later.opened_by == "zhang"
        assert later.latest.who == "li"
        assert later.latest.what == "sent scheme"
        assert len(first.entries) == 1

    def test_refuses_a_contact_earlier_than_the_latest(self) -> None:
        first = contact(None, "zhang", 5)

        with pytest.raises(InvalidInput, match=r"contact_record\.entries"):
            contact(first, "li", 4)

    def test_refuses_another_customers_record(self) -> None:
        first = contact(None, "zhang", 1)

        with pytest.raises(InvalidInput, match="customer_id"):
            record_contact(
                first,
                customer_id=CustomerId("C-2"),
                who="li",
                at=datetime(2025, 3, 2, tzinfo=UTC),
                channel=Channel.VISIT,
                what="x",
            )

    def test_refuses_a_blank_note(self) -> None:
        with pytest.raises(InvalidInput, match=r"contact\.what"):
            contact(None, "zhang", 1, what="  ")

    def test_refuses_a_naive_time(self) -> None:
        with pytest.raises(InvalidInput, match=r"contact\.at"):
            record_contact(
                None,
                customer_id=C1,
                who="zhang",
                at=datetime(2025, 3, 1),  # noqa: DTZ001
                channel=Channel.SMS,
                what="x",
            )


class TestContactRecord:
    def test_refuses_an_empty_record(self) -> None:
        with pytest.raises(InvalidInput, match="at least the first contact"):
            ContactRecord(customer_id=C1, entries=())
