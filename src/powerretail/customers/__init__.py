"""Customers: parties, accounts, service points (用电点), managers, contact records, tiering."""
