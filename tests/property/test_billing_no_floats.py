"""R1: no float reaches a bill: every billing input refuses floats."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.usage import IntervalSeries, RegisterRead
from powerretail.errors import FloatNotAllowed

floats = st.floats(allow_nan=False, allow_infinity=False)

BUILDERS: list[tuple[str, Any]] = [
    ("energy", lambda x: Determinants(energy_kwh={"peak": x})),
    ("demand", lambda x: Determinants(energy_kwh={"peak": 1}, max_demand_kw=x)),
    ("reactive", lambda x: Determinants(energy_kwh={"peak": 1}, reactive_kvarh=x)),
    ("capacity", lambda x: AccountFacts(capacity_kva=x)),
    ("ytd", lambda x: AccountFacts(ytd_kwh=x)),
    ("read", lambda x: RegisterRead(register="peak", previous=0, current=x)),
    (
        "interval",
        lambda x: IntervalSeries(
            start=datetime(2025, 7, 1, tzinfo=UTC), minutes=15, active_kwh=[x]
        ),
    ),
]


@pytest.mark.parametrize(("name", "build"), BUILDERS, ids=[name for name, _ in BUILDERS])
@given(value=floats)
def test_every_billing_input_refuses_a_float(name: str, build: Any, value: float) -> None:
    with pytest.raises(FloatNotAllowed):
        build(value)
