"""Strategies for billing inputs: determinants, account facts and billing periods."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.timeframe import DateRange

#: Energy of a bucket in a month [kWh], with the decimals a multiplier leaves.
energies = st.decimals(min_value=Decimal(0), max_value=Decimal(500_000), places=3)
demands = st.decimals(min_value=Decimal(0), max_value=Decimal(5000), places=2)


@st.composite
def determinants(draw: st.DrawFn) -> Determinants:
    """Peak and valley energy, maximum demand and reactive energy."""
    return Determinants(
        energy_kwh={"peak": draw(energies), "valley": draw(energies)},
        max_demand_kw=draw(demands),
        reactive_kvarh=draw(energies),
    )


@st.composite
def accounts(draw: st.DrawFn) -> AccountFacts:
    """Accounts with a capacity and, sometimes, a contract demand and year-to-date energy."""
    return AccountFacts(
        capacity_kva=draw(st.integers(min_value=1, max_value=5000)),
        contract_demand_kw=draw(st.none() | st.integers(min_value=1, max_value=4000)),
        ytd_kwh=draw(st.integers(min_value=0, max_value=10_000)),
        pf_standard=draw(st.sampled_from([None, "0.90", "0.85", "0.80"])),
    )


@st.composite
def periods(draw: st.DrawFn) -> DateRange:
    """Billing periods of 1 to 62 days between 2020 and 2030."""
    start = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 10, 31)))
    return DateRange(start, start + timedelta(days=draw(st.integers(min_value=1, max_value=62))))
