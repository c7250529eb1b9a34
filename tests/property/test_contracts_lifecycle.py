"""Stateful test of the contract lifecycle against a model built from the hand-written table.

Every step tries an event, with its guard met or not; the model (the golden table plus what it
remembers of opinions) predicts whether the step succeeds and where it leads. Invariants after
each step: the state is declared, the implementation agrees with the model, an active contract
is numbered and signed, nothing leaves the final state, every move is in the history.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import attrs
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from powerretail.access import SEED_POLICY, Actor
from powerretail.contracts import lifecycle as lc
from powerretail.contracts.lifecycle import (
    CONTRACT_MACHINE,
    Contract,
    ContractEvent,
    ContractState,
    Department,
    Verdict,
)
from powerretail.errors import PowerRetailError
from powerretail.ids import ActorId, ContractId
from tests.strategies.customers import CONTRACT_AT, a_contract, an_opinion

TABLE = json.loads(
    (Path(__file__).parent.parent / "golden" / "contracts" / "contract_transitions.json").read_text(
        "utf-8"
    )
)
ALLOWED = {(s, e): (t, g) for s, e, t, g in TABLE["allowed"]}
REVIEWERS = (Department.MARKET, Department.FINANCE, Department.TECHNICAL)
BOSS = Actor(id=ActorId("boss"), name="Chen", roles=frozenset({"authorised_representative"}))
CLERK = Actor(id=ActorId("clerk"), name="Li", roles=frozenset({"customer_service"}))


class ContractLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.contract = a_contract()
        self.state = "draft"
        self.heard: dict[Department, Verdict] = {}
        self.legal: Verdict | None = None
        self.moves = 0
        self.clock = CONTRACT_AT

    def _guard_met(self, guard: str | None, good: bool, department: Department) -> bool:
        if guard == "opinion_from_a_department_not_yet_heard":
            return department not in self.heard
        if guard == "every_department_heard":
            return len(self.heard) == len(REVIEWERS)
        if guard == "no_opinion_rejects":
            verdicts = [*self.heard.values(), self.legal]
            return len(self.heard) == len(REVIEWERS) and Verdict.REJECT not in verdicts
        if guard == "term_is_renewable":
            return True
        return guard is None or good

    def _perform(
        self, event: ContractEvent, good: bool, department: Department, verdict: Verdict
    ) -> Contract:
        c, at = self.contract, self.clock
        if event is ContractEvent.SUBMIT:
            return lc.submit_for_review(c, at=at, by="sales")
        if event is ContractEvent.RECORD_OPINION:
            return lc.record_department_opinion(
                c, attrs.evolve(an_opinion(department, verdict), at=at)
            )
        if event is ContractEvent.COMPLETE_DEPARTMENT_REVIEW:
            return lc.complete_department_review(c, at=at, by="sales")
        if event is ContractEvent.RECORD_LEGAL_OPINION:
            chosen = Department.LEGAL if good else Department.FINANCE
            return lc.record_legal_opinion(c, attrs.evolve(an_opinion(chosen, verdict), at=at))
        if event is ContractEvent.AGREE_REVISIONS:
            return lc.agree_revisions(c, at=at, by="sales", why="agreed")
        if event is ContractEvent.RESUBMIT:
            return lc.resubmit(c, at=at, by="sales", why="changed")
        if event is ContractEvent.SIGN:
            signatory = BOSS if good else CLERK
            number = c.number or "SD-2025-00001"
            return lc.sign(
                c, signatory=signatory, policy=SEED_POLICY, number=number, at=at, why="ok"
            )
        if event is ContractEvent.SUSPEND:
            return lc.suspend(c, at=at, by="ops", why="inspection" if good else "")
        if event is ContractEvent.RESUME:
            return lc.resume(c, at=at, by="ops")
        if event is ContractEvent.RENEW:
            return lc.renew(c, at=at, by="ops")
        if event is ContractEvent.TERMINATE:
            return lc.terminate(c, at=at, by="ops", why="closed" if good else " ")
        if event is ContractEvent.EXPIRE:
            on = c.term.end if good else c.term.end - timedelta(days=1)
            return lc.expire(c, on=on, at=at, by="ops")
        if event is ContractEvent.SUPERSEDE:
            successor = attrs.evolve(
                c,
                id=ContractId("K-next"),
                version=c.version + 1,
                amends=c.id,
                state=ContractState.ACTIVE if good else ContractState.DRAFT,
            )
            return lc.supersede(c, successor, at=at, by="clerk")
        if event is ContractEvent.ARCHIVE:
            return lc.archive(c, at=at, by="clerk")
        assert event is ContractEvent.ABANDON
        return lc.abandon(c, at=at, by="sales", why="lost" if good else "")

    @rule(
        event=st.sampled_from(ContractEvent),
        good=st.booleans(),
        department=st.sampled_from(REVIEWERS),
        verdict=st.sampled_from(Verdict),
    )
    def attempt(
        self, event: ContractEvent, good: bool, department: Department, verdict: Verdict
    ) -> None:
        self.clock += timedelta(minutes=1)
        arrow = ALLOWED.get((self.state, event.value))
        expected_ok = arrow is not None and self._guard_met(arrow[1], good, department)
        before = self.contract
        try:
            after = self._perform(event, good, department, verdict)
        except PowerRetailError:
            assert not expected_ok, f"{event.value} from {self.state} was refused"
            assert self.contract == before
            return
        assert expected_ok, f"{event.value} from {self.state} was allowed"
        assert arrow is not None
        self.contract = after
        self.state = arrow[0]
        self.moves += 1
        if event is ContractEvent.RECORD_OPINION:
            self.heard[department] = verdict
        elif event is ContractEvent.RECORD_LEGAL_OPINION:
            self.legal = verdict
        elif event is ContractEvent.RESUBMIT:
            self.heard, self.legal = {}, None

    @rule(
        data=st.data(),
        department=st.sampled_from(REVIEWERS),
        verdict=st.sampled_from(
            [Verdict.APPROVE] * 8 + [Verdict.APPROVE_WITH_CHANGES, Verdict.REJECT]
        ),
    )
    def advance(self, data: st.DataObject, department: Department, verdict: Verdict) -> None:
        """Try an event the table allows from here, with its guard met: walks deeper."""
        events = sorted(e for s, e in ALLOWED if s == self.state and e != "abandon")
        if events:
            event = ContractEvent(data.draw(st.sampled_from(events)))
            unheard = [d for d in REVIEWERS if d not in self.heard]
            if event is ContractEvent.RECORD_OPINION and unheard:
                department = unheard[0]
            rejected = Verdict.REJECT in (*self.heard.values(), self.legal)
            if self.state == "revision":
                event = ContractEvent.RESUBMIT if rejected else ContractEvent.AGREE_REVISIONS
            self.attempt(event, True, department, verdict)

    @invariant()
    def the_state_is_declared_and_agrees_with_the_model(self) -> None:
        assert self.contract.state in CONTRACT_MACHINE.states
        assert self.contract.state.value == self.state

    @invariant()
    def every_move_is_in_the_history(self) -> None:
        assert len(self.contract.history) == self.moves
        for earlier, later in zip(self.contract.history, self.contract.history[1:], strict=False):
            assert earlier.target == later.source

    @invariant()
    def an_active_contract_was_reviewed_numbered_and_signed(self) -> None:
        if self.contract.state in (ContractState.ACTIVE, ContractState.SUSPENDED):
            assert self.contract.number
            assert self.contract.signature is not None
            assert all(self.contract.opinion_of(d) is not None for d in REVIEWERS)
            assert self.contract.legal_opinion is not None

    @invariant()
    def a_final_state_is_final(self) -> None:
        if CONTRACT_MACHINE.is_final(self.contract.state):
            assert not [a for a in CONTRACT_MACHINE.transitions if a.source == self.contract.state]


ContractLifecycle.TestCase.settings = settings(
    max_examples=100, stateful_step_count=50, deadline=None
)
TestContractLifecycle = ContractLifecycle.TestCase
