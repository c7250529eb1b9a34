"""A stand-in command module for the CLI registry tests (its ``register`` is patched in)."""
