"""``powerretail retail-forecast``: the retail forecast command, until ``retail`` groups it.

The command itself is :mod:`powerretail.cli._retail_forecast`; this module only registers it at
the top level (it becomes ``powerretail retail forecast`` when the ``retail`` command exists).
"""

from __future__ import annotations

from typing import Any

from powerretail.cli._retail_forecast import add_forecast_parser

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``retail-forecast`` command."""
    add_forecast_parser(subparsers, name="retail-forecast")
