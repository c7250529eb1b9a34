"""Contracts: intent letters and supply / retail contracts, their review and signing lifecycle."""
