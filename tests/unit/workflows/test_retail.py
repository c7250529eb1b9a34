from __future__ import annotations

from decimal import Decimal

import attrs
import pendulum
import pytest

from powerretail.access import SEED_POLICY, SETTLE_RETAIL_MONTH, Actor, Decision, PermissionDenied
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.adapters.retail_library import load_shipped_reference, shipped_package_text
from powerretail.errors import InvalidInput, NotFound
from powerretail.repositories.aggregates import ChangeNotAllowed
from powerretail.repositories.retail import (
    PACKAGE_DOCUMENTS,
    RETAIL_SETTLEMENTS,
    MarketMonth,
)
from powerretail.retail.allocation import Claim, reallocate
from powerretail.retail.reference_prices import ReferencePrice, ReferencePriceMissing
from powerretail.retail.settlement import settle_month
from powerretail.workflows.retail import (
    ReferencePriceConflict,
    load_reference_prices,
    publish_package,
    record_month,
    settle_retail_cycle,
    settle_retail_month,
)
from tests.unit.retail.builders import july_portfolio

CLOCK = FixedClock(pendulum.datetime(2025, 8, 8, 9, tz="Asia/Shanghai"))
SERIES = ("JS-MLT-AVG", "JS-SPOT-AVG", "JS-AGENCY")
OFFICER = Actor(id="s-1", name="Sun", roles={"retail_settlement_officer"})
CLERK = Actor(id="c-1", name="Li", roles={"customer_service"})
AS = {"actor": OFFICER, "policy": SEED_POLICY}


def _stored_july(store: MemoryStore, *, prices: bool = True) -> None:
    portfolio = july_portfolio()
    for code in ("PKG-LINKED", "PKG-MIX", "PKG-SPREAD"):
        publish_package(store.unit_of_work, text=shipped_package_text(code))
    if prices:
        load_reference_prices(
            store.unit_of_work,
            series=[load_shipped_reference(code) for code in SERIES],
            month="2025-07",
        )
    record_month(
        store.unit_of_work,
        purchases=portfolio["purchases"],
        user_months=portfolio["users"],
        market_month=MarketMonth(
            market_month_id="R/2025-07",
            retailer_id="R",
            month="2025-07",
            deviation_rule="GENERIC-3",
            deviation_prices={"deviation_price": Decimal("0.10")},
        ),
        allocation=portfolio["allocation"],
        adjustments=portfolio["adjustments"],
    )


class TestSettleRetailMonth:
    def test_settles_the_stored_month_with_its_event(self) -> None:
        store = MemoryStore()
        _stored_july(store)

        settled = settle_retail_month(
            store.unit_of_work, retailer_id="R", month="2025-07", clock=CLOCK, **AS
        )

        assert str(settled.margin.amount) == "25300.00"
        with store.unit_of_work() as uow:
            events = uow.outbox.unpublished()
        assert [e.event_type for e in events] == ["RetailMonthSettled"]

    def test_settling_again_returns_the_stored_settlement(self) -> None:
        store = MemoryStore()
        _stored_july(store)
        first = settle_retail_month(
            store.unit_of_work, retailer_id="R", month="2025-07", clock=CLOCK, **AS
        )

        again = settle_retail_month(
            store.unit_of_work, retailer_id="R", month="2025-07", clock=CLOCK, **AS
        )

        assert again == first
        with store.unit_of_work() as uow:
            assert len(uow.repository(RETAIL_SETTLEMENTS).query(retailer_id="R")) == 1
            assert len(uow.outbox.unpublished()) == 1

    def test_a_month_without_its_reference_prices_waits_and_settles_once_published(self) -> None:
        store = MemoryStore()
        _stored_july(store, prices=False)

        with pytest.raises(ReferencePriceMissing):
            settle_retail_month(
                store.unit_of_work, retailer_id="R", month="2025-07", clock=CLOCK, **AS
            )
        load_reference_prices(
            store.unit_of_work,
            series=[load_shipped_reference(code) for code in SERIES],
            month="2025-07",
        )

        settled = settle_retail_month(
            store.unit_of_work, retailer_id="R", month="2025-07", clock=CLOCK, **AS
        )
        assert str(settled.margin.amount) == "25300.00"

    def test_the_grant_is_audited_with_the_settlement(self) -> None:
        store = MemoryStore()
        _stored_july(store)

        settle_retail_month(store.unit_of_work, retailer_id="R", month="2025-07", clock=CLOCK, **AS)
        settle_retail_month(store.unit_of_work, retailer_id="R", month="2025-07", clock=CLOCK, **AS)

        with store.unit_of_work() as uow:
            (grant,) = uow.audit.records(operation=SETTLE_RETAIL_MONTH)
        assert (grant.actor, grant.granted_by, grant.decision) == (
            "s-1",
            "retail_settlement_officer",
            Decision.GRANTED,
        )
        assert (grant.subject, grant.why) == (
            "retail month R/2025-07",
            "monthly settlement of 2025-07",
        )

    def test_an_actor_without_the_permission_is_refused_audited_and_nothing_settled(
        self,
    ) -> None:
        store = MemoryStore()
        _stored_july(store)

        with pytest.raises(PermissionDenied, match="may not settle_retail_month"):
            settle_retail_month(
                store.unit_of_work,
                retailer_id="R",
                month="2025-07",
                clock=CLOCK,
                actor=CLERK,
                policy=SEED_POLICY,
            )

        with store.unit_of_work() as uow:
            (refusal,) = uow.audit.records()
            assert uow.repository(RETAIL_SETTLEMENTS).query(retailer_id="R") == ()
            assert not uow.outbox.unpublished()
        assert (refusal.actor, refusal.decision, refusal.reason) == (
            "c-1",
            Decision.REFUSED,
            "no role grants it",
        )
        settled = settle_retail_month(
            store.unit_of_work, retailer_id="R", month="2025-07", clock=CLOCK, **AS
        )
        assert str(settled.margin.amount) == "25300.00"

    def test_a_month_without_a_market_month_is_not_found(self) -> None:
        with pytest.raises(NotFound):
            settle_retail_month(
                MemoryStore().unit_of_work, retailer_id="R", month="2025-07", clock=CLOCK, **AS
            )


class TestSettleRetailCycle:
    def test_reports_a_retailer_that_cannot_be_settled_and_goes_on(self) -> None:
        store = MemoryStore()
        _stored_july(store)
        record_month(
            store.unit_of_work,
            market_month=MarketMonth(
                market_month_id="Q/2025-07",
                retailer_id="Q",
                month="2025-07",
                deviation_rule="GD-2017",
                deviation_prices={},
            ),
        )

        outcomes = settle_retail_cycle(store.unit_of_work, month="2025-07", clock=CLOCK, **AS)

        assert [(o.retailer_id, o.settlement is not None) for o in outcomes] == [
            ("Q", False),
            ("R", True),
        ]
        assert "retail_allocation" in outcomes[0].problem or "no " in outcomes[0].problem

    def test_reports_a_refused_actor_for_every_retailer(self) -> None:
        store = MemoryStore()
        _stored_july(store)

        outcomes = settle_retail_cycle(
            store.unit_of_work, month="2025-07", clock=CLOCK, actor=CLERK, policy=SEED_POLICY
        )

        assert [(o.retailer_id, o.settlement) for o in outcomes] == [("R", None)]
        assert "may not settle_retail_month on retail month R/2025-07" in outcomes[0].problem


class TestLoadReferencePrices:
    def test_loading_the_same_month_again_changes_nothing(self) -> None:
        store = MemoryStore()
        series = [load_shipped_reference("JS-MLT-AVG")]
        first = load_reference_prices(store.unit_of_work, series=series, month="2025-07")

        again = load_reference_prices(store.unit_of_work, series=series, month="2025-07")

        assert again == first

    def test_another_price_for_a_stored_month_is_refused(self) -> None:
        store = MemoryStore()
        series = load_shipped_reference("JS-MLT-AVG")
        load_reference_prices(store.unit_of_work, series=[series], month="2025-07")
        revised = attrs.evolve(
            series,
            prices=[ReferencePrice(month="2025-07", yuan_per_kwh="0.3900")],
        )

        with pytest.raises(ReferencePriceConflict, match=r"already has 0\.3850"):
            load_reference_prices(store.unit_of_work, series=[revised], month="2025-07")


class TestPublishAndRecord:
    def test_a_changed_package_file_is_a_new_revision(self) -> None:
        store = MemoryStore()
        text = shipped_package_text("PKG-LINKED")
        first = publish_package(store.unit_of_work, text=text)
        same = publish_package(store.unit_of_work, text=text)

        changed = publish_package(store.unit_of_work, text=text.replace("0.008", "0.009"))

        assert first == same
        assert (first.revision, changed.revision) == (1, 2)
        with store.unit_of_work() as uow:
            assert len(uow.repository(PACKAGE_DOCUMENTS).query(code="PKG-LINKED")) == 2

    def test_an_allocation_changes_only_by_reallocation(self) -> None:
        store = MemoryStore()
        allocation = july_portfolio()["allocation"]
        record_month(store.unit_of_work, allocation=allocation)
        moved = reallocate(
            allocation,
            claims=[Claim(customer_id="C-1", kwh="1"), Claim(customer_id="C-2", kwh="1")],
            reason="C-3 left",
        )
        record_month(store.unit_of_work, allocation=moved)
        record_month(store.unit_of_work, allocation=moved)  # stored as it is: left alone

        with pytest.raises(ChangeNotAllowed):
            record_month(store.unit_of_work, allocation=allocation)

    def test_refuses_an_unknown_deviation_rule(self) -> None:
        market = MarketMonth(
            market_month_id="R/2025-07",
            retailer_id="R",
            month="2025-07",
            deviation_rule="NOPE",
            deviation_prices={},
        )

        with pytest.raises(InvalidInput, match="deviation_rule"):
            record_month(MemoryStore().unit_of_work, market_month=market)


def test_a_settlement_stored_without_its_record_is_returned_not_settled_again() -> None:
    store = MemoryStore()
    _stored_july(store)
    settled = settle_month(**july_portfolio())
    with store.unit_of_work() as uow:
        uow.repository(RETAIL_SETTLEMENTS).add(settled)
        uow.commit()

    again = settle_retail_month(
        store.unit_of_work, retailer_id="R", month="2025-07", clock=CLOCK, **AS
    )

    assert again == settled
