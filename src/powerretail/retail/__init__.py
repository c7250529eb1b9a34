"""The retail company's own business (售电): packages, reference prices, procurement, allocation,
deviation assessment and the monthly settlement."""

from powerretail.retail import (
    allocation,
    deviation,
    package_bill,
    package_file,
    packages,
    procurement,
    reference_prices,
    settlement,
)

__all__ = [
    "allocation",
    "deviation",
    "package_bill",
    "package_file",
    "packages",
    "procurement",
    "reference_prices",
    "settlement",
]
