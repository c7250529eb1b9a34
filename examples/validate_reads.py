"""Validate a quarter of register reads for two meters, estimate a missed read, true it up.

Run with no arguments: prints the findings of the seed rules and the catalogue V01-V18, the
estimate made for the read that could not be taken, and the billing after the actual arrives.
"""

from __future__ import annotations

from powerretail.adapters.read_csv import load_reads_text
from powerretail.metering.consumption import ReadLedger
from powerretail.metering.estimation import estimate_register_read
from powerretail.metering.reads import EstimationMethod, ReadSource, RegisterRead
from powerretail.metering.rows import MissedRead
from powerretail.metering.rules import CATALOGUE_RULES, SEED_RULES
from powerretail.metering.vee import ReadSubject, check

CSV = """meter_id,read_at,value,multiplier,digits
M-100,2025-01-25T09:00:00+08:00,1000.0,40,4
M-100,2025-02-25T09:00:00+08:00,1120.5,40,4
M-100,2025-03-25T09:00:00+08:00,1236.8,40,4
M-100,2025-04-25T09:00:00+08:00,,40,4
M-200,2025-01-25T09:30:00+08:00,9950.0,1,4
M-200,2025-02-25T09:30:00+08:00,9990.0,1,4
M-200,2025-03-25T09:30:00+08:00,25.0,1,4
M-200,2025-04-25T09:30:00+08:00,6O.0,1,4
"""


def main() -> None:
    """Load, validate, estimate and true up; print what happens."""
    loaded = load_reads_text(CSV)
    rules = SEED_RULES.combined(CATALOGUE_RULES)
    print(f"{loaded.rows} rows, {len(loaded.problems)} left out")
    for problem in loaded.problems:
        print(f"  line {problem.line}: {problem.message}")
    for meter_id, meter in sorted(loaded.meters.items()):
        reads = sorted((r for r in loaded.reads if r.meter_id == meter_id), key=lambda r: r.read_at)
        history: list[RegisterRead] = []
        for item in reads:
            if isinstance(item, MissedRead):
                estimate = estimate_register_read(
                    meter=meter,
                    history=history,
                    at=item.read_at,
                    method=EstimationMethod.PREVIOUS_PERIOD,
                    unreadable=item.unreadable,
                )
                read = estimate.read
                print(f"{meter_id}: estimated {read.value} ({estimate.energy}) for {item.read_at}")
            else:
                read = item
            subject = ReadSubject(
                meter=meter, read=read, history=tuple(history), as_of=read.read_at
            )
            for finding in check(subject, rules).findings:
                print(f"{meter_id}: {finding.rule_id} {finding.severity.value}: {finding.message}")
            history.append(read)
        if meter_id == "M-100":
            ledger = ReadLedger(meter=meter).offer_all(history)
            ledger = ledger.bill(history[-1].read_at)
            print(f"{meter_id}: billed {ledger.billed()} with the estimate")
            actual = RegisterRead(
                meter_id=meter_id,
                read_at=history[-1].read_at,
                value="1400.0",
                source=ReadSource.ACTUAL,
                produced_by="reader-07",
            )
            ledger, _ = ledger.offer(actual)
            ledger = ledger.bill(actual.read_at)
            print(f"{meter_id}: billed {ledger.billed()} after the actual read {actual.value}")


if __name__ == "__main__":
    main()
