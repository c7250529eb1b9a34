"""``python -m powerretail`` runs the command line, like the ``powerretail`` console script."""

from __future__ import annotations

from powerretail.cli import main

if __name__ == "__main__":  # pragma: no cover - exercised through a subprocess in the tests
    raise SystemExit(main())
