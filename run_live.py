#!/usr/bin/env python3
"""Decide a candidate now: ``python run_live.py candidate.json`` prints one advisory decision.

Also: several files, a folder (JSONL out), ``-`` for stdin, ``--job job.json`` for candidate files
without the job fields, ``-c CONFIG`` and ``-o key=value`` overrides. Exit codes: 0 ok, 2 invalid
input (the message names the file and JSON path), 3 model failure. This file only hands its
arguments to ``recruiter live`` (recruiter/inference/live.py does the work).
"""

import sys

from recruiter.cli import app

if __name__ == "__main__":
    app(["live", *sys.argv[1:]], prog_name="run_live.py")
