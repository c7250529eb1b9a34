"""``powerretail retail forecast``: forecast a month from a monthly usage history, with backtests.

Reads the history from a CSV file (``--reads``: ``account_id,month,kwh[,customer_class]``, see
:mod:`powerretail.adapters.monthly_usage`) or from the monthly usage stored in a SQLite store
(``--store``), forecasts ``--month`` for every account by ``--method`` (``auto``: the method each
customer class's backtest chose by ``--criterion``), and prints the forecasts, the portfolio
total and every method's rolling-origin backtest scores per class. An account the method cannot
forecast is listed with the reason, and the exit code is 1.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from powerretail.adapters.monthly_usage import load_monthly_history_text
from powerretail.adapters.sqlite import SqliteStore
from powerretail.cli._files import add_encoding_option, read_file
from powerretail.errors import InvalidInput, NotFound
from powerretail.retail.backtest import CRITERIA, MethodChoice, backtest, choose_method
from powerretail.retail.forecast import (
    DEFAULT_WINDOW,
    Method,
    Month,
    MonthForecast,
    MonthlyHistory,
    forecast_month,
    portfolio_total,
)
from powerretail.workflows.retail_forecast import monthly_histories

__all__ = ["METHOD_NAMES", "add_forecast_parser", "run_forecast"]

#: The methods ``--method`` takes (besides ``auto``).
METHOD_NAMES = tuple(m.value for m in Method if m is not Method.PRODUCTION_PLAN)
_METHODS = tuple(Method.named(name) for name in METHOD_NAMES)


def _histories(args: argparse.Namespace) -> tuple[MonthlyHistory, ...]:
    if args.reads is not None:
        return load_monthly_history_text(read_file(args, args.reads, "monthly usage file"))
    if not Path(args.store).is_file():
        raise InvalidInput("--store", args.store, "an existing powerretail SQLite file")
    return monthly_histories(SqliteStore(args.store).unit_of_work)


def _window(value: str) -> int:
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of months from 1")
    return int(value)


def run_forecast(args: argparse.Namespace) -> int:
    """Run the command on parsed arguments; return the exit code."""
    month = Month.parse(args.month)
    histories = _histories(args)
    if not histories:
        raise InvalidInput("history", 0, "at least one account's monthly usage")
    classes: dict[str, list[MonthlyHistory]] = {}
    for history in histories:
        classes.setdefault(history.customer_class, []).append(history)
    tests = {
        name: [backtest(group, m, window=args.window) for m in _METHODS]
        for name, group in sorted(classes.items())
    }
    chosen: dict[str, MethodChoice] = {}
    for name, class_tests in tests.items():
        try:
            chosen[name] = choose_method(class_tests, criterion=args.criterion, customer_class=name)
        except NotFound:
            continue
    made: list[MonthForecast] = []
    not_possible: list[tuple[str, str]] = []
    for history in histories:
        if args.method == "auto":
            choice = chosen.get(history.customer_class)
            if choice is None:
                not_possible.append((history.account_id, "no method could be backtested"))
                continue
            method = choice.method
        else:
            method = Method.named(args.method)
        try:
            made.append(forecast_month(history, month, method, window=args.window))
        except (NotFound, InvalidInput) as err:
            not_possible.append((history.account_id, str(err)))
    _print(args, month=month, made=made, not_possible=not_possible, tests=tests, chosen=chosen)
    return 1 if not_possible else 0


def _print(
    args: argparse.Namespace,
    *,
    month: Month,
    made: Sequence[MonthForecast],
    not_possible: Sequence[tuple[str, str]],
    tests: dict[str, list[Any]],
    chosen: dict[str, MethodChoice],
) -> None:
    if args.format == "json":
        document = {
            "month": str(month),
            "method": args.method,
            "criterion": args.criterion,
            "forecasts": [f.to_dict() for f in made],
            "portfolio_kwh": str(portfolio_total(made)),
            "not_possible": [{"account_id": a, "reason": r} for a, r in not_possible],
            "backtests": [
                {"customer_class": name, **test.to_dict()}
                for name, class_tests in tests.items()
                for test in class_tests
            ],
            "chosen": {name: choice.method.value for name, choice in chosen.items()},
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return
    print(f"forecast {month} by {args.method} ({len(made)} accounts)")
    for f in made:
        print(f"  {f.account_id:<12} {f.kwh:>16} kWh  {f.method.value:<18} {f.basis}")
    print(f"portfolio {portfolio_total(made)} kWh")
    for account, reason in not_possible:
        print(f"  {account:<12} not forecast: {reason}")
    print("backtests (rolling origin, one month ahead; scores in %):")
    print(f"  {'class':<14} {'method':<18} {'points':>6} {'MAPE':>8} {'WAPE':>8} {'bias':>8}")
    for name, class_tests in tests.items():
        for test in class_tests:
            row = test.to_dict()
            print(
                f"  {name or '(none)':<14} {row['method']:<18} {row['points']:>6} "
                f"{row['mape'] or '-':>8} {row['wape'] or '-':>8} {row['bias'] or '-':>8}"
            )
    for choice in chosen.values():
        print(f"chosen by {choice.criterion}: {choice.explain()}")


def add_forecast_parser(subparsers: Any, name: str = "forecast") -> None:
    """Add the forecast command to ``subparsers`` as ``name`` (``retail forecast``)."""
    parser = subparsers.add_parser(
        name,
        help="forecast a month's energy per account from monthly usage, with backtest scores",
        description="Forecast --month for every account of a monthly usage history (CSV "
        "account_id,month,kwh[,customer_class], or the usage stored in a SQLite store) and "
        "print each method's rolling-origin backtest (MAPE, WAPE, bias) per customer class.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--reads", help="a monthly usage CSV file")
    source.add_argument("--store", help="a powerretail SQLite file with stored monthly usage")
    parser.add_argument("--month", required=True, help="the month to forecast (YYYY-MM)")
    parser.add_argument(
        "--method",
        choices=("auto", *METHOD_NAMES),
        default="auto",
        help="the forecasting method (auto: each class's best backtest by --criterion)",
    )
    parser.add_argument("--criterion", choices=CRITERIA, default="wape", help="for auto")
    parser.add_argument(
        "--window",
        type=_window,
        default=DEFAULT_WINDOW,
        help=f"months in the moving average (default {DEFAULT_WINDOW})",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output")
    add_encoding_option(parser)
    parser.set_defaults(handler=run_forecast)
