from __future__ import annotations

import pytest

from powerretail.errors import InvalidInput
from powerretail.ids import require_id


class TestRequireId:
    def test_returns_the_stripped_text(self) -> None:
        assert require_id("  A-1 ", "account_id") == "A-1"

    @pytest.mark.parametrize("bad", ["", "   ", "a\nb", "x" * 129, 12, None])
    def test_refuses_what_cannot_be_an_identifier(self, bad: object) -> None:
        with pytest.raises(InvalidInput) as caught:
            require_id(bad, "account_id")

        assert caught.value.field == "account_id"
