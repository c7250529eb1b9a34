"""Adapters: in-memory and SQLite implementations of the ports, clocks, and file loaders at the
edge.
"""
