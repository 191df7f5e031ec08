"""Errors the user can act on. The CLI prints their message and exits with `exit_code`.

Anything else that escapes a command is a bug; the CLI still hides the traceback from the user
(it is logged) but reports it as an internal error with exit code 1.
"""

from __future__ import annotations


class RecruiterError(Exception):
    """Base class: a message meant for the user, and the process exit code that goes with it."""

    exit_code = 1


class ConfigError(RecruiterError):
    """Unknown key, wrong type, unreadable YAML or bad override."""

    exit_code = 2


class InputError(RecruiterError):
    """A user-supplied file or record is missing, unreadable or does not match its schema."""

    exit_code = 2


class ModelError(RecruiterError):
    """Weights cannot be found offline, or the model failed to produce a valid answer."""

    exit_code = 3
