"""The shipped tariff library and tariff files on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from powerretail.adapters.tariff_library import (
    load,
    load_file,
    load_shipped,
    shipped_codes,
    shipped_text,
)
from powerretail.errors import InvalidInput, NotFound
from powerretail.tariffs.parser import to_mapping


class TestTariffLibrary:
    def test_ships_the_four_tariffs(self) -> None:
        assert shipped_codes() == ("GD-CI-TOU", "JS-CI-TOU-1P", "JS-CI-TOU-2P", "JS-RES-TOU")

    def test_an_unknown_code_is_not_found(self) -> None:
        with pytest.raises(NotFound, match="NOPE"):
            shipped_text("NOPE")

    def test_loads_toml_and_json_files(self, tmp_path: Path) -> None:
        toml_file = tmp_path / "t.toml"
        toml_file.write_text(shipped_text("JS-RES-TOU"), encoding="utf-8")
        json_file = tmp_path / "t.JSON"
        json_file.write_text(
            json.dumps(to_mapping(load_shipped("JS-RES-TOU")), default=str), encoding="utf-8"
        )

        assert load_file(toml_file) == load(str(json_file)) == load("JS-RES-TOU")

    def test_refuses_other_files(self, tmp_path: Path) -> None:
        other = tmp_path / "t.yaml"
        other.write_text("code: x", encoding="utf-8")

        with pytest.raises(InvalidInput, match="toml"):
            load_file(other)
        with pytest.raises(NotFound, match="missing"):
            load(str(tmp_path / "missing.toml"))
