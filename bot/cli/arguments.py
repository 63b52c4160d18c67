"""Argument parsing shared by the commands: one-line errors, and Slack id and date types."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from typing import NoReturn

USAGE_ERROR = 2  # what argparse and shells use for "wrong arguments"


class Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line that says how to get help, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(USAGE_ERROR)


def workspace_id(raw: str) -> str:
    value = raw.strip().upper()
    if not re.fullmatch(r"[TE][A-Z0-9]{2,}", value):
        raise argparse.ArgumentTypeError(
            f"{raw!r} is not a workspace ID: use the team ID, like T0123ABCD"
        )
    return value


def user_id(raw: str) -> str:
    value = raw.strip().upper()
    if not re.fullmatch(r"[UW][A-Z0-9]{2,}", value):
        raise argparse.ArgumentTypeError(
            f"{raw!r} is not a Slack user ID: use the member ID, like U0123ABCD "
            "(profile → ⋯ → Copy member ID)"
        )
    return value


def iso_date(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a date: use YYYY-MM-DD") from None
