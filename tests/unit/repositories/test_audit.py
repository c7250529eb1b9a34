"""The audit port's helpers: encoding records, storing a refusal on its own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from powerretail.access import (
    CHANGE_TARIFF_ARCHIVE,
    SEED_POLICY,
    Actor,
    AuditRecord,
    Decision,
    PermissionDenied,
    authorize,
)
from powerretail.adapters.memory import MemoryStore
from powerretail.errors import InvalidInput
from powerretail.ids import ActorId
from powerretail.repositories.audit import (
    decode_audit_record,
    encode_audit_record,
    store_refusal,
)

AT = datetime(2025, 6, 1, 1, tzinfo=UTC)
CLERK = Actor(id="u-8", name="Li", roles=frozenset({"customer_service"}))


def a_refusal() -> PermissionDenied:
    with pytest.raises(PermissionDenied) as refused:
        authorize(SEED_POLICY, CLERK, CHANGE_TARIFF_ARCHIVE, subject="tariff T", at=AT, why="x")
    return refused.value


class TestEncoding:
    def test_a_refusal_is_read_back_equal(self) -> None:
        record = a_refusal().audit
        assert record is not None

        assert decode_audit_record(encode_audit_record(record)) == record

    def test_a_record_stored_before_decisions_were_recorded_reads_as_a_grant(self) -> None:
        old = {
            "actor": "boss",
            "roles": ["legal_representative"],
            "granted_by": "legal_representative",
            "operation": "sign_contract",
            "subject": "K-1/v1",
            "at": "2025-06-01T01:00:00+00:00",
            "why": "agreed",
            "magnitude": None,
            "limit": None,
            "source": "",
        }

        record = decode_audit_record(old)

        assert (record.decision, record.reason, record.policy) == (Decision.GRANTED, "", "")

    def test_only_an_audit_record_is_encoded(self) -> None:
        with pytest.raises(InvalidInput, match="an AuditRecord"):
            encode_audit_record({"actor": "u-1"})  # type: ignore[arg-type]


class TestStoreRefusal:
    def test_stores_the_refusal_record_in_a_unit_of_its_own(self) -> None:
        store = MemoryStore()
        refused = a_refusal()

        store_refusal(store.unit_of_work, refused)

        with store.unit_of_work() as uow:
            assert uow.audit.records() == (refused.audit,)

    def test_a_refusal_built_by_hand_has_nothing_to_store(self) -> None:
        store = MemoryStore()
        by_hand = PermissionDenied(ActorId("u-8"), (), CHANGE_TARIFF_ARCHIVE, "tariff T", "no")

        store_refusal(store.unit_of_work, by_hand)

        with store.unit_of_work() as uow:
            assert uow.audit.records() == ()
        assert isinstance(a_refusal().audit, AuditRecord)
