"""Command line: `python -m data_pipeline {demo,build,check,prepare} --help`."""

from __future__ import annotations

import sys

from data_pipeline.cli import main

sys.exit(main())
