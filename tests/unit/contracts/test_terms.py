from datetime import date

import pytest

from powerretail.contracts.terms import (
    ContractTerm,
    Liability,
    MeteringTerms,
    Party,
    PartyRole,
    PriceTerms,
    SettlementTerms,
)
from powerretail.errors import InvalidInput


def settlement(**changes: object) -> SettlementTerms:
    fields: dict[str, object] = {
        "billing_day": 1,
        "payment_due_days": 15,
        "method": "bank transfer",
        "late_fee_daily_rate": "0.002",
    }
    fields.update(changes)
    return SettlementTerms(**fields)  # type: ignore[arg-type]


class TestPriceTerms:
    def test_refuses_both_a_tariff_and_a_package(self) -> None:
        with pytest.raises(InvalidInput, match='got "both"'):
            PriceTerms(tariff_code="T", retail_package_id="P")


class TestSettlementTerms:
    @pytest.mark.parametrize("rate", ["0.001", "0.003"])
    def test_accepts_a_late_fee_rate_from_1_to_3_per_mille(self, rate: str) -> None:
        assert str(settlement(late_fee_daily_rate=rate).late_fee_daily_rate) == rate

    @pytest.mark.parametrize("rate", ["0.0009", "0.0031"])
    def test_refuses_a_late_fee_rate_outside_1_to_3_per_mille(self, rate: str) -> None:
        with pytest.raises(InvalidInput, match="late_fee_daily_rate"):
            settlement(late_fee_daily_rate=rate)

    @pytest.mark.parametrize("day", [0, 29])
    def test_refuses_a_billing_day_outside_1_to_28(self, day: int) -> None:
        with pytest.raises(InvalidInput, match="billing_day"):
            settlement(billing_day=day)

    def test_refuses_no_time_to_pay(self) -> None:
        with pytest.raises(InvalidInput, match="payment_due_days"):
            settlement(payment_due_days=0)

    def test_refuses_a_blank_method(self) -> None:
        with pytest.raises(InvalidInput, match=r"settlement\.method"):
            settlement(method="")


class TestMeteringTerms:
    def test_refuses_no_metered_point(self) -> None:
        with pytest.raises(InvalidInput, match="metered_points"):
            MeteringTerms(metered_points=())


class TestPartyAndLiability:
    def test_refuse_blank_texts(self) -> None:
        with pytest.raises(InvalidInput, match=r"party\.name"):
            Party(role=PartyRole.BUYER, name=" ", representative="x")
        with pytest.raises(InvalidInput, match=r"liability\.text"):
            Liability(clause="1", text="")


class TestContractTerm:
    def test_refuses_an_end_not_after_the_start(self) -> None:
        with pytest.raises(InvalidInput, match=r"term\.end"):
            ContractTerm(start="2025-01-01", end="2025-01-01")

    def test_refuses_a_negative_renewal(self) -> None:
        with pytest.raises(InvalidInput, match="renewal_months"):
            ContractTerm(start="2025-01-01", end="2026-01-01", renewal_months=-1)

    def test_renews_a_whole_month_term_from_its_start_without_drift(self) -> None:
        term = ContractTerm(start="2025-01-31", end="2025-02-28", renewal_months=1)

        assert term.renewed().end == date(2025, 3, 31)
        assert term.renewed().renewed().end == date(2025, 4, 30)

    def test_renews_any_other_term_from_its_end(self) -> None:
        term = ContractTerm(start="2025-01-15", end="2025-06-01", renewal_months=12)

        assert term.renewed().end == date(2026, 6, 1)

    def test_refuses_to_renew_a_term_without_renewal(self) -> None:
        with pytest.raises(InvalidInput, match="renewable term"):
            ContractTerm(start="2025-01-01", end="2026-01-01").renewed()

    def test_has_ended_on_its_end_date(self) -> None:
        term = ContractTerm(start="2025-01-01", end="2026-01-01")

        assert not term.has_ended_by(date(2025, 12, 31))
        assert term.has_ended_by(date(2026, 1, 1))
