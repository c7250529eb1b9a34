"""Plain-text layout for bills: display widths (CJK is two columns), padding and wrapping.

>>> display_width("电费"), display_width("fee")
(4, 3)
>>> pad("电费", 6) + "|"
'电费  |'
>>> wrap("peak +70 %, valley −65 %, deep valley", 24)
('peak +70 %, valley', '−65 %, deep valley')
>>> wrap("苏发改价格发〔2025〕426号", 14)
('苏发改价格发〔', '2025〕426号')
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

__all__ = ["display_width", "pad", "percent_text", "quantity_text", "rate_text", "wrap"]


def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Return the columns ``text`` takes in a terminal: wide (CJK) characters count two."""
    if text.isascii():
        return len(text)
    return sum(_char_width(char) for char in text)


def pad(text: str, width: int) -> str:
    """Return ``text`` padded with spaces on the right to ``width`` display columns."""
    return text + " " * max(0, width - display_width(text))


_GLUED = frozenset({"%", "‰", "元", "kWh", "kW", "kVA", "×", "→", "="})
#: Marks a Chinese line never starts with (避头): the character before goes down with them.
_NO_LINE_START = frozenset("，。、；：）》〕」』％")


def wrap(text: str, width: int) -> tuple[str, ...]:
    """Return ``text`` cut into lines of at most ``width`` columns, at spaces where there are.

    A unit or sign stays with the number before it (``−65 %``). A word wider than ``width`` (a
    run of Chinese has no spaces) is cut between characters, never before a closing mark
    (``）``, ``，`` …).
    """
    lines: list[str] = []
    current = ""
    words: list[str] = []
    for word in text.split(" "):
        if words and word.rstrip(",;:.)") in _GLUED:  # "−65 %" stays on one line
            words[-1] += f" {word}"
        else:
            words.append(word)
    for word in words:
        candidate = f"{current} {word}" if current else word
        if display_width(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
            current = ""
        for char in word:
            if display_width(current + char) > width:
                cut = len(current)
                if char in _NO_LINE_START and len(current) > 1:
                    cut -= 1
                    while cut > 0 and current[cut] in _NO_LINE_START:
                        cut -= 1
                    cut = cut or len(current)
                lines.append(current[:cut])
                current = current[cut:]
            current += char
    if current or not lines:
        lines.append(current)
    return tuple(lines)


def rate_text(rate: Decimal) -> str:
    """Return ``rate`` without meaningless trailing zeros: 0.68000 → 0.68, 38.00 → 38.

    >>> rate_text(Decimal("0.140000")), rate_text(Decimal("0.5583")), rate_text(Decimal("100"))
    ('0.14', '0.5583', '100')
    """
    return f"{rate.normalize():f}"


def percent_text(ratio: Decimal) -> str:
    """Return ``ratio`` as a signed percentage with at least two decimals: −0.008 → −0.80 %.

    >>> percent_text(Decimal("-0.008")), percent_text(Decimal("0.01")), percent_text(Decimal(0))
    ('−0.80 %', '+1.00 %', '0.00 %')
    """
    percent = (ratio * 100).normalize()
    exponent = percent.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        percent = percent.quantize(Decimal("0.01"))
    sign = "+" if percent > 0 else "−" if percent < 0 else ""
    return f"{sign}{abs(percent):f} %"


#: The finest step a register or an interval value shows [kWh]: quantities finer than this that
#: were computed (a tier bound × 22/30) are shown to it, marked ≈ (the amount uses the exact value).
_REGISTER_STEP = Decimal("0.001")
_FINEST_SHOWN = -6


def quantity_text(quantity: Decimal) -> str:
    """Return ``quantity`` as read, or to 0.001 with ``≈`` when it has more than six decimals.

    >>> quantity_text(Decimal("146.6666666666666666666666667")), quantity_text(Decimal("80000.00"))
    ('≈146.667', '80000.00')
    """
    exponent = quantity.as_tuple().exponent
    if isinstance(exponent, int) and exponent < _FINEST_SHOWN:
        return f"≈{quantity.quantize(_REGISTER_STEP)}"
    return str(quantity)
