"""Hypothesis strategies for the foundation values and the sample ledger aggregates.

Every number is a bounded ``Decimal`` (never a float); every instant is aware; every range is
half-open and non-empty. Use them in property tests of your own entities:

.. code-block:: python

    from hypothesis import given
    from powerretail.testing import strategies as prs

    @given(prs.money(), prs.energy())
    def test_my_bill_keeps_money_exact(amount, energy): ...
"""

from __future__ import annotations

import datetime as _dt
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import pendulum
from hypothesis import strategies as st

from powerretail.ids import AccountId, PaymentId
from powerretail.quantities import (
    ApparentPower,
    CapacityPrice,
    DemandPrice,
    Energy,
    EnergyPrice,
    Money,
    Power,
    ReactiveEnergy,
    minor_unit_exponent,
)
from powerretail.testing.ledger import (
    AccountStatus,
    LedgerAccount,
    LedgerPosting,
    PostingKind,
)
from powerretail.timeframe import DateRange, Interval

__all__ = [
    "apparent_powers",
    "aware_datetimes",
    "capacity_prices",
    "date_ranges",
    "dates",
    "demand_prices",
    "energy",
    "energy_prices",
    "identifiers",
    "intervals",
    "ledger_accounts",
    "ledger_postings",
    "money",
    "plain_decimals",
    "powers",
    "reactive_energy",
]

T = TypeVar("T")

#: Zones the instants are drawn in: no DST, DST, and UTC.
ZONES = ("UTC", "Asia/Shanghai", "Europe/London")


def plain_decimals(low: str, high: str, places: int) -> st.SearchStrategy[Decimal]:
    """Draw finite decimals from ``low`` to ``high`` with at most ``places`` decimals."""
    return st.decimals(
        min_value=Decimal(low),
        max_value=Decimal(high),
        places=places,
        allow_nan=False,
        allow_infinity=False,
    )


def money(
    min_value: str = "-1000000.00", max_value: str = "1000000.00", currency: str = "CNY"
) -> st.SearchStrategy[Money]:
    """Draw whole-minor-unit amounts of ``currency`` between the bounds [元]."""
    places = minor_unit_exponent(currency)
    return plain_decimals(min_value, max_value, places).map(lambda amount: Money(amount, currency))


def energy(max_kwh: str = "10000000", places: int = 4) -> st.SearchStrategy[Energy]:
    """Draw energies from 0 to ``max_kwh`` [kWh] with up to ``places`` decimals."""
    return plain_decimals("0", max_kwh, places).map(Energy)


def reactive_energy(max_kvarh: str = "10000000") -> st.SearchStrategy[ReactiveEnergy]:
    """Draw reactive energies [kvarh]."""
    return plain_decimals("0", max_kvarh, 4).map(ReactiveEnergy)


def powers(max_kw: str = "100000") -> st.SearchStrategy[Power]:
    """Draw demands [kW]."""
    return plain_decimals("0", max_kw, 3).map(Power)


def apparent_powers(max_kva: str = "100000") -> st.SearchStrategy[ApparentPower]:
    """Draw transformer capacities [kVA]."""
    return plain_decimals("0", max_kva, 1).map(ApparentPower)


def energy_prices(max_yuan: str = "5") -> st.SearchStrategy[EnergyPrice]:
    """Draw prices [元/kWh] with six decimals."""
    return plain_decimals("0", max_yuan, 6).map(EnergyPrice)


def demand_prices(max_yuan: str = "100") -> st.SearchStrategy[DemandPrice]:
    """Draw basic-charge prices [元/kW·月]."""
    return plain_decimals("0", max_yuan, 4).map(DemandPrice)


def capacity_prices(max_yuan: str = "100") -> st.SearchStrategy[CapacityPrice]:
    """Draw basic-charge prices [元/kVA·月]."""
    return plain_decimals("0", max_yuan, 4).map(CapacityPrice)


def dates(
    min_value: date = date(2000, 1, 1), max_value: date = date(2060, 12, 31)
) -> st.SearchStrategy[date]:
    """Draw calendar dates."""
    return st.dates(min_value=min_value, max_value=max_value)


def date_ranges(*, max_days: int = 400, open_ended: bool = False) -> st.SearchStrategy[DateRange]:
    """Draw half-open date ranges of 1 to ``max_days`` days (or no end, if ``open_ended``)."""
    closed = st.builds(
        lambda start, days: DateRange(start, start + timedelta(days=days)),
        dates(),
        st.integers(min_value=1, max_value=max_days),
    )
    if not open_ended:
        return closed
    return st.one_of(closed, dates().map(DateRange))


def aware_datetimes(zones: tuple[str, ...] = ZONES) -> st.SearchStrategy[pendulum.DateTime]:
    """Draw aware instants, to the microsecond, in the given zones (real local times only)."""
    return st.datetimes(
        min_value=_dt.datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
        max_value=_dt.datetime(2060, 12, 31),  # noqa: DTZ001
        timezones=st.sampled_from([pendulum.timezone(zone) for zone in zones]),
        allow_imaginary=False,
    ).map(pendulum.instance)


def intervals(max_hours: int = 24 * 40) -> st.SearchStrategy[Interval]:
    """Draw half-open intervals of one minute to ``max_hours``."""
    return st.builds(
        lambda start, minutes: Interval(start, start + timedelta(minutes=minutes)),
        aware_datetimes(),
        st.integers(min_value=1, max_value=max_hours * 60),
    )


def identifiers(prefix: str) -> st.SearchStrategy[str]:
    """Draw identifiers such as ``A-0042`` (printable, no blanks)."""
    return st.integers(min_value=0, max_value=10**6).map(lambda n: f"{prefix}-{n:04d}")


def _optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


def ledger_postings() -> st.SearchStrategy[LedgerPosting]:
    """Draw ledger postings (the sample aggregate of the contract suite)."""
    fields: dict[str, st.SearchStrategy[Any]] = {
        "posting_id": identifiers("P").map(PaymentId),
        "account_id": identifiers("A").map(AccountId),
        "kind": st.sampled_from(PostingKind),
        "amount": money(),
        "energy": energy(),
        "period": _optional(date_ranges()),
        "posted_at": aware_datetimes(),
        "references": st.lists(identifiers("B"), max_size=3).map(tuple),
    }
    return st.fixed_dictionaries(fields).map(lambda values: LedgerPosting(**values))


def ledger_accounts() -> st.SearchStrategy[LedgerAccount]:
    """Draw ledger accounts (the sample aggregate of the contract suite)."""
    fields: dict[str, st.SearchStrategy[Any]] = {
        "account_id": identifiers("A").map(AccountId),
        "holder": st.text(
            alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs")), max_size=20
        ),
        "balance": money(),
        "energy_paid_for": energy(),
        "opened_on": dates(),
        "status": st.sampled_from(AccountStatus),
        "postings": st.integers(min_value=0, max_value=10**6),
    }
    return st.fixed_dictionaries(fields).map(lambda values: LedgerAccount(**values))
