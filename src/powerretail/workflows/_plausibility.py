"""What the plausibility check of a stored account's bill knows: capacity, meters, history, VEE.

:func:`plausibility_facts` gathers, for a draft bill, what is always known about its account
(:class:`~powerretail.billing.lifecycle.PlausibilityFacts`): the transformer capacity, the most
its meters' registers can show, the largest daily energy of its issued bills of the last 12
months, and every VEE finding with action ``hold_bill`` on a billable read or series the
bill is built on. A bill that breaks a bound or carries such a finding is held, never issued (R15).
"""

from __future__ import annotations

from decimal import Decimal

from dateutil.relativedelta import relativedelta

from powerretail.billing.bill import Bill, BillKind, BillState
from powerretail.billing.lifecycle import PlausibilityFacts, billed_energy
from powerretail.metering.meters import Meter
from powerretail.metering.vee import Action, Finding
from powerretail.repositories.billing import BILLS, BillingProfile
from powerretail.repositories.metering import METERS, READS, SERIES, reads_in, series_ending_from
from powerretail.repositories.unit_of_work import UnitOfWork
from powerretail.timeframe import DEFAULT_TIMEZONE
from powerretail.workflows._common import midnight

__all__ = ["plausibility_facts"]

#: Documents whose energy is the account's history: what was charged and stands.
_HISTORY_KINDS = frozenset({BillKind.INVOICE, BillKind.REBILL})


def _hold(finding: Finding) -> str:
    return f"{finding.rule_id} ({finding.subject}): {finding.message}"


def _register_ceiling(meter: Meter) -> Decimal:
    registers = sum(1 for register in meter.registers if register.is_active_energy)
    return meter.rollover_at * meter.multiplier * registers


def plausibility_facts(
    uow: UnitOfWork, *, profile: BillingProfile, bill: Bill, zone: str = DEFAULT_TIMEZONE
) -> PlausibilityFacts:
    """Return what the plausibility bounds of ``bill`` (a draft of ``profile``) need.

    The VEE findings counted are those of billable reads inside the bill's service days
    (after its first instant, up to its last) and of stored series overlapping them.

    Raises:
        NotFound: a meter of the profile is not stored.
    """
    end_day = bill.period.end
    assert end_day is not None  # bills are closed
    start, end = midnight(bill.period.start, zone), midnight(end_day, zone)
    review: list[str] = []
    ceiling = Decimal(0)
    for meter_id in profile.meter_ids:
        meter = uow.repository(METERS).get(meter_id).entity
        ceiling += _register_ceiling(meter)
        for held in reads_in(uow.repository(READS), meter_id, start, end):
            if held.billable:
                review.extend(_hold(f) for f in held.findings if f.action is Action.HOLD_BILL)
        for stored_series in series_ending_from(uow.repository(SERIES), meter_id, start):
            series = stored_series.series
            if stored_series.billable and series.start < end and series.end > start:
                review.extend(
                    _hold(f) for f in stored_series.findings if f.action is Action.HOLD_BILL
                )
    since = bill.period.start - relativedelta(months=12)
    recent: tuple[Decimal, str] | None = None
    for stored_bill in uow.repository(BILLS).query(account_id=profile.account_id):
        earlier = stored_bill.entity
        earlier_end = earlier.period.end
        if (
            earlier.state is not BillState.ISSUED
            or earlier.kind not in _HISTORY_KINDS
            or earlier_end is None
            or not since < earlier_end <= bill.period.start
        ):
            continue
        daily = (billed_energy(earlier) / earlier.period.days).quantize(Decimal("0.01"))
        if recent is None or daily > recent[0]:
            recent = (daily, f"bill {earlier.bill_id}")
    return PlausibilityFacts(
        capacity_kva=profile.facts.capacity_kva,
        register_ceiling_kwh=ceiling or None,
        recent_max_daily_kwh=None if recent is None else recent[0],
        recent_label="" if recent is None else recent[1],
        review=tuple(dict.fromkeys(review)),
    )
