"""The dunning part of ``powerretail demo``: an overdue account from reminder to restore.

One account of a separate in-memory book owes 500.00 元 due on 10 March 2025 (its bill is posted
to the ledger as the billing cycle posts one, so the book balances). The day's dunning
runs on the days a supply office would run it (reminders by SMS, the written stop notice once the
arrears are more than 30 days overdue, the stop three days later under 《供电营业规则》(1996)
第67条), then the customer pays at the counter: the payment itself issues the restore order, due
within 3 days (第69条), and the crew restores supply the next morning.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

import pendulum

from powerretail.access import SEED_POLICY, Actor
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.collections.ledger import bill_issued
from powerretail.quantities import Money
from powerretail.repositories.dunning import DUNNING_ORDERS
from powerretail.repositories.ledger import post
from powerretail.repositories.payments import RECEIVABLES, Receivable
from powerretail.workflows.dunning import record_restoration, run_dunning
from powerretail.workflows.payments import post_payment

__all__ = ["dunning_demo"]

_DUE: Final = date(2025, 3, 10)
_TZ: Final = "Asia/Shanghai"
_HEAD: Final = Actor(id="head-1", name="Zhang", roles=frozenset({"supply_office_head"}))
_CREW: Final = Actor(id="crew-3", name="Wu", roles=frozenset({"customer_service"}))
_KINDS: Final = {
    "reminder": ("reminder (催交, SMS)", "催交 (短信)"),
    "stop_notice": ("written stop notice served (停电通知书)", "送达停电通知书"),
    "stop": ("final notice, then supply stopped (停电)", "停电前再通知，停电"),
}
_TEXT: Final = {
    "title": (
        "dunning: account DUN-1 owes 500.00 CNY, due {due}",
        "电费催收: 户号 DUN-1 欠费 500.00 元，交费期限 {due}",
    ),
    "day": ("  {day} (overdue day {n}): {what}", "  {day} (逾期第 {n} 天): {what}"),
    "paid": (
        "  {at}: paid 500.00 CNY at the counter; restore order due by {due} ({source})",
        "  {at}: 营业厅交清欠费 500.00 元；复电工单限 {due} 前完成 ({source})",
    ),
    "restored": ("  {at}: supply restored ({state})", "  {at}: 已恢复供电"),
}


def _say(key: str, language: str, **values: object) -> str:
    english, chinese = _TEXT[key]
    return (chinese if language == "zh" else english).format(**values)


def dunning_demo(language: str = "en", store: MemoryStore | None = None) -> list[str]:
    """Return the lines of the dunning demo (reminder → notice → stop → payment → restore).

    The demo's book is ``store`` (a new in-memory store unless one is given).
    """
    book = (store or MemoryStore()).unit_of_work
    clock = FixedClock(pendulum.datetime(2025, 3, 1, 9, tz=_TZ))
    bill = Money("500.00")
    with book() as uow:
        receivable = Receivable.open(account_id="DUN-1", customer_id="C-DUN-1")
        uow.repository(RECEIVABLES).add(receivable.charge("B-DUN-1", bill, dated=_DUE))
        post(
            uow,
            bill_issued("B-DUN-1", party="DUN-1", lines={"energy": bill}, due=_DUE, at=clock.now()),
        )
        uow.commit()
    out = ["", _say("title", language, due=_DUE)]
    for n in (1, 11, 21, 31, 34):
        day = _DUE + timedelta(days=n)
        clock.set(pendulum.datetime(day.year, day.month, day.day, 9, tz=_TZ))
        report = run_dunning(book, as_of=day, clock=clock, policy=SEED_POLICY, actor=_HEAD)
        for _account, _order, kind in report.orders:
            english, chinese = _KINDS[kind]
            what = chinese if language == "zh" else english
            out.append(_say("day", language, day=day, n=n, what=what))
    paid_at = pendulum.datetime(2025, 4, 14, 11, 20, tz=_TZ)
    clock.set(paid_at)
    receipt = post_payment(
        book,
        clock=clock,
        key="demo-counter-1",
        account_id="DUN-1",
        amount=Money("500.00"),
        received_on=paid_at.date(),
    )
    with book() as uow:
        for order_id in receipt.restore_orders:
            order = uow.repository(DUNNING_ORDERS).get(order_id).entity
            out.append(_say("paid", language, at=paid_at, due=order.due_at, source=order.source))
    restored_at = pendulum.datetime(2025, 4, 15, 10, tz=_TZ)
    case = record_restoration(
        book,
        case_id="DUN-B-DUN-1",
        at=restored_at,
        clock=clock,
        policy=SEED_POLICY,
        actor=_CREW,
    )
    out.append(_say("restored", language, at=restored_at, state=case.state.value))
    return out
