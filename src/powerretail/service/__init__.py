"""Service processes (供电服务): outages and their notices, and work orders, each on its clock.

* :mod:`powerretail.service.work_orders` — work orders raised by meter-read findings,
  inspections and service cases: created, dispatched, done, verified, each kind on its limit.
* :mod:`powerretail.service.outages` — planned and temporary outages: approval, notices to the
  affected key and important customers before the limit, progress, restoration, call-back.
"""

from powerretail.service import outages, work_orders

__all__ = ["outages", "work_orders"]
