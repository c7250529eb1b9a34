"""Customers: parties, accounts, service points (用电点), key-account managers, contact records,
tiering.
"""
