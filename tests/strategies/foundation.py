"""Strategies for the foundation values: money, quantities, dates and instants."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import strategies as st

from powerretail.quantities import Money

#: Amounts a bill line can hold [元], in whole fen.
fen_amounts = st.decimals(
    min_value=Decimal("-10000000"), max_value=Decimal("10000000"), places=2, allow_nan=False
)
#: Unrounded amounts [元] with more decimals than money keeps.
unrounded_amounts = st.decimals(
    min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=6, allow_nan=False
)
money = fen_amounts.map(Money)
weights = st.decimals(min_value=Decimal(0), max_value=Decimal(10**9), places=4, allow_nan=False)
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))
