"""Property: every payment that clears a stopped account issues its restore order, on its clock.

Random rule sets, stops for arrears or for theft, and payments in parts at random moments: no
restore order while anything stopped is still owed; then exactly one, issued by the payment
itself, due by the rule set's limit from that payment (24 h after theft charges are paid).
"""

from __future__ import annotations

from datetime import date, timedelta

import pendulum
from hypothesis import given, settings
from hypothesis import strategies as st

from powerretail.access import SEED_POLICY, Actor
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.collections.dunning import DUNNING_RULE_SETS, DunningState, restore_policy
from powerretail.quantities import Money
from powerretail.repositories.dunning import DUNNING_CASES, DUNNING_ORDERS, OrderKind
from powerretail.repositories.payments import RECEIVABLES, Receivable
from powerretail.sla.policy import SlaUnit
from powerretail.workflows.collections import stop_for_theft
from powerretail.workflows.dunning import run_dunning
from powerretail.workflows.payments import post_payment

HEAD = Actor(id="h-1", name="Zhang", roles={"supply_office_head"})
DUE = date(2025, 3, 10)
TZ = "Asia/Shanghai"


@settings(max_examples=25, deadline=None)
@given(
    rules=st.sampled_from(sorted(DUNNING_RULE_SETS)),
    theft=st.booleans(),
    parts=st.lists(st.integers(1, 40_000), min_size=0, max_size=3),
    gaps=st.lists(st.integers(1, 60 * 72), min_size=4, max_size=4),
)
def test_the_clearing_payment_issues_one_restore_order_due_by_its_limit(
    rules: str, theft: bool, parts: list[int], gaps: list[int]
) -> None:
    store = MemoryStore()
    owed = Money("500.00")
    with store.unit_of_work() as uow:
        receivable = Receivable.open(account_id="A-1", customer_id="C-1")
        uow.repository(RECEIVABLES).add(receivable.charge("B-1", owed, dated=DUE))
        uow.commit()
    clock = FixedClock(pendulum.datetime(2025, 3, 12, 15, tz=TZ))
    if theft:
        stop_for_theft(
            store.unit_of_work,
            clock=clock,
            key="theft",
            account_id="A-1",
            bill_id="B-1",
            actor=HEAD,
            policy=SEED_POLICY,
            why="窃电",
            rules=rules,
        )
        now = clock.now()
    else:
        for n in (1, 31, 38):
            run_dunning(
                store.unit_of_work,
                as_of=DUE + timedelta(days=n),
                clock=clock,
                policy=SEED_POLICY,
                actor=HEAD,
                rules=rules,
            )
        now = pendulum.datetime(2025, 4, 17, 9, tz=TZ)
    with store.unit_of_work() as uow:
        assert uow.repository(DUNNING_CASES).get("DUN-B-1").entity.case.state is (
            DunningState.SUPPLY_STOPPED
        )
    paid = Money("0.00")
    amounts = [Money(f"{n // 100}.{n % 100:02d}") for n in parts]
    for index, asked in enumerate([*amounts, owed]):
        amount = min(owed - paid, asked)
        now = now.add(minutes=gaps[index])
        clock.set(now)
        receipt = post_payment(
            store.unit_of_work,
            clock=clock,
            key=f"pay-{index}",
            account_id="A-1",
            amount=amount,
            received_on=now.date(),
        )
        paid = paid + amount
        if paid < owed:
            assert receipt.restore_orders == ()
            continue
        (order_id,) = receipt.restore_orders
        with store.unit_of_work() as uow:
            order = uow.repository(DUNNING_ORDERS).get(order_id).entity
            case = uow.repository(DUNNING_CASES).get("DUN-B-1").entity.case
            restores = [
                o
                for o in uow.repository(DUNNING_ORDERS).query(case_id="DUN-B-1")
                if o.entity.kind is OrderKind.RESTORE
            ]
        assert len(restores) == 1
        assert case.state is DunningState.RESTORE_DUE
        assert case.paid_at == now
        limit = restore_policy(case)
        if theft:
            assert order.due_at == now.add(hours=24)
        elif limit.unit is SlaUnit.HOURS:
            assert order.due_at == now.add(hours=limit.limit)
        else:  # calendar days: by the end of the limit-th day after the payment
            assert now.add(days=limit.limit) <= order.due_at < now.add(days=limit.limit + 1)
        break
