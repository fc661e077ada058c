"""The conventions every command shares: --version, -v/--log-level/LOG_LEVEL, and one log format on stderr."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping
from importlib import metadata
from typing import Any

from index.errors import QaError

# The bot's redacting formatter (bot/logs.py) uses the same format, so every process logs alike.
LOG_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"
LEVEL_NAMES = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LEVEL_VARIABLE = "LOG_LEVEL"
_HANDLER_NAME = "reports-qa"


class LogLevelError(QaError):
    """A log level that is not one of LEVEL_NAMES, from --log-level or LOG_LEVEL."""


def package_version() -> str:
    """The installed distribution's version, for --version."""
    try:
        return metadata.version("reports-qa")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def add_logging_options(parser: argparse.ArgumentParser, *, verbose: bool = True, root: bool = True) -> None:
    """Adds --version (root only), -v/--verbose and --log-level to a parser.

    Subcommand copies default to SUPPRESS, so a value given before the subcommand is not overwritten.
    """
    default: Any = None if root else argparse.SUPPRESS
    if root:
        parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    if verbose:
        parser.add_argument("-v", "--verbose", dest="log_verbose", action="count", default=default if not root else 0,
                            help="more log lines on stderr: -v info, -vv debug")
    parser.add_argument("--log-level", dest="log_level", metavar="LEVEL", type=str.upper, default=default,
                        choices=LEVEL_NAMES, help=f"log level ({', '.join(LEVEL_NAMES)}); "
                        f"default: ${LEVEL_VARIABLE}, else the command's own")


def chosen_level(args: argparse.Namespace, *, default: int, environ: Mapping[str, str] = os.environ) -> int:
    """--log-level, else -v (info) / -vv (debug), else LOG_LEVEL, else the command's default."""
    if getattr(args, "log_level", None):
        return int(getattr(logging, args.log_level))
    verbose = int(getattr(args, "log_verbose", 0) or 0)
    if verbose:
        return logging.DEBUG if verbose > 1 else logging.INFO
    named = environ.get(LEVEL_VARIABLE, "").strip().upper()
    if not named:
        return default
    if named not in LEVEL_NAMES:
        raise LogLevelError(f"{LEVEL_VARIABLE}={named!r} is not a log level; use one of {', '.join(LEVEL_NAMES)}")
    return int(getattr(logging, named))


def configure_logging(level: int) -> logging.Handler:
    """Root logging to stderr in LOG_FORMAT; called once, by a command's main()."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.set_name(_HANDLER_NAME)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:  # a second main() in one process
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler
