"""The `reports-qa` command: `serve` starts the web app, everything else is the index's command line.

It lives in bot/ because index/ never imports the front ends.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Sends `reports-qa serve …` to the web app and any other command to index.cli.main."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["serve"]:
        from bot.__main__ import main as bot_main

        return bot_main(args)
    from index.cli import main as index_main

    return index_main(args)
