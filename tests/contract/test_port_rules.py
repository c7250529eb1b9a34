"""The written port rules (docs/reference/ports.md) and the contract tests checking them.

Every rule id in the specification is checked by a contract test and every contract test names
a written rule; a store broken on purpose fails the test of the rule it breaks, and the failure
names that rule.
"""

from __future__ import annotations

import datetime as dt
import re
import types
from pathlib import Path
from typing import Any

import pytest

from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.errors import ConcurrencyConflict
from powerretail.repositories.aggregates import Aggregate, AggregateRepository
from powerretail.repositories.events import Inbox, Outbox, OutboxEvent
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.testing.contract import RULES_OF, StorageContract, checks
from powerretail.testing.faults import DelegatingUnitOfWork

SPEC = Path(__file__).parents[2] / "docs" / "reference" / "ports.md"
RULE = re.compile(r"^#+ (P-[A-Z]+-\d+)\b", re.MULTILINE)


def _written_rules() -> list[str]:
    return RULE.findall(SPEC.read_text(encoding="utf-8"))


def _contract_tests() -> list[str]:
    return [name for name in dir(StorageContract) if name.startswith("test_")]


class TestTheSpecificationAndTheSuiteAgree:
    def test_every_rule_is_written_once(self) -> None:
        rules = _written_rules()

        assert len(rules) >= 20
        assert len(rules) == len(set(rules))

    def test_every_written_rule_is_checked_by_a_contract_test(self) -> None:
        checked = {rule for rules in RULES_OF.values() for rule in rules}

        assert set(_written_rules()) - checked == set()

    def test_every_rule_a_test_names_is_written(self) -> None:
        checked = {rule for rules in RULES_OF.values() for rule in rules}

        assert checked - set(_written_rules()) == set()

    def test_every_contract_test_names_its_rules_first_in_its_docstring(self) -> None:
        for name in _contract_tests():
            test = getattr(StorageContract, name)
            assert name in RULES_OF, f"{name} names no rule: decorate it with @checks(...)"
            assert (test.__doc__ or "").startswith(", ".join(RULES_OF[name]) + ":"), name


class TestAFailureNamesTheRule:
    def test_an_assertion_is_reported_with_its_rule_and_message(self) -> None:
        @checks("P-UOW-4")
        def broken() -> None:
            written = ["E-1"]
            assert written == [], "the loser was written"

        with pytest.raises(AssertionError, match=r"^rule P-UOW-4 broken: AssertionError: the lo"):
            broken()

    def test_an_unexpected_error_and_a_missing_raise_are_reported_too(self) -> None:
        @checks("P-IN-1", "P-IN-2")
        def crashes() -> None:
            raise KeyError("inbox")

        @checks("P-OUT-2")
        def does_not_raise() -> None:
            with pytest.raises(ValueError, match="dup"):
                pass

        with pytest.raises(AssertionError, match=r"^rule P-IN-1, P-IN-2 broken: KeyError"):
            crashes()
        with pytest.raises(AssertionError, match=r"^rule P-OUT-2 broken: Failed: DID NOT RAISE"):
            does_not_raise()

    def test_a_passing_test_returns_what_it_returns(self) -> None:
        @checks("P-CLK-1")
        def fine() -> int:
            return 7

        assert fine() == 7


# ---------------------------------------------------------------------- stores broken on purpose


class _Broken(DelegatingUnitOfWork):
    """A memory unit of work that breaks one written rule."""

    def __init__(self, inner: UnitOfWork, store: MemoryStore, breaks: str) -> None:
        super().__init__(inner)
        self._store = store
        self._breaks = breaks
        self._entered = False

    def repository(self, aggregate: Aggregate[Any, Any]) -> AggregateRepository[Any, Any]:
        if self._breaks == "P-UOW-1" and not self._entered:  # answers before it was entered
            return self._store.unit_of_work().__enter__().repository(aggregate)
        return self._inner.repository(aggregate)

    def __enter__(self) -> _Broken:
        self._entered = True
        return super().__enter__()

    def commit(self) -> None:
        try:
            self._inner.commit()
        except ConcurrencyConflict:
            if self._breaks == "P-UOW-5":  # stays usable after its commit raised
                self._inner = self._store.unit_of_work().__enter__()
                self._entered = False  # and leaving the block does not close it
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: types.TracebackType | None,
    ) -> None:
        if self._entered:
            super().__exit__(exc_type, exc, traceback)

    @property
    def outbox(self) -> Outbox:
        inner = self._inner.outbox
        if self._breaks != "P-OUT-3":
            return inner

        class Unlimited:  # ignores the limit
            def unpublished(self, limit: int = 100) -> tuple[OutboxEvent, ...]:
                return inner.unpublished(limit + 100)

            def __getattr__(self, name: str) -> Any:
                return getattr(inner, name)

        return Unlimited()  # type: ignore[return-value]

    @property
    def inbox(self) -> Inbox:
        inner = self._inner.inbox
        if self._breaks != "P-IN-1":
            return inner
        seen: set[tuple[str, str]] = set()

        class Forgiving:  # records a duplicate again instead of refusing it
            def record_processed(self, consumer: str, event: OutboxEvent) -> None:
                if (consumer, event.event_id) in seen or inner.has_processed(
                    consumer, event.event_id
                ):
                    return
                seen.add((consumer, event.event_id))
                inner.record_processed(consumer, event)

            def __getattr__(self, name: str) -> Any:
                return getattr(inner, name)

        return Forgiving()  # type: ignore[return-value]


def _broken(breaks: str) -> UnitOfWorkFactory:
    store = MemoryStore()

    def make() -> UnitOfWork:
        return _Broken(store.unit_of_work(), store, breaks)

    return make


class TestABrokenStoreFailsTheRuleItBreaks:
    @pytest.mark.parametrize(
        ("breaks", "test"),
        [
            ("P-UOW-1", "test_a_unit_not_yet_entered_refuses_use"),
            ("P-UOW-5", "test_a_unit_whose_commit_raised_is_closed_and_wrote_nothing"),
            ("P-OUT-3", "test_unpublished_gives_the_oldest_first_up_to_the_limit"),
            ("P-IN-1", "test_the_inbox_remembers_each_consumer_apart"),
        ],
    )
    def test_the_failure_names_the_broken_rule(self, breaks: str, test: str) -> None:
        suite = StorageContract()
        check = getattr(suite, test)
        arguments: dict[str, Any] = {"make_unit_of_work": _broken(breaks)}
        if "clock" in check.__wrapped__.__code__.co_varnames:
            arguments["clock"] = FixedClock(dt.datetime(2025, 3, 1, tzinfo=dt.UTC))

        with pytest.raises(AssertionError, match=rf"^rule [^:]*{breaks}[^:]* broken: "):
            check(**arguments)
        getattr(StorageContract(), test)(**{**arguments, "make_unit_of_work": _broken("none")})

    def test_a_naive_clock_fails_the_clock_rule(self) -> None:
        naive = types.SimpleNamespace(now=lambda: dt.datetime(2025, 3, 1, 9))  # noqa: DTZ001

        with pytest.raises(AssertionError, match=r"^rule P-CLK-1 broken: "):
            StorageContract().test_the_clock_tells_an_aware_instant(clock=naive)
