"""The unit of work: every repository, idempotency record and event of one transaction.

A :class:`UnitOfWork` is a context manager. Inside it, reads see the store plus this unit's own
writes; :meth:`UnitOfWork.commit` makes every write visible together; leaving the block without
committing (or with an exception) rolls every write back, so a failed command leaves nothing.

.. code-block:: python

    with make_unit_of_work() as uow:
        accounts = uow.repository(ACCOUNTS)
        account, version = accounts.get(account_id)
        accounts.save(attrs.evolve(account, balance=new_balance), version)
        uow.outbox.append(event)
        uow.commit()
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Protocol, Self, TypeVar

from powerretail.errors import PowerRetailError
from powerretail.repositories.aggregates import Aggregate, AggregateRepository
from powerretail.repositories.audit import AuditLog
from powerretail.repositories.events import Inbox, Outbox
from powerretail.repositories.idempotency import IdempotencyStore

__all__ = ["UnitOfWork", "UnitOfWorkClosed", "UnitOfWorkFactory"]

K = TypeVar("K", bound=str)
E = TypeVar("E")


class UnitOfWorkClosed(PowerRetailError, RuntimeError):
    """A unit of work was used outside its ``with`` block, or after commit or rollback."""

    def __init__(self, state: str) -> None:
        self.state = state
        super().__init__(state)

    def __str__(self) -> str:
        return f"the unit of work is {self.state}; open a new one with the factory"


class UnitOfWork(Protocol):
    """One transaction over every port: repositories, idempotency records, outbox, inbox, audit."""

    @property
    def idempotency(self) -> IdempotencyStore:
        """The idempotency records, written in this transaction."""
        ...

    @property
    def outbox(self) -> Outbox:
        """The domain events, written in this transaction."""
        ...

    @property
    def inbox(self) -> Inbox:
        """The events consumers have processed, written in this transaction."""
        ...

    @property
    def audit(self) -> AuditLog:
        """The audit records of grants and refusals, appended in this transaction."""
        ...

    def repository(self, aggregate: Aggregate[K, E]) -> AggregateRepository[K, E]:
        """Return the repository of ``aggregate`` inside this transaction."""
        ...

    def commit(self) -> None:
        """Make every write of this unit visible together, then close it.

        Raises:
            ConcurrencyConflict: another unit committed a conflicting write first; nothing of
                this unit was written.
        """
        ...

    def rollback(self) -> None:
        """Discard every write of this unit and close it (does nothing once closed)."""
        ...

    def __enter__(self) -> Self:
        """Begin the transaction."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: types.TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""
        ...


#: What adapters hand to workflows: call it to get a fresh unit of work.
UnitOfWorkFactory = Callable[[], UnitOfWork]
