"""Hypothesis strategies shared by the tests: one module per area (``tests.strategies.<area>``).

Bounded ``st.decimals`` only, never floats.
"""
