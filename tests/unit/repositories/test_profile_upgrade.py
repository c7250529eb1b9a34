"""Billing profiles stored before a 0 contract demand and a negative ytd_kwh were refused load.

The rows are written as an earlier version wrote them (schema 1, no ``notes``), straight into
an SQLite file, and read back through the store.
"""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from powerretail.adapters.sqlite import SqliteStore
from powerretail.errors import InvalidInput
from powerretail.ids import AccountId
from powerretail.repositories.billing import BILLING_PROFILES, BillingProfile

OLD_FACTS = {
    "basic_charge_basis": "demand",
    "capacity_kva": "400",
    "closed_on": None,
    "contract_demand_kw": "0",
    "hv_motor_kw": "0",
    "loss_model": {"$type": "NoLoss", "value": {}},
    "opened_on": None,
    "pf_standard": None,
    "residential": False,
    "ytd_kwh": "-2500",
}


def old_profile(facts: dict[str, object]) -> dict[str, object]:
    return {
        "account_id": "A-1",
        "active": True,
        "customer_id": "C-1",
        "customer_kind": "non_residential",
        "due_days": 15,
        "facts": facts,
        "meter_ids": ["M-1"],
        "tariff_code": "JS-CI-TOU-2P",
        "typical": None,
    }


@pytest.fixture
def path(tmp_path: Path) -> Path:
    file = tmp_path / "powerretail.sqlite"
    SqliteStore(file).close()  # the schema, as the library creates it
    return file


def write_old_row(path: Path, body: dict[str, object]) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO aggregates (kind, key, version, body, schema) VALUES (?, ?, 1, ?, 1)",
            ("billing_profile", "A-1", json.dumps(body)),
        )
        for field, value in (("customer_id", '"C-1"'), ("active", "true")):
            connection.execute(
                "INSERT INTO aggregate_index (kind, field, value, key) VALUES (?, ?, ?, ?)",
                ("billing_profile", field, value, "A-1"),
            )
    connection.close()


def load(path: Path) -> BillingProfile:
    store = SqliteStore(path)
    try:
        with store.unit_of_work() as uow:
            return uow.repository(BILLING_PROFILES).get(AccountId("A-1")).entity
    finally:
        store.close()


class TestOldProfiles:
    def test_a_zero_contract_demand_and_a_negative_ytd_load_repaired_with_notes(
        self, path: Path
    ) -> None:
        # Fails before the fix: InvalidInput (contract_demand_kw 0), the profile unreadable.
        write_old_row(path, old_profile(OLD_FACTS))

        profile = load(path)

        assert profile.facts.contract_demand_kw is None
        assert profile.facts.ytd_kwh == Decimal(0)
        assert profile.facts.capacity_kva == Decimal(400)
        assert profile.notes == (
            (
                "contract_demand_kw 0 stored by an earlier version read as not declared (the "
                "measured demand is billed)"
            ),
            (
                "ytd_kwh -2500 stored by an earlier version read as 0 (energy billed so far is "
                "never negative): check the account's opening balance"
            ),
        )

    def test_a_valid_old_profile_loads_unchanged_without_notes(self, path: Path) -> None:
        write_old_row(
            path, old_profile({**OLD_FACTS, "contract_demand_kw": "300", "ytd_kwh": "1200"})
        )

        profile = load(path)

        assert profile.facts.contract_demand_kw == Decimal(300)
        assert profile.facts.ytd_kwh == Decimal(1200)
        assert profile.notes == ()

    def test_a_repaired_profile_saved_again_keeps_its_notes_in_the_new_shape(
        self, path: Path
    ) -> None:
        write_old_row(path, old_profile({**OLD_FACTS, "ytd_kwh": "0"}))
        store = SqliteStore(path)
        with store.unit_of_work() as uow:
            profiles = uow.repository(BILLING_PROFILES)
            profile, version = profiles.get(AccountId("A-1"))
            profiles.save(profile, version)
            uow.commit()
        store.close()

        with sqlite3.connect(path) as connection:
            body, schema = connection.execute(
                "SELECT body, schema FROM aggregates WHERE kind = 'billing_profile'"
            ).fetchone()
        connection.close()
        assert schema == BILLING_PROFILES.schema_version
        assert json.loads(body)["facts"]["contract_demand_kw"] is None
        assert load(path).notes == profile.notes
        assert len(profile.notes) == 1

    def test_a_profile_that_is_wrong_in_another_way_is_still_refused(self, path: Path) -> None:
        write_old_row(path, old_profile({**OLD_FACTS, "capacity_kva": "-5"}))

        with pytest.raises(InvalidInput, match="capacity_kva"):
            load(path)

    def test_a_profile_without_facts_or_with_unreadable_numbers_is_left_to_the_decoder(
        self,
    ) -> None:
        bare = old_profile(OLD_FACTS)
        del bare["facts"]
        assert BILLING_PROFILES.decode(bare, 1).notes == ()  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="contract_demand_kw"):
            BILLING_PROFILES.decode(
                old_profile({**OLD_FACTS, "contract_demand_kw": "zero", "ytd_kwh": 5}),  # type: ignore[arg-type]
                1,
            )
