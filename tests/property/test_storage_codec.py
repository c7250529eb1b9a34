"""Every foundation value and sample entity survives the codec exactly (R1: no float, no loss)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pendulum
from hypothesis import example, given
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
)
from powerretail.repositories.codec import DEFAULT_CODECS, canonical_json
from powerretail.testing import strategies as prs
from powerretail.testing.ledger import (
    LEDGER_ACCOUNTS,
    LEDGER_POSTINGS,
    LedgerPosting,
    PostingKind,
)
from powerretail.timeframe import DateRange, Interval

VALUES: list[tuple[type[Any], st.SearchStrategy[Any]]] = [
    (Money, prs.money()),
    (Money, prs.money("-100000", "100000", currency="JPY")),
    (Energy, prs.energy()),
    (ReactiveEnergy, prs.reactive_energy()),
    (Power, prs.powers()),
    (ApparentPower, prs.apparent_powers()),
    (EnergyPrice, prs.energy_prices()),
    (DemandPrice, prs.demand_prices()),
    (CapacityPrice, prs.capacity_prices()),
    (DateRange, prs.date_ranges(open_ended=True)),
    (Interval, prs.intervals()),
    (dt.time, st.times()),
    (
        dt.timedelta,
        st.timedeltas(min_value=-dt.timedelta(days=3650), max_value=dt.timedelta(days=3650)),
    ),
]


def _decimal_texts(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [text for value in data.values() for text in _decimal_texts(value)]
    if isinstance(data, list):
        return [text for value in data for text in _decimal_texts(value)]
    return [data] if isinstance(data, str) else []


@given(st.sampled_from(VALUES).flatmap(lambda pair: st.tuples(st.just(pair[0]), pair[1])))
def test_a_foundation_value_comes_back_equal_and_with_the_same_digits(
    case: tuple[type[Any], Any],
) -> None:
    kind, value = case

    text = canonical_json(DEFAULT_CODECS.encode(value, kind))
    back = DEFAULT_CODECS.decode(json.loads(text), kind)

    assert back == value
    assert canonical_json(DEFAULT_CODECS.encode(back, kind)) == text


@given(prs.ledger_postings())
@example(  # the repeated autumn hour in London: must come back as the same hour (PEP 495)
    LedgerPosting(
        posting_id=PaymentId("P-0000"),
        account_id=AccountId("A-0000"),
        kind=PostingKind.PAYMENT,
        amount=Money("0.00"),
        posted_at=pendulum.datetime(2000, 10, 29, 1, 0, tz="Europe/London"),
    )
)
def test_a_posting_round_trips_through_json_text(posting: Any) -> None:
    text = canonical_json(LEDGER_POSTINGS.encode(posting))

    back = LEDGER_POSTINGS.decode(json.loads(text))

    assert back == posting
    assert back.amount.amount.as_tuple() == posting.amount.amount.as_tuple()
    assert back.energy.kwh.as_tuple() == posting.energy.kwh.as_tuple()


@given(prs.ledger_accounts())
def test_an_account_round_trips_and_json_holds_no_number_for_money(account: Any) -> None:
    data = LEDGER_ACCOUNTS.encode(account)

    assert LEDGER_ACCOUNTS.decode(json.loads(canonical_json(data))) == account
    assert isinstance(data["balance"], dict)
    assert isinstance(data["balance"]["amount"], str)
    assert Decimal(data["balance"]["amount"]) == account.balance.amount


@given(prs.energy(places=6))
@example(Energy("1E+2"))
@example(Energy("0.000001"))
def test_energy_keeps_its_exponent(energy: Energy) -> None:
    data = DEFAULT_CODECS.encode(energy, Energy)

    assert _decimal_texts(data) == [str(energy.kwh)]
    assert DEFAULT_CODECS.decode(data, Energy).kwh.as_tuple() == energy.kwh.as_tuple()
