"""Billing profiles stored before a 0 contract demand, a negative ytd_kwh or a swap (暂换) longer
than its limit were refused load.

The rows are written as an earlier version wrote them (schema 1, no ``notes``), straight into
an SQLite file, and read back through the store.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from powerretail.adapters.sqlite import SqliteStore
from powerretail.billing.capacity import SWAP_LIMITS_1996
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


OLD_RULES = {
    "name": "GYGZ1996",
    "source": "《供电营业规则》(1996, 电力工业部令第8号) 第二十三条、第二十四条、第二十五条",
    "suspension_times_per_year": 2,
    "suspension_min_days": 15,
    "suspension_days_per_year": 180,
    "reduction_min_months": 6,
    "reduction_max_months": 24,
    "two_year_rule_years": 2,
    "two_year_rule_share": "0.5",
    "demand_suspends_whole": True,
    "notice_days": 5,
}


def swap_facts(swap_back_on: str) -> dict[str, object]:
    """Facts as schema 2 stored them: rules without swap_limits, no supply_voltage."""
    history = {
        "installed_kva": "630",
        "changes": [
            {"kind": "swap", "on": "2026-03-10", "kva": "630", "to_kva": "800"},
            {"kind": "swap_back", "on": swap_back_on, "kva": "630"},
        ],
        "rules": OLD_RULES,
    }
    facts = {**OLD_FACTS, "capacity_kva": None, "contract_demand_kw": None, "ytd_kwh": "0"}
    return {**facts, "basic_charge_basis": "capacity", "capacity_history": history}


def write_schema_2_row(path: Path, body: dict[str, object]) -> None:
    write_old_row(path, {**body, "notes": []})
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE aggregates SET schema = 2 WHERE kind = 'billing_profile'")
    connection.close()


class TestProfilesStoredBeforeTheSwapLimit:
    def test_a_swap_longer_than_the_limit_loads_without_the_limit_with_a_note(
        self, path: Path
    ) -> None:
        write_schema_2_row(path, old_profile(swap_facts("2026-06-10")))  # 3 months: 10 kV assumed

        profile = load(path)

        history = profile.facts.capacity_history
        assert history is not None
        assert history.rules.swap_limits == ()
        assert history.running_kva_on(date(2026, 6, 9)) == 800
        (note,) = profile.notes
        assert note == (
            "capacity_history stored by an earlier version has a swap (暂换) longer than "
            "《供电营业规则》第二十五条 allows: read without the swap limit; check the swap"
        )

    def test_a_swap_within_the_limit_loads_with_the_limit_and_no_note(self, path: Path) -> None:
        write_schema_2_row(path, old_profile(swap_facts("2026-05-10")))

        profile = load(path)

        assert profile.facts.capacity_history is not None
        assert profile.facts.capacity_history.rules.swap_limits == SWAP_LIMITS_1996
        assert profile.notes == ()

    def test_a_schema_1_profile_is_upgraded_through_both_steps(self, path: Path) -> None:
        write_old_row(path, old_profile({**swap_facts("2026-06-10"), "contract_demand_kw": "0"}))

        notes = load(path).notes

        assert [note.split(" ")[0] for note in notes] == ["contract_demand_kw", "capacity_history"]

    def test_a_history_wrong_in_another_way_is_still_refused(self, path: Path) -> None:
        facts = swap_facts("2026-06-10")
        history = facts["capacity_history"]
        assert isinstance(history, dict)
        write_schema_2_row(
            path,
            old_profile({**facts, "capacity_history": {**history, "installed_kva": "-1"}}),
        )

        with pytest.raises(InvalidInput, match="kva"):
            load(path)

    def test_a_profile_without_a_history_is_left_as_it_is(self) -> None:
        facts = {**OLD_FACTS, "contract_demand_kw": "5", "ytd_kwh": "0"}

        profile = BILLING_PROFILES.decode(old_profile(facts), 2)  # type: ignore[arg-type]

        assert profile.notes == ()
