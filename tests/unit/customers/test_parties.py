from datetime import date
from decimal import Decimal

import pytest

from powerretail.customers.parties import (
    Account,
    KeyAccountManager,
    LoadImportance,
    ManagerLevel,
    ServicePoint,
    VoltageLevel,
)
from powerretail.errors import InvalidInput
from powerretail.quantities import ApparentPower
from tests.strategies.customers import a_customer


def a_point(**changes: object) -> ServicePoint:
    fields: dict[str, object] = {
        "id": "SP-1",
        "account_id": "A-1",
        "address": "1 Renmin Rd",
        "voltage_level": VoltageLevel.KV10,
        "contracted_capacity": ApparentPower(630),
        "load_importance": LoadImportance.FIRST,
        "industry": "hospital",
        "region": "gusu",
    }
    fields.update(changes)
    return ServicePoint(**fields)  # type: ignore[arg-type]


class TestCustomer:
    def test_refuses_a_blank_name(self) -> None:
        with pytest.raises(InvalidInput, match=r"customer\.name"):
            a_customer().__class__(
                id="C-1", name=" ", sector=a_customer().sector, industry="x", region="y"
            )

    def test_refuses_a_blank_id(self) -> None:
        with pytest.raises(InvalidInput, match=r"customer\.id"):
            a_customer(" ")


class TestAccount:
    def test_is_open_from_its_opening_up_to_but_not_on_its_closing_day(self) -> None:
        account = Account(
            id="A-1", customer_id="C-1", opened_on="2024-01-10", closed_on="2024-03-01"
        )

        assert not account.is_open_on(date(2024, 1, 9))
        assert account.is_open_on(date(2024, 1, 10))
        assert account.is_open_on(date(2024, 2, 29))
        assert not account.is_open_on(date(2024, 3, 1))

    def test_with_no_closing_day_stays_open(self) -> None:
        assert Account(id="A-1", customer_id="C-1", opened_on="2024-01-10").is_open_on(
            date(2099, 1, 1)
        )

    def test_refuses_closing_before_opening(self) -> None:
        with pytest.raises(InvalidInput, match="closed_on"):
            Account(id="A-1", customer_id="C-1", opened_on="2024-01-10", closed_on="2024-01-09")


class TestServicePoint:
    def test_accepts_a_capacity_as_text(self) -> None:
        assert a_point(contracted_capacity="630").contracted_capacity == ApparentPower(630)

    def test_refuses_a_negative_capacity(self) -> None:
        with pytest.raises(InvalidInput, match="contracted_capacity"):
            a_point(contracted_capacity=ApparentPower(-1))

    def test_refuses_a_blank_address(self) -> None:
        with pytest.raises(InvalidInput, match="address"):
            a_point(address="")


class TestVoltageLevel:
    def test_counts_10_kv_and_above_as_high_voltage(self) -> None:
        assert not VoltageLevel.V380.is_high_voltage
        assert VoltageLevel.KV10.is_high_voltage
        assert VoltageLevel.KV110.kv == Decimal(110)


class TestLoadImportance:
    def test_ranks_first_level_load_highest(self) -> None:
        ranks = [level.rank for level in LoadImportance]

        assert ranks == [3, 2, 1]


class TestKeyAccountManager:
    def test_with_no_regions_or_industries_covers_any(self) -> None:
        manager = KeyAccountManager(id="m", name="M", level=ManagerLevel.COMPANY)

        assert manager.covers_region("anywhere")
        assert manager.covers_industry("anything")

    def test_with_regions_covers_only_those(self) -> None:
        manager = KeyAccountManager(
            id="m", name="M", level=ManagerLevel.REGIONAL, regions={"gusu"}, industries={"steel"}
        )

        assert manager.covers_region("gusu")
        assert not manager.covers_region("wuzhong")
        assert not manager.covers_industry("textiles")
