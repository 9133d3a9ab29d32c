"""How commands refuse and fail: one line saying what happened and what to do, exit status 1.

Shared by every task in tasks.py: a refusal the command explains itself (a DeskError,
a locked pull) ends without a traceback, and a write that fails says what it left behind.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys


class Refusal(Exception):
    """What was asked cannot be done as asked; the message says why and what to do, and
    nothing was changed. Every refusal a user can meet is one (DeskError, Locked,
    SettingsError, a check that failed...); a command prints it and exits 1, no
    traceback. Any other exception is a programming error and keeps its traceback."""


@contextlib.contextmanager
def exits_on(*errors, prefix: str = ""):
    """A refusal the command explains itself: its message, exit status 1, no traceback."""
    try:
        yield
    except errors as error:
        sys.exit(f"{prefix}{error}")


# What a failed write leaves behind, said with the error so nobody has to guess.
AFTER_PULL = ("Nothing was lost: every file written is complete, and the next pull finishes the job "
              "(its journal in content/_pull/ records what was started).")
AFTER_BUILD = "The content is unchanged; the next build repairs the output folder."
AFTER_EDIT = "Each file is written whole or not at all; run the command again to finish."


OPTION = re.compile(r"--?[A-Za-z][\w-]*")  # one word that reads as an option: -x, --topics


def refuse_options_as_values(command: str, values) -> None:
    """Invoke 3 gives the word after a task name to the task's positional argument,
    whatever it is (`new-topic --topics` made a topic titled "--topics"): a command that
    writes never takes an option for a value. (`--help` there is help: tasks.py.)"""
    for value in values:
        if isinstance(value, str) and OPTION.fullmatch(value):
            sys.exit(f"{command}: '{value}' looks like an option, not a value: nothing was written. "
                     f"Fix: put the value first, quote it, or see `invoke --help {command}`.")


def writes(command: str, after: str):
    """A task whose write fails (read-only folder, full disk, a file where a folder must
    be) ends with one line: what failed, what that left, what to do; exit status 1. No
    option is ever taken for a value (refuse_options_as_values)."""
    def wrap(body):
        @functools.wraps(body)
        def run(*args, **kwargs):
            refuse_options_as_values(command, [*args[1:], *kwargs.values()])
            try:
                return body(*args, **kwargs)
            except OSError as error:
                where = f": {os.path.relpath(error.filename)}" if error.filename else ""
                sys.exit(f"{command}: stopped: {error.strerror or error}{where}. {after} "
                         "Fix: make it writable or free disk space, then run it again.")
        return run
    return wrap


def help_after_a_task_name(tasks: set[str]) -> None:
    """`invoke add-feed --help` is `invoke --help add-feed`. Invoke 3 gives a word after a
    task name to the task's positional arguments, whatever it is: `new-topic --help` was a
    topic titled "--help", `add-feed --help` a complaint about a missing URL. tasks.py
    calls this as invoke loads it, before invoke parses the task's arguments."""
    if os.path.basename(sys.argv[0]) not in ("invoke", "inv", "__main__.py"):
        return  # imported, not run by invoke
    names = {name.replace("_", "-") for name in tasks}
    words = sys.argv[1:]
    for i, word in enumerate(words):
        if word in names and any(w in ("-h", "--help") for w in words[i + 1:]):
            os.execv(sys.executable, [sys.executable, "-m", "invoke", "--help", word])
