"""Routing a case by the customer's attributes."""

from __future__ import annotations

import pytest

from powerretail.customers.parties import Customer, KeyAccountManager, ManagerLevel, Sector
from powerretail.customers.tiering import KeyAccountGrade
from powerretail.errors import InvalidInput
from powerretail.service.kinds import CaseEvent, CaseKind, ClockSpec
from powerretail.service.routing import SEED_ROUTING, route

MILL = Customer(id="C-1", name="Mill", sector=Sector.INDUSTRY, industry="textiles", region="gusu")
REGIONAL = KeyAccountManager(id="m-1", name="Zhou", level=ManagerLevel.REGIONAL, regions={"gusu"})
COMPANY = KeyAccountManager(id="m-9", name="Wu", level=ManagerLevel.COMPANY)


class TestRoute:
    def test_a_first_grade_account_goes_to_a_company_level_manager(self) -> None:
        routing = route(
            CaseKind.CONNECTION, MILL, KeyAccountGrade.FIRST, [REGIONAL, COMPANY], SEED_ROUTING
        )

        assert (routing.owner, routing.role) == ("m-9", "company_key_account_manager")

    def test_a_key_account_no_manager_covers_stays_with_the_centre_and_says_why(self) -> None:
        routing = route(CaseKind.REPAIR, MILL, KeyAccountGrade.FIRST, [REGIONAL], SEED_ROUTING)

        assert routing.owner == "service-centre"
        assert routing.reason.startswith("kept by the centre: ")

    def test_an_ordinary_customer_goes_to_the_centre(self) -> None:
        routing = route(CaseKind.COMPLAINT, MILL, None, [REGIONAL], SEED_ROUTING)

        assert (routing.owner, routing.reason) == ("service-centre", "not a key account")


class TestClockSpec:
    def test_refuses_an_event_no_case_has(self) -> None:
        with pytest.raises(InvalidInput, match="clock events"):
            ClockSpec(name="x", limit_keys=("k",), start={"teleport"}, stop={CaseEvent.REPLY})

    def test_refuses_limit_keys_given_as_one_string(self) -> None:
        with pytest.raises(InvalidInput, match="limit_keys"):
            ClockSpec(name="x", limit_keys="k", start={CaseEvent.ACCEPT}, stop={CaseEvent.REPLY})
