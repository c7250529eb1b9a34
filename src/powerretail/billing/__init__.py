"""Billing: determinants from usage, the bill engine, bill lines that explain themselves,
corrections, back-charges and refunds.
"""
