"""The tariff-file parser: round trips, and only our own errors on arbitrary input."""

from __future__ import annotations

import contextlib
import copy
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from powerretail.adapters.tariff_library import load_shipped
from powerretail.errors import PowerRetailError
from powerretail.tariffs.model import Tariff
from powerretail.tariffs.parser import dump_toml, from_mapping, loads_json, loads_toml, to_mapping
from tests.strategies.tariffs import tariffs

SHIPPED = to_mapping(load_shipped("JS-CI-TOU-2P"))


@given(tariffs(versions=3))
def test_load_dump_load_is_identity(tariff: Tariff) -> None:
    text = dump_toml(tariff)

    assert loads_toml(text) == tariff
    assert dump_toml(loads_toml(text)) == text


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=12)
    | st.decimals(allow_nan=True, allow_infinity=True)
    | st.floats()
    | st.dates()
)
nested = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.integers(), children, max_size=4)
    ),
    max_leaves=20,
)


def _attempt(load: Any, value: object) -> None:
    with contextlib.suppress(PowerRetailError):
        load(value)


@given(st.text(max_size=300))
@example("code = 1\n[[versions]]\n")
@example('{"versions": [{"charges": [{"type": "basic"}]}]}')
def test_arbitrary_text_raises_only_our_errors(text: str) -> None:
    _attempt(loads_toml, text)
    _attempt(loads_json, text)


@given(nested)
def test_arbitrary_nested_mappings_raise_only_our_errors(data: object) -> None:
    _attempt(from_mapping, data)


def _paths(data: object, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_paths(value, (*prefix, index)))
    return found


PATHS = _paths(SHIPPED)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS), nested)
@example(("versions", 0, "charges", 1, "prices", 0, "ratio"), Decimal("NaN"))
@example(("versions", 0, "schedules", "js426", "seasons", 0, "day_types"), {"weekend": [[]]})
def test_a_valid_file_with_any_one_value_replaced_raises_only_our_errors(
    path: tuple[Any, ...], value: object
) -> None:
    data = copy.deepcopy(SHIPPED)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value

    _attempt(from_mapping, data)
