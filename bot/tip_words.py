"""How a workspace's tip library reads to its admins, whatever shows it: the rotation's count,
the add form's words, what an added tip or a refused change says. Sentences keep Slack's
`*bold*`; Teams turns that into its own markdown. User text (a tip's title) comes in already
made inert by the platform. Pure."""

from __future__ import annotations

from bot.core import errors
from bot.core.words import N_
from bot.i18n import _, number

# Translated when shown.
TITLE_PLACEHOLDER = N_("One concrete thing to try")
BODY_PLACEHOLDER = N_("What to do this week, and why it matters to customers")
ADD_HEADING = N_("*Add your own {element} tip*")


def rotation_line(enabled: int, count: int) -> str:
    return _(
        "{enabled} of {count} tips in the rotation. Turned-off tips are skipped; at "
        "least one must stay on."
    ).format(enabled=number(enabled), count=number(count))


def added_notice(title: str) -> str:
    """`title`: the tip's, inert in the platform's markup."""
    return _("✅ Added “{title}”: it joins the rotation.").format(title=title)


def deleted_notice() -> str:
    return _("🗑️ Deleted.")


def tip_refusal(error: errors.DelightError) -> str | None:
    """A refused change to a tip in words; None for any other refusal."""
    match error:
        case errors.TipNotFound():
            return _("That tip isn't there any more (another admin may have deleted it).")
        case errors.LastTipOfElement(element_name=name):
            return _(
                "That's the last {element} tip still on: {element} weeks would have nothing to "
                "send. Add or turn on another one first."
            ).format(element=_(name))
    return None
