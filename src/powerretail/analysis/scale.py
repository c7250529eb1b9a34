""":func:`compare` over a Dask DataFrame: one compiled pricer per partition, on any Dask engine.

Needs the extra ``scale`` (``pip install 'powerretail[scale]'``): dask[dataframe] and
distributed. Each partition is priced by the batch engine where it lies (on a worker of a
``distributed`` cluster when a client is active, else on Dask's local scheduler); only the
per-account totals, the revenue per charge and the energy per class come back, and are combined
exactly as :func:`~powerretail.analysis.compare.compare` combines one table.

Every row of an account must sit in one partition when the annual tier position is carried
(read the Parquet files partitioned by account, or ``set_index("account_id")``), or the table
must give ``ytd_kwh``; an account found in two partitions is refused then. To use an existing
cluster, connect a client first::

    from distributed import Client
    client = Client("tcp://scheduler:8786")
    result = compare_partitions(dd.read_parquet("usage/"), {"now": now, "new": new})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from powerretail.analysis import _require
from powerretail.analysis.compare import Comparison, check_tariffs, combine, parts
from powerretail.analysis.pricer import compile_tariff
from powerretail.analysis.usage import read_usage
from powerretail.tariffs.model import Tariff

_require("dask", "dask.dataframe", extra="scale")

from dask.base import compute  # noqa: E402
from dask.delayed import delayed  # noqa: E402

__all__ = ["compare_partitions"]


def _partition(frame: Any, tariffs: Mapping[str, Tariff]) -> tuple[Any, Any, Any, bool]:
    table = read_usage(frame)
    priced = {name: compile_tariff(t).price(table, lines=False) for name, t in tariffs.items()}
    return (*parts(table, priced), table.carries_position)


def compare_partitions(
    usage: Any, tariffs: Mapping[str, Tariff], *, baseline: str | None = None
) -> Comparison:
    """Compare the bills of a Dask DataFrame ``usage`` under ``tariffs`` (name → tariff).

    The result is the :class:`~powerretail.analysis.compare.Comparison` of the whole table
    (``priced`` is empty: the bills stay on the workers).

    Raises:
        InvalidInput: no tariff, an unknown baseline, or a bad row in any partition.
    """
    names, base = check_tariffs(tariffs, baseline)
    plain = dict(tariffs)
    tasks = [delayed(_partition)(part, plain) for part in usage.to_delayed()]
    pieces = compute(*tasks)  # type: ignore[no-untyped-call]  # dask leaves compute untyped
    annual = any(compile_tariff(t).carries_annual for t in plain.values())
    carried = annual and any(piece[3] for piece in pieces)
    return combine(pieces, names, base, carried=carried)
