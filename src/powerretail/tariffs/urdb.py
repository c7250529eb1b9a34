"""Rates from the OpenEI U.S. Utility Rate Database (URDB) as powerretail tariffs.

URDB publishes a rate as one JSON record (the v7 API answers ``{"items": [record]}``). The fields
this importer reads:

* ``energyratestructure``: periods, each a list of tiers ``{"max", "unit", "rate", "adj"}``
  [$/kWh, ``rate + adj`` is the price; the last tier is open whatever its ``max``];
* ``energyweekdayschedule`` / ``energyweekendschedule``: 12 × 24 matrices (month × hour of the
  day) of period indices;
* ``fixedchargefirstmeter`` with ``fixedchargeunits`` (``$/month`` or ``$/day``);
* ``mincharge`` with ``minchargeunits`` (``$/month`` or ``$/day``);
* ``label``, ``name``, ``utility``, ``sector``, ``startdate`` / ``enddate`` (epoch seconds).

What becomes what: one period, one tier → an ``energy`` charge; one period with tiers →
``monthly_tiers`` (``kWh`` bounds per month, ``kWh daily`` per day); several periods without
tiers → ``time_of_use`` on a schedule built from the matrices (buckets ``period0``,
``period1`` …, seasons = months with the same rows); several periods with tiers → ``tou_tiers``,
only when every month is one period all day (a seasonal tiered rate: URDB counts tiers on the
month's energy, which is then each period's energy). Amounts are USD, rounded to cents, proration
``days_in_month``. Anything else — demand charges, tiers on kWh per kW, sell rates, a fixed
charge per additional meter, annual minimums, hours of the day inside a tiered rate — is refused
with one :class:`~powerretail.errors.InvalidInput` naming every such field; metadata fields are
ignored. URDB gives no time zone: the caller names it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final

from powerretail.errors import InvalidInput
from powerretail.quantities import exact_decimal
from powerretail.tariffs.model import (
    BucketPrice,
    BucketTiers,
    Charge,
    CustomerCategory,
    DailyCharge,
    EnergyCharge,
    FixedCharge,
    MinimumCharge,
    MonthlyTiers,
    Tariff,
    TariffVersion,
    Tier,
    TierBounds,
    TimeOfUseCharge,
    TimeOfUseTiers,
    VersionStatus,
)
from powerretail.tariffs.proration import Proration
from powerretail.tariffs.tou import Season, TouSchedule, TouWindow

__all__ = ["SUPPORTED_FIELDS", "from_urdb", "loads_urdb_json"]

#: The URDB fields that become part of the tariff.
SUPPORTED_FIELDS: Final = frozenset(
    {
        "energyratestructure",
        "energyweekdayschedule",
        "energyweekendschedule",
        "fixedchargefirstmeter",
        "fixedchargeunits",
        "mincharge",
        "minchargeunits",
        "label",
        "name",
        "utility",
        "sector",
        "startdate",
        "enddate",
    }
)
#: Fields that describe the record and change no amount: read past.
_METADATA: Final = frozenset(
    {
        "uri",
        "eiaid",
        "description",
        "source",
        "sourceparent",
        "supersedes",
        "approved",
        "is_default",
        "country",
        "servicetype",
        "voltagecategory",
        "phasewiring",
        "energycomments",
        "demandcomments",
        "energytoulabels",
        "demandtoulabels",
        "basicinformationcomments",
        "revisions",
        "latest_update",
        "dgrules",
        "peakkwcapacitymin",
        "peakkwcapacitymax",
        "peakkwcapacityhistory",
        "peakkwhusagemin",
        "peakkwhusagemax",
        "peakkwhusagehistory",
        "voltageminimum",
        "voltagemaximum",
        "voltagerestrictions",
        "fueladjustmentsmonthly",
    }
)
#: URDB units of a tier's ``max`` this importer can bound tiers by.
_TIER_UNITS: Final = {"kWh": TierBounds.MONTH, "kWh daily": TierBounds.DAY}
_SECTORS: Final = {
    "Residential": CustomerCategory.RESIDENTIAL,
    "Commercial": CustomerCategory.COMMERCIAL_INDUSTRIAL,
    "Industrial": CustomerCategory.COMMERCIAL_INDUSTRIAL,
}


def _is_empty(value: object) -> bool:
    return value is None or value in ("", [], {}, 0)


def _source(record: Mapping[str, Any]) -> str:
    utility = str(record.get("utility") or "URDB")
    name = str(record.get("name") or record.get("label") or "rate")
    return f"OpenEI URDB {record.get('label', '(no label)')}: {utility}, {name}"


def _names(source: str, zh: str, en: str) -> dict[str, str]:
    return {"name_zh": zh, "name_en": en, "source": source}


def _money(value: object, field: str) -> Decimal:
    if isinstance(value, float):  # json.loads without parse_float: say how to read it
        raise InvalidInput(field, value, "an exact number (read URDB JSON with loads_urdb_json)")
    return exact_decimal(value, field)


def _hour(hour: int) -> str:
    return f"{hour:02d}:00"


def _windows(row: Sequence[int]) -> tuple[TouWindow, ...]:
    windows = []
    start = 0
    for hour in range(1, 25):
        if hour == 24 or row[hour] != row[start]:
            windows.append(TouWindow(f"period{row[start]}", _hour(start), _hour(hour)))
            start = hour
    return tuple(windows)


def _matrix(record: Mapping[str, Any], field: str, periods: int) -> list[list[int]]:
    matrix = record.get(field)
    if (
        not isinstance(matrix, list)
        or len(matrix) != 12
        or any(not isinstance(row, list) or len(row) != 24 for row in matrix)
    ):
        raise InvalidInput(field, "…", "12 rows (months) of 24 period indices (hours)")
    for month, row in enumerate(matrix):
        for hour, period in enumerate(row):
            if isinstance(period, bool) or not isinstance(period, int) or not 0 <= period < periods:
                raise InvalidInput(
                    f"{field}[{month}][{hour}]", period, f"a period index 0-{periods - 1}"
                )
    return matrix


def _schedule(weekday: list[list[int]], weekend: list[list[int]], timezone: str) -> TouSchedule:
    groups: dict[tuple[tuple[int, ...], tuple[int, ...]], list[int]] = {}
    for month in range(12):
        groups.setdefault((tuple(weekday[month]), tuple(weekend[month])), []).append(month + 1)
    seasons = []
    for index, ((days, ends), months) in enumerate(groups.items()):
        day_types = {} if days == ends else {"weekend": _windows(ends)}
        seasons.append(
            Season(
                name=f"season{index}",
                months=tuple(months),
                windows=_windows(days),
                day_types=day_types,
            )
        )
    return TouSchedule(name="urdb", seasons=tuple(seasons), timezone=timezone)


def _tiers(
    period: Sequence[Mapping[str, Any]], index: int, problems: list[str]
) -> tuple[tuple[Tier, ...], TierBounds]:
    tiers = []
    bounds = set()
    for t, tier in enumerate(period):
        at = f"energyratestructure[{index}][{t}]"
        if not isinstance(tier, Mapping):
            raise InvalidInput(at, tier, "a tier {max, unit, rate, adj}")
        unknown = set(tier) - {"max", "unit", "rate", "adj", "sell"}
        if unknown:
            problems.append(f"{at}: {', '.join(sorted(unknown))}")
        if not _is_empty(tier.get("sell")):
            problems.append(f"{at}.sell (a sell-back rate)")
        price = _money(tier.get("rate", 0), f"{at}.rate") + _money(tier.get("adj", 0), f"{at}.adj")
        last = t == len(period) - 1
        upto = None if last or tier.get("max") is None else _money(tier["max"], f"{at}.max")
        if upto is not None or (len(period) > 1 and not last):
            unit = tier.get("unit", "kWh")
            if unit not in _TIER_UNITS:
                problems.append(f"{at}.unit {unit!r} (tiers on {unit})")
            else:
                bounds.add(_TIER_UNITS[unit])
        tiers.append(Tier(upto, price))
    if len(bounds) > 1:
        problems.append(f"energyratestructure[{index}]: tiers bounded in kWh and in kWh daily")
    return tuple(tiers), (bounds.pop() if len(bounds) == 1 else TierBounds.MONTH)


def _energy(
    record: Mapping[str, Any], source: str, timezone: str, problems: list[str]
) -> tuple[Charge, dict[str, TouSchedule]]:
    structure = record.get("energyratestructure")
    if (
        not isinstance(structure, list)
        or not structure
        or not all(isinstance(p, list) and p for p in structure)
    ):
        raise InvalidInput("energyratestructure", "…", "periods, each a list of tiers")
    ladders = [_tiers(period, i, problems) for i, period in enumerate(structure)]
    energy: dict[str, Any] = {"code": "energy", **_names(source, "电度电费", "energy charge")}
    if len(structure) == 1:
        tiers, bounds = ladders[0]
        if len(tiers) == 1:
            return EnergyCharge(**energy, yuan_per_kwh=tiers[0].yuan_per_kwh), {}
        return MonthlyTiers(**energy, tiers=tiers, bounds_per=bounds), {}
    weekday = _matrix(record, "energyweekdayschedule", len(structure))
    weekend = _matrix(record, "energyweekendschedule", len(structure))
    schedule = _schedule(weekday, weekend, timezone)
    used = set(schedule.buckets)
    if all(len(tiers) == 1 for tiers, _ in ladders):
        prices = [
            BucketPrice(bucket=f"period{i}", yuan_per_kwh=tiers[0].yuan_per_kwh)
            for i, (tiers, _) in enumerate(ladders)
            if f"period{i}" in used
        ]
        return TimeOfUseCharge(**energy, schedule="urdb", prices=prices), {"urdb": schedule}
    mixed = [
        f"{name}[{month}]"
        for name, matrix in (("energyweekdayschedule", weekday), ("energyweekendschedule", weekend))
        for month, row in enumerate(matrix)
        if len(set(row)) > 1
    ]
    if mixed or weekday != weekend:
        where = ", ".join(mixed) or "energyweekendschedule differs from energyweekdayschedule"
        problems.append(
            "tiers inside periods that change within a month or a week "
            f"({where}): URDB counts tiers on the month's energy across periods"
        )
    kinds = {bounds for tiers, bounds in ladders if len(tiers) > 1}
    bucket_tiers = [
        BucketTiers(bucket=f"period{i}", tiers=tiers)
        for i, (tiers, _) in enumerate(ladders)
        if f"period{i}" in used
    ]
    charge = TimeOfUseTiers(
        **energy,
        schedule="urdb",
        buckets=bucket_tiers,
        bounds_per=kinds.pop() if len(kinds) == 1 else TierBounds.MONTH,
    )
    if len(kinds) > 0:
        problems.append("energyratestructure: periods bounded in kWh and in kWh daily")
    return charge, {"urdb": schedule}


def _per(record: Mapping[str, Any], units: str, problems: list[str]) -> str | None:
    unit = record.get(units, "$/month")
    if unit in ("$/month", "$/day"):
        return str(unit)
    problems.append(f"{units} {unit!r} (only $/month and $/day)")
    return None


def _date(record: Mapping[str, Any], field: str) -> date | None:
    value = record.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(field, value, "seconds since 1970-01-01 (URDB's dates)")
    return datetime.fromtimestamp(value, UTC).date()


def from_urdb(data: object, *, timezone: str, effective_from: date | str | None = None) -> Tariff:
    """Return the URDB rate ``data`` (one record, or an API answer with one item) as a tariff.

    ``timezone`` is the IANA zone of the schedule's hours (URDB does not say);
    ``effective_from`` overrides the record's ``startdate`` (one of them is needed).

    Raises:
        InvalidInput: a field is malformed, or the rate uses URDB features this importer does not
            support (``field`` is ``urdb``; the message names each of them).
    """
    record: Any = data
    if isinstance(data, Mapping) and "items" in data:
        items = data["items"]
        if not isinstance(items, list) or len(items) != 1:
            raise InvalidInput(
                "items", f"{len(items) if isinstance(items, list) else items}", "one rate"
            )
        record = items[0]
    if not isinstance(record, Mapping):
        raise InvalidInput("urdb", type(record).__name__, "a URDB rate record (a JSON object)")
    problems: list[str] = []
    for field in sorted(set(record) - SUPPORTED_FIELDS - _METADATA):
        if not _is_empty(record[field]):
            problems.append(field)
    source = _source(record)
    energy, schedules = _energy(record, source, timezone, problems)
    charges: list[Charge] = []
    fixed = record.get("fixedchargefirstmeter")
    if not _is_empty(fixed):
        per = _per(record, "fixedchargeunits", problems)
        amount = _money(fixed, "fixedchargefirstmeter")
        common: dict[str, Any] = {"code": "fixed", **_names(source, "固定费", "fixed charge")}
        if per == "$/month":
            charges.append(FixedCharge(**common, yuan_per_month=amount))
        elif per == "$/day":
            charges.append(DailyCharge(**common, yuan_per_day=amount))
    charges.append(energy)
    minimum = record.get("mincharge")
    if not _is_empty(minimum):
        per = _per(record, "minchargeunits", problems)
        amount = _money(minimum, "mincharge")
        common = {"code": "minimum", **_names(source, "最低电费", "minimum charge")}
        if per == "$/month":
            charges.append(MinimumCharge(**common, yuan_per_month=amount))
        elif per == "$/day":
            charges.append(MinimumCharge(**common, yuan_per_day=amount))
    if problems:
        raise InvalidInput(
            "urdb",
            "; ".join(problems),
            "a rate without these URDB features, which powerretail does not price (it prices "
            "energy periods and tiers in kWh or kWh daily, a first-meter fixed charge and a "
            "minimum charge per month or day)",
        )
    start = effective_from if effective_from is not None else _date(record, "startdate")
    if start is None:
        raise InvalidInput("startdate", None, "the rate's start date, or pass effective_from")
    label = str(record.get("label") or "rate")
    code = "URDB-" + "".join(c for c in label if c.isascii() and c.isalnum())[:40]
    version = TariffVersion(
        label=label,
        effective_from=start,
        effective_to=_date(record, "enddate"),
        status=VersionStatus.ILLUSTRATIVE,
        note="imported from OpenEI URDB; check it against the utility's tariff sheet",
        schedules=schedules,
        charges=charges,
    )
    name = str(record.get("name") or label)
    return Tariff(
        code=code,
        name_zh=name,
        name_en=name,
        category=_SECTORS.get(str(record.get("sector")), CustomerCategory.OTHER),
        currency="USD",
        proration=Proration.DAYS_IN_MONTH,
        versions=(version,),
    )


def loads_urdb_json(
    text: str, *, timezone: str, effective_from: date | str | None = None
) -> Tariff:
    """Return the URDB rate in JSON ``text`` as a tariff (numbers read exactly).

    Raises:
        InvalidInput: not JSON, or see :func:`from_urdb`.
    """
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as err:
        raise InvalidInput("urdb", f"{err.msg} at line {err.lineno}", "JSON text") from None
    return from_urdb(data, timezone=timezone, effective_from=effective_from)
