"""Port of the ledger: append-only postings, each party's ledger head, and :func:`post`.

:data:`LEDGER_POSTINGS` holds every :class:`~powerretail.collections.ledger.LedgerPosting`; a
stored posting never changes and none is deleted (RELIABILITY R9). :data:`LEDGER_HEADS` holds,
per party, the number of its postings and the balances they fold to (the cached balances that
replaying the ledger from zero must give back); saving the head at the version read orders a
party's postings and makes two writers of one party conflict rather than interleave (R11).

:func:`post` is the one way a posting enters the ledger, inside the caller's unit of work, so
a money movement and its entries commit together or not at all. Posting the same movement twice
(a retry) stores it once.

>>> from datetime import date
>>> import pendulum
>>> from powerretail.adapters.memory import MemoryStore
>>> from powerretail.collections.ledger import bill_issued
>>> from powerretail.quantities import Money
>>> store = MemoryStore()
>>> posting = bill_issued("B-1", party="A-1", lines={"energy": Money("88.00")},
...                       due=date(2025, 8, 16), at=pendulum.datetime(2025, 8, 1, tz="UTC"))
>>> with store.unit_of_work() as uow:
...     stored = post(uow, posting)
...     again = post(uow, posting)  # a retry: nothing more is stored
...     uow.commit()
>>> stored.sequence, again.sequence
(1, 1)
>>> with store.unit_of_work() as uow:
...     for balance in ledger_head(uow, "A-1").balances:
...         print(balance.account, balance.amount.amount)
1122 88.00
6001.energy -88.00
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from powerretail.collections.ledger import (
    DEFAULT_CHART,
    AccountBalance,
    ChartOfAccounts,
    LedgerPosting,
    Side,
)
from powerretail.errors import ConcurrencyConflict, describe_value
from powerretail.quantities import Money
from powerretail.repositories.aggregates import Aggregate, never_changes
from powerretail.repositories.unit_of_work import UnitOfWork

__all__ = [
    "LEDGER_HEADS",
    "LEDGER_POSTINGS",
    "LedgerHead",
    "PostingConflict",
    "ledger_head",
    "post",
    "post_all",
    "postings_of",
]


@attrs.frozen(kw_only=True)
class LedgerHead:
    """One party's ledger: how many postings it has and the balance of each account they touch."""

    party: str
    sequence: int = 0
    balances: tuple[AccountBalance, ...] = ()

    def after(self, posting: LedgerPosting) -> LedgerHead:
        """Return the head once ``posting`` (the next of the party) is added."""
        totals = {b.account: b for b in self.balances}
        zero = Money.zero(posting.currency)
        for entry in posting.entries:
            seen = totals.get(entry.account) or AccountBalance(
                account=entry.account, party=self.party, debits=zero, credits=zero
            )
            if entry.side is Side.DEBIT:
                seen = attrs.evolve(seen, debits=seen.debits + entry.amount)
            else:
                seen = attrs.evolve(seen, credits=seen.credits + entry.amount)
            totals[entry.account] = seen
        return attrs.evolve(
            self,
            sequence=self.sequence + 1,
            balances=tuple(totals[code] for code in sorted(totals)),
        )


class PostingConflict(ConcurrencyConflict):
    """A posting id already stored for another movement; nothing was posted."""

    def __init__(self, posting_id: str) -> None:
        self.posting_id = posting_id
        super().__init__(posting_id)

    def __str__(self) -> str:
        return (
            f"posting {describe_value(self.posting_id)} is already in the ledger with other "
            "entries; expected a new posting id (a correction is a compensating posting)"
        )


#: Postings, keyed by posting id, found by party and kind; a stored posting never changes.
LEDGER_POSTINGS: Aggregate[str, LedgerPosting] = Aggregate(
    kind="double_entry_posting",
    entity_type=LedgerPosting,
    key_field="posting_id",
    indexed=("party", "kind"),
    changes=never_changes("posted"),
)
#: Each party's ledger head, keyed by party.
LEDGER_HEADS: Aggregate[str, LedgerHead] = Aggregate(
    kind="double_entry_head", entity_type=LedgerHead, key_field="party"
)


def post(
    uow: UnitOfWork, posting: LedgerPosting, *, chart: ChartOfAccounts = DEFAULT_CHART
) -> LedgerPosting:
    """Store ``posting`` as its party's next posting in ``uow``; return it as stored.

    The posting balances (it cannot be built otherwise) and every account is checked against
    ``chart``. Posting a movement already stored returns the stored posting and stores nothing.
    Commit ``uow`` to keep it: it commits with the movement it records.

    Raises:
        InvalidInput: an entry's account is not in ``chart``.
        PostingConflict: ``posting.posting_id`` is stored with other entries.
    """
    for entry in posting.entries:
        chart.account(entry.account)
    postings = uow.repository(LEDGER_POSTINGS)
    stored = postings.find(posting.posting_id)
    if stored is not None:
        if stored.entity.same_movement(posting):
            return stored.entity
        raise PostingConflict(posting.posting_id)
    heads = uow.repository(LEDGER_HEADS)
    found = heads.find(posting.party)
    head = found.entity if found is not None else LedgerHead(party=posting.party)
    numbered = attrs.evolve(posting, sequence=head.sequence + 1)
    postings.add(numbered)
    if found is None:
        heads.add(head.after(numbered))
    else:
        heads.save(head.after(numbered), found.version)
    return numbered


def post_all(
    uow: UnitOfWork, postings: Iterable[LedgerPosting | None]
) -> tuple[LedgerPosting, ...]:
    """Post each of ``postings`` (skipping ``None``) in order; return them as stored."""
    return tuple(post(uow, p) for p in postings if p is not None)


def ledger_head(uow: UnitOfWork, party: str) -> LedgerHead:
    """Return ``party``'s ledger head (an empty one when it has no postings)."""
    found = uow.repository(LEDGER_HEADS).find(party)
    return found.entity if found is not None else LedgerHead(party=party)


def postings_of(uow: UnitOfWork, party: str | None = None) -> tuple[LedgerPosting, ...]:
    """Return ``party``'s postings in order (every posting of the ledger when ``None``)."""
    repository = uow.repository(LEDGER_POSTINGS)
    found = repository.query(party=party) if party is not None else repository.query()
    return tuple(
        sorted((v.entity for v in found), key=lambda p: (p.party, p.sequence, p.posting_id))
    )
