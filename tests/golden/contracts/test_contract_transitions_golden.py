"""Every (state, event) pair of the contract machine: allowed ones with their guard met and not
met, refused ones refused — checked against the hand-written table beside this file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest

from powerretail.access import SEED_POLICY, SIGN_CONTRACT, Actor, AuditRecord, authorize
from powerretail.contracts.lifecycle import (
    CONTRACT_MACHINE,
    Contract,
    ContractEvent,
    ContractState,
    Department,
    Verdict,
)
from powerretail.contracts.terms import ContractTerm
from powerretail.ids import ActorId, ContractId
from powerretail.statemachine import GuardRefused, TransitionNotAllowed
from tests.strategies.customers import CONTRACT_AT, a_contract, an_opinion

TABLE = json.loads((Path(__file__).parent / "contract_transitions.json").read_text("utf-8"))
ALLOWED = {(s, e): (t, g) for s, e, t, g in TABLE["allowed"]}
BOSS = Actor(id=ActorId("boss"), name="Boss", roles=frozenset({"legal_representative"}))
GRANT = authorize(SEED_POLICY, BOSS, SIGN_CONTRACT, subject="K-1/v1", at=CONTRACT_AT, why="agreed")
#: The same record built by hand: evidence of a signing, not a grant to sign.
FORGED = AuditRecord(
    actor=ActorId("boss"),
    roles=("legal_representative",),
    granted_by="legal_representative",
    operation=SIGN_CONTRACT,
    subject="K-1/v1",
    at=CONTRACT_AT,
    why="agreed",
    source=GRANT.source,
    policy=SEED_POLICY.key,
)
HEARD = tuple(an_opinion(d) for d in (Department.MARKET, Department.FINANCE, Department.TECHNICAL))


def met(guard: str | None, contract: Contract) -> tuple[Contract, dict[str, Any]]:
    """Return a contract and a context under which ``guard`` allows the arrow."""
    if guard == "opinion_from_a_department_not_yet_heard":
        return contract, {"opinion": an_opinion(Department.MARKET)}
    if guard == "every_department_heard":
        return attrs.evolve(contract, opinions=HEARD), {}
    if guard == "opinion_from_legal":
        return contract, {"opinion": an_opinion(Department.LEGAL)}
    if guard == "no_opinion_rejects":
        return attrs.evolve(
            contract, opinions=HEARD, legal_opinion=an_opinion(Department.LEGAL)
        ), {}
    if guard == "signed_with_authority_and_numbered":
        return contract, {"grant": GRANT, "number": "SD-2025-00001"}
    if guard == "term_is_renewable":
        return contract, {}
    if guard == "term_has_ended":
        return contract, {"on": contract.term.end}
    if guard == "successor_signed":
        successor = attrs.evolve(
            contract,
            id=ContractId("K-2"),
            version=2,
            amends=contract.id,
            state=ContractState.ACTIVE,
        )
        return contract, {"successor": successor}
    if guard == "reason_given":
        return contract, {"reason": "customer withdrew"}
    assert guard is None
    return contract, {}


def not_met(guard: str, contract: Contract) -> tuple[Contract, dict[str, Any]]:
    """Return a contract and a context under which ``guard`` refuses the arrow."""
    if guard == "opinion_from_a_department_not_yet_heard":
        return attrs.evolve(contract, opinions=HEARD), {"opinion": an_opinion(Department.MARKET)}
    if guard == "every_department_heard":
        return attrs.evolve(contract, opinions=HEARD[:2]), {}
    if guard == "opinion_from_legal":
        return contract, {"opinion": an_opinion(Department.FINANCE)}
    if guard == "no_opinion_rejects":
        rejected = (*HEARD[:2], an_opinion(Department.TECHNICAL, Verdict.REJECT))
        return attrs.evolve(
            contract, opinions=rejected, legal_opinion=an_opinion(Department.LEGAL)
        ), {}
    if guard == "signed_with_authority_and_numbered":
        return contract, {"grant": GRANT, "number": " "}
    if guard == "term_is_renewable":
        return attrs.evolve(
            contract, term=ContractTerm(start="2025-04-01", end="2026-04-01", renewal_months=0)
        ), {}
    if guard == "term_has_ended":
        return contract, {"on": date(2026, 3, 31)}
    if guard == "successor_signed":
        draft = attrs.evolve(
            contract, id=ContractId("K-2"), version=2, amends=contract.id, state=ContractState.DRAFT
        )
        return contract, {"successor": draft}
    assert guard == "reason_given"
    return contract, {"reason": "  "}


PAIRS = [(s, e) for s in ContractState for e in ContractEvent]


@pytest.mark.parametrize(("state", "event"), PAIRS, ids=[f"{s.value}-{e.value}" for s, e in PAIRS])
def test_transition(state: ContractState, event: ContractEvent) -> None:
    contract = attrs.evolve(a_contract(), state=state)
    expected = ALLOWED.get((state.value, event.value))

    if expected is None:
        with pytest.raises(TransitionNotAllowed):
            CONTRACT_MACHINE.next_state(state, event, *met(None, contract))
        return

    target, guard = expected
    entity, context = met(guard, contract)
    grant = context.pop("grant", None)
    assert CONTRACT_MACHINE.next_state(state, event, entity, context, grant=grant).value == target
    if guard is not None:
        entity, context = not_met(guard, contract)
        grant = context.pop("grant", None)
        with pytest.raises(GuardRefused, match=guard):
            CONTRACT_MACHINE.next_state(state, event, entity, context, grant=grant)


def test_signing_refuses_a_forged_signature_record() -> None:
    # Before the fix the guard took any AuditRecord naming sign_contract as the signature.
    contract = attrs.evolve(a_contract(), state=ContractState.SIGNING)
    number = "SD-2025-00001"
    assert FORGED == GRANT

    for forged in ({"signature": FORGED}, {"grant": FORGED}):
        with pytest.raises(GuardRefused, match="signed_with_authority_and_numbered"):
            CONTRACT_MACHINE.next_state(
                ContractState.SIGNING, ContractEvent.SIGN, contract, {**forged, "number": number}
            )
    with pytest.raises(GuardRefused, match="signed_with_authority_and_numbered"):
        CONTRACT_MACHINE.next_state(
            ContractState.SIGNING, ContractEvent.SIGN, contract, {"number": number}, grant=FORGED
        )


def test_signing_refuses_a_copy_of_a_genuine_grant() -> None:
    contract = attrs.evolve(a_contract(), state=ContractState.SIGNING)

    with pytest.raises(GuardRefused):
        CONTRACT_MACHINE.next_state(
            ContractState.SIGNING,
            ContractEvent.SIGN,
            contract,
            {"number": "SD-1"},
            grant=attrs.evolve(GRANT),
        )


def test_the_table_lists_every_arrow_of_the_machine() -> None:
    arrows = {
        (a.source.value, a.event.value, a.target.value, a.guard_name or None)
        for a in CONTRACT_MACHINE.transitions
    }

    assert arrows == {tuple(row) for row in TABLE["allowed"]}


def test_archived_is_the_only_final_state() -> None:
    assert CONTRACT_MACHINE.finals == {ContractState.ARCHIVED}
