"""Metering: meters, registers, reads and interval data, validation (VEE) with findings,
estimation, the meter lifecycle.
"""
