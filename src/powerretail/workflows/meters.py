"""Exchange a meter (换表): the old meter's final reads, the new meter's initial reads, one step.

:func:`exchange_meter` stores both sets of reads as billable, ends the old meter's service on the
day after its final read (``removed_on``), adds the new meter installed on the day of its initial
read at the same service point, and puts the new meter on the account's billing profile — all in
one unit of work, once per idempotency key, announced with ``MeterExchanged``.

The billing cycle then bills the month of the exchange from both meters: the old meter from the
read before the period to its final read, the new one from its initial read to the read at the
period's end (each advance × its own multiplier). Later periods skip the old
meter. Maximum demand of meters exchanged inside a period is the larger of the two, not the sum
(they were never in service at once); meters in service the whole period add up as before.

The energy of the month is what
:func:`~powerretail.metering.consumption.consumption_across_exchange` gives for the same reads.

Source: register arithmetic (docs/explanation/sources.md, metering).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import attrs

from powerretail.errors import InvalidInput, RuleViolation
from powerretail.ids import AccountId
from powerretail.metering.meters import Meter
from powerretail.metering.reads import MeterExchange
from powerretail.repositories.billing import BILLING_PROFILES
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import run_idempotent
from powerretail.repositories.customers import ACCOUNTS
from powerretail.repositories.metering import METERS
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.timeframe import DEFAULT_TIMEZONE, local_date
from powerretail.workflows._common import announce
from powerretail.workflows.moves import store_reads_as_given

__all__ = ["MeterNotOnAccount", "exchange_meter"]


class MeterNotOnAccount(RuleViolation):
    """The meter to exchange does not bill the account (or the new one already does)."""

    def __init__(self, account_id: str, meter_id: str, reason: str) -> None:
        self.account_id = account_id
        self.meter_id = meter_id
        self.reason = reason
        super().__init__(account_id, meter_id, reason)

    def __str__(self) -> str:
        return (
            f"cannot exchange meter {self.meter_id!r} of account {self.account_id!r}: {self.reason}"
        )


def _check_exchanges(exchanges: Sequence[MeterExchange], new_meter: Meter) -> None:
    if not exchanges:
        raise InvalidInput("exchanges", (), "one exchange per register (old final, new initial)")
    old_ids = {exchange.old_final.meter_id for exchange in exchanges}
    if len(old_ids) != 1:
        raise InvalidInput("exchanges", sorted(old_ids), "final reads of one old meter")
    registers = [exchange.old_final.register for exchange in exchanges]
    if len(set(registers)) != len(registers):
        raise InvalidInput("exchanges", [r.value for r in registers], "one exchange per register")
    for index, exchange in enumerate(exchanges):
        initial = exchange.new_initial
        if initial.meter_id != new_meter.id:
            raise InvalidInput(
                f"exchanges[{index}].new_initial.meter_id", initial.meter_id, new_meter.id
            )
        if initial.register is not exchange.old_final.register:
            raise InvalidInput(
                f"exchanges[{index}].new_initial.register",
                initial.register.value,
                f"the old final read's register ({exchange.old_final.register.value})",
            )


def exchange_meter(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    account_id: str,
    new_meter: Meter,
    exchanges: Sequence[MeterExchange],
    zone: str = DEFAULT_TIMEZONE,
) -> dict[str, JsonValue]:
    """Replace a meter of ``account_id`` by ``new_meter``, once for ``key``.

    ``exchanges`` holds one :class:`~powerretail.metering.reads.MeterExchange` per register: the
    old meter's final read and the new meter's initial read. The old meter is removed the day
    after its last final read (local days of ``zone``); ``new_meter`` is stored installed on the
    day of its first initial read, at the old meter's service point. Returns ``{account_id,
    old_meter_id, new_meter_id, removed_on, installed_on}``.

    Raises:
        InvalidInput: no exchanges, final reads of more than one meter, a register twice, or
            initial reads of another meter or register (nothing is stored).
        MeterNotOnAccount: the old meter does not bill the account or was removed already, or
            the new meter already bills it (stored as a refusal, raised as ``CommandRefused``).
        NotFound: the account's billing profile or the old meter is not stored.
    """
    _check_exchanges(exchanges, new_meter)
    old_id = exchanges[0].old_final.meter_id
    removed_on = max(local_date(e.old_final.read_at, zone) for e in exchanges) + timedelta(days=1)
    installed_on = min(local_date(e.new_initial.read_at, zone) for e in exchanges)

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        profiles = uow.repository(BILLING_PROFILES)
        profile, version = profiles.get(AccountId(account_id))
        if old_id not in profile.meter_ids:
            raise MeterNotOnAccount(account_id, old_id, "it does not bill the account")
        if new_meter.id in profile.meter_ids:
            raise MeterNotOnAccount(account_id, new_meter.id, "the new meter already bills it")
        meters = uow.repository(METERS)
        old, old_version = meters.get(old_id)
        if old.removed_on is not None:
            raise MeterNotOnAccount(account_id, old_id, f"it was removed on {old.removed_on}")
        meters.save(attrs.evolve(old, removed_on=removed_on), old_version)
        meters.add(
            attrs.evolve(new_meter, installed_on=installed_on, service_point=old.service_point)
        )
        store_reads_as_given(uow, [e.old_final for e in exchanges])
        store_reads_as_given(uow, [e.new_initial for e in exchanges])
        profiles.save(attrs.evolve(profile, meter_ids=(*profile.meter_ids, new_meter.id)), version)
        result: dict[str, JsonValue] = {
            "account_id": account_id,
            "old_meter_id": old_id,
            "new_meter_id": new_meter.id,
            "removed_on": removed_on.isoformat(),
            "installed_on": installed_on.isoformat(),
        }
        announce(
            uow,
            command="exchange_meter",
            key=key,
            kind=ACCOUNTS.kind,
            aggregate_id=account_id,
            event_type="MeterExchanged",
            payload=result,
            at=clock.now(),
        )
        return result

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="exchange_meter",
        payload={
            "account_id": account_id,
            "old_meter_id": old_id,
            "new_meter_id": new_meter.id,
            "reads": [
                [e.old_final.register.value, str(e.old_final.value), str(e.new_initial.value)]
                for e in exchanges
            ],
        },
        action=action,
    )
