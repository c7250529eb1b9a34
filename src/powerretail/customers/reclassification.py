"""The annual reclassification of a book of customers, done each January.

The supply office classifies its large customers each January from last year's consumption
(供电所大客户维护与管理办法 第三条: 营业厅应在每年1月,完成年度大客户的统计分类),
and the customer department adjusts key-account classes and grades as customers change
(电力公司大客户管理制度 第十条 (二): 负责大客户的分类、分级和动态调整).
:func:`reclassify` does this as one pure function:
it takes the book as it stands, returns every customer's new :class:`Tiering` and the list of
:class:`Change` s, each with the decisions that caused it. Storing the result is the caller's job.

Customers are processed in id order; a manager's account count goes up with each account given
to them, so new key accounts are spread the same way whatever order the book came in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Final

import attrs

from powerretail.customers.managers import AssignmentPolicy, assign_manager
from powerretail.customers.parties import Customer, KeyAccountManager, ManagerLevel
from powerretail.customers.tiering import (
    Decision,
    ImportantCategory,
    ImportantCustomerPolicy,
    KeyAccountClass,
    KeyAccountGrade,
    KeyAccountProfile,
    LargeCustomerPolicy,
    ScoringPolicy,
    UsageYear,
    classify_important_customer,
    classify_key_account,
    classify_large_customer,
    grade_key_account,
)
from powerretail.errors import InvalidInput
from powerretail.ids import CustomerId, ManagerId

__all__ = [
    "NOT_TIERED",
    "BookEntry",
    "Change",
    "Reclassification",
    "Tiering",
    "TieringPolicy",
    "is_reclassification_overdue",
    "reclassify",
]


@attrs.frozen(kw_only=True)
class Tiering:
    """Where a customer stands: large or not, important category, key-account class and grade,
    and the manager who looks after it (None where none applies)."""

    large: bool = False
    important_category: ImportantCategory | None = None
    key_class: KeyAccountClass | None = None
    key_grade: KeyAccountGrade | None = None
    manager_id: ManagerId | None = None


#: A customer that has never been classified.
NOT_TIERED: Final = Tiering()


@attrs.frozen(kw_only=True)
class TieringPolicy:
    """The policies one reclassification runs under."""

    large: LargeCustomerPolicy
    important: ImportantCustomerPolicy
    scoring: ScoringPolicy
    assignment: AssignmentPolicy


@attrs.frozen(kw_only=True)
class BookEntry:
    """One customer in the book: where it stands now and the facts to classify it on.

    ``usage`` is last year's consumption (None for a customer with none); ``profile`` its
    key-account attributes (None: not considered for key-account scoring).
    """

    customer: Customer
    current: Tiering = NOT_TIERED
    usage: UsageYear | None = None
    profile: KeyAccountProfile | None = None


def _show(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(getattr(value, "value", value))


def _decisions(value: Iterable[Decision[Any]]) -> tuple[Decision[Any], ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Change:
    """``field`` of ``customer_id`` goes from ``before`` to ``after`` because of ``reasons``."""

    customer_id: CustomerId
    field: str
    before: str
    after: str
    reasons: tuple[Decision[Any], ...] = attrs.field(converter=_decisions)

    def __str__(self) -> str:
        why = "; ".join(d.reason for d in self.reasons)
        return f"{self.customer_id} {self.field}: {self.before} → {self.after} ({why})"


@attrs.frozen(kw_only=True)
class Reclassification:
    """The outcome of one annual run: every customer's tiering, the changes and all decisions."""

    year: int
    tierings: tuple[tuple[CustomerId, Tiering], ...]
    changes: tuple[Change, ...]
    decisions: tuple[tuple[CustomerId, Decision[Any]], ...]

    def tiering_of(self, customer_id: CustomerId) -> Tiering:
        """Return the new tiering of ``customer_id``.

        Raises:
            KeyError: the customer was not in the book.
        """
        return dict(self.tierings)[customer_id]


def is_reclassification_overdue(*, last_run_for: int | None, on: date) -> bool:
    """Return whether the run for ``on``'s year should have been done by ``on``.

    The run for a year is due in January and overdue from 1 February (苏州供电公司大客户管理
    供电所大客户维护与管理办法 第三条).

    >>> is_reclassification_overdue(last_run_for=2024, on=date(2025, 1, 31))
    False
    >>> is_reclassification_overdue(last_run_for=2024, on=date(2025, 2, 1))
    True
    """
    done = last_run_for is not None and last_run_for >= on.year
    return not done and on.month > 1


def _no_usage(year: int, policy: LargeCustomerPolicy) -> Decision[bool]:
    return Decision(
        rule="large_customer",
        rule_set=policy.key,
        outcome=False,
        inputs={"year": str(year), "months": "0"},
        threshold=f"average monthly consumption >= {policy.threshold_kwh} kWh",
        source=policy.source,
        reason=f"no consumption recorded in {year}",
    )


def _no_profile(rule: str, policy: ScoringPolicy) -> Decision[Any]:
    return Decision(
        rule=rule,
        rule_set=policy.key,
        outcome=None,
        inputs={"profile": "—"},
        threshold="a key-account profile to score",
        source="电力公司大客户管理制度 第八条、第九条",
        reason="no key-account profile in the book: not a key account",
    )


def _counts(managers: Sequence[KeyAccountManager]) -> dict[ManagerId, KeyAccountManager]:
    return {m.id: m for m in managers}


def reclassify(
    book: Sequence[BookEntry],
    *,
    year: int,
    policy: TieringPolicy,
    managers: Sequence[KeyAccountManager] = (),
) -> Reclassification:
    """Classify every customer in ``book`` for ``year`` from its facts about ``year - 1``.

    A key account keeps its manager while the manager still fits its level, region and industry;
    otherwise it gets one by :func:`~powerretail.customers.managers.assign_manager`. A customer
    that stops being a key account loses its manager.

    Raises:
        InvalidInput: a customer appears twice, or usage is not from ``year - 1``.
        NoManagerAvailable: a key account needs a manager and none fits.
    """
    ids = [entry.customer.id for entry in book]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise InvalidInput("book", repeated, "each customer once")
    last_year = year - 1
    pool = _counts(managers)
    tierings: list[tuple[CustomerId, Tiering]] = []
    changes: list[Change] = []
    decisions: list[tuple[CustomerId, Decision[Any]]] = []
    for entry in sorted(book, key=lambda e: e.customer.id):
        customer = entry.customer
        if entry.usage is not None and entry.usage.year != last_year:
            raise InvalidInput(f"book[{customer.id}].usage.year", entry.usage.year, str(last_year))
        large = (
            classify_large_customer(entry.usage, policy.large)
            if entry.usage is not None
            else _no_usage(last_year, policy.large)
        )
        important = classify_important_customer(customer, policy.important)
        made: list[Decision[Any]] = [large, important]
        if entry.profile is not None:
            grade_decision = grade_key_account(entry.profile, policy.scoring)
            class_decision = classify_key_account(entry.profile, policy.scoring)
        else:
            grade_decision = _no_profile("key_account_grade", policy.scoring)
            class_decision = _no_profile("key_account_class", policy.scoring)
        grade, key_class = grade_decision.outcome, class_decision.outcome
        made += [grade_decision, class_decision]
        manager_id: ManagerId | None = None
        manager_decision: Decision[Any] | None = None
        if grade is not None:
            kept = pool.get(entry.current.manager_id) if entry.current.manager_id else None
            level = policy.assignment.level_for(grade)
            if kept is not None and (
                kept.level == level
                and (level == ManagerLevel.COMPANY or kept.covers_region(customer.region))
                and kept.covers_industry(customer.industry)
            ):
                manager_id = kept.id
            else:
                manager_decision = assign_manager(
                    customer, grade, sorted(pool.values(), key=lambda m: m.id), policy.assignment
                )
                manager_id = manager_decision.outcome
                chosen = pool[manager_id]
                pool[manager_id] = attrs.evolve(chosen, accounts=chosen.accounts + 1)
                made.append(manager_decision)
        new = Tiering(
            large=large.outcome,
            important_category=important.outcome,
            key_class=key_class,
            key_grade=grade,
            manager_id=manager_id,
        )
        old = entry.current
        reasons_by_field: dict[str, tuple[Decision[Any], ...]] = {
            "large": (large,),
            "important_category": (important,),
            "key_class": (class_decision,),
            "key_grade": (grade_decision,),
            "manager_id": (manager_decision or grade_decision,),
        }
        for name, reasons in reasons_by_field.items():
            before, after = getattr(old, name), getattr(new, name)
            if before != after:
                changes.append(
                    Change(
                        customer_id=customer.id,
                        field=name,
                        before=_show(before),
                        after=_show(after),
                        reasons=reasons,
                    )
                )
        tierings.append((customer.id, new))
        decisions.extend((customer.id, d) for d in made)
    return Reclassification(
        year=year, tierings=tuple(tierings), changes=tuple(changes), decisions=tuple(decisions)
    )
