"""A retail customer's bill priced end to end: contract → package → bill.

A package sets only the user's energy price; the bill still adds the on-grid line-loss cost,
transmission and distribution, system operation, government funds and the power-factor
adjustment (发改价格〔2023〕526号). So :func:`package_tariff` takes the user's *delivery tariff*
(a tariff file whose non-energy charges are the grid's) and puts the package, priced for the
month, in place of its energy charges; the ordinary
:class:`~powerretail.billing.engine.BillingEngine` then prices every line. The energy line names
the package version and the formula it applied (``PKG-MIX@2025: p = k·p_fixed + …``); every other
line names its tariff rule as on any bill.

>>> from decimal import Decimal
>>> from powerretail.billing.determinants import Determinants
>>> from powerretail.retail.packages import PackageVersion, PricingKind, RetailPackage
>>> from powerretail.tariffs.model import (
...     CustomerCategory, EnergyCharge, Tariff, TariffVersion, ChargeCategory)
>>> delivery = Tariff(code="DEL", name_zh="输配", name_en="delivery",
...     category=CustomerCategory.COMMERCIAL_INDUSTRIAL, versions=[TariffVersion(
...         label="2025", effective_from="2025-01-01", charges=[
...             EnergyCharge(code="transmission", name_zh="输配电价", name_en="T&D",
...                          source="发改价格〔2023〕526号 (illustrative)", yuan_per_kwh="0.18",
...                          category=ChargeCategory.TRANSMISSION)])])
>>> package = RetailPackage(code="PKG-F", name_zh="固定", name_en="fixed", versions=[
...     PackageVersion(label="2025", effective_from="2025-01-01", source="合同 (illustrative)",
...                    kind=PricingKind.FIXED, fixed_yuan_per_kwh="0.41")])
>>> retail = price_retail_bill(package=package, delivery=delivery, period=DateRange.month(2025, 7),
...     determinants=Determinants(energy_kwh={"total": "1000"}), reference_prices={})
>>> for line in retail.bill.lines:
...     print(line.code, line.amount)
retail_energy 410.00 CNY
transmission 180.00 CNY
>>> retail.bill.lines[0].source
'PKG-F@2025: p = p_fixed = 0.41 元/kWh'
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final

import attrs
from dateutil.relativedelta import relativedelta

from powerretail.billing.bill import Bill
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import DEFAULT_ACCOUNT, BillingEngine
from powerretail.billing.usage import IntervalSeries, bucket_energy
from powerretail.contracts.lifecycle import Contract
from powerretail.contracts.terms import ContractKind
from powerretail.errors import InvalidInput, NotFound
from powerretail.quantities import Money, sum_money
from powerretail.retail.packages import (
    EnergyPricing,
    RetailPackage,
    energy_pricing,
    price_month,
)
from powerretail.retail.reference_prices import month_text
from powerretail.tariffs.model import (
    BucketPrice,
    Charge,
    ChargeCategory,
    EnergyCharge,
    Tariff,
    TariffVersion,
    TimeOfUseCharge,
    VersionStatus,
)
from powerretail.tariffs.tou import Season, TouSchedule, TouWindow
from powerretail.timeframe import DateRange

__all__ = [
    "RETAIL_ENERGY_CODE",
    "RetailBill",
    "package_of",
    "package_tariff",
    "price_contract_bill",
    "price_retail_bill",
]

_UNTIMED: Final = TouSchedule(
    name="untimed",
    seasons=(
        Season(
            name="all", months=tuple(range(1, 13)), windows=(TouWindow("total", "00:00", "24:00"),)
        ),
    ),
)

#: The code of the package's energy line(s) on a retail bill (TOU lines: ``retail_energy.peak``).
RETAIL_ENERGY_CODE: Final = "retail_energy"


@attrs.frozen(kw_only=True)
class RetailBill:
    """A retail customer's draft bill and how its energy was priced."""

    bill: Bill
    pricing: EnergyPricing

    @property
    def energy_charge(self) -> Money:
        """The package's energy charge: the retailer's retail revenue on this bill."""
        return sum_money(
            (
                line.amount
                for line in self.bill.lines
                if line.code == RETAIL_ENERGY_CODE or line.code.startswith(f"{RETAIL_ENERGY_CODE}.")
            ),
            self.bill.currency,
        )


def _is_energy(charge: Charge) -> bool:
    return charge.category is ChargeCategory.ENERGY


def _schedule_name(version: TariffVersion) -> str | None:
    for charge in version.charges:
        if isinstance(charge, TimeOfUseCharge):
            return charge.schedule
    return None


def _month_version(delivery: Tariff, period: DateRange) -> TariffVersion:
    version = delivery.version_on(period.start)
    end = period.end
    assert end is not None
    if version.effective_to is not None and version.effective_to < end:
        raise InvalidInput(
            "period",
            str(period),
            f"days under one version of delivery tariff {delivery.code} "
            f"(version {version.label} ends {version.effective_to})",
        )
    return version


def _month_period(period: DateRange) -> None:
    if period.end is None:
        raise InvalidInput("period", str(period), "a closed period")
    first = period.start.replace(day=1)
    if period.end > first + relativedelta(months=1):
        raise InvalidInput(
            "period", str(period), f"days of one calendar month ({month_text(first)})"
        )


def package_tariff(delivery: Tariff, pricing: EnergyPricing, period: DateRange) -> Tariff:
    """Return ``delivery`` for ``period`` with its energy charges replaced by the package's.

    Charges of category ``energy`` are the purchase price the package replaces; the package's
    charge takes the place of the first of them (or comes first when there is none). A
    time-of-use package prices every bucket of the delivery version's schedule; a capped month
    (or an untimed package) is one flat energy charge.

    Raises:
        InvalidInput: a period over more than one delivery version, a time-of-use package on a
            delivery tariff without a schedule, or a schedule bucket the package has no ratio for.
        NotFound: no delivery version is in force on the period's first day.
    """
    _month_period(period)
    version = _month_version(delivery, period)
    price = pricing.price
    names = ("零售套餐电能量电费", f"retail energy (package {price.names})")
    source = pricing.explanation
    charge: Charge
    schedule = _schedule_name(version)
    if price.band_yuan_per_kwh and not pricing.capped:
        if schedule is None:
            raise InvalidInput(
                "delivery",
                delivery.code,
                f"a tariff with a time-of-use schedule (package {price.names} is time-of-use)",
            )
        buckets = version.schedules[schedule].buckets
        for bucket in buckets:
            if bucket not in price.band_yuan_per_kwh:
                raise InvalidInput(
                    f"package.tou.ratios.{bucket}",
                    None,
                    f"a ratio for every bucket of schedule {schedule} ({', '.join(buckets)})",
                )
        charge = TimeOfUseCharge(
            code=RETAIL_ENERGY_CODE,
            name_zh=names[0],
            name_en=names[1],
            source=source,
            schedule=schedule,
            prices=[
                BucketPrice(bucket=bucket, yuan_per_kwh=price.band_yuan_per_kwh[bucket])
                for bucket in buckets
            ],
        )
    else:
        rate = next(iter(pricing.prices.values())) if pricing.prices else price.flat_yuan_per_kwh
        charge = EnergyCharge(
            code=RETAIL_ENERGY_CODE,
            name_zh=names[0],
            name_en=names[1],
            source=source,
            yuan_per_kwh=rate,
        )
    kept = [c for c in version.charges if not _is_energy(c)]
    first_energy = next((i for i, c in enumerate(version.charges) if _is_energy(c)), 0)
    before = sum(1 for c in version.charges[:first_energy] if not _is_energy(c))
    charges = [*kept[:before], charge, *kept[before:]]
    status = VersionStatus.ILLUSTRATIVE
    if version.status is VersionStatus.CONFIRMED:
        status = VersionStatus.CONFIRMED
    composed = TariffVersion(
        label=f"{version.label}+{price.names}",
        effective_from=period.start,
        effective_to=period.end,
        status=status,
        note=version.note,
        schedules=version.schedules,
        charges=charges,
    )
    return attrs.evolve(
        delivery,
        code=f"{delivery.code}.{price.package_code}",
        name_en=f"{delivery.name_en} with retail package {price.package_code}",
        versions=(composed,),
    )


def price_retail_bill(
    *,
    package: RetailPackage,
    delivery: Tariff,
    period: DateRange,
    reference_prices: Mapping[str, Decimal],
    determinants: Determinants | None = None,
    series: IntervalSeries | None = None,
    account: AccountFacts = DEFAULT_ACCOUNT,
    wholesale_yuan_per_kwh: Decimal | None = None,
    bill_id: str = "",
    account_id: str = "",
) -> RetailBill:
    """Return the draft bill of one month of a retail customer on ``package``.

    Give the usage either as ``determinants`` or as an interval ``series`` (bucketed by the
    delivery tariff's schedule). The package version in force on the period's first day is
    priced for the month (``reference_prices``: the month's price of each series by code), the
    cap is applied to the month's energy, and :func:`package_tariff` bills the rest.

    Raises:
        InvalidInput: neither or both usages, a period over two months, or usage the package
            or the delivery tariff cannot price.
        ReferencePriceMissing: the package's reference series has no price for the month.
        WholesaleCostMissing: a spread-sharing package without ``wholesale_yuan_per_kwh``.
        NotFound: no package or delivery version in force on the period's first day.
    """
    if (determinants is None) == (series is None):
        raise InvalidInput("usage", "both" if determinants else "neither", "determinants or series")
    _month_period(period)
    version = package.version_on(period.start)
    price = price_month(
        version,
        package.code,
        period.start,
        reference_prices=reference_prices,
        wholesale_yuan_per_kwh=wholesale_yuan_per_kwh,
    )
    delivery_version = _month_version(delivery, period)
    if determinants is not None:
        energy = dict(determinants.energy_kwh)
    else:
        assert series is not None
        name = _schedule_name(delivery_version)
        schedule = _UNTIMED if name is None else delivery_version.schedules[name]
        energy = bucket_energy(series, schedule, period)
    pricing = energy_pricing(price, energy)
    tariff = package_tariff(delivery, pricing, period)
    engine = BillingEngine(tariff)
    if determinants is not None:
        bill = engine.bill(determinants, period, account, bill_id=bill_id, account_id=account_id)
    else:
        assert series is not None
        bill = engine.bill_intervals(
            series, period, account, bill_id=bill_id, account_id=account_id
        )
    return RetailBill(bill=bill, pricing=pricing)


def package_of(contract: Contract, packages: Mapping[str, RetailPackage]) -> RetailPackage:
    """Return the package ``contract``'s price terms name (``PriceTerms.retail_package_id``).

    Raises:
        InvalidInput: not a retail contract, or its price is a tariff code.
        NotFound: the package is not in ``packages``.
    """
    if contract.kind is not ContractKind.RETAIL or contract.price.retail_package_id is None:
        raise InvalidInput(
            "contract.price", contract.id, "a retail contract priced by a retail package"
        )
    package = packages.get(contract.price.retail_package_id)
    if package is None:
        raise NotFound("retail package", contract.price.retail_package_id)
    return package


def price_contract_bill(
    *,
    contract: Contract,
    packages: Mapping[str, RetailPackage],
    delivery: Tariff,
    period: DateRange,
    reference_prices: Mapping[str, Decimal],
    determinants: Determinants | None = None,
    series: IntervalSeries | None = None,
    account: AccountFacts = DEFAULT_ACCOUNT,
    wholesale_yuan_per_kwh: Decimal | None = None,
    bill_id: str = "",
    account_id: str = "",
) -> RetailBill:
    """Return the draft bill of a month of ``contract``: contract → package → bill.

    Raises:
        InvalidInput: not a retail contract, a period outside the contract's term, or anything
            :func:`price_retail_bill` refuses.
        NotFound: the contract's package is not in ``packages``.
    """
    package = package_of(contract, packages)
    end = period.end
    if end is None or period.start < contract.term.start or end > contract.term.end:
        raise InvalidInput(
            "period",
            str(period),
            f"days within contract {contract.id}'s term "
            f"({contract.term.start} to {contract.term.end})",
        )
    return price_retail_bill(
        package=package,
        delivery=delivery,
        period=period,
        reference_prices=reference_prices,
        determinants=determinants,
        series=series,
        account=account,
        wholesale_yuan_per_kwh=wholesale_yuan_per_kwh,
        bill_id=bill_id,
        account_id=account_id,
    )
