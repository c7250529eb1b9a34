"""Tariffs as data: effective-dated versions of charge components, time-of-use schedules, and
the strict tariff-file parser.
"""
