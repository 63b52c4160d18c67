"""Argument parsing shared by the commands: one-line errors, and Slack id and date types."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from typing import NoReturn

from bot.entra import is_entra_id

USAGE_ERROR = 2  # what argparse and shells use for "wrong arguments"


class Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line that says how to get help, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(USAGE_ERROR)


def workspace_id(raw: str) -> str:
    """A Slack team ID (T0123ABCD), or a Teams tenant as Delight stores it (msteams:<tenant>)."""
    value = raw.strip()
    if value.lower().startswith("msteams:") and is_entra_id(value[len("msteams:") :]):
        return value.lower()
    if not re.fullmatch(r"[TE][A-Z0-9]{2,}", value.upper()):
        raise argparse.ArgumentTypeError(
            f"{raw!r} is not a workspace ID: use the Slack team ID, like T0123ABCD, or "
            "msteams:<tenant ID> for a Microsoft Teams organisation"
        )
    return value.upper()


def user_id(raw: str) -> str:
    """A Slack member ID, or a person's Microsoft Entra object ID (a GUID) in Teams."""
    value = raw.strip()
    if is_entra_id(value):
        return value.lower()
    if not re.fullmatch(r"[UW][A-Z0-9]{2,}", value.upper()):
        raise argparse.ArgumentTypeError(
            f"{raw!r} is not a user ID: use the Slack member ID, like U0123ABCD "
            "(profile → ⋯ → Copy member ID), or the person's Entra object ID in Teams"
        )
    return value.upper()


def iso_date(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a date: use YYYY-MM-DD") from None
