"""The retail company's own business (售电): packages, reference prices, procurement, allocation,
deviation assessment and the monthly settlement."""

from powerretail.retail import (
    deviation,
    package_bill,
    package_file,
    packages,
    reference_prices,
)

__all__ = [
    "deviation",
    "package_bill",
    "package_file",
    "packages",
    "reference_prices",
]
