"""Port of contracts: each contract stored with its transition history as plain records.

A :class:`~powerretail.contracts.lifecycle.Contract` keeps its history as generic
:class:`~powerretail.statemachine.TransitionRecord` s whose state and event types the codec
cannot tell from the class; storage keeps a :class:`StoredContract` instead — the contract
without its history, and the history as :class:`StoredTransition` records of plain values.
:meth:`StoredContract.of` and :meth:`StoredContract.contract_with_history` convert both ways.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Callable, Iterable
from typing import Any, TypeAlias, TypeVar

import attrs

from powerretail.contracts.lifecycle import Contract, ContractEvent, ContractState
from powerretail.ids import ContractId, CustomerId
from powerretail.repositories.aggregates import Aggregate, AggregateRepository
from powerretail.statemachine import TransitionRecord

__all__ = [
    "CONTRACTS",
    "ContractRepository",
    "StoredContract",
    "StoredTransition",
    "restored_history",
    "stored_history",
]

S = TypeVar("S", bound=enum.Enum)
E = TypeVar("E")


@attrs.frozen(kw_only=True)
class StoredTransition:
    """One transition of a contract's history, as plain values (states and events by value)."""

    machine: str
    subject: str
    source: str
    event: str
    target: str
    at: _dt.datetime
    by: str
    why: str = ""


def _value(item: object) -> str:
    value = getattr(item, "value", item)
    return str(value)


def stored_history(records: Iterable[TransitionRecord[Any, Any]]) -> tuple[StoredTransition, ...]:
    """Return a history of transition records as plain records (states and events by value)."""
    return tuple(
        StoredTransition(
            machine=record.machine,
            subject=record.subject,
            source=_value(record.source),
            event=_value(record.event),
            target=_value(record.target),
            at=record.at,
            by=record.by,
            why=record.why,
        )
        for record in records
    )


def restored_history(
    items: Iterable[StoredTransition], states: Callable[[str], S], events: Callable[[str], E]
) -> tuple[TransitionRecord[S, E], ...]:
    """Return plain records as transition records (``states`` and ``events`` rebuild those)."""
    return tuple(
        TransitionRecord(
            machine=item.machine,
            subject=item.subject,
            source=states(item.source),
            event=events(item.event),
            target=states(item.target),
            at=item.at,
            by=item.by,
            why=item.why,
        )
        for item in items
    )


@attrs.frozen(kw_only=True)
class StoredContract:
    """A contract as stored: the contract without its history, and the history as records."""

    contract_id: ContractId
    customer_id: CustomerId | None
    contract: Contract
    history: tuple[StoredTransition, ...] = ()

    @classmethod
    def of(cls, contract: Contract) -> StoredContract:
        """Return ``contract`` as stored."""
        return cls(
            contract_id=contract.id,
            customer_id=contract.buyer.customer_id,
            contract=attrs.evolve(contract, history=()),
            history=stored_history(contract.history),
        )

    def contract_with_history(self) -> Contract:
        """Return the contract with its history restored."""
        history = restored_history(self.history, ContractState, ContractEvent)
        return attrs.evolve(self.contract, history=history)


#: Contracts, keyed by contract id, found by the buyer's customer id.
CONTRACTS: Aggregate[ContractId, StoredContract] = Aggregate(
    kind="contract", entity_type=StoredContract, key_field="contract_id", indexed=("customer_id",)
)

ContractRepository: TypeAlias = AggregateRepository[ContractId, StoredContract]
