"""The catalogue of service time limits, as named, versioned rule sets.

Each :class:`SlaRuleSet` is one instrument (our seed documents, the State Grid commitments
current and 2011, the supply-supervision measures, the 1996 supply rules) with its
:class:`~powerretail.sla.policy.SlaPolicy` limits and :class:`~powerretail.sla.policy.NoticeRule`
lead times, every one carrying its source and how sure we are of it. They are data: compare
rule sets, or build your own :class:`SlaRuleSet` for a province or a contract.

>>> complaint = rule_set("JGBF").policy("complaint_reply")
>>> complaint.limit, complaint.unit.value, complaint.source
(10, 'working_days', '《供电监管办法》(2009, 国家电力监管委员会): complaint reply')
>>> print(", ".join(sorted(CATALOGUE)))
GYGZ1996, JGBF, SEED, SGCC10, SGCC10_2011

Limits the catalogue leaves out, on purpose: GYGZ1996's supply-scheme replies of "1 month" and
"2 months" (months are not a unit an SLA clock counts; model them with anchored months when a
process needs them), scheme validity periods (a validity, not a time limit), and the
reliability and voltage-quality targets (ratios, not clocks).

Source: the instruments named on each limit; compared in docs/explanation/sources.md (service
time limits).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from types import MappingProxyType
from typing import Final

import attrs

from powerretail.errors import InvalidInput, NotFound
from powerretail.sla.policy import NoticeRule, SlaPolicy, SlaUnit
from powerretail.timeframe import DateRange

__all__ = ["CATALOGUE", "SlaRuleSet", "rule_set"]

_CD: Final = SlaUnit.CALENDAR_DAYS
_WD: Final = SlaUnit.WORKING_DAYS
_H: Final = SlaUnit.HOURS
_MIN: Final = SlaUnit.MINUTES


def _policies(values: Iterable[SlaPolicy]) -> tuple[SlaPolicy, ...]:
    return tuple(values)


def _notices(values: Iterable[NoticeRule]) -> tuple[NoticeRule, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class SlaRuleSet:
    """The time limits of one instrument, in force from ``effective_from`` to ``effective_to``.

    Raises:
        InvalidInput: two limits with one key, a limit filed under another rule set, or an
            end of validity before its start.
    """

    key: str
    title: str
    effective_from: date | None = None
    effective_to: date | None = None
    policies: tuple[SlaPolicy, ...] = attrs.field(default=(), converter=_policies)
    notices: tuple[NoticeRule, ...] = attrs.field(default=(), converter=_notices)

    def __attrs_post_init__(self) -> None:
        if (
            self.effective_from is not None
            and self.effective_to is not None
            and self.effective_to < self.effective_from
        ):
            raise InvalidInput(
                "effective_to", self.effective_to, f"a date on or after {self.effective_from}"
            )
        seen: set[str] = set()
        items: tuple[SlaPolicy | NoticeRule, ...] = (*self.policies, *self.notices)
        for item in items:
            if item.key in seen:
                raise InvalidInput(f"{self.key}.key", item.key, "a key used once in a rule set")
            if item.rule_set != self.key:
                raise InvalidInput(f"{item.key}.rule_set", item.rule_set, f"{self.key!r}")
            seen.add(item.key)

    def policy(self, key: str) -> SlaPolicy:
        """Return the time limit ``key``.

        Raises:
            NotFound: the rule set has no such limit.
        """
        for policy in self.policies:
            if policy.key == key:
                return policy
        raise NotFound(f"{self.key} SLA policy", key)

    def notice(self, key: str) -> NoticeRule:
        """Return the notice rule ``key``.

        Raises:
            NotFound: the rule set has no such notice rule.
        """
        for notice in self.notices:
            if notice.key == key:
                return notice
        raise NotFound(f"{self.key} notice rule", key)

    @property
    def effective(self) -> DateRange:
        """The days the rule set is in force, half-open (``effective_to`` is its last day)."""
        return DateRange(
            self.effective_from or date.min,
            None if self.effective_to is None else self.effective_to + timedelta(days=1),
        )

    def is_in_force_on(self, day: date) -> bool:
        """Return whether the rule set applies to a case started on ``day``."""
        return day in self.effective


_SEED_SCHEME = "SEED 电力大客户用电管理制度 第二节 4 (大客户供电方案答复时间)"
_SEED_RURAL = "SEED 供电所农电营销工作管理制度"

SEED: Final = SlaRuleSet(
    key="SEED",
    title="Our seed documents (a Suzhou-area supply company's internal rules)",
    policies=(
        SlaPolicy(
            key="complaint_reply",
            name="Complaint reply (投诉答复)",
            limit=5,
            unit=_CD,
            rule_set="SEED",
            source=f"{_SEED_RURAL} item 25",
            status="1 source; unit not stated, read as calendar days [uncertain]",
        ),
        SlaPolicy(
            key="report_reply",
            name="Report reply (举报答复)",
            limit=10,
            unit=_CD,
            rule_set="SEED",
            source=f"{_SEED_RURAL} item 25",
            status="1 source; unit not stated, read as calendar days [uncertain]",
        ),
        SlaPolicy(
            key="supply_scheme_reply_hv_single",
            name="Supply scheme reply, HV single source",
            limit=20,
            unit=_WD,
            rule_set="SEED",
            source=_SEED_SCHEME,
            status="1 source",
            note="counted from the day the supply office accepts the application",
        ),
        SlaPolicy(
            key="supply_scheme_reply_hv_dual",
            name="Supply scheme reply, HV dual source",
            limit=30,
            unit=_WD,
            rule_set="SEED",
            source=_SEED_SCHEME,
            status="1 source",
        ),
        SlaPolicy(
            key="scheme_handover_to_marketing",
            name="Supply office hands the application to marketing",
            limit=5,
            unit=_WD,
            rule_set="SEED",
            source=_SEED_SCHEME,
            status="1 source",
            note="a high-voltage application, counted from the supply office's acceptance",
        ),
        SlaPolicy(
            key="residential_power_on",
            name="Residential power-on after application",
            limit=5,
            unit=_WD,
            rule_set="SEED",
            source=f"{_SEED_RURAL} item 16",
            status="1 source; agrees with SGCC10",
        ),
        SlaPolicy(
            key="energisation_non_residential",
            name="Non-residential energisation after inspection passed",
            limit=5,
            unit=_WD,
            rule_set="SEED",
            source=f"{_SEED_RURAL} item 16",
            status="1 source",
        ),
        SlaPolicy(
            key="internal_handover",
            name="Internal business handover",
            limit=1,
            unit=_CD,
            rule_set="SEED",
            source=f"{_SEED_RURAL} item 17",
            status="1 source; '1天' read as one calendar day [uncertain]",
        ),
        SlaPolicy(
            key="change_of_use_decision",
            name="Change of use (变更用电) checked and approved or refused",
            limit=5,
            unit=_WD,
            rule_set="SEED",
            source="powerretail default: no instrument sets it; 5 working days, the lead "
            "发改办价格〔2016〕1583号 asks of the user's application",
            status="powerretail default, not an instrument's limit",
        ),
        SlaPolicy(
            key="counter_payment_residential",
            name="Counter payment, residential customer",
            limit=5,
            unit=_MIN,
            rule_set="SEED",
            source=f"{_SEED_RURAL} item 21",
            status="1 source",
        ),
        SlaPolicy(
            key="counter_payment_other",
            name="Counter payment, other customers",
            limit=20,
            unit=_MIN,
            rule_set="SEED",
            source=f"{_SEED_RURAL} item 21",
            status="1 source",
        ),
    ),
    notices=(
        NoticeRule(
            key="planned_outage_notice",
            name="Planned outage notice to key customers",
            lead=24,
            unit=_H,
            rule_set="SEED",
            source="SEED 供电所大客户维护与管理办法 第九条(二) (计划停电)",
            status="1 source",
            note="looser than national 7 days: default to SGCC10/JGBF (§20)",
        ),
        NoticeRule(
            key="scheme_extension_request",
            name="Request to extend a supply scheme's validity",
            lead=10,
            unit=_CD,
            rule_set="SEED",
            source=_SEED_SCHEME,
            status="1 source; agrees with 《供电营业规则》(1996) 第21条",
        ),
    ),
)

_SGCC = "国家电网有限公司供电服务“十项承诺” (2023 text)"
_SGCC_KPI = "State Grid internal 业扩报装 time-limit KPI (internal, not published)"
_AVERAGE = "an average over cases, not a per-case limit; use it per case only by choice"

SGCC10: Final = SlaRuleSet(
    key="SGCC10",
    title="State Grid ten service commitments (current text, published 2023)",
    policies=(
        SlaPolicy(
            key="complaint_contact",
            name="Complaint: contact the customer",
            limit=24,
            unit=_H,
            rule_set="SGCC10",
            source="国家电网有限公司供电服务“十项承诺” (2023 text; believed, not verified)",
            status="uncertain",
        ),
        SlaPolicy(
            key="complaint_reply",
            name="Complaint reply",
            limit=5,
            unit=_WD,
            rule_set="SGCC10",
            source="国家电网有限公司供电服务“十项承诺” (2023 text; believed, not verified)",
            status="uncertain",
        ),
        SlaPolicy(
            key="repair_arrival_urban",
            name="Repair arrival, urban",
            limit=45,
            unit=_MIN,
            rule_set="SGCC10",
            source=_SGCC,
            status="confirmed: 2 sources",
            note=_AVERAGE,
        ),
        SlaPolicy(
            key="repair_arrival_rural",
            name="Repair arrival, rural",
            limit=90,
            unit=_MIN,
            rule_set="SGCC10",
            source=_SGCC,
            status="confirmed: 2 sources",
            note=_AVERAGE,
        ),
        SlaPolicy(
            key="repair_arrival_remote",
            name="Repair arrival, remote areas",
            limit=2,
            unit=_H,
            rule_set="SGCC10",
            source=_SGCC,
            status="confirmed: 2 sources",
            note=_AVERAGE,
        ),
        SlaPolicy(
            key="restoration_urban",
            name="Power restored after arrival, urban",
            limit=3,
            unit=_H,
            rule_set="SGCC10",
            source=_SGCC,
            status="confirmed: 2 sources",
            note=_AVERAGE,
            start_events={"arrived"},
            stop_events={"restored"},
        ),
        SlaPolicy(
            key="restoration_rural",
            name="Power restored after arrival, rural",
            limit=4,
            unit=_H,
            rule_set="SGCC10",
            source=_SGCC,
            status="confirmed: 2 sources",
            note=_AVERAGE,
            start_events={"arrived"},
            stop_events={"restored"},
        ),
        SlaPolicy(
            key="supply_scheme_reply_hv_single",
            name="Supply scheme reply, HV single source",
            limit=15,
            unit=_WD,
            rule_set="SGCC10",
            source=_SGCC_KPI,
            status="confirmed: 2 sources",
        ),
        SlaPolicy(
            key="supply_scheme_reply_hv_dual",
            name="Supply scheme reply, HV dual source",
            limit=30,
            unit=_WD,
            rule_set="SGCC10",
            source=_SGCC_KPI,
            status="confirmed: 2 sources",
        ),
        SlaPolicy(
            key="design_review_hv",
            name="Design review, HV",
            limit=10,
            unit=_WD,
            rule_set="SGCC10",
            source=_SGCC_KPI,
            status="1 source",
        ),
        SlaPolicy(
            key="mid_construction_inspection_hv",
            name="Mid-construction inspection, HV",
            limit=5,
            unit=_WD,
            rule_set="SGCC10",
            source=_SGCC_KPI,
            status="1 source",
        ),
        SlaPolicy(
            key="completion_inspection_hv",
            name="Completion inspection, HV",
            limit=5,
            unit=_WD,
            rule_set="SGCC10",
            source=_SGCC_KPI,
            status="1 source",
        ),
        SlaPolicy(
            key="energisation_hv",
            name="Energisation after inspection, HV",
            limit=5,
            unit=_WD,
            rule_set="SGCC10",
            source=_SGCC_KPI,
            status="1 source",
        ),
        SlaPolicy(
            key="connection_residential",
            name="Whole-process connection, residential",
            limit=5,
            unit=_WD,
            rule_set="SGCC10",
            source=_SGCC,
            status="confirmed: 2 sources",
        ),
        SlaPolicy(
            key="connection_lv_non_residential",
            name="Whole-process connection (supplier side), LV non-residential",
            limit=6,
            unit=_WD,
            rule_set="SGCC10",
            source=_SGCC,
            status="confirmed: 2 sources",
        ),
        SlaPolicy(
            key="connection_hv_single",
            name="Whole-process connection (supplier side), HV single source",
            limit=22,
            unit=_WD,
            rule_set="SGCC10",
            source=_SGCC,
            status="confirmed: 2 sources",
        ),
        SlaPolicy(
            key="connection_hv_dual",
            name="Whole-process connection (supplier side), HV dual source",
            limit=32,
            unit=_WD,
            rule_set="SGCC10",
            source=_SGCC,
            status="confirmed: 2 sources",
        ),
        SlaPolicy(
            key="meter_test_result",
            name="Meter test result",
            limit=5,
            unit=_WD,
            rule_set="SGCC10",
            source=_SGCC,
            status="confirmed: 2 sources",
        ),
    ),
    notices=(
        NoticeRule(
            key="planned_outage_notice",
            name="Planned outage notice",
            lead=7,
            unit=_CD,
            rule_set="SGCC10",
            source=_SGCC + "; 《电力供应与使用条例》第28条",
            status="confirmed: 2 sources",
        ),
        NoticeRule(
            key="temporary_outage_notice",
            name="Temporary outage notice to important users",
            lead=24,
            unit=_H,
            rule_set="SGCC10",
            source=_SGCC + "; 《电力供应与使用条例》第28条",
            status="confirmed: 2 sources",
        ),
        NoticeRule(
            key="scheme_extension_request",
            name="Request to extend a supply scheme's validity",
            lead=7,
            unit=_WD,
            rule_set="SGCC10",
            source="State Grid current business manual (业扩报装, scheme validity extension)",
            status="1 source",
        ),
    ),
)

_SGCC2011 = "国家电网公司供电服务“十项承诺” (2011, 三个十条)"

SGCC10_2011: Final = SlaRuleSet(
    key="SGCC10_2011",
    title="State Grid ten service commitments (2011, 三个十条; superseded by SGCC10)",
    policies=(
        SlaPolicy(
            key="complaint_contact",
            name="Complaint: contact the customer",
            limit=1,
            unit=_WD,
            rule_set="SGCC10_2011",
            source=_SGCC2011,
            status="confirmed: 2 sources",
        ),
        SlaPolicy(
            key="complaint_reply",
            name="Complaint reply",
            limit=7,
            unit=_WD,
            rule_set="SGCC10_2011",
            source=_SGCC2011,
            status="confirmed: 2 sources",
        ),
        SlaPolicy(
            key="repair_arrival_urban",
            name="Repair arrival, urban",
            limit=45,
            unit=_MIN,
            rule_set="SGCC10_2011",
            source=_SGCC2011,
            status="confirmed: 2 sources",
            note="'generally not exceeding'",
        ),
        SlaPolicy(
            key="repair_arrival_rural",
            name="Repair arrival, rural",
            limit=90,
            unit=_MIN,
            rule_set="SGCC10_2011",
            source=_SGCC2011,
            status="confirmed: 2 sources",
            note="'generally not exceeding'",
        ),
        SlaPolicy(
            key="repair_arrival_remote",
            name="Repair arrival, remote areas",
            limit=2,
            unit=_H,
            rule_set="SGCC10_2011",
            source=_SGCC2011,
            status="confirmed: 2 sources",
            note="'generally not exceeding'",
        ),
        SlaPolicy(
            key="supply_scheme_reply_residential",
            name="Supply scheme reply, residential",
            limit=3,
            unit=_WD,
            rule_set="SGCC10_2011",
            source=_SGCC2011,
            status="confirmed: 2 sources",
        ),
        SlaPolicy(
            key="supply_scheme_reply_lv",
            name="Supply scheme reply, LV",
            limit=7,
            unit=_WD,
            rule_set="SGCC10_2011",
            source=_SGCC2011,
            status="confirmed: 2 sources",
        ),
        SlaPolicy(
            key="supply_scheme_reply_hv_single",
            name="Supply scheme reply, HV single source",
            limit=15,
            unit=_WD,
            rule_set="SGCC10_2011",
            source=_SGCC2011,
            status="confirmed: 2 sources",
        ),
        SlaPolicy(
            key="supply_scheme_reply_hv_dual",
            name="Supply scheme reply, HV dual source",
            limit=30,
            unit=_WD,
            rule_set="SGCC10_2011",
            source=_SGCC2011,
            status="confirmed: 2 sources",
        ),
        SlaPolicy(
            key="energisation_residential",
            name="Energisation after inspection, residential",
            limit=3,
            unit=_WD,
            rule_set="SGCC10_2011",
            source=_SGCC2011,
            status="confirmed: 2 sources",
        ),
        SlaPolicy(
            key="energisation_non_residential",
            name="Energisation after inspection, non-residential",
            limit=5,
            unit=_WD,
            rule_set="SGCC10_2011",
            source=_SGCC2011,
            status="confirmed: 2 sources",
        ),
        SlaPolicy(
            key="meter_test_result",
            name="Meter test result",
            limit=5,
            unit=_WD,
            rule_set="SGCC10_2011",
            source=_SGCC2011,
            status="confirmed: 2 sources",
        ),
    ),
    notices=(
        NoticeRule(
            key="planned_outage_notice",
            name="Planned outage notice",
            lead=7,
            unit=_CD,
            rule_set="SGCC10_2011",
            source=_SGCC2011,
            status="confirmed: 2 sources",
        ),
    ),
)

_JGBF = "《供电监管办法》(2009, 国家电力监管委员会)"

JGBF: Final = SlaRuleSet(
    key="JGBF",
    title="Supply-supervision measures (供电监管办法, 2009 text)",
    policies=(
        SlaPolicy(
            key="complaint_reply",
            name="Complaint reply",
            limit=10,
            unit=_WD,
            rule_set="JGBF",
            source="《供电监管办法》(2009, 国家电力监管委员会): complaint reply",
            status="confirmed: 2 sources",
        ),
        *(
            SlaPolicy(
                key=key,
                name=name,
                limit=limit,
                unit=_WD,
                rule_set="JGBF",
                source=_JGBF,
                status="1 source",
            )
            for key, name, limit in (
                ("supply_scheme_reply_residential", "Supply scheme reply, residential", 3),
                ("supply_scheme_reply_lv", "Supply scheme reply, other LV", 8),
                ("supply_scheme_reply_hv_single", "Supply scheme reply, HV single source", 20),
                ("supply_scheme_reply_hv_dual", "Supply scheme reply, HV dual source", 45),
                ("design_review_lv", "Design review, LV", 8),
                ("design_review_hv", "Design review, HV", 20),
                ("mid_construction_inspection_lv", "Mid-construction inspection, LV", 3),
                ("mid_construction_inspection_hv", "Mid-construction inspection, HV", 5),
                ("completion_inspection_lv", "Completion inspection, LV", 5),
                ("completion_inspection_hv", "Completion inspection, HV", 7),
                ("energisation_residential", "Energisation, residential", 3),
                ("energisation_lv", "Energisation, other LV", 5),
                ("energisation_hv", "Energisation, HV", 7),
            )
        ),
    ),
    notices=(
        NoticeRule(
            key="planned_outage_notice",
            name="Planned outage notice",
            lead=7,
            unit=_CD,
            rule_set="JGBF",
            source="《供电监管办法》(2009, 国家电力监管委员会); 《电力供应与使用条例》第28条",
            status="confirmed: 2 sources",
        ),
        NoticeRule(
            key="temporary_outage_notice",
            name="Temporary outage public notice",
            lead=24,
            unit=_H,
            rule_set="JGBF",
            source="《供电监管办法》(2009, 国家电力监管委员会); 《电力供应与使用条例》第28条",
            status="confirmed: 2 sources",
        ),
    ),
)

_GYGZ = "《供电营业规则》(1996, 电力工业部令第8号)"

GYGZ1996: Final = SlaRuleSet(
    key="GYGZ1996",
    title="Supply business rules 1996 (供电营业规则, lapsed 2024-05-31)",
    effective_from=date(1996, 10, 8),
    effective_to=date(2024, 5, 31),
    policies=(
        SlaPolicy(
            key="supply_scheme_reply_residential",
            name="Supply scheme reply, residential",
            limit=5,
            unit=_CD,
            rule_set="GYGZ1996",
            source=f"{_GYGZ} 第19–22条",
            status="1 source",
        ),
        SlaPolicy(
            key="supply_scheme_reply_lv",
            name="Supply scheme reply, LV",
            limit=10,
            unit=_CD,
            rule_set="GYGZ1996",
            source=f"{_GYGZ} 第19–22条",
            status="1 source",
        ),
        SlaPolicy(
            key="meter_test_result",
            name="Meter test result after the test fee is paid",
            limit=7,
            unit=_CD,
            rule_set="GYGZ1996",
            source=f"{_GYGZ} 第79条",
            status="confirmed: 2 sources (1996 text); the 2024 revision (in force 2024-06-01) "
            "replaced it: its article on meter tests, and whether it keeps the 7 days, are not "
            "verified",
            note="7 calendar days from the user paying the test fee (验表费), not from the request",
            start_events={"fee_paid"},
        ),
    ),
    notices=(
        NoticeRule(
            key="scheme_extension_request",
            name="Request to extend a supply scheme's validity",
            lead=10,
            unit=_CD,
            rule_set="GYGZ1996",
            source=f"{_GYGZ} 第21条",
            status="1 source",
        ),
    ),
)

#: Every shipped rule set by key (read-only).
CATALOGUE: Final[Mapping[str, SlaRuleSet]] = MappingProxyType(
    {rules.key: rules for rules in (SEED, SGCC10, SGCC10_2011, JGBF, GYGZ1996)}
)


def rule_set(key: str) -> SlaRuleSet:
    """Return the shipped rule set ``key`` (``"SEED"``, ``"SGCC10"``, ``"JGBF"`` …).

    Raises:
        NotFound: no rule set has that key.
    """
    try:
        return CATALOGUE[key]
    except KeyError:
        raise NotFound("SLA rule set", key) from None
