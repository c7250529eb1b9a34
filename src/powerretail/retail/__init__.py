"""The retail company's own business (售电).

* :mod:`powerretail.retail.packages`, :mod:`~powerretail.retail.package_file`,
  :mod:`~powerretail.retail.package_bill` — retail packages (零售套餐) as versioned data, and a
  package-priced bill;
* :mod:`powerretail.retail.reference_prices` — the market reference price series packages link to;
* :mod:`powerretail.retail.procurement`, :mod:`~powerretail.retail.allocation` — purchases by
  channel and their exact allocation to users;
* :mod:`powerretail.retail.deviation` — deviation assessment (偏差考核) rule sets;
* :mod:`powerretail.retail.settlement` — the monthly settlement and margins;
* :mod:`powerretail.retail.forecast` — monthly demand forecasts per customer and portfolio, and
  interval profiles on the business calendar;
* :mod:`powerretail.retail.backtest` — rolling-origin backtests (MAPE, WAPE, bias) and the
  choice of a method per customer class;
* :mod:`powerretail.retail.plans` — the sales plan by month and TOU band, the open position and
  the hedge ratio against purchased energy;
* :mod:`powerretail.retail.execution` — contract execution tracking with band alerts;
* :mod:`powerretail.retail.risk` — the risk register (风险管理) and its lifecycle.
"""

from powerretail.retail import (
    allocation,
    backtest,
    deviation,
    execution,
    forecast,
    package_bill,
    package_file,
    packages,
    plans,
    procurement,
    reference_prices,
    risk,
    settlement,
)

__all__ = [
    "allocation",
    "backtest",
    "deviation",
    "execution",
    "forecast",
    "package_bill",
    "package_file",
    "packages",
    "plans",
    "procurement",
    "reference_prices",
    "risk",
    "settlement",
]
