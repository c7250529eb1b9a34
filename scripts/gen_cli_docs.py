"""Write docs/reference/cli.md from the command line's own help texts.

Run: python scripts/gen_cli_docs.py   (tests/unit/cli/test_cli_docs.py checks the page is current)
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from powerretail.cli import build_parser

PAGE = Path(__file__).parent.parent / "docs" / "reference" / "cli.md"

INTRO = """# Command line: `powerretail`

Every command prints to standard output and returns an exit code: 0 done, 1 findings or a
refusal to report (`tariff check --strict`: implausible prices), 2 bad input (the message, one line
on standard error, names the value and what was expected; also a file that cannot be read, a store
that cannot be used, or output closed early). Commands that read a file take `--encoding` (UTF-8
by default; `gbk` or `gb18030` for such exports).
This page is generated from the commands' own help (`python scripts/gen_cli_docs.py`); a test
keeps it current.
"""


def _commands(parser: argparse.ArgumentParser, prefix: str, level: int) -> list[str]:
    """Return the help of each sub-command of ``parser``, then of its own sub-commands."""
    parts: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in sorted(action.choices.items()):
                title = f"{prefix} {name}"
                parts += [f"{'#' * level} `{title}`", "", "```text", sub.format_help().rstrip()]
                parts += ["```", ""]
                parts += _commands(sub, title, level + 1)
    return parts


def render() -> str:
    """Return the page: the top-level help, then each command's and each action's help."""
    os.environ["COLUMNS"] = "100"
    parser = build_parser()
    parts = [INTRO, "```text", parser.format_help().rstrip(), "```", ""]
    parts += _commands(parser, "powerretail", 2)
    return "\n".join(parts)


if __name__ == "__main__":
    PAGE.write_text(render(), encoding="utf-8")
    print(f"wrote {PAGE}")
