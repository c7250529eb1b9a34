"""What the bill engine prices: billing determinants and the account facts it needs.

These are simple values, so they can be fed from register reads, from interval data or from
any meter model an embedder has:

* :class:`Determinants` — energy per time-of-use bucket [kWh], maximum demand [kW] and reactive
  energy [kvarh] of one billing period;
* :class:`AccountFacts` — capacity, contract demand, basic-charge basis, power-factor standard,
  year-to-date energy for annual tiers, the dates the account exists, and its loss model.

>>> d = Determinants(energy_kwh={"peak": "1600", "valley": "1000"})
>>> d.total_kwh
Decimal('2600')
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

import attrs

from powerretail.billing.capacity import CapacityHistory
from powerretail.billing.sub_accounts import SubAccount, as_sub_accounts
from powerretail.errors import InvalidInput
from powerretail.quantities import exact_decimal
from powerretail.tariffs.losses import (
    NO_LOSS,
    LossModel,
)
from powerretail.tariffs.model import BasicChargeBasis
from powerretail.tariffs.tou import USE_CATEGORIES
from powerretail.timeframe import as_date

__all__ = ["AccountFacts", "Determinants"]


def _energy_map(value: Mapping[str, object]) -> Mapping[str, Decimal]:
    if not isinstance(value, Mapping) or not value:
        raise InvalidInput("energy_kwh", value, "a mapping of bucket to kWh, at least one bucket")
    result: dict[str, Decimal] = {}
    for bucket, kwh in value.items():
        if not isinstance(bucket, str) or not bucket:
            raise InvalidInput("energy_kwh", bucket, "a bucket name")
        result[bucket] = exact_decimal(kwh, f"energy_kwh.{bucket}")
    return result


def _optional_demand(value: object) -> Decimal | None:
    return None if value is None else exact_decimal(value, "max_demand_kw")


def _optional_reactive(value: object) -> Decimal | None:
    return None if value is None else exact_decimal(value, "reactive_kvarh")


@attrs.frozen(kw_only=True)
class Determinants:
    """The billable quantities of one period.

    ``energy_kwh`` maps time-of-use buckets (``peak``, ``flat``, ``valley`` …, or ``total`` for
    an untimed meter) to energy [kWh] with every decimal kept. ``reactive_kvarh`` is the reactive
    energy the power-factor rules count (import + export with a reverse-reactive meter).
    Negative values are kept here (a plausibility check names them), but the bill engine refuses
    to price them: energy, demand and reactive energy are never below zero.
    """

    energy_kwh: Mapping[str, Decimal] = attrs.field(converter=_energy_map)
    max_demand_kw: Decimal | None = attrs.field(default=None, converter=_optional_demand)
    reactive_kvarh: Decimal | None = attrs.field(default=None, converter=_optional_reactive)

    @property
    def total_kwh(self) -> Decimal:
        """All energy of the period [kWh]."""
        return sum(self.energy_kwh.values(), Decimal(0))


def _optional_positive(field: str, value: object) -> Decimal | None:
    if value is None:
        return None
    number = exact_decimal(value, field)
    if number < 0:
        raise InvalidInput(field, value, "a number of zero or more")
    return number


def _capacity(value: object) -> Decimal | None:
    return _optional_positive("capacity_kva", value)


def _contract(value: object) -> Decimal | None:
    number = _optional_positive("contract_demand_kw", value)
    if number == 0:
        raise InvalidInput("contract_demand_kw", value, "a contract demand above zero, or None")
    return number


def _motors(value: object) -> Decimal:
    number = _optional_positive("hv_motor_kw", value)
    return Decimal(0) if number is None else number


def _ytd(value: object) -> Decimal:
    number = exact_decimal(value, "ytd_kwh")
    if number < 0:
        raise InvalidInput("ytd_kwh", value, "energy billed so far this tier year, zero or more")
    return number


def _standard(value: object) -> Decimal | None:
    return None if value is None else exact_decimal(value, "pf_standard")


def _basis(value: object) -> BasicChargeBasis | None:
    if value is None or isinstance(value, BasicChargeBasis):
        return value
    try:
        return BasicChargeBasis(value)
    except ValueError:
        raise InvalidInput("basic_charge_basis", value, "capacity or demand") from None


def _opened(value: object) -> date | None:
    return None if value is None else as_date(value, "opened_on")


def _closed(value: object) -> date | None:
    return None if value is None else as_date(value, "closed_on")


def _history(value: object) -> CapacityHistory | None:
    if value is None or isinstance(value, CapacityHistory):
        return value
    raise InvalidInput("capacity_history", value, "a CapacityHistory or None")


def _kind(value: object) -> str | None:
    if value is None:
        return None
    if value not in USE_CATEGORIES:
        raise InvalidInput("use_category", value, f"one of {', '.join(USE_CATEGORIES)}, or None")
    return str(value)


def _loss(value: object) -> LossModel:
    if not isinstance(value, LossModel):
        raise InvalidInput("loss_model", value, "a LossModel (NoLoss, FixedPercent …)")
    return value


@attrs.frozen(kw_only=True)
class AccountFacts:
    """Facts about the account that change the charges.

    * ``capacity_kva`` — contracted transformer capacity [kVA] (capacity basis, 40 % floor,
      kWh-per-kVA discount);
    * ``hv_motor_kw`` — HV motors not behind a transformer [kW], part of the 40 % floor;
    * ``contract_demand_kw`` — contract maximum demand [kW], above zero; ``None`` on the demand
      basis bills the measured demand;
    * ``basic_charge_basis`` — the user's choice; ``None`` uses the tariff's default;
    * ``pf_standard`` — 0.90, 0.85 or 0.80; ``None`` uses the tariff's default;
    * ``residential`` — residential accounts are never power-factor adjusted;
    * ``use_category`` — ``industrial``, ``commercial``, ``agricultural`` or ``residential``
      (``None``: not given); time-of-use overlays limited to some kinds test it (Jiangsu's
      critical peak and deep valley: industrial users of 315 kVA and more,
      苏发改价格发〔2025〕426号), and a bill that needs it refuses rather than guess. A
      residential account is of kind ``residential``;
    * ``ytd_kwh`` — energy already billed in the current tier year before this period [kWh],
      zero or more;
    * ``opened_on`` / ``closed_on`` — the first day with and the first day without service
      (move-in, move-out); the bill covers only the days in between;
    * ``loss_model`` — losses between the boundary and the meter (《供电营业规则》(1996) 第74条);
    * ``capacity_history`` — the capacity as dated changes (suspension, reduction, swap,
      increase; :class:`~powerretail.billing.capacity.CapacityHistory`), in place of
      ``capacity_kva``: the bill is cut at each change and each piece billed on its capacity;
    * ``sub_accounts`` — fixed-quantity and fixed-ratio sub-accounts (定量/定比,
      :class:`~powerretail.billing.sub_accounts.SubAccount`): their energy is deducted from the
      meter's and billed at their price on the same bill, outside the power-factor base.
    """

    capacity_kva: Decimal | None = attrs.field(default=None, converter=_capacity)
    hv_motor_kw: Decimal = attrs.field(default=Decimal(0), converter=_motors)
    contract_demand_kw: Decimal | None = attrs.field(default=None, converter=_contract)
    basic_charge_basis: BasicChargeBasis | None = attrs.field(default=None, converter=_basis)
    pf_standard: Decimal | None = attrs.field(default=None, converter=_standard)
    residential: bool = False
    use_category: str | None = attrs.field(default=None, converter=_kind)
    ytd_kwh: Decimal = attrs.field(default=Decimal(0), converter=_ytd)
    opened_on: date | None = attrs.field(default=None, converter=_opened)
    closed_on: date | None = attrs.field(default=None, converter=_closed)
    loss_model: LossModel = attrs.field(default=NO_LOSS, converter=_loss)
    capacity_history: CapacityHistory | None = attrs.field(default=None, converter=_history)
    sub_accounts: tuple[SubAccount, ...] = attrs.field(default=(), converter=as_sub_accounts)

    @property
    def kind(self) -> str | None:
        """The use category (用电类别) TOU scopes test (``residential`` for a residential one)."""
        return "residential" if self.residential else self.use_category

    def __attrs_post_init__(self) -> None:
        if self.residential and self.use_category not in (None, "residential"):
            raise InvalidInput(
                "use_category", self.use_category, "residential or None (residential=True)"
            )
        if not self.residential and self.use_category == "residential":
            raise InvalidInput("residential", False, "True for use_category residential")
        if self.capacity_history is not None and self.capacity_kva is not None:
            raise InvalidInput(
                "capacity_kva",
                self.capacity_kva,
                "None when a capacity_history is given (the history holds the capacity)",
            )
        if (
            self.opened_on is not None
            and self.closed_on is not None
            and self.closed_on <= self.opened_on
        ):
            raise InvalidInput("closed_on", self.closed_on, f"a date after {self.opened_on}")
