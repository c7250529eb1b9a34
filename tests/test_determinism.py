"""RELIABILITY R13: the same inputs give byte-identical output whatever the machine's time zone.

Bills interval data (bucketed by the tariff's own zone) and register reads in subprocesses whose
``TZ`` differs, and compares the JSON they print.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = Path(__file__).parent.parent / "src" / "powerretail" / "data" / "samples"
ZONES = ["UTC", "Asia/Shanghai", "America/New_York", "Europe/London", "Pacific/Kiritimati"]


def bill_json(zone: str, *arguments: str) -> str:
    environment = {**os.environ, "TZ": zone}
    done = subprocess.run(
        [sys.executable, "-m", "powerretail", "bill", "--json", *arguments],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    )
    return done.stdout


@pytest.mark.parametrize(
    "arguments",
    [
        (
            "--tariff",
            "GD-CI-TOU",
            "--reads",
            str(SAMPLES / "gd_factory_2025_07.csv"),
            "--period",
            "2025-07",
            "--capacity-kva",
            "1000",
            "--contract-demand-kw",
            "600",
            "--basis",
            "demand",
        ),
        (
            "--tariff",
            "JS-RES-TOU",
            "--reads",
            str(SAMPLES / "residential_2025_07.csv"),
            "--period",
            "2025-07",
            "--residential",
            "--ytd-kwh",
            "2500",
        ),
    ],
    ids=["intervals", "register-reads"],
)
def test_a_bill_is_byte_identical_in_every_machine_time_zone(arguments: tuple[str, ...]) -> None:
    outputs = {zone: bill_json(zone, *arguments) for zone in ZONES}

    assert outputs["UTC"].strip()
    assert len(set(outputs.values())) == 1, {zone: out[:200] for zone, out in outputs.items()}
