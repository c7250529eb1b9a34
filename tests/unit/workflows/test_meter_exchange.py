"""A meter exchanged inside a period: both meters bill that month, the new one alone after it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import attrs
import pendulum
import pytest

from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.errors import InvalidInput
from powerretail.ids import AccountId, MeterId
from powerretail.metering.consumption import consumption_across_exchange
from powerretail.metering.meters import RegisterKind
from powerretail.metering.reads import MeterExchange, ReadSource, RegisterRead
from powerretail.repositories.billing import BILLING_PROFILES, BILLS
from powerretail.repositories.commands import CommandRefused
from powerretail.repositories.metering import METERS
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.workflows._common import ReadsMissing, usage_for
from powerretail.workflows.billing_cycle import run_billing_cycle
from powerretail.workflows.meters import MeterNotOnAccount, exchange_meter
from powerretail.workflows.moves import store_reads_as_given
from powerretail.workflows.reads import submit_reads
from tests.unit.workflows.conftest import (
    AUGUST,
    JULY,
    NOW,
    REGISTERS,
    a_meter,
    open_account,
    reads,
)

EXCHANGED_AT = pendulum.datetime(2025, 7, 15, 10, tz="Asia/Shanghai")
#: The new meter runs through a 2× current transformer.
NEW = attrs.evolve(a_meter("M-A-1b"), ct_ratio=2, installed_on=None)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def read(meter_id: str, register: RegisterKind, value: str) -> RegisterRead:
    return RegisterRead(
        meter_id=MeterId(meter_id),
        register=register,
        read_at=EXCHANGED_AT,
        value=value,
        source=ReadSource.ACTUAL,
        produced_by="exchange crew",
    )


def exchanges(old: Sequence[str] = ("1050", "2100", "530")) -> tuple[MeterExchange, ...]:
    return tuple(
        MeterExchange(
            old_final=read("M-A-1", register, final), new_initial=read("M-A-1b", register, "0")
        )
        for register, final in zip(REGISTERS, old, strict=True)
    )


def exchange(
    make_unit_of_work: UnitOfWorkFactory, clock: FixedClock, key: str = "exchange/A-1"
) -> dict[str, object]:
    return dict(
        exchange_meter(
            make_unit_of_work,
            clock=clock,
            key=key,
            account_id="A-1",
            new_meter=NEW,
            exchanges=exchanges(),
        )
    )


@pytest.fixture
def exchanged(make_unit_of_work: UnitOfWorkFactory, clock: FixedClock) -> UnitOfWorkFactory:
    """A-1 read at 1000/2000/500 on 1 July; M-A-1 exchanged on 15 July; M-A-1b read on 1 Aug."""
    open_account(make_unit_of_work, clock)
    exchange(make_unit_of_work, clock)
    submit_reads(
        make_unit_of_work, clock=clock, reads=reads("M-A-1b", JULY.end, ("40", "90", "20"))
    )
    return make_unit_of_work


class TestExchangeMeter:
    def test_ends_the_old_meter_adds_the_new_one_and_puts_it_on_the_profile(
        self, exchanged: UnitOfWorkFactory
    ) -> None:
        with exchanged() as uow:
            old = uow.repository(METERS).get(MeterId("M-A-1")).entity
            new = uow.repository(METERS).get(MeterId("M-A-1b")).entity
            profile = uow.repository(BILLING_PROFILES).get(AccountId("A-1")).entity
            events = uow.outbox.events_for("account", "A-1")

        assert old.removed_on == date(2025, 7, 16)
        assert (new.installed_on, new.multiplier) == (date(2025, 7, 15), 2)
        assert profile.meter_ids == ("M-A-1", "M-A-1b")
        assert events[-1].event_type == "MeterExchanged"

    def test_bills_the_month_of_the_exchange_from_both_meters(
        self, exchanged: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        report = run_billing_cycle(exchanged, clock=clock, period=JULY, issued_on=date(2025, 8, 1))

        with exchanged() as uow:
            bill = uow.repository(BILLS).get("A-1-20250701").entity  # type: ignore[arg-type]
        energy = {line.code: line.quantity for line in bill.lines if line.unit == "kWh"}
        assert report.bill_ids == ("A-1-20250701",)
        # old meter 50/100/30 kWh up to its final read; new meter 40/90/20 × 2 after it
        assert energy["energy.peak"] == Decimal("130")
        assert energy["energy.flat"] == Decimal("280")
        assert energy["energy.valley"] == Decimal("70")

    def test_ignores_reads_of_the_old_meter_after_its_removal(
        self, exchanged: UnitOfWorkFactory
    ) -> None:
        with exchanged() as uow:
            store_reads_as_given(uow, reads("M-A-1", JULY.end, ("1100", "2200", "560")))
            uow.commit()
        with exchanged() as uow:
            profile = uow.repository(BILLING_PROFILES).get(AccountId("A-1")).entity
            usage = usage_for(uow, profile, JULY)

        assert usage.energy_kwh["peak"] == Decimal(130)  # type: ignore[union-attr]

    def test_gives_the_energy_the_exchange_calculator_gives(
        self, exchanged: UnitOfWorkFactory
    ) -> None:
        with exchanged() as uow:
            profile = uow.repository(BILLING_PROFILES).get(AccountId("A-1")).entity
            usage = usage_for(uow, profile, JULY)
            old = uow.repository(METERS).get(MeterId("M-A-1")).entity
            new = uow.repository(METERS).get(MeterId("M-A-1b")).entity
        start = reads("M-A-1", JULY.start, ("1000", "2000", "500"))[0]
        end = reads("M-A-1b", JULY.end, ("40", "90", "20"))[0]

        expected = consumption_across_exchange(
            previous=start, exchange=exchanges()[0], latest=end, old_meter=old, new_meter=new
        )

        assert not isinstance(usage, Sequence)
        assert usage.energy_kwh["peak"] == expected.kwh  # type: ignore[union-attr]

    def test_bills_the_next_month_from_the_new_meter_alone(
        self, exchanged: UnitOfWorkFactory
    ) -> None:
        september = FixedClock(NOW.add(months=1))  # the read is taken on 1 September
        submit_reads(
            exchanged, clock=september, reads=reads("M-A-1b", AUGUST.end, ("84", "190", "42"))
        )

        with exchanged() as uow:
            profile = uow.repository(BILLING_PROFILES).get(AccountId("A-1")).entity
            usage = usage_for(uow, profile, AUGUST)

        assert usage.energy_kwh == {  # type: ignore[union-attr]
            "peak": Decimal(88),
            "flat": Decimal(200),
            "valley": Decimal(44),
        }

    def test_waits_for_the_new_meters_read_at_the_period_end(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        open_account(make_unit_of_work, clock)
        exchange(make_unit_of_work, clock)

        with make_unit_of_work() as uow:
            profile = uow.repository(BILLING_PROFILES).get(AccountId("A-1")).entity
            with pytest.raises(ReadsMissing, match="M-A-1b at or after"):
                usage_for(uow, profile, JULY)

    def test_a_retry_returns_the_first_result_and_stores_nothing_more(
        self, exchanged: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        with exchanged() as uow:
            before = len(uow.outbox.events_for("account", "A-1"))

        again = exchange(exchanged, clock)

        with exchanged() as uow:
            assert len(uow.outbox.events_for("account", "A-1")) == before
        assert again["installed_on"] == "2025-07-15"

    def test_refuses_a_meter_that_does_not_bill_the_account(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        open_account(make_unit_of_work, clock, "A-2", customer_id="C-2")

        with pytest.raises(CommandRefused, match=r"M-A-1.*does not bill the account"):
            exchange_meter(
                make_unit_of_work,
                clock=clock,
                key="exchange/A-2",
                account_id="A-2",
                new_meter=NEW,
                exchanges=exchanges(),
            )

    def test_refuses_to_exchange_a_meter_twice(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        open_account(make_unit_of_work, clock)
        exchange(make_unit_of_work, clock)

        with pytest.raises(CommandRefused, match=MeterNotOnAccount.__name__):
            exchange(make_unit_of_work, clock, key="exchange/A-1/again")  # M-A-1b bills it now
        again = [
            MeterExchange(
                old_final=e.old_final, new_initial=attrs.evolve(e.new_initial, meter_id="M-A-1c")
            )
            for e in exchanges()
        ]
        with pytest.raises(CommandRefused, match="removed on 2025-07-16"):
            exchange_meter(
                make_unit_of_work,
                clock=clock,
                key="exchange/A-1/third",
                account_id="A-1",
                new_meter=attrs.evolve(NEW, id="M-A-1c"),
                exchanges=again,
            )

    @pytest.mark.parametrize(
        ("given", "field"),
        [
            ((), "exchanges"),
            (exchanges()[:1] * 2, "exchanges"),
            (
                (
                    MeterExchange(
                        old_final=read("M-A-1", RegisterKind.PEAK, "1"),
                        new_initial=read("M-X", RegisterKind.PEAK, "0"),
                    ),
                ),
                "exchanges[0].new_initial.meter_id",
            ),
            (
                (
                    MeterExchange(
                        old_final=read("M-A-1", RegisterKind.PEAK, "1"),
                        new_initial=read("M-A-1b", RegisterKind.FLAT, "0"),
                    ),
                ),
                "exchanges[0].new_initial.register",
            ),
            (
                (
                    exchanges()[0],
                    MeterExchange(
                        old_final=read("M-B-1", RegisterKind.FLAT, "1"),
                        new_initial=read("M-A-1b", RegisterKind.FLAT, "0"),
                    ),
                ),
                "exchanges",
            ),
        ],
    )
    def test_refuses_exchanges_that_do_not_fit_before_storing_anything(
        self, given: tuple[MeterExchange, ...], field: str, clock: FixedClock
    ) -> None:
        store = MemoryStore()

        with pytest.raises(InvalidInput) as caught:
            exchange_meter(
                store.unit_of_work,
                clock=clock,
                key="exchange/A-1",
                account_id="A-1",
                new_meter=NEW,
                exchanges=given,
            )

        assert caught.value.field == field


class TestDemandAcrossAnExchange:
    def test_takes_the_larger_demand_of_exchanged_meters_and_adds_whole_period_meters(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        registers = frozenset({*REGISTERS, RegisterKind.MAX_DEMAND})
        open_account(make_unit_of_work, clock)
        with make_unit_of_work() as uow:
            meters = uow.repository(METERS)
            old, version = meters.get(MeterId("M-A-1"))
            meters.save(attrs.evolve(old, registers=registers), version)
            uow.commit()
        exchange_meter(
            make_unit_of_work,
            clock=clock,
            key="exchange/A-1",
            account_id="A-1",
            new_meter=attrs.evolve(NEW, registers=registers),
            exchanges=exchanges(),
        )
        demand = [
            attrs.evolve(read("M-A-1", RegisterKind.MAX_DEMAND, "30")),
            attrs.evolve(
                read("M-A-1b", RegisterKind.MAX_DEMAND, "20"),
                read_at=pendulum.datetime(2025, 8, 1, tz="Asia/Shanghai"),
            ),
        ]
        submit_reads(make_unit_of_work, clock=clock, reads=demand)
        submit_reads(
            make_unit_of_work, clock=clock, reads=reads("M-A-1b", JULY.end, ("40", "90", "20"))
        )

        with make_unit_of_work() as uow:
            profile = uow.repository(BILLING_PROFILES).get(AccountId("A-1")).entity
            usage = usage_for(uow, profile, JULY)

        # 30 kW on the old meter (×1) and 20 on the new (×2 = 40 kW): the larger, not 70
        assert usage.max_demand_kw == Decimal(40)  # type: ignore[union-attr]
