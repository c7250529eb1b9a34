"""Bad debt (坏账核销): written off only with the permission and the evidence the rules ask for.

The seed forbids any department or person to reduce or waive arrears, and any write-off as bad
debt "except as the relevant rules provide", however much is owed and however long
(任何部门、任何个人不得同意减、免欠费。除符合有关规定的外，无论欠费多少，拖欠时间多长均不能擅自做坏帐
处理 — 供电所农电营销工作管理制度 四(三)收费制度 6). So a write-off needs both

* the :data:`~powerretail.access.WRITE_OFF_RECEIVABLE` permission (no role of the seed policy
  holds it: the company grants it), and
* the evidence of :class:`WriteOffRules`: every ``always`` kind (the record of the collection
  efforts) and at least one ``cause`` — the evidence of a receivable's loss listed by
  国家税务总局公告2011年第25号《企业资产损失所得税税前扣除管理办法》第二十二条 (bankruptcy or
  liquidation notice, court judgment or termination of enforcement, deregistration, death or
  disappearance, force majeure). The kinds are data: replace :data:`SEED_WRITE_OFF_RULES` with
  the company's own bad-debt rules.

Anything else — a write-off without that evidence, or a reduction of arrears — is refused naming
the rule (:class:`WriteOffRefused`).

>>> check_evidence([Evidence(EvidenceKind.COLLECTION_RECORD, "催收记录 2025-001")])
Traceback (most recent call last):
...
powerretail.collections.write_off.WriteOffRefused: write-off refused: no evidence of the loss \
(one of: bankruptcy, court_ruling, deregistration, death_or_disappearance, force_majeure); \
不得擅自做坏帐处理 (...)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date
from typing import Final

import attrs

from powerretail.errors import InvalidInput, RuleViolation
from powerretail.ids import non_blank
from powerretail.quantities import Money

__all__ = [
    "SEED_WRITE_OFF_RULES",
    "WAIVER_SOURCE",
    "Evidence",
    "EvidenceKind",
    "WriteOffRecord",
    "WriteOffRefused",
    "WriteOffRules",
    "check_evidence",
    "refuse_reduction",
]

#: The seed rule against reducing, waiving or writing off arrears outside the rules.
WAIVER_SOURCE: Final = "供电所农电营销工作管理制度 四(三)收费制度 6"


class EvidenceKind(enum.Enum):
    """A kind of document a write-off rests on."""

    #: 人民法院的破产、清算公告.
    BANKRUPTCY = "bankruptcy"
    #: 人民法院的判决书、裁决书, 仲裁书, or 终(中)止执行的法律文书.
    COURT_RULING = "court_ruling"
    #: 工商部门注销、吊销营业执照的证明.
    DEREGISTRATION = "deregistration"
    #: 公安机关等有关部门对债务人个人的死亡、失踪证明.
    DEATH_OR_DISAPPEARANCE = "death_or_disappearance"
    #: 自然灾害、战争等不可抗力而无法收回的证明.
    FORCE_MAJEURE = "force_majeure"
    #: 催收记录: the reminders, notices and stop of the dunning.
    COLLECTION_RECORD = "collection_record"


@attrs.frozen
class Evidence:
    """One document: its ``kind`` and ``reference`` (文号, file number)."""

    kind: EvidenceKind
    reference: str = attrs.field(validator=non_blank("evidence.reference"))


def _evidence(value: Iterable[Evidence]) -> tuple[Evidence, ...]:
    return tuple(value)


def _kinds(value: Iterable[EvidenceKind]) -> frozenset[EvidenceKind]:
    return frozenset(value)


@attrs.frozen(kw_only=True)
class WriteOffRules:
    """The evidence a write-off needs: every ``always`` kind and at least one ``cause`` kind."""

    key: str
    cause: frozenset[EvidenceKind] = attrs.field(converter=_kinds)
    always: frozenset[EvidenceKind] = attrs.field(converter=_kinds)
    source: str


#: The evidence kinds of 国家税务总局公告2011年第25号 第二十二条, plus the collection record.
SEED_WRITE_OFF_RULES: Final = WriteOffRules(
    key="SEED-BAD-DEBT",
    cause={
        EvidenceKind.BANKRUPTCY,
        EvidenceKind.COURT_RULING,
        EvidenceKind.DEREGISTRATION,
        EvidenceKind.DEATH_OR_DISAPPEARANCE,
        EvidenceKind.FORCE_MAJEURE,
    },
    always={EvidenceKind.COLLECTION_RECORD},
    source=f"{WAIVER_SOURCE}; 国家税务总局公告2011年第25号 第二十二条",
)


class WriteOffRefused(RuleViolation):
    """A write-off or reduction the rules do not allow: ``reason`` (the rule in ``source``)."""

    def __init__(self, reason: str, source: str) -> None:
        self.reason = reason
        self.source = source
        super().__init__(reason, source)

    def __str__(self) -> str:
        return f"write-off refused: {self.reason}; 不得擅自做坏帐处理 ({self.source})"


def _names(kinds: Iterable[EvidenceKind]) -> str:
    order = list(EvidenceKind)
    return ", ".join(k.value for k in sorted(kinds, key=order.index))


def check_evidence(
    evidence: Iterable[Evidence], rules: WriteOffRules = SEED_WRITE_OFF_RULES
) -> tuple[Evidence, ...]:
    """Return the evidence if it is what ``rules`` ask for.

    Raises:
        WriteOffRefused: an ``always`` kind is missing, or no ``cause`` kind is given.
        InvalidInput: an item is not :class:`Evidence`.
    """
    given = tuple(evidence)
    for item in given:
        if not isinstance(item, Evidence):
            raise InvalidInput("evidence", item, "Evidence")
    kinds = {item.kind for item in given}
    missing = rules.always - kinds
    if missing:
        raise WriteOffRefused(f"missing evidence: {_names(missing)}", rules.source)
    if not kinds & rules.cause:
        raise WriteOffRefused(
            f"no evidence of the loss (one of: {_names(rules.cause)})", rules.source
        )
    return given


def refuse_reduction(what: str) -> WriteOffRefused:
    """Return the refusal of reducing or waiving arrears (``what``): never allowed by the seed."""
    return WriteOffRefused(
        f"{what}: arrears may not be reduced or waived (不得同意减、免欠费)", WAIVER_SOURCE
    )


@attrs.frozen(kw_only=True)
class WriteOffRecord:
    """A bad-debt write-off: what, when, by whom, under which rules and on what evidence."""

    write_off_id: str
    account_id: str
    bill_id: str
    amount: Money
    on: date
    by: str
    rules: str
    evidence: tuple[Evidence, ...] = attrs.field(converter=_evidence)
    why: str
