"""The meter lifecycle: a state machine, test and rotation due dates by metering class.

In stock → installed → in service ⇄ under test → removed → retired (or back to stock). The
periodic on-site tests and the rotation (轮换) of a meter follow its metering class (DL/T 448) and
its type (JJG 307 / JJG 596); the periods are versioned data (:data:`TEST_POLICIES`), chosen by the
date you ask about, never by "today".

>>> "[*] --> IN_STOCK" in METER_LIFECYCLE.to_mermaid()
True
>>> DLT448_2000.onsite_test_months[MeteringClass.II]
6

Source: DL/T 448-2000 《电能计量装置技术管理规程》 (classes, tests, rotation); JJG 307-2006
(electromechanical meters).
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import attrs
from dateutil.relativedelta import relativedelta

from powerretail.errors import InvalidInput
from powerretail.metering.meters import Bearing, Meter, MeterType
from powerretail.statemachine import StateMachine, Transition, TransitionRecord
from powerretail.timeframe import DateRange, as_date, in_force_on

__all__ = [
    "DLT448_2000",
    "METER_LIFECYCLE",
    "TEST_POLICIES",
    "DueItem",
    "MeterAsset",
    "MeterEventKind",
    "MeterState",
    "MeteringClass",
    "TestPolicy",
    "due_dates",
    "meters_due",
    "move_meter",
    "policy_on",
]


class MeterState(enum.Enum):
    """Where a meter is in its life."""

    IN_STOCK = "in_stock"
    INSTALLED = "installed"
    IN_SERVICE = "in_service"
    UNDER_TEST = "under_test"
    REMOVED = "removed"
    RETIRED = "retired"


class MeterEventKind(enum.Enum):
    """What happens to a meter."""

    INSTALL = "install"
    COMMISSION = "commission"
    SEND_TO_TEST = "send_to_test"
    PASS_TEST = "pass_test"
    FAIL_TEST = "fail_test"
    REMOVE = "remove"
    RETURN_TO_STOCK = "return_to_stock"
    RETIRE = "retire"


_S, _E = MeterState, MeterEventKind

#: The meter lifecycle (RELIABILITY R12: only these arrows; retired is final).
METER_LIFECYCLE: StateMachine[MeterState, MeterEventKind] = StateMachine(
    "meter lifecycle",
    initial=_S.IN_STOCK,
    finals={_S.RETIRED},
    transitions=[
        Transition(_S.IN_STOCK, _E.INSTALL, _S.INSTALLED),
        Transition(_S.IN_STOCK, _E.RETIRE, _S.RETIRED),
        Transition(_S.INSTALLED, _E.COMMISSION, _S.IN_SERVICE),
        Transition(_S.INSTALLED, _E.REMOVE, _S.REMOVED),
        Transition(_S.IN_SERVICE, _E.SEND_TO_TEST, _S.UNDER_TEST),
        Transition(_S.IN_SERVICE, _E.REMOVE, _S.REMOVED),
        Transition(_S.UNDER_TEST, _E.PASS_TEST, _S.IN_SERVICE),
        Transition(_S.UNDER_TEST, _E.FAIL_TEST, _S.REMOVED),
        Transition(_S.REMOVED, _E.RETURN_TO_STOCK, _S.IN_STOCK),
        Transition(_S.REMOVED, _E.RETIRE, _S.RETIRED),
    ],
)


class MeteringClass(enum.Enum):
    """Class of a metering installation (DL/T 448-2000)."""

    I = "I"  # noqa: E741 - the class is called I
    II = "II"
    III = "III"
    IV = "IV"
    V = "V"


@attrs.frozen(kw_only=True)
class TestPolicy:
    """Periodic test and rotation periods, as versioned data with their source.

    Attributes:
        key: the rule set, e.g. ``"DLT448-2000"``.
        effective_from: first day the policy applies.
        effective_to: first day it no longer applies (``None``: still in force).
        first_test_months: months after commissioning for the first on-site test, by class.
        onsite_test_months: months between on-site tests, by class.
        rotation_years_by_class: years in service before rotation, by class.
        rotation_years_by_type: longest service [years] by meter type (any class); where a
            type's period also depends on the bearing, the shorter period.
        rotation_years_by_bearing: longest service [years] by meter type and bearing, where
            the bearing allows a longer period than the type's (a meter whose bearing is not
            given keeps the type's shorter period, and its due date says so).
        source: where the numbers come from.
    """

    __test__ = False  # not a pytest test class

    key: str
    effective_from: date
    effective_to: date | None = None
    first_test_months: Mapping[MeteringClass, int]
    onsite_test_months: Mapping[MeteringClass, int]
    rotation_years_by_class: Mapping[MeteringClass, int]
    rotation_years_by_type: Mapping[MeterType, int]
    rotation_years_by_bearing: Mapping[MeterType, Mapping[Bearing, int]] = attrs.field(factory=dict)
    source: str

    @property
    def effective(self) -> DateRange:
        """The dates the policy is in force."""
        return DateRange(self.effective_from, self.effective_to)

    def applies_on(self, day: date) -> bool:
        """Return whether the policy is in force on ``day``."""
        return day in self.effective


_HV = (MeteringClass.I, MeteringClass.II, MeteringClass.III, MeteringClass.IV)

DLT448_2000 = TestPolicy(
    key="DLT448-2000",
    effective_from=date(2000, 11, 3),
    first_test_months=dict.fromkeys(_HV, 1),
    onsite_test_months={MeteringClass.I: 3, MeteringClass.II: 6, MeteringClass.III: 12},
    rotation_years_by_class=dict.fromkeys(_HV[:3], 3),
    rotation_years_by_type={
        MeterType.ELECTROMECHANICAL_THREE_PHASE: 6,
        MeterType.ELECTROMECHANICAL_SINGLE_PHASE: 10,
        MeterType.ELECTRONIC: 8,
        MeterType.SMART: 8,
    },
    rotation_years_by_bearing={
        MeterType.ELECTROMECHANICAL_SINGLE_PHASE: {Bearing.MAGNETIC: 15, Bearing.DOUBLE_JEWEL: 15},
    },
    source=(
        "DL/T 448-2000 first test within 1 month (I–IV), on-site tests I 3 / "
        "II 6 / III 12 months, rotation of I–III every 3–4 years (3 used); JJG 307-2006 "
        "electromechanical three-phase 6 years, single-phase with magnetic or double-jewel "
        "bearings 15 years, other single-phase 10 years; JJG 596-2012 electronic class 1/2 "
        "8 years [uncertain]. Effective date of DL/T 448-2000 [uncertain]."
    ),
)

#: Every test policy, by effective date.
TEST_POLICIES: tuple[TestPolicy, ...] = (DLT448_2000,)


def policy_on(day: date, policies: Sequence[TestPolicy] = TEST_POLICIES) -> TestPolicy:
    """Return the test policy in force on ``day``.

    Raises:
        NotFound: no policy covers ``day``.
    """
    return in_force_on(policies, day, "meter test policy")


def _optional_date(value: object) -> date | None:
    return None if value is None else as_date(value, "date")


@attrs.frozen(kw_only=True)
class MeterAsset:
    """A meter as an asset: its state, metering class, commissioning and last test."""

    meter: Meter
    state: MeterState = MeterState.IN_STOCK
    metering_class: MeteringClass
    commissioned_on: date | None = attrs.field(default=None, converter=_optional_date)
    last_tested_on: date | None = attrs.field(default=None, converter=_optional_date)

    @property
    def id(self) -> str:
        """The meter's id (names the asset in transition records)."""
        return self.meter.id


def move_meter(
    asset: MeterAsset,
    event: MeterEventKind,
    *,
    at: _dt.datetime,
    by: str,
    why: str = "",
) -> tuple[MeterAsset, TransitionRecord[MeterState, MeterEventKind]]:
    """Return ``asset`` moved by ``event`` and the audit record; commissioning and a passed test
    set the dates the due-date rules count from.

    Raises:
        TransitionNotAllowed: the event makes no sense in the asset's state.
    """
    moved, record = METER_LIFECYCLE.apply(asset, event, at=at, by=by, why=why)
    day = record.at.date()
    if event is MeterEventKind.COMMISSION:
        moved = attrs.evolve(moved, commissioned_on=day)
    elif event is MeterEventKind.PASS_TEST:
        moved = attrs.evolve(moved, last_tested_on=day)
    return moved, record


@attrs.frozen(kw_only=True, order=True)
class DueItem:
    """A meter due for an on-site test or for rotation on ``due_on``."""

    due_on: date
    meter_id: str
    kind: str
    rule: str


def _rotation(asset: MeterAsset, policy: TestPolicy) -> tuple[int, str] | None:
    """Return the years before ``asset`` rotates under ``policy`` and why (``None``: no rule)."""
    meter, metering_class = asset.meter, asset.metering_class
    by_class = policy.rotation_years_by_class.get(metering_class)
    by_type = policy.rotation_years_by_type.get(meter.meter_type)
    type_why = f"{meter.meter_type.value.replace('_', ' ')} meter"
    longer = policy.rotation_years_by_bearing.get(meter.meter_type, {})
    if by_type is not None and longer:
        if meter.bearing is None:
            named = " or ".join(bearing.label_en for bearing in longer)
            type_why += (
                f", bearing not given: the shorter {by_type}-year period assumed "
                f"({max(longer.values())} years with a {named} bearing)"
            )
        else:
            by_type = longer.get(meter.bearing, by_type)
            type_why += f", {meter.bearing.label_en} bearing"
    if by_class is not None and (by_type is None or by_class <= by_type):
        return by_class, f"class {metering_class.value}"
    if by_type is not None:
        return by_type, type_why
    return None


def due_dates(asset: MeterAsset, policy: TestPolicy) -> tuple[DueItem, ...]:
    """Return the next on-site test and the rotation of ``asset`` under ``policy``.

    Raises:
        InvalidInput: the asset has not been commissioned.
    """
    start = asset.commissioned_on
    if start is None:
        raise InvalidInput("commissioned_on", None, "the date the meter went into service")
    items = []
    meter_id, metering_class = asset.meter.id, asset.metering_class
    every = policy.onsite_test_months.get(metering_class)
    first = policy.first_test_months.get(metering_class)
    if asset.last_tested_on is None and first is not None:
        items.append(
            DueItem(
                due_on=start + relativedelta(months=first),
                meter_id=meter_id,
                kind="first_test",
                rule=f"{policy.key} first test within {first} month(s), "
                f"class {metering_class.value}",
            )
        )
    elif every is not None:
        base = asset.last_tested_on or start
        items.append(
            DueItem(
                due_on=base + relativedelta(months=every),
                meter_id=meter_id,
                kind="periodic_test",
                rule=f"{policy.key} on-site test every {every} months, "
                f"class {metering_class.value}",
            )
        )
    rotation = _rotation(asset, policy)
    if rotation is not None:
        years, why = rotation
        items.append(
            DueItem(
                due_on=start + relativedelta(years=years),
                meter_id=meter_id,
                kind="rotation",
                rule=f"{policy.key} rotation after {years} years, {why}",
            )
        )
    return tuple(items)


def meters_due(
    assets: Iterable[MeterAsset],
    *,
    as_of: date,
    within_days: int = 0,
    policies: Sequence[TestPolicy] = TEST_POLICIES,
) -> tuple[DueItem, ...]:
    """Return the tests and rotations due on or before ``as_of + within_days``, soonest first.

    Only meters in service count (a meter under test is being tested; one in stock has no clock).

    Raises:
        NotFound: no test policy in force on ``as_of``.
    """
    day = as_date(as_of, "as_of")
    policy = policy_on(day, policies)
    horizon = day + relativedelta(days=within_days)
    return tuple(
        sorted(
            item
            for asset in assets
            if asset.state is MeterState.IN_SERVICE
            for item in due_dates(asset, policy)
            if item.due_on <= horizon
        )
    )
