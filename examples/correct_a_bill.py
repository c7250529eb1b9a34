"""Issue a bill, find it was misread, and correct it with a credit note and a rebill.

Run: ``python examples/correct_a_bill.py``
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from powerretail.adapters.tariff_library import load_shipped
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import BillingEngine
from powerretail.billing.lifecycle import correct, difference, issue
from powerretail.quantities import Money
from powerretail.timeframe import DateRange


def main() -> None:
    engine = BillingEngine(load_shipped("JS-RES-TOU"))
    july = DateRange.month(2025, 7)
    account = AccountFacts(residential=True, ytd_kwh=1000)
    misread = Determinants(energy_kwh={"peak": "3818", "valley": "180.8"})
    at = datetime(2025, 8, 2, 9, tzinfo=UTC)

    draft = engine.bill(misread, july, account, bill_id="B-0701", account_id="JS-R-0001")
    held, _ = issue(draft, on=date(2025, 8, 2), at=at, by="clerk", typical=Money("230.00"))
    print(f"{held.bill_id}: {held.state.value} — {'; '.join(held.findings)}")

    fixed = Determinants(energy_kwh={"peak": "381.8", "valley": "180.8"})
    draft = engine.bill(fixed, july, account, bill_id="B-0701", account_id="JS-R-0001")
    bill, _ = issue(draft, on=date(2025, 8, 2), at=at, by="clerk", typical=Money("230.00"))
    print(f"{bill.bill_id}: {bill.state.value}, total {bill.total}, hash {bill.content_hash}")

    right = Determinants(energy_kwh={"peak": "281.8", "valley": "180.8"})
    fresh = engine.bill(right, july, account, bill_id="draft", account_id="JS-R-0001")
    result = correct(
        bill,
        fresh,
        credit_note_id="CN-0701",
        rebill_id="B-0701-R",
        on=date(2025, 8, 9),
        at=at,
        by="clerk",
        why="peak register misread by 100 kWh",
    )
    for document in (result.original, result.credit_note, result.rebill):
        print(
            f"  {document.bill_id:<9} {document.kind.value:<11} {document.state.value:<8} "
            f"{document.total.amount:>8}"
        )
    print(f"  net {result.net.amount} = fresh bill {fresh.total.amount}")
    for code, change in difference(bill, result.rebill):
        print(f"  change {code}: {change.amount}")


if __name__ == "__main__":
    main()
