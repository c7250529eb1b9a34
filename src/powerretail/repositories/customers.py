"""Ports of the customer book: customers, accounts, service points, contacts, credit scores.

Each is an :class:`~powerretail.repositories.aggregates.Aggregate`: every store keeps it with no
table or adapter code. The entities are the domain classes themselves
(:mod:`powerretail.customers.parties`, :mod:`powerretail.customers.contacts`).

>>> from powerretail.adapters.memory import MemoryStore
>>> from powerretail.customers.parties import Account
>>> store = MemoryStore()
>>> with store.unit_of_work() as uow:
...     uow.repository(ACCOUNTS).add(Account(id="A-1", customer_id="C-1", opened_on="2025-01-01"))
...     uow.commit()
1
>>> with store.unit_of_work() as uow:
...     uow.repository(ACCOUNTS).keys(customer_id="C-1")
('A-1',)
"""

from __future__ import annotations

from typing import TypeAlias

from powerretail.customers.contacts import ContactRecord
from powerretail.customers.credit import CreditScore
from powerretail.customers.parties import Account, Customer, ServicePoint
from powerretail.ids import AccountId, CustomerId, ServicePointId
from powerretail.repositories.aggregates import Aggregate, AggregateRepository

__all__ = [
    "ACCOUNTS",
    "CONTACT_RECORDS",
    "CREDIT_SCORES",
    "CUSTOMERS",
    "SERVICE_POINTS",
    "AccountRepository",
    "ContactRecordRepository",
    "CreditScoreRepository",
    "CustomerRepository",
    "ServicePointRepository",
]

#: Customers (the party), keyed by customer id.
CUSTOMERS: Aggregate[CustomerId, Customer] = Aggregate(
    kind="customer", entity_type=Customer, key_field="id", indexed=("region", "sector")
)
#: Accounts (户), keyed by account id, found by customer.
ACCOUNTS: Aggregate[AccountId, Account] = Aggregate(
    kind="account", entity_type=Account, key_field="id", indexed=("customer_id",)
)
#: Service points (用电地址), keyed by id, found by account, by area (``region``) and by load
#: importance (important customers); the last two are indexed later (backfilled).
SERVICE_POINTS: Aggregate[ServicePointId, ServicePoint] = Aggregate(
    kind="service_point",
    entity_type=ServicePoint,
    key_field="id",
    indexed=("account_id", "region", "load_importance"),
    backfilled=("region", "load_importance"),
)
#: A customer's contact record (客户接触记录), keyed by customer id.
CONTACT_RECORDS: Aggregate[CustomerId, ContactRecord] = Aggregate(
    kind="contact_record", entity_type=ContactRecord, key_field="customer_id"
)

#: A customer's credit score (信用分数), keyed by customer id.
CREDIT_SCORES: Aggregate[CustomerId, CreditScore] = Aggregate(
    kind="credit_score", entity_type=CreditScore, key_field="customer_id"
)

CustomerRepository: TypeAlias = AggregateRepository[CustomerId, Customer]
AccountRepository: TypeAlias = AggregateRepository[AccountId, Account]
ServicePointRepository: TypeAlias = AggregateRepository[ServicePointId, ServicePoint]
ContactRecordRepository: TypeAlias = AggregateRepository[CustomerId, ContactRecord]
CreditScoreRepository: TypeAlias = AggregateRepository[CustomerId, CreditScore]
