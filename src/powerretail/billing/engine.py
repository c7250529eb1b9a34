"""The bill engine: tariff + determinants + account facts + period → a draft :class:`Bill`.

:class:`BillingEngine` compiles each tariff version once (prices resolved, tables built) and then
prices any number of bills with it; :func:`price_bill` is the one-off convenience.

How a period is priced (the rules are listed in docs/explanation/sources.md):

1. The account's service days inside the period are billed (move-in, move-out).
2. The service days are cut where a tariff version starts or ends, and where an annual tier year
   starts; each piece is priced by the version in force on its first day.
3. Energy, reactive energy and losses are shared between pieces by days, conserving every
   digit (largest remainder at three decimals finer than the data).
4. Monthly charges (basic, fixed) count whole months from the start of the service days plus
   1/30 of a month per remaining day (《供电营业规则》), shared between pieces by days.
5. Each line is rounded once with the tariff's :class:`~powerretail.quantities.Rounding`; the
   power-factor adjustment is a percentage of the rounded lines of its base; the total is the
   exact sum of the lines.

>>> from powerretail.tariffs.model import CustomerCategory, EnergyCharge, Tariff, TariffVersion
>>> tariff = Tariff(
...     code="FLAT", name_zh="平价", name_en="flat", category=CustomerCategory.RESIDENTIAL,
...     versions=[TariffVersion(label="1", effective_from="2025-01-01", charges=[
...         EnergyCharge(code="energy", name_zh="电度电费", name_en="energy",
...                      source="江苏居民电价 (illustrative)", yuan_per_kwh="0.5283")])])
>>> bill = price_bill(tariff, Determinants(energy_kwh={"total": "312.4"}), DateRange.month(2025, 7))
>>> str(bill.total)
'165.04 CNY'
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Final, NamedTuple, TypeVar

from dateutil.relativedelta import relativedelta

from powerretail.billing.bill import Bill, BillKind, BillState, LineItem
from powerretail.billing.capacity import CapacityHistory, CapacitySegment
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.usage import (
    IntervalSeries,
    bucket_energy,
    interval_demand_and_reactive,
)
from powerretail.errors import InvalidInput, RuleViolation
from powerretail.quantities import MONEY_CONTEXT, Money, Rounding, minor_unit_exponent
from powerretail.tariffs.losses import NoLoss, TableLookup
from powerretail.tariffs.model import (
    PF_BASE_CATEGORIES,
    AnnualTiers,
    BasicCharge,
    BasicChargeBasis,
    Charge,
    DailyCharge,
    EnergyCharge,
    FixedCharge,
    MinimumCharge,
    MonthlyTiers,
    PartialYear,
    PowerFactorAdjustment,
    Tariff,
    TariffVersion,
    Tier,
    TierBounds,
    TimeOfUseCharge,
    TimeOfUseTiers,
)
from powerretail.tariffs.power_factor import RULE_SETS, power_factor
from powerretail.tariffs.proration import Proration, calendar_months, months_of
from powerretail.tariffs.seasons import whole_day_buckets
from powerretail.tariffs.tou import (
    BUCKET_LABELS,
    ScopedSchedule,
    Season,
    TouSchedule,
    TouWindow,
    scope_schedule,
)
from powerretail.timeframe import DateRange

__all__ = [
    "DEFAULT_ACCOUNT",
    "BillingEngine",
    "bucket_key",
    "bucket_ladders",
    "months_in",
    "price_bill",
    "split_by_days",
]

#: An account with no special facts: no capacity, no demand, no losses.
DEFAULT_ACCOUNT: Final = AccountFacts()
_ONE: Final = Fraction(1)
_ZERO: Final = Decimal(0)
_CRITICAL: Final = "critical"
_DEEP_VALLEY: Final = "deep_valley"
_TOTAL: Final = "total"
_BUCKET_ORDER: Final = (_CRITICAL, "peak", "flat", "valley", "deep_valley", "total")
_UNTIMED: Final = TouSchedule(
    name="untimed",
    seasons=(
        Season(
            name="all", months=tuple(range(1, 13)), windows=(TouWindow("total", "00:00", "24:00"),)
        ),
    ),
)
#: Energy per bucket of one piece of the period priced by one version.
_EnergyFor = Callable[[DateRange, TariffVersion], Mapping[str, Decimal]]


@functools.lru_cache(maxsize=4096)
def months_in(period: DateRange, part_month_days: int = 30) -> Fraction:
    """Return how many months ``period`` is: whole months from its start, plus 1/30 per day left.

    Source: 《供电营业规则》(1996), part-month basic charge, 1/30 per day (article not verified).

    >>> months_in(DateRange.month(2025, 2)), months_in(DateRange("2025-07-10", "2025-08-01"))
    (Fraction(1, 1), Fraction(11, 15))
    """
    return calendar_months(period, part_month_days)


def split_by_days(quantity: Decimal, days: Sequence[int]) -> tuple[Decimal, ...]:
    """Share ``quantity`` over pieces of ``days`` days so the shares add up exactly.

    Shares are exact to three decimals finer than ``quantity`` (largest remainder, ties to the
    earlier piece); a negative quantity is shared as its mirror.

    >>> split_by_days(Decimal("100"), [10, 21])
    (Decimal('32.258'), Decimal('67.742'))
    """
    if len(days) == 1:
        return (quantity,)
    return _share_by_weights(quantity, [Decimal(d) for d in days])


def _description(charge: Charge, suffix_zh: str = "", suffix_en: str = "") -> tuple[str, str]:
    if suffix_zh:
        return f"{charge.name_zh}（{suffix_zh}）", f"{charge.name_en} ({suffix_en})"
    return charge.name_zh, charge.name_en


def bucket_key(bucket: str) -> tuple[int, str]:
    """Sort key of a TOU bucket: critical, peak, flat, valley, deep valley, total, then by name."""
    return (_BUCKET_ORDER.index(bucket) if bucket in _BUCKET_ORDER else len(_BUCKET_ORDER), bucket)


#: A tier bound scaled to a part month, a part year or a cycle's days is rounded half-up to
#: 0.001 kWh (10**SCALED_BOUND_EXP), the resolution of metered energy: 260 kWh × 17/30 is a
#: bound of 147.333 kWh, and every tier line's quantity is a terminating decimal the bill can
#: show and its amount can be rounded from exactly.
SCALED_BOUND_EXP: Final = -3
_SCALED_BOUND_STEP: Final = Decimal(1).scaleb(SCALED_BOUND_EXP)
_ONE_KWH: Final = Decimal(1)


def _scaled(value: Decimal, scale: Fraction) -> Decimal:
    if scale is _ONE or scale == _ONE:
        return value
    exact = Fraction(value) * scale / Fraction(_SCALED_BOUND_STEP)  # in 0.001 kWh, bounds ≥ 0
    rounded = (2 * exact.numerator + exact.denominator) // (2 * exact.denominator)
    bound = Decimal(rounded).scaleb(SCALED_BOUND_EXP)
    return bound.quantize(_ONE_KWH) if bound == bound.to_integral_value() else bound.normalize()


def _scaled_bounds(tiers: Sequence[Tier], scale: Fraction) -> tuple[Decimal | None, ...]:
    return tuple(None if t.upto_kwh is None else _scaled(t.upto_kwh, scale) for t in tiers)


def _tier_bands(
    bounds: Sequence[Decimal | None], start: Decimal, energy: Decimal
) -> list[tuple[int, Decimal]]:
    """Return (tier index, kWh in the tier) for the tiers between ``start`` and ``start + energy``.

    Each tier's share is ``clamp(end) - clamp(start)`` to the tier's range, so negative energy
    gives negative shares; tiers above both points are not visited.

    >>> _tier_bands((Decimal(10), Decimal(20), None), Decimal(5), Decimal(20))
    [(0, Decimal('5')), (1, Decimal('10')), (2, Decimal('5'))]
    >>> _tier_bands((Decimal(10), Decimal(20)), Decimal(25), Decimal(-20))
    [(0, Decimal('-5')), (1, Decimal('-10'))]
    >>> _tier_bands((Decimal(10), None), Decimal(15), Decimal(0))
    []
    """
    bands: list[tuple[int, Decimal]] = []
    end = start + energy
    low = _ZERO
    for index, high in enumerate(bounds):
        a = start if start > low else low
        b = end if end > low else low
        if high is None:
            if b != a:
                bands.append((index, b - a))
            break
        a = min(a, high)
        b = min(b, high)
        if b != a:
            bands.append((index, b - a))
        if start <= high and end <= high:
            break
        low = high
    return bands


#: Version pieces of a service period: (days, version, starts a tier year, months) each.
_Layout = tuple[tuple[DateRange, TariffVersion, bool, Fraction], ...]
_CACHE_LIMIT: Final = 4096


_K = TypeVar("_K")
_V = TypeVar("_V")


def _remember(cache: dict[_K, _V], key: _K, value: _V) -> _V:
    """Store ``value`` under ``key`` in a per-account cache, emptied when it grows too large."""
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


def _unit_or(value: Fraction) -> Fraction:
    """Return the shared ``1`` for a whole month, so lines can test ``factor is _ONE``."""
    return _ONE if value == _ONE else value


_object_new = object.__new__
#: Money from amounts this module has just rounded (no re-checks): the hot path of every line.
_new_money = Money.from_quantized


class _Ctx(NamedTuple):
    """What every charge of a bill may need besides its piece."""

    determinants: Determinants
    account: AccountFacts
    service: DateRange
    total_energy: Decimal
    reactive: Decimal | None
    pf: Decimal | None
    #: What the bill must say about itself (a charge left out for want of a fact).
    notes: list[str]


class _Piece(NamedTuple):
    """Days of the service period priced by one version, with their share of the usage."""

    period: DateRange
    version: TariffVersion
    energy: Mapping[str, Decimal]
    #: All energy of the piece [kWh].
    kwh: Decimal
    months: Fraction
    #: Annual tier position at the piece's first day [kWh] (0 when it starts a tier year).
    position: Decimal


#: Prices one charge over one piece.
_Pricer = Callable[[_Piece, _Ctx], list[LineItem]]


class _Plan(NamedTuple):
    """A version compiled for pricing: one pricer per charge, the power-factor charge aside."""

    pricers: tuple[_Pricer, ...]
    #: The charge of each pricer (the power-factor base is chosen by charge).
    owners: tuple[Charge, ...]
    pf_charge: PowerFactorAdjustment | None
    #: How many pricers come before the power-factor charge in the version.
    pf_at: int
    #: The minimum bill, applied to the piece's lines once they are all priced.
    minimum: MinimumCharge | None = None


class _TierTable(NamedTuple):
    """Tier bounds at one scale, with each tier's line text and price."""

    bounds: tuple[Decimal | None, ...]
    prefixes: tuple[str, ...]
    statics: tuple[dict[str, object], ...]
    rates: tuple[Decimal, ...]


class BillingEngine:
    """Prices bills for one tariff; build it once and reuse it.

    Raises (from :meth:`bill`):
        InvalidInput: usage or account facts a charge needs are missing or do not fit.
        NotFound: no tariff version is in force on some day of the period.
    """

    def __init__(self, tariff: Tariff) -> None:
        self.tariff = tariff
        self.rounding: Rounding = tariff.rounding
        self._currency = tariff.currency
        #: How rates name the currency: 元 for CNY, the ISO code otherwise (USD/kWh).
        self._unit = "元" if tariff.currency == "CNY" else tariff.currency
        #: Days and months as a Chinese bill writes them for CNY, in English otherwise.
        self._day, self._month = ("天", "月") if tariff.currency == "CNY" else ("day", "month")
        self.rounding.to_money(_ZERO, tariff.currency)  # refuses a step finer than the currency's
        step, mode = self.rounding.step, self.rounding.mode
        self._step, self._mode = step, mode
        minor = Decimal(1).scaleb(-minor_unit_exponent(tariff.currency))
        #: A step coarser than the currency's (0.1 元, 1 元) still gives amounts in minor units
        #: (165.00, not 165.0), as Money() would.
        self._minor = None if step == minor else minor

        def round_amount(amount: Decimal) -> Decimal:
            return amount.quantize(step, rounding=mode, context=MONEY_CONTEXT)

        def round_coarse(amount: Decimal) -> Decimal:
            rounded = amount.quantize(step, rounding=mode, context=MONEY_CONTEXT)
            return rounded.quantize(minor, context=MONEY_CONTEXT)

        self._round = round_amount if self._minor is None else round_coarse
        self._layouts: dict[
            tuple[date, date | None, date | None, date | None, CapacityHistory | None], _Layout
        ] = {}
        self._scales: dict[tuple[int, date | None, date | None, date], tuple[Fraction, str]] = {}
        self._orders: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._statics: dict[tuple[str, str], dict[str, object]] = {}
        self._tier_tables: dict[tuple[int, Fraction], _TierTable] = {}
        self._plans: dict[int, _Plan] = {}
        self._critical_hours: dict[tuple[int, date, date | None], Fraction] = {}
        self._deep_valley_notes: dict[tuple[int, date, date | None], str] = {}
        self._season_days: dict[tuple[int, date, date | None], dict[str, int]] = {}
        #: The fields every draft bill of this engine shares.
        self._draft: Final[dict[str, object]] = {
            "kind": BillKind.INVOICE,
            "state": BillState.DRAFT,
            "tariff_code": tariff.code,
            "currency": tariff.currency,
            "corrects": None,
            "issued_on": None,
            "content_hash": None,
            "findings": (),
            "notes": (),
        }

    # ------------------------------------------------------------------ public
    def bill(
        self,
        determinants: Determinants,
        period: DateRange,
        account: AccountFacts = DEFAULT_ACCOUNT,
        *,
        bill_id: str = "",
        account_id: str = "",
    ) -> Bill:
        """Return the draft bill of ``determinants`` over ``period`` for ``account``."""
        service = self._service(period, account)
        return self._bill(
            determinants,
            service=service,
            account=account,
            energy_for=None,
            bill_id=bill_id,
            account_id=account_id,
        )

    def bill_intervals(
        self,
        series: IntervalSeries,
        period: DateRange,
        account: AccountFacts = DEFAULT_ACCOUNT,
        *,
        bill_id: str = "",
        account_id: str = "",
    ) -> Bill:
        """Return the draft bill of interval data over ``period`` for ``account``.

        Each version's days are bucketed by that version's time-of-use schedule (the schedule
        of its first time-of-use charge; untimed versions get a ``total`` bucket), so a version
        change inside the period splits the energy exactly rather than by days.
        """
        service = self._service(period, account)
        cut = self._layout_for(service, account)
        by_part: dict[DateRange, Mapping[str, Decimal]] = {}
        notes: list[str] = []
        for part, version, _, _ in cut:
            scoped = self.scoped_schedule(self._schedule_of(version), part, account, service)
            scoped.require_facts("account")
            notes.extend(scoped.notes())
            by_part[part] = bucket_energy(series, scoped.schedule, part)
        totals: dict[str, Decimal] = {}
        for energy in by_part.values():
            for bucket, kwh in energy.items():
                totals[bucket] = totals.get(bucket, _ZERO) + kwh
        zone = self._schedule_of(cut[0][1]).timezone
        demand, reactive = interval_demand_and_reactive(series, service, zone)
        determinants = Determinants(
            energy_kwh=totals, max_demand_kw=demand, reactive_kvarh=reactive
        )

        def energy_for(part: DateRange, _version: TariffVersion) -> Mapping[str, Decimal]:
            return by_part[part]

        return self._bill(
            determinants,
            service=service,
            account=account,
            energy_for=energy_for,
            bill_id=bill_id,
            account_id=account_id,
            notes=notes,
        )

    def scoped_schedule(
        self,
        schedule: TouSchedule,
        part: DateRange,
        account: AccountFacts,
        service: DateRange | None = None,
    ) -> ScopedSchedule:
        """Return ``schedule`` over ``part`` for ``account``: overlays outside its scope dropped.

        The capacity a scope tests is ``capacity_kva``, or with a capacity history the installed
        capacity of the segment ``part`` lies in (``service``: the bill's service days); the
        kind is :attr:`AccountFacts.kind`.
        """
        segment = _segment_of(account, service or part, part)
        capacity = account.capacity_kva if segment is None else segment.installed_kva
        return scope_schedule(
            schedule, part.dates(), capacity_kva=capacity, use_category=account.kind
        )

    def _schedule_of(self, version: TariffVersion) -> TouSchedule:
        for charge in version.charges:
            if isinstance(charge, TimeOfUseCharge | TimeOfUseTiers):
                return version.schedules[charge.schedule]
        return _UNTIMED

    def _bill(
        self,
        determinants: Determinants,
        *,
        service: DateRange,
        account: AccountFacts,
        energy_for: _EnergyFor | None,
        bill_id: str,
        account_id: str,
        notes: Sequence[str] = (),
    ) -> Bill:
        _refuse_negative(determinants)
        energy, reactive = self._with_losses(
            determinants.energy_kwh, determinants, service, account
        )
        total_energy = sum(energy.values(), _ZERO)
        pf = None if reactive is None else power_factor(max(total_energy, _ZERO), abs(reactive))
        ctx = _Ctx(determinants, account, service, total_energy, reactive, pf, list(notes))
        lines: list[LineItem] = []
        sub_kwh: tuple[Decimal, ...] = ()
        main_energy, main_total = energy, total_energy
        if account.sub_accounts:
            if energy_for is not None:
                raise InvalidInput(
                    "account.sub_accounts",
                    ", ".join(sub.code for sub in account.sub_accounts),
                    "register determinants: bill fixed-quantity and fixed-ratio sub-accounts "
                    "with BillingEngine.bill",
                )
            main_energy, sub_kwh = self._deduct_sub_accounts(energy, total_energy, service, account)
            main_total = sum(main_energy.values(), _ZERO)
        pieces = self._pieces(
            service,
            main_energy,
            main_total,
            account,
            energy_for=energy_for,
            determinants=determinants,
        )
        for piece in pieces:
            if energy_for is None:
                ctx.notes.extend(self._refuse_out_of_scope(piece, account, service))
                self._need_critical_register(piece, account, service)
                ctx.notes.extend(self._unregistered_deep_valley(piece, account, service))
            lines += self._price_piece(piece, ctx)
        if sub_kwh:
            lines += self._sub_account_lines(pieces[0], service, account, sub_kwh)
        bill = _object_new(Bill)
        fields = bill.__dict__
        fields.update(self._draft)
        fields["bill_id"] = bill_id
        fields["account_id"] = account_id
        fields["period"] = service
        fields["lines"] = tuple(lines)
        if ctx.notes:
            fields["notes"] = tuple(dict.fromkeys(ctx.notes))
        return bill

    # ------------------------------------------------------------------ helpers
    def _deduct_sub_accounts(
        self,
        energy: Mapping[str, Decimal],
        total: Decimal,
        service: DateRange,
        account: AccountFacts,
    ) -> tuple[Mapping[str, Decimal], tuple[Decimal, ...]]:
        """Take the sub-accounts' energy off the meter's, shared over buckets by their energy."""
        codes = {charge.code for version in self.tariff.versions for charge in version.charges}
        months = months_in(service)
        kwh = []
        for index, sub in enumerate(account.sub_accounts):
            if sub.code in codes:
                raise InvalidInput(
                    f"account.sub_accounts[{index}].code", sub.code, "a code no charge uses"
                )
            kwh.append(sub.kwh_of(total, months))
        deducted = sum(kwh, _ZERO)
        if deducted > total:
            raise InvalidInput(
                "account.sub_accounts",
                f"{deducted} kWh",
                f"no more sub-account energy than the meter registered ({total} kWh)",
            )
        buckets = sorted(energy, key=bucket_key)
        shares = _share_by_weights(deducted, [energy[b] for b in buckets])
        main = dict(energy)
        for bucket, share in zip(buckets, shares, strict=True):
            main[bucket] -= share
        return main, tuple(kwh)

    def _sub_account_lines(
        self,
        first: _Piece,
        service: DateRange,
        account: AccountFacts,
        kwh: Sequence[Decimal],
    ) -> list[LineItem]:
        """One line per sub-account over the whole service days, at its own price."""
        whole = first._replace(period=service)
        months = months_in(service)
        lines = []
        for sub, quantity in zip(account.sub_accounts, kwh, strict=True):
            charge = EnergyCharge(
                code=sub.code,
                name_zh=sub.name_zh,
                name_en=sub.name_en,
                source=sub.source,
                yuan_per_kwh=sub.yuan_per_kwh,
            )
            lines.append(
                self._line(
                    charge,
                    whole,
                    code=sub.code,
                    names=(sub.name_zh, sub.name_en),
                    quantity=quantity,
                    unit="kWh",
                    rate=sub.yuan_per_kwh,
                    rate_unit="元/kWh",
                    note=sub.note(quantity, months),
                )
            )
        return lines

    def _refuse_out_of_scope(
        self, piece: _Piece, account: AccountFacts, service: DateRange
    ) -> tuple[str, ...]:
        return self.refuse_out_of_scope(
            piece.version, piece.period, piece.energy, account, service=service
        )

    def refuse_out_of_scope(
        self,
        version: TariffVersion,
        period: DateRange,
        energy: Mapping[str, Decimal],
        account: AccountFacts,
        *,
        service: DateRange | None = None,
    ) -> tuple[str, ...]:
        """Refuse register energy in an overlay's bucket for an account outside its scope.

        Returns the notes of the scoped overlays left out over ``period`` (with no energy in
        their bucket, the register that holds those hours is the season's, as it should be).
        The batch path (:mod:`powerretail.analysis`) asks the same question of each usage row.

        Raises:
            RuleViolation: ``energy`` has kWh in a bucket only overlays give, and the account is
                outside the scope of every one of them (the rule is named).
            InvalidInput: the same, and the account does not give a fact a scope tests.
        """
        notes: list[str] = []
        for schedule in self._scoped_schedules(version):
            scoped = self.scoped_schedule(schedule, period, account, service)
            notes.extend(scoped.notes())
            capacity, kind = scoped.capacity_kva, scoped.use_category
            for bucket, kwh in energy.items():
                if not kwh or bucket in schedule.season_buckets:
                    continue
                givers = [o.applies_to for o in schedule.overlays if o.bucket == bucket]
                if not givers or None in givers:
                    continue
                verdicts = [
                    scope.admits(capacity_kva=capacity, use_category=kind)
                    for scope in givers
                    if scope is not None
                ]
                if True in verdicts:
                    continue
                name = BUCKET_LABELS.get(bucket, (bucket, bucket))[1]
                scope = givers[0]
                assert scope is not None
                if None in verdicts:
                    missing = scope.missing(capacity_kva=capacity, use_category=kind)
                    raise InvalidInput(
                        f"account.{missing[0]}" if len(missing) == 1 else "account",
                        None,
                        f"{' and '.join(missing)}: the determinants carry {kwh} kWh of {name}, "
                        f"which applies to {scope.describe()} only",
                    )
                raise RuleViolation(
                    f"{name} ({bucket}) applies to {scope.describe()} only: the account "
                    f"({scoped.facts_text()}) is not one, yet the determinants carry {kwh} kWh "
                    "of it; bill those hours in the season's bucket (peak, valley), as its "
                    "register should hold them"
                )
        return tuple(notes)

    def scope_notes(
        self,
        version: TariffVersion,
        period: DateRange,
        account: AccountFacts,
        *,
        service: DateRange | None = None,
    ) -> tuple[str, ...]:
        """Return the notes of the scoped overlays ``account`` is left out of over ``period``.

        The batch path (:mod:`powerretail.analysis`) gives its rows the same notes.
        """
        notes: list[str] = []
        for schedule in self._scoped_schedules(version):
            notes.extend(self.scoped_schedule(schedule, period, account, service).notes())
        return tuple(notes)

    def _scoped_schedules(self, version: TariffVersion) -> tuple[TouSchedule, ...]:
        """The schedules of ``version``'s time-of-use charges with an overlay scope."""
        found = {
            id(schedule): schedule
            for charge in version.charges
            if isinstance(charge, TimeOfUseCharge | TimeOfUseTiers)
            for schedule in (version.schedules[charge.schedule],)
            if any(o.applies_to is not None for o in schedule.overlays)
        }
        return tuple(found.values())

    def _need_critical_register(
        self, piece: _Piece, account: AccountFacts, service: DateRange
    ) -> None:
        segment = _segment_of(account, service, piece.period)
        self.need_critical_register(
            piece.version,
            piece.period,
            piece.energy,
            capacity_kva=account.capacity_kva if segment is None else segment.installed_kva,
            use_category=account.kind,
        )

    def need_critical_register(
        self,
        version: TariffVersion,
        period: DateRange,
        buckets: Iterable[str],
        *,
        capacity_kva: Decimal | None = None,
        use_category: str | None = None,
    ) -> None:
        """Refuse energy in ``buckets`` without a critical one over days with critical-peak hours.

        A register meter without a critical register adds those hours to its peak register;
        pricing them at the peak price would bill the critical-peak rule wrong, and sharing them
        out would invent a load shape. Interval data are bucketed by the schedule itself. The
        batch path (:mod:`powerretail.analysis`) asks the same question of each usage row.
        Critical-peak overlays whose scope leaves the account (``capacity_kva``,
        ``use_category``) out have no hours for it.

        Raises:
            InvalidInput: ``version`` has critical-peak hours in ``period`` for the account (or
                for accounts of facts it does not give) and ``buckets`` has no ``critical``
                bucket.
        """
        buckets = tuple(buckets)
        if _CRITICAL in buckets:
            return
        for charge in version.charges:
            if not isinstance(charge, TimeOfUseCharge) or _CRITICAL not in charge.resolved:
                continue
            scoped = scope_schedule(
                version.schedules[charge.schedule],
                period.dates(),
                capacity_kva=capacity_kva,
                use_category=use_category,
            )
            schedule = scoped.schedule
            key = (id(schedule), period.start, period.end)
            hours = self._critical_hours.get(key)
            if hours is None:
                quarters = sum(schedule.slots_on(day).count(_CRITICAL) for day in period.dates())
                hours = _remember(self._critical_hours, key, Fraction(quarters, 4))
            if hours:
                windows = "; ".join(
                    f"{overlay.name}: " + ", ".join(f"{w.start}-{w.end}" for w in overlay.windows)
                    for overlay in schedule.overlays
                    if overlay.bucket == _CRITICAL
                    and (not overlay.months or set(overlay.months) & _months_of(period))
                )
                unknown = [o for o in scoped.unknown if o.bucket == _CRITICAL]
                scope = unknown[0].applies_to if unknown else None
                facts = (
                    ""
                    if scope is None
                    else f"; or give the account's {' and '.join(scoped.missing())} (critical "
                    f"peak applies to {scope.describe()} only)"
                )
                raise InvalidInput(
                    "determinants.energy_kwh",
                    ", ".join(sorted(buckets, key=bucket_key)),
                    f"a critical register: tariff {self.tariff.code} has {hours} h of critical "
                    f"peak from {period.start} to {period.last_day} ({windows}); "
                    f"read the meter's critical register or bill from interval data{facts}",
                )

    def _unregistered_deep_valley(
        self, piece: _Piece, account: AccountFacts, service: DateRange
    ) -> tuple[str, ...]:
        """Say which deep-valley hours register energy without a deep-valley bucket bills.

        A register meter without a deep-valley register records the holiday deep-valley hours
        in the register of the base schedule (valley, or flat where the base window is flat).
        Those hours are billed at that register's price, as read, and the bill says so: it
        never applies (nor quotes) the deep-valley price to energy it did not price at it.
        Refusing would refuse every holiday month of a meter without the register; sharing the
        energy out would invent a load shape. Interval data are bucketed by the schedule itself.
        """
        if _DEEP_VALLEY in piece.energy:
            return ()
        return self.deep_valley_notes(piece.version, piece.period, account, service=service)

    def deep_valley_notes(
        self,
        version: TariffVersion,
        period: DateRange,
        account: AccountFacts | None = None,
        *,
        service: DateRange | None = None,
    ) -> tuple[str, ...]:
        """Return the notes of a bill of ``period`` by ``version`` without a deep-valley register.

        One note per time-of-use charge with deep-valley hours in ``period`` (empty when none):
        how many hours, on which days, billed at which registers' price. The batch path
        (:mod:`powerretail.analysis`) gives its rows the same notes. With ``account``, a
        deep-valley overlay whose scope leaves the account out has no hours for it.
        """
        notes: list[str] = []
        for charge in version.charges:
            if not isinstance(charge, TimeOfUseCharge) or _DEEP_VALLEY not in charge.resolved:
                continue
            schedule = version.schedules[charge.schedule]
            if account is not None and any(o.applies_to is not None for o in schedule.overlays):
                schedule = self.scoped_schedule(schedule, period, account, service).schedule
            key = (id(schedule), period.start, period.end)
            note = self._deep_valley_notes.get(key)
            if note is None:
                note = _remember(self._deep_valley_notes, key, _deep_valley_note(schedule, period))
            if note:
                notes.append(note)
        return tuple(notes)

    @staticmethod
    def _service(period: DateRange, account: AccountFacts) -> DateRange:
        if period.end is None:
            raise InvalidInput("period.end", None, "a closed billing period")
        opened, closed = account.opened_on, account.closed_on
        if (opened is None or opened <= period.start) and (closed is None or closed >= period.end):
            return period
        start = max(period.start, account.opened_on or period.start)
        end = min(period.end, account.closed_on or period.end)
        if end <= start:
            raise InvalidInput(
                "period", str(period), "a period with at least one day of service for the account"
            )
        return DateRange(start, end)

    @staticmethod
    def _with_losses(
        energy_kwh: Mapping[str, Decimal],
        determinants: Determinants,
        service: DateRange,
        account: AccountFacts,
    ) -> tuple[Mapping[str, Decimal], Decimal | None]:
        reactive = determinants.reactive_kvarh
        model = account.loss_model
        if type(model) is NoLoss:
            return energy_kwh, reactive
        energy = dict(energy_kwh)
        total = sum(energy.values(), _ZERO)
        if isinstance(model, TableLookup):  # a monthly table: part months prorated by days
            active_loss, reactive_loss = model.losses_over(
                total, reactive or _ZERO, months_in(service)
            )
        else:
            active_loss, reactive_loss = model.losses(total, reactive or _ZERO, service.days * 24)
        buckets = sorted(energy, key=bucket_key)
        if total:
            weights = [energy[b] for b in buckets]
            shares = _share_by_weights(active_loss, weights)
            for bucket, share in zip(buckets, shares, strict=True):
                energy[bucket] += share
        if reactive is not None:
            reactive += reactive_loss
        return energy, reactive

    def tier_year(self, account: AccountFacts, day: date) -> tuple[DateRange, str] | None:
        """Return the annual tier year containing ``day`` and the code of its tier charge.

        ``None`` when the version in force on ``day`` has no annual tiers. The tier year is the
        one the engine prices ``day`` in (calendar year, or a year from move-in
        when part years settle and restart).

        Raises:
            NotFound: no version of the tariff is in force on ``day``.
        """
        version = self.tariff.version_on(day)
        annual = next((c for c in version.charges if isinstance(c, AnnualTiers)), None)
        if annual is None:
            return None
        return self._cycle(annual, account, day), annual.code

    def _cycle(self, charge: AnnualTiers, account: AccountFacts, day: date) -> DateRange:
        if charge.partial_year is PartialYear.SETTLE_AND_RESTART and account.opened_on:
            anchor = account.opened_on
        else:
            anchor = date(day.year, charge.cycle_start_month, 1)
        years = (day.year - anchor.year) + 1
        start = anchor + relativedelta(years=years)
        while start > day:
            years -= 1
            start = anchor + relativedelta(years=years)
        return DateRange(start, anchor + relativedelta(years=years + 1))

    def _pieces(
        self,
        service: DateRange,
        energy: Mapping[str, Decimal],
        total_energy: Decimal,
        account: AccountFacts,
        *,
        energy_for: _EnergyFor | None,
        determinants: Determinants,
    ) -> list[_Piece]:
        cut = self._layout_for(service, account)
        if energy_for is None and len(cut) == 1:
            part, version, _, piece_months = cut[0]
            return [_Piece(part, version, energy, total_energy, piece_months, account.ytd_kwh)]
        if energy_for is None:
            days = [part.days for part, _, _, _ in cut]
            buckets = {b: split_by_days(kwh, days) for b, kwh in energy.items()}
            shares: list[Mapping[str, Decimal]] = [
                {b: parts[i] for b, parts in buckets.items()} for i in range(len(cut))
            ]
        else:
            shares = [
                self._with_losses(energy_for(part, version), determinants, part, account)[0]
                for part, version, _, _ in cut
            ]
        pieces = []
        position = account.ytd_kwh
        for (part, version, starts, piece_months), share in zip(cut, shares, strict=True):
            if starts:
                position = _ZERO
            kwh = sum(share.values(), _ZERO)
            pieces.append(_Piece(part, version, share, kwh, piece_months, position))
            position += kwh
        return pieces

    def _layout_for(self, service: DateRange, account: AccountFacts) -> _Layout:
        key = (
            service.start,
            service.end,
            account.opened_on,
            account.closed_on,
            account.capacity_history,
        )
        layout = self._layouts.get(key)
        if layout is None:
            layout = _remember(self._layouts, key, self._layout(service, account))
        return layout

    def _layout(self, service: DateRange, account: AccountFacts) -> _Layout:
        """Cut ``service`` at version and tier-year boundaries (the same for every bill)."""
        assert service.end is not None
        cuts = list(self.tariff.boundaries_within(service))
        if account.capacity_history is not None:
            cuts += [s.period.start for s in _segments_of(account.capacity_history, service)[1:]]
        ranges = list(service.split_at(*sorted(set(cuts))))
        cut: list[tuple[DateRange, TariffVersion, bool]] = []
        for part in ranges:
            version = self.tariff.version_on(part.start)
            annual = next((c for c in version.charges if isinstance(c, AnnualTiers)), None)
            rest: DateRange | None = part
            while rest is not None:
                assert rest.end is not None
                starts_cycle = False
                if annual is not None:
                    cycle = self._cycle(annual, account, rest.start)
                    starts_cycle = rest.start == cycle.start and rest.start != service.start
                    if cycle.end is not None and cycle.end < rest.end:
                        cut.append((DateRange(rest.start, cycle.end), version, starts_cycle))
                        rest = DateRange(cycle.end, rest.end)
                        continue
                cut.append((rest, version, starts_cycle))
                rest = None
        proration = self.tariff.proration
        if proration is Proration.DAYS_IN_MONTH:
            return tuple(
                (part, version, starts, _unit_or(months_of(part, proration)))
                for part, version, starts in cut
            )
        months = months_of(service, proration)
        return tuple(
            (part, version, starts, _unit_or(months * part.days / service.days))
            for part, version, starts in cut
        )

    def _static(
        self,
        charge: Charge,
        version: TariffVersion,
        code: str,
        names: tuple[str, str],
        *,
        unit: str,
        rate_unit: str,
    ) -> dict[str, object]:
        """Return the fields every line of ``code`` under ``version`` shares (made once)."""
        key = (code, version.label)
        static = self._statics.get(key)
        if static is None:
            static = self._statics[key] = {
                "code": code,
                "description_zh": names[0],
                "description_en": names[1],
                "unit": unit,
                "rate_unit": rate_unit,
                "tariff_code": self.tariff.code,
                "tariff_version": version.label,
                "source": charge.source,
                "source_zh": charge.source_zh,
            }
        return static

    def _line(
        self,
        charge: Charge,
        piece: _Piece,
        *,
        code: str,
        names: tuple[str, str],
        quantity: Decimal,
        unit: str,
        rate: Decimal,
        rate_unit: str,
        factor: Fraction = _ONE,
        note: str = "",
    ) -> LineItem:
        product = quantity * rate
        if factor is not _ONE:
            product = MONEY_CONTEXT.divide(product * factor.numerator, Decimal(factor.denominator))
        line = _object_new(LineItem)
        fields = line.__dict__
        fields.update(
            self._static(charge, piece.version, code, names, unit=unit, rate_unit=rate_unit)
        )
        fields["quantity"] = quantity
        fields["rate"] = rate
        fields["factor"] = factor
        fields["amount"] = _new_money(self._round(product), self._currency)
        fields["period"] = piece.period
        fields["note"] = note
        return line

    def _kwh_line(
        self,
        static: dict[str, object],
        period: DateRange,
        quantity: Decimal,
        rate: Decimal,
        note: str = "",
    ) -> LineItem:
        """Return a kWh line (factor 1) from its shared fields: the hot path of every bill."""
        product = quantity * rate
        line = _object_new(LineItem)
        fields = line.__dict__
        fields.update(static)
        fields["quantity"] = quantity
        fields["rate"] = rate
        fields["factor"] = _ONE
        fields["amount"] = _new_money(
            product.quantize(self._step, self._mode, MONEY_CONTEXT)
            if self._minor is None
            else self._round(product),
            self._currency,
        )
        fields["period"] = period
        fields["note"] = note
        return line

    def _price_piece(self, piece: _Piece, ctx: _Ctx) -> list[LineItem]:
        plan = self._plans.get(id(piece.version))
        if plan is None:
            plan = self._plans[id(piece.version)] = self._compile(piece.version)
        lines: list[LineItem] = []
        if plan.pf_charge is None:
            for price in plan.pricers:
                lines += price(piece, ctx)
            if plan.minimum is not None:
                self._append_minimum(plan.minimum, piece, lines)
            return lines
        owners: list[Charge] = []
        pf_index = 0
        for index, (price, owner) in enumerate(zip(plan.pricers, plan.owners, strict=True)):
            if index == plan.pf_at:
                pf_index = len(lines)
            new = price(piece, ctx)
            lines += new
            owners += [owner] * len(new)
        if plan.pf_at == len(plan.pricers):
            pf_index = len(lines)
        line = self._power_factor_line(
            charge=plan.pf_charge, piece=piece, lines=lines, owners=owners, ctx=ctx
        )
        if line is not None:
            lines.insert(pf_index, line)
        if plan.minimum is not None:
            self._append_minimum(plan.minimum, piece, lines)
        return lines

    def _append_minimum(self, charge: MinimumCharge, piece: _Piece, lines: list[LineItem]) -> None:
        line = self._minimum_line(charge, piece, lines)
        if line is not None:
            lines.append(line)

    def _compile(self, version: TariffVersion) -> _Plan:
        """Return ``version`` as pricers with their fixed texts and prices resolved."""
        pricers: list[_Pricer] = []
        owners: list[Charge] = []
        pf_charge: PowerFactorAdjustment | None = None
        minimum: MinimumCharge | None = None
        pf_at = 0
        for charge in version.charges:
            if isinstance(charge, PowerFactorAdjustment):
                pf_charge, pf_at = charge, len(pricers)
                continue
            if isinstance(charge, MinimumCharge):
                minimum = charge
                continue
            owners.append(charge)
            if isinstance(charge, TimeOfUseCharge):
                table = {
                    bucket: (
                        rate,
                        self._static(
                            charge,
                            version,
                            f"{charge.code}.{bucket}",
                            _description(charge, *BUCKET_LABELS.get(bucket, (bucket, bucket))),
                            unit="kWh",
                            rate_unit=f"{self._unit}/kWh",
                        ),
                    )
                    for bucket, rate in charge.resolved.items()
                }
                pricers.append(functools.partial(self._time_of_use, charge, table))
            elif isinstance(charge, TimeOfUseTiers):
                ladders = {
                    bucket: (ladder, self._tier_table(ladder, version, _ONE))
                    for bucket, ladder in bucket_ladders(charge).items()
                }
                pricers.append(functools.partial(self._tou_tiers, charge, ladders))
            elif isinstance(charge, AnnualTiers):
                unit = self._tier_table(charge, version, _ONE)
                pricers.append(functools.partial(self._annual_tiers, charge, unit))
            elif isinstance(charge, MonthlyTiers):
                unit = self._tier_table(charge, version, _ONE)
                pricers.append(functools.partial(self._monthly_tiers, charge, unit))
            elif isinstance(charge, EnergyCharge):
                static = self._static(
                    charge,
                    version,
                    charge.code,
                    _description(charge),
                    unit="kWh",
                    rate_unit=f"{self._unit}/kWh",
                )
                pricers.append(functools.partial(self._energy, static, charge.yuan_per_kwh))
            elif isinstance(charge, FixedCharge):
                pricers.append(functools.partial(self._fixed, charge))
            elif isinstance(charge, DailyCharge):
                pricers.append(functools.partial(self._daily, charge))
            else:
                assert isinstance(charge, BasicCharge)
                pricers.append(functools.partial(self._basic, charge))
        return _Plan(tuple(pricers), tuple(owners), pf_charge, pf_at, minimum)

    def _energy(
        self, static: dict[str, object], rate: Decimal, piece: _Piece, _ctx: _Ctx
    ) -> list[LineItem]:
        return [self._kwh_line(static, piece.period, piece.kwh, rate)]

    def _fixed(self, charge: FixedCharge, piece: _Piece, _ctx: _Ctx) -> list[LineItem]:
        return [
            self._line(
                charge,
                piece,
                code=charge.code,
                names=_description(charge),
                quantity=Decimal(1),
                unit=self._month,
                rate=charge.yuan_per_month,
                rate_unit=f"{self._unit}/{self._month}",
                factor=piece.months,
            )
        ]

    def _daily(self, charge: DailyCharge, piece: _Piece, _ctx: _Ctx) -> list[LineItem]:
        return [
            self._line(
                charge,
                piece,
                code=charge.code,
                names=_description(charge),
                quantity=Decimal(piece.period.days),
                unit=self._day,
                rate=charge.yuan_per_day,
                rate_unit=f"{self._unit}/{self._day}",
            )
        ]

    def _minimum_line(
        self, charge: MinimumCharge, piece: _Piece, lines: Sequence[LineItem]
    ) -> LineItem | None:
        """Return the line raising ``lines`` to the minimum bill of ``piece`` (None: no need)."""
        if charge.yuan_per_month is not None:
            factor, month = piece.months, self._month
            per = f"{charge.yuan_per_month} {self._unit}/{month} × {factor} {month}"
            floor = self._round(
                MONEY_CONTEXT.divide(
                    charge.yuan_per_month * factor.numerator, Decimal(factor.denominator)
                )
            )
        else:
            assert charge.yuan_per_day is not None
            days = piece.period.days
            per = f"{charge.yuan_per_day} {self._unit}/{self._day} × {days} {self._day}"
            floor = self._round(charge.yuan_per_day * days)
        billed = sum((line.amount.amount for line in lines), _ZERO)
        if billed >= floor:
            return None
        shortfall = floor - billed
        return self._line(
            charge,
            piece,
            code=charge.code,
            names=_description(charge),
            quantity=shortfall,
            unit=self._unit,
            rate=Decimal(1),
            rate_unit="×",
            note=f"minimum {per} = {floor}; lines {billed}: shortfall {shortfall} billed",
        )

    def _time_of_use(
        self,
        charge: TimeOfUseCharge,
        table: Mapping[str, tuple[Decimal, dict[str, object]]],
        piece: _Piece,
        _ctx: _Ctx,
    ) -> list[LineItem]:
        energy = piece.energy
        if _TOTAL in energy and _TOTAL not in table:
            seasonal = self._by_season(piece.version.schedules[charge.schedule], piece)
            if seasonal is not None:
                return [
                    self._kwh_line(table[b][1], piece.period, kwh, table[b][0], note)
                    for b, kwh, _days, note in seasonal
                ]
        present = tuple(energy)
        order = self._orders.get(present)
        if order is None:
            order = self._orders[present] = tuple(sorted(present, key=bucket_key))
        lines = []
        for bucket in order:
            entry = table.get(bucket)
            if entry is None:
                raise InvalidInput(
                    "determinants.energy_kwh",
                    bucket,
                    f"a bucket of schedule {charge.schedule} ("
                    f"{', '.join(sorted(charge.resolved, key=bucket_key))})",
                )
            lines.append(self._kwh_line(entry[1], piece.period, energy[bucket], entry[0]))
        return lines

    def _annual_tiers(
        self, charge: AnnualTiers, unit: _TierTable, piece: _Piece, ctx: _Ctx
    ) -> list[LineItem]:
        account = ctx.account
        if charge.partial_year is not PartialYear.PRO_RATA or (
            account.opened_on is None and account.closed_on is None
        ):
            return self._tiers(unit, piece, piece.position, "")
        key = (id(charge), account.opened_on, account.closed_on, piece.period.start)
        cached = self._scales.get(key)
        if cached is None:
            cached = _remember(
                self._scales, key, self._pro_rata(charge, account, piece.period.start)
            )
        scale, why = cached
        table = unit if scale is _ONE else self._tier_table(charge, piece.version, scale)
        return self._tiers(table, piece, piece.position, why)

    def _monthly_tiers(
        self,
        charge: MonthlyTiers,
        unit: _TierTable,
        piece: _Piece,
        _ctx: _Ctx,
        *,
        days: int | None = None,
        note: str = "",
    ) -> list[LineItem]:
        """Price ``piece``'s kWh through ``charge`` (``days``: of a season's share of it)."""
        bounds = charge.bounds_per
        if days is None:
            days = piece.period.days
        if bounds is TierBounds.MONTH:
            scale, why = piece.months, ""
        elif bounds is TierBounds.DAY:
            scale, why = Fraction(days), f"bounds per day × {days} days"
        else:
            scale = piece.months / 12
            why = f"bounds per year × {piece.months}/12 months"
        if note:
            why = f"{why}; {note}" if why else note
        scale = _unit_or(scale)
        table = unit if scale is _ONE else self._tier_table(charge, piece.version, scale)
        return self._tiers(table, piece, _ZERO, why)

    def _by_season(
        self, schedule: TouSchedule, piece: _Piece
    ) -> list[tuple[str, Decimal, int, str]] | None:
        """Share a piece's total between seasonal buckets by days: (bucket, kWh, days, note).

        ``None`` unless every day of the piece is a single bucket of ``schedule``.
        """
        key = (id(schedule), piece.period.start, piece.period.end)
        days = self._season_days.get(key)
        if days is None:
            days = _remember(
                self._season_days, key, whole_day_buckets(schedule, piece.period) or {}
            )
        if not days:
            return None
        buckets = list(days)
        total = piece.energy[_TOTAL]
        shares = split_by_days(total, [days[b] for b in buckets])
        split = ", ".join(f"{b} {days[b]}" for b in buckets)
        note = f"total {total} kWh shared by days ({split} of {piece.period.days} days)"
        return [(b, kwh, days[b], note) for b, kwh in zip(buckets, shares, strict=True)]

    def _tou_tiers(
        self,
        charge: TimeOfUseTiers,
        ladders: Mapping[str, tuple[MonthlyTiers, _TierTable]],
        piece: _Piece,
        ctx: _Ctx,
    ) -> list[LineItem]:
        lines = []
        if _TOTAL in piece.energy and _TOTAL not in ladders:
            seasonal = self._by_season(piece.version.schedules[charge.schedule], piece)
            if seasonal is not None:
                for bucket, kwh, days, note in seasonal:
                    ladder, unit = ladders[bucket]
                    share = piece._replace(
                        kwh=kwh, months=_unit_or(piece.months * days / piece.period.days)
                    )
                    lines += self._monthly_tiers(ladder, unit, share, ctx, days=days, note=note)
                return lines
        for bucket in sorted(piece.energy, key=bucket_key):
            entry = ladders.get(bucket)
            if entry is None:
                raise InvalidInput(
                    "determinants.energy_kwh",
                    bucket,
                    f"a bucket of schedule {charge.schedule} ("
                    f"{', '.join(sorted(ladders, key=bucket_key))})",
                )
            ladder, unit = entry
            lines += self._monthly_tiers(
                ladder, unit, piece._replace(kwh=piece.energy[bucket]), ctx
            )
        return lines

    def _pro_rata(
        self, charge: AnnualTiers, account: AccountFacts, day: date
    ) -> tuple[Fraction, str]:
        cycle = self._cycle(charge, account, day)
        assert cycle.end is not None
        start = max(cycle.start, account.opened_on or cycle.start)
        end = min(cycle.end, account.closed_on or cycle.end)
        last = end - relativedelta(days=1)
        touched = (last.year - start.year) * 12 + last.month - start.month + 1
        if touched >= 12:
            return _ONE, ""
        return (
            Fraction(touched, 12),
            (
                f"thresholds × {touched}/12 (account in service {touched} billing months of the "
                f"tier year {cycle.start}–{cycle.last_day})"
            ),
        )

    def _tier_table(
        self, charge: MonthlyTiers | AnnualTiers, version: TariffVersion, scale: Fraction
    ) -> _TierTable:
        key = (id(charge), scale)
        table = self._tier_tables.get(key)
        if table is None:
            bounds = _scaled_bounds(charge.tiers, scale)
            table = self._tier_tables[key] = _TierTable(
                bounds=bounds,
                prefixes=tuple(
                    f"tier {i + 1} up to {'∞' if high is None else high} kWh"
                    for i, high in enumerate(bounds)
                ),
                statics=tuple(
                    self._static(
                        charge,
                        version,
                        f"{charge.code}.tier{i + 1}",
                        _description(charge, f"第{i + 1}档", f"tier {i + 1}"),
                        unit="kWh",
                        rate_unit=f"{self._unit}/kWh",
                    )
                    for i in range(len(charge.tiers))
                ),
                rates=tuple(tier.yuan_per_kwh for tier in charge.tiers),
            )
        return table

    def _tiers(self, table: _TierTable, piece: _Piece, start: Decimal, why: str) -> list[LineItem]:
        energy = piece.kwh
        position = f"; position {start} → {start + energy} kWh"
        if why:
            position = f"{position}; {why}"
        prefixes, statics, rates, period = table.prefixes, table.statics, table.rates, piece.period
        return [
            self._kwh_line(
                statics[index], period, quantity, rates[index], prefixes[index] + position
            )
            for index, quantity in _tier_bands(table.bounds, start, energy)
        ]

    def _basic(self, charge: BasicCharge, piece: _Piece, ctx: _Ctx) -> list[LineItem]:
        return [self._basic_line(charge, piece, ctx)]

    def _basic_line(self, charge: BasicCharge, piece: _Piece, ctx: _Ctx) -> LineItem:
        determinants, account, service = ctx.determinants, ctx.account, ctx.service
        basis = account.basic_charge_basis or charge.default_basis
        price = charge.price_for(basis)
        months = months_in(service, charge.part_month_days) * piece.period.days / service.days
        capacity = account.capacity_kva
        segment = _segment_of(account, service, piece.period)
        change = ""
        if segment is not None:
            capacity = segment.running_kva
            months = _capacity_months(service, piece.period, charge.part_month_days)
            change = _change_note(segment, piece.period, months, charge.part_month_days)
        if basis is BasicChargeBasis.CAPACITY:
            if segment is not None:
                capacity = segment.billed_kva
            if capacity is None:
                raise InvalidInput(
                    "account.capacity_kva", None, "a capacity for a capacity-based basic charge"
                )
            return self._line(
                charge,
                piece,
                code=charge.code,
                names=_description(charge, "按容量", "capacity"),
                quantity=capacity,
                unit="kVA",
                rate=price,
                rate_unit=f"{self._unit}/kVA·月",
                factor=months,
                note=change,
            )
        demand = determinants.max_demand_kw
        if demand is None:
            raise InvalidInput(
                "determinants.max_demand_kw", None, "a maximum demand for a demand-based charge"
            )
        notes = [change] if change else []
        contract = account.contract_demand_kw
        if segment is not None:
            assert account.capacity_history is not None
            account.capacity_history.refuse_partial_demand_suspension(segment)
        if segment is not None and not segment.running_kva:
            notes.append("no capacity in service: no demand billed")
            demand = _ZERO
            contract = None
        if contract is None:
            billable = demand
            notes.append(f"measured maximum demand {demand} kW")
        else:
            floor = charge.contract_floor * ((capacity or _ZERO) + account.hv_motor_kw)
            declared = max(contract, floor)
            if declared != contract:
                notes.append(f"contract {contract} kW raised to the floor {declared} kW")
            threshold = charge.excess_threshold * declared
            if demand <= threshold:
                billable = declared
                notes.append(f"{demand} kW ≤ {threshold} kW: contract demand {declared} kW billed")
            else:
                excess = demand - threshold
                billable = demand + excess * (charge.excess_multiplier - 1)
                notes.append(
                    f"{demand} kW > {threshold} kW: {demand} + excess {excess} × "
                    f"{charge.excess_multiplier - 1} more = {billable} kW"
                )
        if charge.discount_kwh_per_kva is not None and capacity:
            monthly = months_in(service, charge.part_month_days)
            per_kva = MONEY_CONTEXT.divide(
                ctx.total_energy * monthly.denominator, capacity * monthly.numerator
            )
            if per_kva >= charge.discount_kwh_per_kva:
                price = price * charge.discount_factor
                notes.append(
                    f"{per_kva.normalize():f} kWh/kVA ≥ {charge.discount_kwh_per_kva}: "
                    f"price × {charge.discount_factor}"
                )
        return self._line(
            charge,
            piece,
            code=charge.code,
            names=_description(charge, "按需量", "demand"),
            quantity=billable,
            unit="kW",
            rate=price,
            rate_unit=f"{self._unit}/kW·月",
            factor=months,
            note="; ".join(notes),
        )

    def _power_factor_line(
        self,
        *,
        charge: PowerFactorAdjustment,
        piece: _Piece,
        lines: Sequence[LineItem],
        owners: Sequence[Charge],
        ctx: _Ctx,
    ) -> LineItem | None:
        account, total_energy, reactive, pf = ctx.account, ctx.total_energy, ctx.reactive, ctx.pf
        segment = _segment_of(account, ctx.service, piece.period)
        standard = (
            segment.pf_standard if segment is not None and segment.pf_standard else None
        ) or (account.pf_standard or charge.default_standard)
        if account.residential:
            return None
        if standard is None:
            if reactive:
                ctx.notes.append(
                    f"power-factor adjustment not applied: no PF standard given although "
                    f"{reactive} kvarh reactive energy was read"
                )
            return None
        if reactive is None:
            raise InvalidInput(
                "determinants.reactive_kvarh",
                None,
                f"reactive energy for the power-factor adjustment (standard {standard})",
            )
        if pf is None:
            return None
        percent = RULE_SETS[charge.rule_set].standard(standard).percent(pf)
        base = Decimal(0)
        for line, owner in zip(lines, owners, strict=True):
            in_base = (
                owner.category in PF_BASE_CATEGORIES
                if charge.base_codes is None
                else owner.code in charge.base_codes
            )
            if in_base:
                base += line.amount.amount
        sign = "+" if percent > 0 else ""
        return self._line(
            charge,
            piece,
            code=charge.code,
            names=_description(charge),
            quantity=base,
            unit=self._unit,
            rate=percent / 100,
            rate_unit="×",
            note=(
                f"PF = {max(total_energy, _ZERO)} / √({max(total_energy, _ZERO)}² + "
                f"{abs(reactive)}²) → {pf}; standard {standard}: {sign}{percent}% of the base"
            ),
        )


def bucket_ladders(charge: TimeOfUseTiers) -> dict[str, MonthlyTiers]:
    """Return each bucket's ladder of ``charge`` as the tier charge that prices its energy.

    Its code is ``<charge>.<bucket>`` (lines ``tou.peak.tier1``), its names the charge's with the
    bucket's; the batch engine prices the same ladders.
    """
    ladders = {}
    for entry in charge.buckets:
        zh, en = BUCKET_LABELS.get(entry.bucket, (entry.bucket, entry.bucket))
        ladders[entry.bucket] = MonthlyTiers(
            code=f"{charge.code}.{entry.bucket}",
            name_zh=f"{charge.name_zh}·{zh}",
            name_en=f"{charge.name_en}, {en}",
            source=charge.source,
            source_zh=charge.source_zh,
            category=charge.category,
            tiers=entry.tiers,
            bounds_per=charge.bounds_per,
        )
    return ladders


@functools.lru_cache(maxsize=1024)
def _segments_of(history: CapacityHistory, service: DateRange) -> tuple[CapacitySegment, ...]:
    return history.segments(service)


def _segment_of(
    account: AccountFacts, service: DateRange, period: DateRange
) -> CapacitySegment | None:
    """Return the capacity segment ``period`` lies in (``None`` without a capacity history)."""
    history = account.capacity_history
    if history is None:
        return None
    return next(s for s in _segments_of(history, service) if period.start in s.period)


def _tail_months(service: DateRange, day: date | None, part_month_days: int) -> Fraction:
    assert service.end is not None
    assert day is not None
    if day >= service.end:
        return Fraction(0)
    return months_in(DateRange(day, service.end), part_month_days)


def _capacity_months(service: DateRange, period: DateRange, part_month_days: int) -> Fraction:
    """Return the months of ``period``'s basic charge when the capacity changes in ``service``.

    Counted back from the end of the service days: each piece after a change is charged from its
    first day at ``1/part_month_days`` of a month a day (whole months first), and the first
    piece the rest, so the pieces add up to the months of the service days (《供电营业规则》:
    the basic charge changes from the sealing or unsealing day, by days, 1/30 of a month each).
    """
    return _unit_or(
        _tail_months(service, period.start, part_month_days)
        - _tail_months(service, period.end, part_month_days)
    )


def _change_note(
    segment: CapacitySegment, period: DateRange, months: Fraction, part_month_days: int
) -> str:
    """Say what changed over ``segment``: days, capacities, changes in force, the rule."""
    share = months * part_month_days
    if share.denominator == 1 and months < 1:
        return f"{segment.explanation_en}; {share}/{part_month_days} of a month"
    return segment.explanation_en


def _deep_valley_note(schedule: TouSchedule, period: DateRange) -> str:
    """Return the note of ``period``'s deep-valley hours priced as registered ("" when none)."""
    quarters = 0
    days: list[date] = []
    registered: set[str] = set()
    for day in period.dates():
        slots = schedule.slots_on(day)
        if _DEEP_VALLEY not in slots:
            continue
        days.append(day)
        season = next(season for season in schedule.seasons if day.month in season.months)
        base = season.slots(schedule.day_type(day))
        for index, bucket in enumerate(slots):
            if bucket == _DEEP_VALLEY:
                quarters += 1
                registered.add(base[index])
    if not quarters:
        return ""
    windows = ", ".join(
        f"{w.start}-{w.end}"
        for overlay in schedule.overlays
        if overlay.bucket == _DEEP_VALLEY
        for w in overlay.windows
    )
    buckets = " or ".join(
        BUCKET_LABELS.get(bucket, ("", bucket))[1] for bucket in sorted(registered, key=bucket_key)
    )
    return (
        f"{Fraction(quarters, 4)} h of deep valley from {days[0]} to {days[-1]} ({windows}) "
        f"billed at the {buckets} price as registered: the meter has no deep-valley register"
    )


def _months_of(period: DateRange) -> set[int]:
    return {day.month for day in period.dates()}


def _refuse_negative(determinants: Determinants) -> None:
    """Refuse energy, demand or reactive energy below zero: no meter registers them (R10)."""
    for bucket, kwh in determinants.energy_kwh.items():
        if kwh < 0:
            raise InvalidInput(
                f"determinants.energy_kwh.{bucket}", kwh, "an energy of zero or more"
            )
    for name, value in (
        ("max_demand_kw", determinants.max_demand_kw),
        ("reactive_kvarh", determinants.reactive_kvarh),
    ):
        if value is not None and value < 0:
            raise InvalidInput(f"determinants.{name}", value, "zero or more")


def _share_by_weights(quantity: Decimal, weights: Sequence[Decimal]) -> tuple[Decimal, ...]:
    """Share ``quantity`` in proportion to ``weights`` (exact sum, three decimals finer)."""
    total = sum((abs(w) for w in weights), _ZERO)
    if not total:
        return (quantity, *([_ZERO] * (len(weights) - 1)))
    step = Decimal(1).scaleb(min(int(quantity.as_tuple().exponent), 0) - 3)
    sign = -1 if quantity < 0 else 1
    units = int(abs(quantity) / step)
    exact = [Fraction(units) * Fraction(abs(w)) / Fraction(total) for w in weights]
    floors = [int(share) for share in exact]
    ranked = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for index in ranked[: units - sum(floors)]:
        floors[index] += 1
    return tuple(sign * part * step for part in floors)


def price_bill(
    tariff: Tariff,
    determinants: Determinants,
    period: DateRange,
    account: AccountFacts = DEFAULT_ACCOUNT,
    *,
    bill_id: str = "",
    account_id: str = "",
) -> Bill:
    """Return the draft bill of ``determinants`` over ``period`` under ``tariff``."""
    return BillingEngine(tariff).bill(
        determinants, period, account, bill_id=bill_id, account_id=account_id
    )
