"""What-if tariff analysis at scale: a vectorised batch engine, exact to the fen (layer 6).

Needs the optional extra ``analysis`` (numpy, pandas, pyarrow, matplotlib, tqdm)::

    pip install 'powerretail[analysis]'

* :func:`read_usage` — a usage table (DataFrame, Arrow table, Parquet or CSV) checked column by
  column;
* :func:`compile_tariff` — any tariff as a :class:`BatchPricer` whose bills and lines equal
  :class:`~powerretail.billing.engine.BillingEngine`'s, line by line, in fen;
* :func:`compare` — bills of one usage table under several tariffs, side by side;
* :func:`~powerretail.analysis.intervals.usage_from_intervals` — interval data bucketed by the
  tariff's own schedules into a usage table;
* :func:`~powerretail.analysis.profiles.apply_profile` — monthly totals split into buckets by
  a load profile (rows marked ``profiled``, the ``profile`` column naming it); shipped typical
  shapes per class from :func:`~powerretail.analysis.profiles.typical_profiles` (BDEW standard
  load profiles) or an account's own from
  :func:`~powerretail.analysis.profiles.profile_from_usage`;
* :func:`~powerretail.analysis.scale.compare_partitions` — :func:`compare` over a Dask
  DataFrame (extra ``scale``).
"""

from __future__ import annotations

import importlib

from powerretail.errors import PowerRetailError

__all__ = [
    "BatchPricer",
    "Comparison",
    "MissingExtra",
    "NotVectorisable",
    "Priced",
    "Usage",
    "compare",
    "compile_tariff",
    "read_usage",
]


class MissingExtra(PowerRetailError, ImportError):
    """An optional dependency is not installed; the message says which extra to install."""

    def __init__(self, module: str, extra: str) -> None:
        self.module = module
        self.extra = extra
        super().__init__(
            f"powerretail.analysis needs {module}, which is not installed: "
            f"pip install 'powerretail[{extra}]'"
        )


def _require(*modules: str, extra: str = "analysis") -> None:
    """Import ``modules`` or raise :class:`MissingExtra` naming the extra that brings them."""
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError:
            raise MissingExtra(module, extra) from None


_require("numpy", "pandas", "pyarrow")

from powerretail.analysis.compare import Comparison, compare  # noqa: E402
from powerretail.analysis.pricer import (  # noqa: E402
    BatchPricer,
    NotVectorisable,
    Priced,
    compile_tariff,
)
from powerretail.analysis.usage import Usage, read_usage  # noqa: E402
