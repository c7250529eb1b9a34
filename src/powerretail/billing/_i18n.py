"""The words of a bill in English and Chinese: headings, units, and the notes the engine writes.

A line's note is stored in English: it is part of an issued bill's content and its hash. Each
kind of note is a template with a key (:data:`NOTES`); :func:`note_text` reads a stored note
back into its template and values and writes it in the language asked for, numbers in one style
(percentages as ``−0.80 %``, a threshold to the places of the demand it is compared with). A
note that no template matches is shown as stored.

>>> note_text("tier 2 up to 4800 kWh; position 2500 → 2962.6 kWh", "zh")
'第2档上限 4800 千瓦时；累计电量 2500 → 2962.6 千瓦时'
>>> note_text("PF = 100 / √(100² + 50²) → 0.89; standard 0.90: +0.5% of the base", "en")
'PF = 100 / √(100² + 50²) → 0.89; standard 0.90: +0.50 % of the base'
>>> unit_text("元/kW·月", "zh"), word("total", "zh"), money_text("12.30", "CNY", "zh")
('元/千瓦·月', '合计', '12.30 元')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Final

from powerretail.billing._text import percent_text, quantity_text
from powerretail.tariffs.tou import BUCKET_LABELS

__all__ = [
    "NOTES",
    "WORDS",
    "currency_text",
    "money_text",
    "note_text",
    "phrase",
    "unit_text",
    "word",
]

#: Headings and status words: key → (English, Chinese).
WORDS: Final[Mapping[str, tuple[str, str]]] = {
    "bill": ("Bill", "电费账单"),
    "bill_notice": ("Electricity bill notice", "电费通知单"),
    "bill_no": ("bill no.", "账单编号"),
    "account": ("account", "户号"),
    "period": ("period", "计费周期"),
    "tariff": ("tariff", "电价"),
    "rule": ("rule", "依据"),
    "total": ("total", "合计"),
    "held": ("held", "暂缓出账"),
    "note": ("note", "说明"),
    "no_charge": ("no charge", "不计费"),
    "base": ("base", "基数"),
    "charge": ("charge", "收费项目"),
    "amount": ("amount", "金额"),
    "issued_on": ("issued on", "出账日期"),
    "due_on": ("pay by", "缴费截止日"),
    "payment": ("how to pay", "缴费方式"),
    "reads": ("meter reads", "抄表示数"),
    "register": ("register", "示数类别"),
    "previous": ("previous", "上次示数"),
    "current": ("current", "本次示数"),
    "multiplier": ("multiplier", "倍率"),
    "usage": ("usage", "电量"),
    "customer": ("customer", "户名"),
    "draft": ("draft", "草稿"),
    "issued": ("issued", "已出账"),
    "reversed": ("reversed", "已冲正"),
    "discarded": ("discarded", "已作废"),
    "address": ("address", "用电地址"),
    "calculation": ("quantity × rate", "计费数量 × 单价"),
    "charges": ("charges", "电费明细"),
    "amount_due": ("amount due", "应缴金额"),
    "not_issued": ("not issued: not a demand for payment", "未正式出账，不作缴费凭据"),
    "footer": (
        (
            "Every charge names the rule it applies; each line is rounded once and the total "
            "is their sum."
        ),
        "每项费用均注明计费依据；各项金额分别取整一次，合计为各项之和。",
    ),
    "credit_note": ("credit note", "冲正单"),
    "rebill": ("rebill", "重开账单"),
}

_UNITS_ZH: Final = (("kvarh", "千乏时"), ("kWh", "千瓦时"), ("kVA", "千伏安"), ("kW", "千瓦"))


def word(key: str, language: str) -> str:
    """Return the heading or status word ``key`` in ``language`` (``"en"`` or ``"zh"``)."""
    english, chinese = WORDS[key]
    return chinese if language == "zh" else english


def unit_text(unit: str, language: str) -> str:
    """Return a unit (``kWh``, ``元/kVA·月`` …) as a bill in ``language`` writes it."""
    if language != "zh":
        return unit
    for english, chinese in _UNITS_ZH:
        unit = unit.replace(english, chinese)
    return unit


def currency_text(currency: str, language: str) -> str:
    """Return the currency as a bill in ``language`` writes it: ``元`` for CNY in Chinese."""
    return "元" if language == "zh" and currency == "CNY" else currency


def money_text(amount: object, currency: str, language: str) -> str:
    """Return an amount with its currency: ``12.30 元`` in Chinese, ``12.30 CNY`` in English."""
    return f"{amount} {currency_text(currency, language)}"


def _percent(value: str) -> str:
    try:
        number = Decimal(value.replace("−", "-").replace("%", "").replace(" ", ""))
    except InvalidOperation:
        return value
    return percent_text(number / 100)


def _quantity(value: str, _language: str) -> str:
    try:
        return quantity_text(Decimal(value))
    except InvalidOperation:
        return value


def _money(value: str, language: str) -> str:
    amount, _, currency = value.partition(" ")
    return money_text(amount, currency, language) if currency else value


#: Note templates: key → (English, Chinese). ``{name}`` is a value read from the stored note.
NOTES: Final[Mapping[str, tuple[str, str]]] = {
    "tier_bound": ("tier {tier} up to {bound} kWh", "第{tier}档上限 {bound} 千瓦时"),
    "tier_position": ("position {start} → {end} kWh", "累计电量 {start} → {end} 千瓦时"),
    "tier_pro_rata": (
        (
            "thresholds × {months}/12 (account in service {months} billing months of the tier "
            "year {first}–{last})"
        ),
        "档位电量 × {months}/12（阶梯年度 {first}–{last} 内用电 {months} 个月）",
    ),
    "demand_measured": ("measured maximum demand {demand} kW", "实测最大需量 {demand} 千瓦"),
    "demand_floor": (
        "contract {contract} kW raised to the floor {floor} kW",
        "合同需量 {contract} 千瓦低于下限，按 {floor} 千瓦",
    ),
    "demand_within": (
        "{demand} kW ≤ {threshold} kW: contract demand {declared} kW billed",
        "最大需量 {demand} 千瓦 ≤ {threshold} 千瓦：按合同需量 {declared} 千瓦计收",
    ),
    "demand_excess": (
        "{demand} kW > {threshold} kW: {demand} + excess {excess} × {more} more = {billable} kW",
        (
            "最大需量 {demand} 千瓦 > {threshold} 千瓦：{demand} + 超出部分 {excess} × {more} "
            "= {billable} 千瓦"
        ),
    ),
    "demand_discount": (
        "{per_kva} kWh/kVA ≥ {limit}: price × {factor}",
        "{per_kva} 千瓦时/千伏安 ≥ {limit}：电价 × {factor}",
    ),
    "pf_value": (
        "PF = {energy} / √({energy}² + {reactive}²) → {pf}",
        "功率因数 = {energy} / √({energy}² + {reactive}²) → {pf}",
    ),
    "pf_adjustment": (
        "standard {standard}: {percent} of the base",
        "考核标准 {standard}：按基数调整 {percent}",
    ),
    "free_tier": ("{name}: {quantity}, no charge ({why})", "{name}：{quantity}，不计费（{why}）"),
    "free_line": ("{name}: {quantity}, no charge", "{name}：{quantity}，不计费"),
    # plausibility findings of a held bill
    "held_lines": ("{lines} lines > {limit}", "账单 {lines} 行，超过上限 {limit} 行"),
    "held_ceiling": ("total {total} > ceiling {ceiling}", "合计 {total} 超过上限 {ceiling}"),
    "held_typical": (
        "total {total} > {multiple} × typical {typical}",
        "合计 {total} 超过典型账单 {typical} 的 {multiple} 倍",
    ),
    "held_negative_total": ("negative total {total}", "合计为负：{total}"),
    "pf_not_applied": (
        (
            "power-factor adjustment not applied: no PF standard given although {reactive} "
            "kvarh reactive energy was read"
        ),
        "未计功率因数调整电费：未给出考核标准，但抄见无功电量 {reactive} 千乏时",
    ),
    "held_load_factor": (
        (
            "energy {energy} kWh > {capacity} kVA × {hours} h × {factor} = {limit} kWh (more "
            "than the transformer can deliver)"
        ),
        (
            "电量 {energy} 千瓦时 > {capacity} 千伏安 × {hours} 小时 × {factor} = {limit} 千瓦时"
            "（超过变压器所能供出）"
        ),
    ),
    "held_register_ceiling": (
        (
            "energy {energy} kWh > {ceiling} kWh, the most the meters' registers can show in one "
            "read interval (10^digits × multiplier)"
        ),
        (
            "电量 {energy} 千瓦时 > {ceiling} 千瓦时，即电能表一个抄表间隔内所能显示的最大值"
            "（10^位数 × 倍率）"
        ),
    ),
    "deep_valley_as_registered": (
        (
            "{hours} h of deep valley from {first} to {last} ({windows}) billed at the "
            "{buckets} price as registered: the meter has no deep-valley register"
        ),
        (
            "深谷时段 {hours} 小时（{first} 至 {last}，{windows}）"
            "按电能表计入的{buckets}电价计费：电能表无深谷计度器"
        ),
    ),
    # tariffs of any utility: bounds per day or year, seasons by days, minimum bills
    "tier_per_day": ("bounds per day × {days} days", "档位电量按日 × {days} 天"),
    "tier_per_year": ("bounds per year × {months}/12 months", "档位电量按年 × {months}/12 个月"),
    "season_shares": (
        "total {total} kWh shared by days ({split} of {days} days)",
        "总电量 {total} 千瓦时按天数分摊（{split}，共 {days} 天）",
    ),
    "minimum_floor": ("minimum {per} = {floor}", "最低电费 {per} = {floor}"),
    "minimum_shortfall": (
        "lines {billed}: shortfall {shortfall} billed",
        "各项电费合计 {billed}：补足差额 {shortfall}",
    ),
    # capacity changes (billing.capacity)
    "capacity_days": (
        "{days} days: {installed} kVA installed, {running} kVA in service, {billed} kVA billed",
        (
            "{days} 天：装接容量 {installed} 千伏安，运行容量 {running} 千伏安，"
            "计费容量 {billed} 千伏安"
        ),
    ),
    "capacity_swap": (
        "{change} of {kva} kVA from {on} for {to} kVA: billed on the replacement",
        "{change} {kva} 千伏安（自 {on}）换用 {to} 千伏安：按替换后容量计收",
    ),
    "capacity_short": (
        "{change} of {kva} kVA from {on}: shorter than {days} days, billed in full",
        "{change} {kva} 千伏安（自 {on}）：不足 {days} 天，照收基本电费",
    ),
    "capacity_year": (
        "{change} of {kva} kVA from {on}: {days} days suspended this year, billed again",
        "{change} {kva} 千伏安（自 {on}）：本年累计暂停已满 {days} 天，恢复计收",
    ),
    "capacity_two_years": (
        (
            "{change} of {kva} kVA from {on}: within {years} years of an increase or "
            "restoration, billed at {share}"
        ),
        "{change} {kva} 千伏安（自 {on}）：新装、增容或减容恢复后 {years} 年内，按 {share} 计收",
    ),
    "capacity_free": (
        "{change} of {kva} kVA from {on}: not billed",
        "{change} {kva} 千伏安（自 {on}）：不计基本电费",
    ),
    "capacity_rule": ("rule: {source}", "依据：{source}"),
    # sub-accounts (billing.sub_accounts)
    "sub_ratio": (
        "fixed ratio {ratio} of the meter = {kwh} kWh, deducted from the main meter by bucket",
        "定比 {ratio} = {kwh} 千瓦时，按时段从总表电量中扣减",
    ),
    "sub_quantity": (
        (
            "fixed quantity {quantity} kWh a month × {months} = {kwh} kWh, deducted from the "
            "main meter by bucket"
        ),
        "定量 每月 {quantity} 千瓦时 × {months} = {kwh} 千瓦时，按时段从总表电量中扣减",
    ),
    "sub_outside_pf": ("outside the power-factor base", "不计入功率因数调整电费基数"),
    "capacity_share": ("{days}/{per} of a month", "按 {days}/{per} 个月计"),
    "held_negative_energy": (
        "negative consumption {bucket}: {energy} kWh",
        "用电量为负（{bucket}）：{energy} 千瓦时",
    ),
}


def _buckets(value: str, language: str) -> str:
    """Write ``"flat or valley"`` (English bucket labels) as ``平或谷`` in Chinese."""
    if language != "zh":
        return value
    chinese = {english: zh for zh, english in BUCKET_LABELS.values()}
    return "或".join(chinese.get(name, name) for name in value.split(" or "))


#: The kinds of capacity change in English and Chinese (billing.capacity).
_CHANGES: Final = {
    "new or increased capacity": "新装/增容",
    "suspension": "暂停",
    "capacity reduction": "减容",
    "temporary transformer swap": "暂换",
}


def _change(value: str, language: str) -> str:
    return _CHANGES.get(value, value) if language == "zh" else value


#: How a value read from a note is written again, by placeholder name.
_FORMATS: Final[Mapping[str, Callable[[str, str], str]]] = {
    "buckets": _buckets,
    "change": _change,
    "percent": lambda value, _language: _percent(value),
    "bound": _quantity,
    "start": _quantity,
    "end": _quantity,
    "total": _money,
    "ceiling": _money,
    "typical": _money,
}


def _compile(template: str) -> re.Pattern[str]:
    pattern, seen, at = "", set(), 0
    for match in re.finditer(r"\{(\w+)\}", template):
        pattern += re.escape(template[at : match.start()])
        name = match.group(1)
        pattern += f"(?P={name})" if name in seen else f"(?P<{name}>.+?)"
        seen.add(name)
        at = match.end()
    return re.compile(pattern + re.escape(template[at:]) + r"\Z")


_PATTERNS: Final = tuple((key, _compile(english)) for key, (english, _) in NOTES.items())


def _same_places(values: dict[str, str]) -> None:
    """Write a demand threshold to the places of the demand (630.00 → 630.000 beside 660.000)."""
    demand, threshold = values.get("demand"), values.get("threshold")
    if demand is None or threshold is None:
        return
    try:
        exponent = Decimal(demand).as_tuple().exponent
        limit = Decimal(threshold)
        if isinstance(exponent, int) and limit == limit.quantize(Decimal(1).scaleb(exponent)):
            values["threshold"] = str(limit.quantize(Decimal(1).scaleb(exponent)))
    except InvalidOperation:
        return


def phrase(key: str, language: str, **values: str) -> str:
    """Return the note template ``key`` in ``language`` with ``values`` filled in."""
    english, chinese = NOTES[key]
    return (chinese if language == "zh" else english).format(**values)


def note_part(text: str, language: str) -> str:
    """Return one part of a note (no ``"; "`` in it) in ``language``; unknown text as it is."""
    for key, pattern in _PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        values = dict(match.groupdict())
        _same_places(values)
        for name, value in values.items():
            if name in _FORMATS:
                values[name] = _FORMATS[name](value, language)
        english, chinese = NOTES[key]
        return (chinese if language == "zh" else english).format(**values)
    return text


def note_text(note: str, language: str) -> str:
    """Return a stored note (parts joined by ``"; "``) in ``language``."""
    parts = [note_part(part, language) for part in note.split("; ")]
    return ("；" if language == "zh" else "; ").join(parts)
