"""Credit-score adjustments and write-offs: authorised, audited, cumulative limits respected."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pendulum
import pytest

from powerretail.access import (
    ADJUST_CREDIT_SCORE,
    SEED_POLICY,
    WRITE_OFF_RECEIVABLE,
    Actor,
    Decision,
    Permission,
    Role,
)
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.collections.write_off import (
    SEED_WRITE_OFF_RULES,
    Evidence,
    EvidenceKind,
    refuse_reduction,
)
from powerretail.customers.credit import CreditScore
from powerretail.errors import InvalidInput, NotFound
from powerretail.ids import AccountId, CustomerId
from powerretail.quantities import Money
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.collections import WRITE_OFFS
from powerretail.repositories.commands import CommandRefused
from powerretail.repositories.customers import CREDIT_SCORES
from powerretail.repositories.payments import RECEIVABLES, Receivable
from powerretail.workflows.adjustments import adjust_credit, write_off_receivable

JUNE = pendulum.datetime(2025, 6, 2, 9, tz="Asia/Shanghai")
MANAGER = Actor(id="m-1", name="Zhou", roles=frozenset({"regional_key_account_manager"}))
AUDITOR = Actor(id="auditor", name="Wang", roles=frozenset({"billing_auditor"}))
COMMITTEE = Actor(id="board", name="Bad-debt committee", roles=frozenset({"bad_debt_committee"}))
#: A company's own policy: its bad-debt committee writes off up to 1000 yuan a bill.
COMPANY_POLICY = SEED_POLICY.with_role(
    Role(
        "bad_debt_committee",
        "坏账核销小组",
        (Permission(WRITE_OFF_RECEIVABLE, limit=Decimal(1000), source="company rule 12"),),
    )
)


@pytest.fixture
def store() -> MemoryStore:
    store = MemoryStore()
    with store.unit_of_work() as uow:
        scores = uow.repository(CREDIT_SCORES)
        scores.add(CreditScore(customer_id=CustomerId("C-1"), points=80))
        scores.add(CreditScore(customer_id=CustomerId("C-2"), points=80))
        owed = Receivable.open(account_id="A-1", customer_id="C-1")
        uow.repository(RECEIVABLES).add(
            owed.charge("B-1", Money("1500.00"), dated=date(2025, 5, 1))
        )
        uow.commit()
    return store


def adjust(
    store: MemoryStore,
    key: str,
    delta: str = "5",
    *,
    customer: str = "C-1",
    at: pendulum.DateTime = JUNE,
) -> dict[str, JsonValue]:
    return adjust_credit(
        store.unit_of_work,
        clock=FixedClock(at),
        key=key,
        customer_id=customer,
        delta=delta,
        actor=MANAGER,
        policy=SEED_POLICY,
        why="paid early",
    )


def points(store: MemoryStore, customer: str = "C-1") -> Decimal:
    with store.unit_of_work() as uow:
        return uow.repository(CREDIT_SCORES).get(CustomerId(customer)).entity.points


class TestAdjustCredit:
    def test_three_plus_five_under_a_monthly_limit_of_five_pass_once(
        self, store: MemoryStore
    ) -> None:
        first = adjust(store, "adj-1")
        with pytest.raises(CommandRefused, match="with 5 already granted this calendar month"):
            adjust(store, "adj-2", at=JUNE.add(days=1))
        with pytest.raises(CommandRefused, match="exceeds the authority limit 5"):
            adjust(store, "adj-3", at=JUNE.add(days=2))

        assert first["points"] == "85"
        assert points(store) == Decimal(85)
        with store.unit_of_work() as uow:
            audit = uow.audit.records(actor="m-1", operation=ADJUST_CREDIT_SCORE)
        assert [r.decision for r in audit] == [Decision.GRANTED, Decision.REFUSED, Decision.REFUSED]
        assert [r.already for r in audit] == [Decimal(0), Decimal(5), Decimal(5)]

    def test_the_limit_counts_every_step_of_the_month_whatever_its_sign(
        self, store: MemoryStore
    ) -> None:
        adjust(store, "adj-1", "3")
        adjust(store, "adj-2", "-2", at=JUNE.add(days=3))

        with pytest.raises(CommandRefused, match="a change of 1 with 5 already granted"):
            adjust(store, "adj-3", "1", at=JUNE.add(days=4))
        assert points(store) == Decimal(81)

    def test_the_limit_starts_again_next_month_and_is_per_customer(
        self, store: MemoryStore
    ) -> None:
        adjust(store, "adj-1")
        adjust(store, "adj-2", customer="C-2")
        adjust(store, "adj-3", at=pendulum.datetime(2025, 7, 1, 0, 5, tz="Asia/Shanghai"))

        assert (points(store), points(store, "C-2")) == (Decimal(90), Decimal(85))

    def test_a_retry_adjusts_once_and_stores_one_grant(self, store: MemoryStore) -> None:
        first = adjust(store, "adj-1", "2")

        assert adjust(store, "adj-1", "2") == first
        assert points(store) == Decimal(82)
        with store.unit_of_work() as uow:
            assert len(uow.audit.records()) == 1

    def test_a_score_leaving_the_range_is_refused_and_its_grant_not_kept(
        self, store: MemoryStore
    ) -> None:
        with store.unit_of_work() as uow:
            scores = uow.repository(CREDIT_SCORES)
            score, version = scores.get(CustomerId("C-1"))
            scores.save(CreditScore(customer_id=score.customer_id, points=98), version)
            uow.commit()

        with pytest.raises(CommandRefused, match="CreditScoreOutOfRange"):
            adjust(store, "adj-1", "5")

        with store.unit_of_work() as uow:
            assert uow.audit.records() == ()

    def test_a_customer_without_a_score_is_not_found(self, store: MemoryStore) -> None:
        with pytest.raises(NotFound):
            adjust(store, "adj-1", customer="C-9")


#: The evidence the seed write-off rules ask for: the collection record and a proof of the loss.
EVIDENCE = (
    Evidence(EvidenceKind.COLLECTION_RECORD, "催收记录 2025-031"),
    Evidence(EvidenceKind.BANKRUPTCY, "(2025)苏05破17号 破产清算公告"),
)


def write_off(
    store: MemoryStore,
    key: str,
    amount: str,
    actor: Actor = COMMITTEE,
    evidence: tuple[Evidence, ...] = EVIDENCE,
) -> dict[str, JsonValue]:
    return write_off_receivable(
        store.unit_of_work,
        clock=FixedClock(JUNE),
        key=key,
        account_id="A-1",
        bill_id="B-1",
        amount=Money(amount),
        actor=actor,
        policy=COMPANY_POLICY,
        why="debtor wound up, court ruling 2025-17",
        evidence=evidence,
    )


class TestWriteOff:
    def test_an_authorised_write_off_reduces_the_bill_and_keeps_the_books(
        self, store: MemoryStore
    ) -> None:
        result = write_off(store, "wo-1", "600.00")

        assert result == {
            "account_id": "A-1",
            "bill_id": "B-1",
            "written_off": "600.00",
            "balance": "900.00",
            "write_off_id": "WO-wo-1",
        }
        with store.unit_of_work() as uow:
            receivable = uow.repository(RECEIVABLES).get(AccountId("A-1")).entity
            (grant,) = uow.audit.records(operation=WRITE_OFF_RECEIVABLE)
            (written,) = uow.outbox.events_for(RECEIVABLES.kind, "A-1")
            record = uow.repository(WRITE_OFFS).get("WO-wo-1").entity
        assert (record.amount, record.by, record.evidence) == (Money("600.00"), "board", EVIDENCE)
        assert record.rules == SEED_WRITE_OFF_RULES.key
        assert receivable.written_off == Money("600.00")
        assert receivable.reconciles
        assert (grant.granted_by, grant.magnitude) == ("bad_debt_committee", Decimal("600.00"))
        assert written.event_type == "ReceivableWrittenOff"

    def test_no_seed_role_may_write_off(self, store: MemoryStore) -> None:
        with pytest.raises(CommandRefused, match="no role grants it"):
            write_off(store, "wo-1", "10.00", actor=AUDITOR)

        with store.unit_of_work() as uow:
            assert uow.repository(RECEIVABLES).get(AccountId("A-1")).entity.owed == Money("1500.00")
            (refusal,) = uow.audit.records()
        assert (refusal.actor, refusal.decision) == ("auditor", Decision.REFUSED)

    @pytest.mark.parametrize(
        ("evidence", "missing"),
        [
            ((), "missing evidence: collection_record"),
            (EVIDENCE[1:], "missing evidence: collection_record"),
            (EVIDENCE[:1], "no evidence of the loss"),
        ],
    )
    def test_a_write_off_without_the_evidence_is_refused_naming_the_rule(
        self, store: MemoryStore, evidence: tuple[Evidence, ...], missing: str
    ) -> None:
        with pytest.raises(CommandRefused, match=missing) as refused:
            write_off(store, "wo-1", "10.00", evidence=evidence)

        assert "四(三)收费制度 6" in str(refused.value)
        assert "不得擅自做坏帐处理" in str(refused.value)
        with store.unit_of_work() as uow:
            assert uow.repository(RECEIVABLES).get(AccountId("A-1")).entity.owed == Money("1500.00")
            assert uow.repository(WRITE_OFFS).find("WO-wo-1") is None

    def test_a_reduction_of_arrears_is_refused_with_the_seed_rule(self) -> None:
        refused = refuse_reduction("waive 200.00 of bill B-1")
        assert str(refused) == (
            "write-off refused: waive 200.00 of bill B-1: arrears may not be reduced or waived "
            "(不得同意减、免欠费); 不得擅自做坏帐处理 (供电所农电营销工作管理制度 四(三)收费制度 6)"
        )

    def test_a_write_off_beyond_the_authority_limit_is_refused(self, store: MemoryStore) -> None:
        with pytest.raises(CommandRefused, match="exceeds the authority limit 1000"):
            write_off(store, "wo-1", "1000.01")

    def test_a_write_off_beyond_what_the_bill_owes_is_refused(self, store: MemoryStore) -> None:
        write_off(store, "wo-1", "1000.00")

        with pytest.raises(CommandRefused, match="NothingToWriteOff"):
            write_off(store, "wo-2", "600.00")

    def test_the_amount_must_be_money(self, store: MemoryStore) -> None:
        with pytest.raises(InvalidInput, match="amount"):
            write_off_receivable(
                store.unit_of_work,
                clock=FixedClock(JUNE),
                key="wo-1",
                account_id="A-1",
                bill_id="B-1",
                amount="10.00",  # type: ignore[arg-type]
                actor=COMMITTEE,
                policy=COMPANY_POLICY,
                why="x",
            )
        with pytest.raises(InvalidInput, match="evidence"):
            write_off_receivable(
                store.unit_of_work,
                clock=FixedClock(JUNE),
                key="wo-1",
                account_id="A-1",
                bill_id="B-1",
                amount=Money("10.00"),
                actor=COMMITTEE,
                policy=COMPANY_POLICY,
                why="x",
                evidence=["a court ruling"],  # type: ignore[list-item]
            )
