"""compare_partitions on a distributed LocalCluster gives compare()'s answer."""

from __future__ import annotations

import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from powerretail.adapters.tariff_library import load_shipped  # noqa: E402
from powerretail.analysis import compare  # noqa: E402
from powerretail.analysis.scale import compare_partitions  # noqa: E402
from powerretail.errors import InvalidInput  # noqa: E402


def _usage() -> pd.DataFrame:
    accounts = [f"H{i}" for i in range(8)]
    return pd.DataFrame(
        {
            "account_id": [a for a in accounts for _ in range(3)],
            "period_start": ["2025-07-01", "2025-08-01", "2025-09-01"] * len(accounts),
            "period_end": ["2025-08-01", "2025-09-01", "2025-10-01"] * len(accounts),
            "kwh_peak": [300.0 + 40 * i for i in range(24)],
            "kwh_valley": [500.0 - 10 * i for i in range(24)],
            "residential": True,
            "tier_year_kwh_before": [1500.0] * 24,
        }
    )


def test_a_local_cluster_of_two_workers_gives_the_single_machine_answer() -> None:
    frame = _usage()
    tariffs = {"tou": load_shipped("JS-RES-TOU"), "ci": load_shipped("JS-CI-TOU-1P")}
    # Four partitions, each holding whole accounts (the tier position is carried).
    partitioned = dd.from_pandas(frame.set_index("account_id"), npartitions=4).reset_index()

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        result = compare_partitions(partitioned, tariffs)

    expected = compare(frame, tariffs)
    pd.testing.assert_frame_equal(result.accounts, expected.accounts)
    pd.testing.assert_frame_equal(result.summary, expected.summary)
    pd.testing.assert_frame_equal(result.revenue, expected.revenue)
    pd.testing.assert_frame_equal(result.energy, expected.energy)
    assert result.priced == {}


def test_a_bad_row_in_a_partition_is_refused() -> None:
    frame = _usage().assign(kwh_peak=-1.0)
    with pytest.raises(InvalidInput, match="kwh_peak"):
        compare_partitions(dd.from_pandas(frame, npartitions=2), {"t": load_shipped("JS-RES-TOU")})


def test_an_account_across_two_partitions_is_refused_when_its_position_is_carried() -> None:
    """Eight rows per partition cut H2's months in two: its tier position would be wrong."""
    partitioned = dd.from_pandas(_usage(), npartitions=3, sort=False)
    assert partitioned.map_partitions(len).compute().tolist() == [8, 8, 8]

    with pytest.raises(InvalidInput, match="every row of an account in one chunk or partition"):
        compare_partitions(partitioned, {"t": load_shipped("JS-RES-TOU")})


def test_with_ytd_kwh_partitions_may_split_an_account() -> None:
    frame = _usage().drop(columns="tier_year_kwh_before").assign(ytd_kwh=1500.0)
    tariffs = {"t": load_shipped("JS-RES-TOU")}

    result = compare_partitions(dd.from_pandas(frame, npartitions=3, sort=False), tariffs)

    pd.testing.assert_frame_equal(result.accounts, compare(frame, tariffs).accounts)
