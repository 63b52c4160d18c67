"""The pages a browser sees while installing Delight (start, thank you, something went wrong),
in the browser's language (its Accept-Language). Pure."""

from __future__ import annotations

import html

from bot.core.words import N_
from bot.i18n import ENGLISH, SUPPORTED, _, current_language

ADD_TO_SLACK_IMAGE = "https://platform.slack-edge.com/img/add_to_slack.png"
ADD_TO_SLACK_IMAGE_2X = "https://platform.slack-edge.com/img/add_to_slack@2x.png"

# Why an install failed, for the codes Bolt gives; any other is Slack's own (translated when
# shown).
_FAILURES = {
    "invalid_browser": N_(
        "The install has to start from Delight's own install page, in the same browser, and "
        "the page can't be reloaded on the way."
    ),
    "invalid_state": N_("This install link has expired: start again."),
    "missing_code": N_("Slack didn't send back the code that completes the install."),
    "access_denied": N_("The install was cancelled in Slack."),
    "storage_error": N_(
        "Delight couldn't save the installation. Try again in a moment, or contact whoever "
        "runs Delight for you."
    ),
}


def browser_language(accept_language: str | None) -> str:
    """The first language in an Accept-Language header Delight speaks, by the browser's order
    of preference ("nl-BE,nl;q=0.9,en;q=0.8" → "nl"; "de-DE,fr;q=0.5" → "fr"); English when
    none is."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _separator, parameters = part.strip().partition(";")
        weight = 1.0
        for parameter in parameters.split(";"):
            name, _equals, value = parameter.strip().partition("=")
            if name == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        language = tag.strip().replace("_", "-").split("-", 1)[0].lower()
        if language in SUPPORTED and weight > 0:
            ranked.append((-weight, position, language))
    return min(ranked)[2] if ranked else ENGLISH


def _page(title: str, body: str, *, head: str = "") -> str:
    return (
        "<!doctype html>\n"
        f'<html lang="{current_language()}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<link rel="icon" href="data:,">\n{head}<title>{html.escape(title)}</title>\n'
        "<style>body { padding: 10px 15px; font-family: verdana, sans-serif; "
        "text-align: center; }</style>\n"
        f"</head>\n<body>\n<h2>{html.escape(title)}</h2>\n{body}\n</body>\n</html>\n"
    )


def install_page(url: str) -> str:
    """The page /slack/install shows: the "Add to Slack" button, pointing at `url`."""
    button = (
        f'<p><a href="{html.escape(url)}"><img alt="{html.escape(_("Add to Slack"))}" '
        f'height="40" width="139" src="{ADD_TO_SLACK_IMAGE}" '
        f'srcset="{ADD_TO_SLACK_IMAGE} 1x, {ADD_TO_SLACK_IMAGE_2X} 2x" /></a></p>'
    )
    explanation = html.escape(
        _(
            "Delight helps colleagues recognise each other for exceptional service. Add it to "
            "your Slack workspace to start."
        )
    )
    return _page(_("Install Delight"), f"<p>{explanation}</p>\n{button}")


def success_page(*, open_url: str, browser_url: str) -> str:
    """After an install: on to Slack's app (or its web version)."""
    text = _(
        "Delight is installed. Opening Slack… If nothing happens, {open_link}click here"
        "{end}. If you use Slack in your browser, {browser_link}open it there{end} instead."
    ).format(
        open_link=f'<a href="{html.escape(open_url)}">',
        browser_link=f'<a href="{html.escape(browser_url)}" target="_blank">',
        end="</a>",
    )
    refresh = f'<meta http-equiv="refresh" content="0; URL={html.escape(open_url)}">\n'
    return _page(_("Thank you!"), f"<p>{text}</p>", head=refresh)


def failure_page(reason: str, *, install_path: str) -> str:
    """An install that did not complete: why, in words where Bolt gave a known code, and a
    link to start again."""
    known = _FAILURES.get(reason)
    why = (
        html.escape(_(known))
        if known
        else html.escape(_("Slack answered with the error “{code}”.").format(code=reason))
    )
    again = _("{link}Start the install again{end}, or ask whoever runs Delight for help.").format(
        link=f'<a href="{html.escape(install_path)}">', end="</a>"
    )
    return _page(_("Something went wrong"), f"<p>{why}</p>\n<p>{again}</p>")
