"""The retail company's own business (售电): forecasts, sales plans, positions, execution, risk.

* :mod:`powerretail.retail.forecast` — monthly demand forecasts per customer and portfolio, and
  interval profiles on the business calendar;
* :mod:`powerretail.retail.backtest` — rolling-origin backtests (MAPE, WAPE, bias) and the
  choice of a method per customer class;
* :mod:`powerretail.retail.plans` — the sales plan by month and TOU band, the open position and
  the hedge ratio against purchased energy;
* :mod:`powerretail.retail.execution` — contract execution tracking with band alerts;
* :mod:`powerretail.retail.risk` — the risk register (风险管理) and its lifecycle.
"""

__all__ = ["backtest", "execution", "forecast", "plans", "risk"]
