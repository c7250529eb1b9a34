"""Contact records (客户接触记录): who spoke with a customer, when, by which channel, about what.

The person who first contacts a key account creates its contact record; everyone after updates it
(苏州供电公司大客户管理 5.主要控制点: 与大客户首次接触的人员负责生成"客户接触记录",
后续工作人员应及时进行相应客户接触信息的更新). :func:`record_contact` does both, purely:
it returns a new record.

>>> from datetime import datetime, timezone
>>> first = record_contact(None, customer_id=CustomerId("C-1"), who="Zhang",
...     at=datetime(2025, 3, 1, 2, tzinfo=timezone.utc), channel=Channel.VISIT,
...     what="first visit: needs 2 MW more in 2026")
>>> later = record_contact(first, customer_id=CustomerId("C-1"), who="Li",
...     at=datetime(2025, 3, 8, 2, tzinfo=timezone.utc), channel=Channel.PHONE,
...     what="sent the supply scheme")
>>> later.opened_by, len(later.entries), len(first.entries)
('Zhang', 2, 1)
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable

import attrs
import pendulum

from powerretail.errors import InvalidInput
from powerretail.ids import CustomerId, require_id
from powerretail.timeframe import as_instant

__all__ = ["Channel", "ContactEntry", "ContactRecord", "record_contact"]


class Channel(enum.Enum):
    """How the contact happened.

    Source: 苏州供电公司大客户管理 流程说明 3.1 (电话、电子邮件、业务系统等).
    """

    COUNTER = "营业厅"
    PHONE = "电话"
    SMS = "短信"
    EMAIL = "电子邮件"
    VISIT = "走访"
    LETTER = "书面"
    SYSTEM = "业务系统"


def _instant(value: object) -> pendulum.DateTime:
    return as_instant(value, "contact.at")


def _who(value: object) -> str:
    return require_id(value, "contact.who")


@attrs.frozen(kw_only=True)
class ContactEntry:
    """One contact: ``who`` (staff), ``at`` (aware), ``channel``, ``what`` was said or done."""

    who: str = attrs.field(converter=_who)
    at: pendulum.DateTime = attrs.field(converter=_instant)
    channel: Channel
    what: str

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.what, str) or not self.what.strip():
            raise InvalidInput("contact.what", self.what, "a note of what was said or done")


def _entries(value: Iterable[ContactEntry]) -> tuple[ContactEntry, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class ContactRecord:
    """A customer's contact record: created by the first contact, extended by later ones.

    Entries are in time order; the first entry's ``who`` is the record's owner (``opened_by``).
    """

    customer_id: CustomerId
    entries: tuple[ContactEntry, ...] = attrs.field(converter=_entries)

    def __attrs_post_init__(self) -> None:
        if not self.entries:
            raise InvalidInput("contact_record.entries", (), "at least the first contact")
        for earlier, later in zip(self.entries, self.entries[1:], strict=False):
            if later.at < earlier.at:
                raise InvalidInput(
                    "contact_record.entries", later.at, f"a contact at or after {earlier.at}"
                )

    @property
    def opened_by(self) -> str:
        """Who made the first contact (and so created the record)."""
        return self.entries[0].who

    @property
    def opened_at(self) -> pendulum.DateTime:
        """When the first contact happened."""
        return self.entries[0].at

    @property
    def latest(self) -> ContactEntry:
        """The most recent contact."""
        return self.entries[-1]


def record_contact(
    record: ContactRecord | None,
    *,
    customer_id: CustomerId,
    who: str,
    at: _dt.datetime,
    channel: Channel,
    what: str,
) -> ContactRecord:
    """Return the contact record with this contact added; create it if ``record`` is None.

    Raises:
        InvalidInput: the record belongs to another customer, the contact is earlier than the
            latest one on the record, or a field is blank or naive.
    """
    entry = ContactEntry(who=who, at=at, channel=channel, what=what)
    if record is None:
        return ContactRecord(customer_id=customer_id, entries=(entry,))
    if record.customer_id != customer_id:
        raise InvalidInput(
            "customer_id", customer_id, f"the record's customer {record.customer_id}"
        )
    return attrs.evolve(record, entries=(*record.entries, entry))
