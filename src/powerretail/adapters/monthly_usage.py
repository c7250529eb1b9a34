"""Read monthly usage (CSV text) as :class:`~powerretail.retail.forecast.MonthlyHistory`.

The file has a header and one row per account and month::

    account_id,month,kwh[,customer_class]
    A-1,2025-01,1000
    A-1,2025-02,900.5

``month`` is ``YYYY-MM``, ``kwh`` a decimal number of at least 0 (never a float's binary value:
the text is read exactly). ``customer_class`` is optional (the class a forecast method is chosen
for); an account's rows must agree on it. Columns are matched by name, in any order; any other
column, a repeated (account, month) or a bad value is refused naming its line.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from decimal import Decimal

from powerretail.errors import InvalidInput, PowerRetailError
from powerretail.retail.forecast import Month, MonthlyHistory

__all__ = ["COLUMNS", "load_monthly_history_text"]

#: The columns a monthly usage file must have (``customer_class`` may be added).
COLUMNS = ("account_id", "month", "kwh")
_OPTIONAL = ("customer_class",)


def _header(fields: list[str]) -> list[str]:
    names = [name.strip().lower() for name in fields]
    missing = [name for name in COLUMNS if name not in names]
    unknown = [name for name in names if name not in (*COLUMNS, *_OPTIONAL)]
    if missing or unknown or len(set(names)) != len(names):
        raise InvalidInput(
            "line 1 (header)",
            ",".join(names),
            "the columns account_id, month, kwh (and customer_class), each once",
        )
    return names


def load_monthly_history_text(text: str) -> tuple[MonthlyHistory, ...]:
    """Return the histories of a monthly usage CSV text, sorted by account.

    Raises:
        InvalidInput: an empty file, a bad header, a row that is not CSV or has the wrong number
            of fields, a bad month or energy, a repeated (account, month), or an account whose
            rows disagree on its class (each naming the line).
    """
    header: list[str] | None = None
    usage: dict[str, dict[Month, Decimal]] = {}
    classes: dict[str, str] = {}
    for line, physical in enumerate(text.splitlines(), start=1):
        try:
            fields = next(csv.reader([physical], strict=True), [])
        except csv.Error as err:
            raise InvalidInput(f"line {line}", physical[:60], f"CSV ({err})") from None
        if header is None:
            header = _header(fields)
            continue
        if not any(field.strip() for field in fields):
            continue
        if len(fields) != len(header):
            raise InvalidInput(f"line {line}", len(fields), f"{len(header)} fields")
        row: Mapping[str, str] = {k: v.strip() for k, v in zip(header, fields, strict=True)}
        account = row["account_id"]
        if not account:
            raise InvalidInput(f"line {line}: account_id", "", "an account id")
        try:
            month = Month.parse(row["month"])
            single = MonthlyHistory.of(account, {str(month): row["kwh"]})
        except PowerRetailError as err:
            raise InvalidInput(f"line {line}", physical[:60], str(err)) from None
        cells = usage.setdefault(account, {})
        if month in cells:
            raise InvalidInput(f"line {line}", f"{account} {month}", "each account and month once")
        cells[month] = single.usage[month]
        given = row.get("customer_class", "")
        if classes.setdefault(account, given) != given:
            raise InvalidInput(
                f"line {line}: customer_class", given, f"{classes[account]!r} as on its other rows"
            )
    if header is None:
        raise InvalidInput("file", "", "a header line account_id,month,kwh")
    return tuple(
        MonthlyHistory(account, cells, classes.get(account, ""))
        for account, cells in sorted(usage.items())
    )
