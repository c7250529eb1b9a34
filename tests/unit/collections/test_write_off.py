"""Write-off evidence as data: every always-kind and one proof of the loss."""

from __future__ import annotations

import pytest

from powerretail.collections.write_off import (
    SEED_WRITE_OFF_RULES,
    Evidence,
    EvidenceKind,
    WriteOffRefused,
    check_evidence,
)
from powerretail.errors import InvalidInput

RECORD = Evidence(EvidenceKind.COLLECTION_RECORD, "催收记录 2025-031")


@pytest.mark.parametrize("cause", sorted(SEED_WRITE_OFF_RULES.cause, key=lambda k: k.value))
def test_each_proof_of_the_loss_with_the_collection_record_is_enough(
    cause: EvidenceKind,
) -> None:
    given = (RECORD, Evidence(cause, "文号 1"))
    assert check_evidence(given) == given


def test_the_collection_record_is_always_needed_and_items_must_be_evidence() -> None:
    with pytest.raises(WriteOffRefused, match="missing evidence: collection_record"):
        check_evidence([Evidence(EvidenceKind.COURT_RULING, "(2025)苏05执终12号")])
    with pytest.raises(InvalidInput, match="evidence"):
        check_evidence([RECORD, "a court ruling"])  # type: ignore[list-item]
    with pytest.raises(InvalidInput, match=r"evidence\.reference"):
        Evidence(EvidenceKind.BANKRUPTCY, " ")
