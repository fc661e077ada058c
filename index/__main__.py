"""Lets `python -m index …` run the command line."""

import sys

from index.cli import main

sys.exit(main())
