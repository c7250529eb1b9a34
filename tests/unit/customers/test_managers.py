import pytest

from powerretail.customers.managers import SEED_ASSIGNMENT, NoManagerAvailable, assign_manager
from powerretail.customers.parties import KeyAccountManager, ManagerLevel
from powerretail.customers.tiering import KeyAccountGrade
from tests.strategies.customers import a_customer


def a_manager(
    manager_id: str, level: ManagerLevel = ManagerLevel.REGIONAL, **kw: object
) -> KeyAccountManager:
    return KeyAccountManager(id=manager_id, name=manager_id.upper(), level=level, **kw)  # type: ignore[arg-type]


class TestAssignManager:
    def test_gives_a_first_grade_account_to_a_company_level_manager_whatever_the_region(
        self,
    ) -> None:
        managers = [
            a_manager("m-1", regions={"gusu"}),
            a_manager("m-9", ManagerLevel.COMPANY, regions={"hq"}),
        ]

        decision = assign_manager(
            a_customer(region="gusu"), KeyAccountGrade.FIRST, managers, SEED_ASSIGNMENT
        )

        assert decision.outcome == "m-9"
        assert decision.threshold == "一级客户 → 公司大客户经理"

    def test_gives_other_grades_to_a_regional_manager_of_the_customers_region(self) -> None:
        managers = [a_manager("m-1", regions={"wuzhong"}), a_manager("m-2", regions={"gusu"})]

        decision = assign_manager(
            a_customer(region="gusu"), KeyAccountGrade.THIRD, managers, SEED_ASSIGNMENT
        )

        assert decision.outcome == "m-2"
        assert dict(decision.inputs)["candidates"] == "m-2"

    def test_prefers_the_industry_specialist_then_fewer_accounts_then_the_smaller_id(self) -> None:
        managers = [
            a_manager("m-3", regions={"gusu"}, accounts=1),
            a_manager("m-2", regions={"gusu"}, industries={"manufacturing"}, accounts=9),
            a_manager("m-1", regions={"gusu"}, industries={"manufacturing"}, accounts=9),
        ]

        decision = assign_manager(a_customer(), KeyAccountGrade.SECOND, managers, SEED_ASSIGNMENT)

        assert decision.outcome == "m-1"
        assert "industry specialist" in decision.reason

    def test_spreads_accounts_to_the_least_loaded_generalist(self) -> None:
        managers = [a_manager("m-1", accounts=4), a_manager("m-2", accounts=2)]

        decision = assign_manager(a_customer(), KeyAccountGrade.SECOND, managers, SEED_ASSIGNMENT)

        assert decision.outcome == "m-2"
        assert "covers every industry" in decision.reason

    def test_refuses_when_no_manager_fits(self) -> None:
        managers = [a_manager("m-1", regions={"wuzhong"})]

        with pytest.raises(NoManagerAvailable, match='no 区域大客户经理 covers region "gusu"'):
            assign_manager(
                a_customer(region="gusu"), KeyAccountGrade.SECOND, managers, SEED_ASSIGNMENT
            )
