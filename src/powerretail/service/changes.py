"""Changes of use that touch billing (变更用电) as a declared state machine.

A change-of-use case asks for one change on one account: a suspension or its end (暂停/恢复), a
capacity reduction or its end (减容/恢复), a temporary transformer swap or its end (暂换/换回),
or a change of name (过户) to a new holder. The application is checked first
(:func:`check_request`): a capacity change against the account's dated capacity history with
:func:`~powerretail.billing.capacity.check_change`, a change of name against 第二十九条 (a new
holder, not the same one). A refused request ends the case as refused, naming the rule; an
allowed one is approved by whoever holds the ``approve_change_of_use`` permission (audited),
and carried out on a given day, when the change enters the account's billing (see
:mod:`powerretail.workflows.change_of_use`).

>>> details = ChangeOfUseDetails(account_id="A-1",
...     change=CapacityChange(kind="suspend", on="2026-07-11", kva=315))
>>> decision = check_request(
...     details, CapacityHistory(installed_kva=630), holder="C-1", on=date(2026, 7, 3))
>>> decision.allowed
True

Source: 《供电营业规则》(1996, 电力工业部令第8号) 第二十二条 (变更用电的种类与手续),
第二十三条 (减容), 第二十四条 (暂停), 第二十五条 (暂换), 第二十九条 (过户);
发改办价格〔2016〕1583号.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

import attrs

from powerretail.access import APPROVE_CHANGE_OF_USE
from powerretail.billing.capacity import (
    CapacityChange,
    CapacityHistory,
    ChangeDecision,
    ChangeKind,
    check_change,
)
from powerretail.errors import InvalidInput
from powerretail.ids import require_id
from powerretail.service.kinds import (
    OPENED,
    CaseEvent,
    CaseKind,
    CaseState,
    ClockSpec,
    KindSpec,
)
from powerretail.statemachine import StateMachine, Transition
from powerretail.timeframe import as_date

__all__ = [
    "CHANGE_OF_USE_KIND",
    "CHANGE_OF_USE_MACHINE",
    "ChangeOfUseDetails",
    "check_request",
    "transfer_rule",
    "transfer_settlement_rule",
]

_GYGZ: Final = "《供电营业规则》(1996, 电力工业部令第8号)"
_KEEPS: Final = " (过户: 用电地址、容量、类别不变)"
_SETTLE: Final = "第二项: 原用户应与供电企业结清债务，才能解除原供用电关系"
#: The day the 2024 revision of 《供电营业规则》 came into force.
_GYGZ2024_FROM: Final = date(2024, 6, 1)


def transfer_rule(day: date, part: str = _KEEPS) -> str:
    """Return the rule of a change of name (过户) on ``day``, followed by ``part`` of it.

    Before 2024-06-01 the 1996 text's 第二十九条; from then the 2024 revision, whose article
    numbers are not verified: it is cited as descending from the 1996 article. The check of a
    request cites it by the day the request was made, the carry-out by its day
    (:func:`transfer_settlement_rule`).

    >>> transfer_rule(date(2024, 5, 31))
    '《供电营业规则》(1996, 电力工业部令第8号) 第二十九条 (过户: 用电地址、容量、类别不变)'
    >>> for part in transfer_rule(date(2024, 6, 1)).split("; "):
    ...     print(part)
    《供电营业规则》(2024), article not verified
    as 1996 第二十九条 (过户: 用电地址、容量、类别不变)
    """
    if day < _GYGZ2024_FROM:
        return f"{_GYGZ} 第二十九条{part}"
    return f"《供电营业规则》(2024), article not verified; as 1996 第二十九条{part}"


def transfer_settlement_rule(day: date) -> str:
    """Return the rule that the old holder settles before a change of name on ``day``.

    :func:`transfer_rule` with its second item (结清债务).

    >>> head, rule = transfer_settlement_rule(date(2024, 5, 31)).split(": ")
    >>> head
    '《供电营业规则》(1996, 电力工业部令第8号) 第二十九条第二项'
    >>> rule
    '原用户应与供电企业结清债务，才能解除原供用电关系'
    >>> print(transfer_settlement_rule(date(2026, 7, 15)).split(";")[0])
    《供电营业规则》(2024), article not verified
    """
    return transfer_rule(day, _SETTLE)


def _account(value: object) -> str:
    return require_id(value, "account_id")


def _holder(value: object) -> str | None:
    return None if value is None else require_id(value, "new_customer_id")


@attrs.frozen(kw_only=True)
class ChangeOfUseDetails:
    """What a change-of-use case asks for, and what its check found.

    Exactly one of ``change`` (a capacity change: its ``on`` is the day asked for, replaced by
    the day it is carried out) and ``new_customer_id`` (a change of name to that customer).
    ``rule`` and ``reason`` are the check's finding once checked (empty: allowed).
    """

    account_id: str = attrs.field(converter=_account)
    change: CapacityChange | None = None
    new_customer_id: str | None = attrs.field(default=None, converter=_holder)
    rule: str = ""
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        if (self.change is None) == (self.new_customer_id is None):
            raise InvalidInput(
                "change", self.change, "a capacity change or a new holder, exactly one"
            )
        if self.change is not None and self.change.kind is ChangeKind.INCREASE:
            raise InvalidInput(
                "change.kind",
                self.change.kind.value,
                "a change of use (an increase is a connection)",
            )

    @property
    def is_transfer(self) -> bool:
        """Whether the case is a change of name (过户)."""
        return self.new_customer_id is not None

    @property
    def label(self) -> str:
        """What is asked, in the supplier's terms."""
        if self.change is None:
            return f"过户 to {self.new_customer_id}"
        return f"{self.change.kind.label_zh} {self.change.kva} kVA"


def check_request(
    details: ChangeOfUseDetails, history: CapacityHistory | None, *, holder: str, on: date
) -> ChangeDecision:
    """Return whether the request may be approved, naming the rule when it may not.

    ``history`` is the account's capacity history (None: the account is billed without one);
    ``holder`` is the customer holding the account now; ``on`` is the day the request was made,
    whose rules a change of name is cited by (:func:`transfer_rule`).
    """
    if details.change is None:
        if details.new_customer_id == holder:
            return ChangeDecision(
                allowed=False,
                rule=transfer_rule(as_date(on, "on")),
                reason=f"{holder} holds the account already: nothing to transfer",
            )
        return ChangeDecision(allowed=True)
    if history is None:
        return ChangeDecision(
            allowed=False,
            rule=f"{_GYGZ} 第二十二条",
            reason=f"account {details.account_id} is billed without a capacity history",
        )
    return check_change(history, details.change)


def _decision(ctx: Mapping[str, Any]) -> ChangeDecision:
    decision = ctx.get("decision")
    if not isinstance(decision, ChangeDecision):
        raise InvalidInput("decision", decision, "the ChangeDecision of the check")
    return decision


def request_allowed(case: Any, ctx: Mapping[str, Any]) -> bool:
    """The check allowed the request."""
    return _decision(ctx).allowed


def request_refused(case: Any, ctx: Mapping[str, Any]) -> bool:
    """The check refused the request."""
    return not _decision(ctx).allowed


_S: Final = CaseState
_E: Final = CaseEvent

#: The change-of-use process: checked, approved (a permission), carried out, followed up.
CHANGE_OF_USE_MACHINE: Final[StateMachine[CaseState, CaseEvent]] = StateMachine(
    "change of use",
    initial=_S.RECEIVED,
    finals={_S.CLOSED, _S.REFUSED, _S.WITHDRAWN},
    states={
        _S.RECEIVED,
        _S.CHECKED,
        _S.APPROVED,
        _S.CARRIED_OUT,
        _S.CLOSED,
        _S.REFUSED,
        _S.WITHDRAWN,
    },
    transitions=[
        Transition(_S.RECEIVED, _E.CHECK, _S.CHECKED, guard=request_allowed),
        Transition(_S.RECEIVED, _E.REFUSE, _S.REFUSED, guard=request_refused),
        Transition(_S.CHECKED, _E.APPROVE, _S.APPROVED, permission=APPROVE_CHANGE_OF_USE),
        Transition(_S.APPROVED, _E.CARRY_OUT, _S.CARRIED_OUT),
        Transition(_S.CARRIED_OUT, _E.FOLLOW_UP, _S.CLOSED),
        *(
            Transition(state, _E.WITHDRAW, _S.WITHDRAWN)
            for state in (_S.RECEIVED, _S.CHECKED, _S.APPROVED)
        ),
    ],
)

#: The change-of-use kind: its machine and its decision clock.
CHANGE_OF_USE_KIND: Final = KindSpec(
    kind=CaseKind.CHANGE_OF_USE,
    machine=CHANGE_OF_USE_MACHINE,
    clocks=(
        ClockSpec(
            name="decision",
            limit_keys=("change_of_use_decision",),
            start={OPENED},
            stop={_E.APPROVE, _E.REFUSE, _E.WITHDRAW},
        ),
    ),
    source=f"{_GYGZ} 第二十二条至第二十五条、第二十九条",
)
