"""The admins' views: workspace settings, and removing a kudos with a reason. Pure."""

from __future__ import annotations

from typing import Any

from bot.core.model import WorkspaceSettings
from bot.core.moderation import REASON_MAX_CHARS
from bot.core.words import N_
from bot.core.workspace_admin import DAILY_LIMIT_RANGE, SettingsForm
from bot.i18n import _
from handlers.slack import ids
from handlers.slack.blocks import endorsement_emoji, plain_text
from handlers.slack.ids_parsing import emoji_name_from, is_channel_id, is_user_id

Block = dict[str, Any]

# The form's fields → the block each is shown in (where its error goes).
SETTING_BLOCKS = {
    "recognition_channel_id": ids.SETTING_CHANNEL,
    "daily_limit": ids.SETTING_LIMIT,
    "require_element": ids.SETTING_OPTIONS,
    "leaderboard_enabled": ids.SETTING_OPTIONS,
    "endorsement_reaction": ids.SETTING_EMOJI,
    "admin_ids": ids.SETTING_ADMINS,
    "language": ids.SETTING_LANGUAGE,
}
# Each language named in itself: the admin picking one may not read the current one.
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands", "fr": "Français"}


def _language_option(language: str) -> Block:
    return {"text": plain_text(LANGUAGE_NAMES[language]), "value": language}


# Translated when shown.
_OPTIONS = {
    "require_element": (
        N_("Require an element tag"),
        N_("Every recognition names at least one element"),
    ),
    "leaderboard_enabled": (N_("Leaderboards"), N_("Let people use /delight top (off by default)")),
}


def _input(block_id: str, label: str, element: Block, *, optional: bool = False) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain_text(label),
        "element": {**element, "action_id": block_id},
        "optional": optional,
    }
    return block


def _option(name: str) -> Block:
    label, description = _OPTIONS[name]
    return {
        "text": plain_text(_(label)),
        "description": plain_text(_(description)),
        "value": name,
    }


def settings_modal(settings: WorkspaceSettings) -> Block:
    channel: Block = {"type": "conversations_select", "filter": {"include": ["public"]}}
    if settings.recognition_channel_id:
        channel["initial_conversation"] = settings.recognition_channel_id
    options: Block = {"type": "checkboxes", "options": [_option(n) for n in _OPTIONS]}
    chosen = [_option(n) for n in _OPTIONS if getattr(settings, n)]
    if chosen:
        options["initial_options"] = chosen
    admins: Block = {"type": "multi_users_select", "max_selected_items": 50}
    if settings.admin_ids:
        admins["initial_users"] = list(settings.admin_ids)
    low, high = DAILY_LIMIT_RANGE
    return {
        "type": "modal",
        "callback_id": ids.SETTINGS_MODAL,
        "title": plain_text(_("Delight settings")),
        "submit": plain_text(_("Save")),
        "close": plain_text(_("Cancel")),
        "blocks": [
            _input(
                ids.SETTING_CHANNEL,
                _("Recognition channel (empty: where /delight is used)"),
                channel,
                optional=True,
            ),
            _input(
                ids.SETTING_LIMIT,
                _("Daily limit: people one person can recognise a day"),
                {
                    "type": "number_input",
                    "is_decimal_allowed": False,
                    "min_value": str(low),
                    "max_value": str(high),
                    "initial_value": str(settings.daily_limit),
                },
            ),
            _input(ids.SETTING_OPTIONS, _("Rules"), options, optional=True),
            _input(
                ids.SETTING_EMOJI,
                _("Endorsement emoji (reacting with it says “I saw it too”)"),
                {"type": "plain_text_input", "initial_value": endorsement_emoji(settings)},
            ),
            _input(
                ids.SETTING_ADMINS,
                _("Extra Delight admins (workspace admins and owners always are)"),
                admins,
                optional=True,
            ),
            _input(
                ids.SETTING_LANGUAGE,
                _(
                    "Language of announcements, and of people whose Slack language Delight "
                    "doesn't speak"
                ),
                {
                    "type": "static_select",
                    "options": [_language_option(language) for language in LANGUAGE_NAMES],
                    "initial_option": _language_option(settings.language),
                },
            ),
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": _("Weekly digests for managers, and their teams"),
                },
                "accessory": {
                    "type": "button",
                    "action_id": ids.OPEN_TEAMS,
                    "text": plain_text(_("Manager teams & digests")),
                },
            },
        ],
    }


def read_settings_form(view: dict[str, Any]) -> tuple[SettingsForm, dict[str, str]]:
    """The submitted form, tolerating missing or odd fields, and what in it is not a Slack
    channel, person or emoji (the domain checks the rest)."""
    values = view.get("state", {}).get("values", {})

    def field(block: str) -> dict[str, Any]:
        found = values.get(block, {}).get(block)
        return found if isinstance(found, dict) else {}

    checked = {o.get("value") for o in field(ids.SETTING_OPTIONS).get("selected_options") or []}
    channel = field(ids.SETTING_CHANNEL).get("selected_conversation")
    users = field(ids.SETTING_ADMINS).get("selected_users") or []
    channel = channel if isinstance(channel, str) and channel else None
    admins = tuple(u for u in users if isinstance(u, str))
    emoji = emoji_name_from(str(field(ids.SETTING_EMOJI).get("value") or ""))
    problems: dict[str, str] = {}
    if channel is not None and not is_channel_id(channel):
        problems["recognition_channel_id"] = N_("Pick a channel from the list.")
    if not all(is_user_id(uid) for uid in admins):
        problems["admin_ids"] = N_("Pick people from the list.")
    if emoji is None:
        problems["endorsement_reaction"] = N_(
            "Use an emoji's name, like sparkles or :raised_hands: (letters, digits, _ + -)."
        )
    language = (field(ids.SETTING_LANGUAGE).get("selected_option") or {}).get("value")
    form = SettingsForm(
        language=language if isinstance(language, str) else "en",
        recognition_channel_id=channel,
        daily_limit=str(field(ids.SETTING_LIMIT).get("value") or ""),
        require_element="require_element" in checked,
        leaderboard_enabled="leaderboard_enabled" in checked,
        endorsement_reaction=emoji,
        admin_ids=admins,
    )
    return form, problems


def removal_modal(kudos_id: int) -> Block:
    return {
        "type": "modal",
        "callback_id": ids.REMOVAL_MODAL,
        "title": plain_text(_("Remove recognition")),
        "submit": plain_text(_("Remove")),
        "close": plain_text(_("Cancel")),
        "private_metadata": str(kudos_id),
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": _(
                        "The announcement and DMs will be replaced by a short note, and it "
                        "will no longer count anywhere. The reason goes in the audit log."
                    ),
                },
            },
            _input(
                ids.REASON_BLOCK,
                _("Why is it being removed?"),
                {"type": "plain_text_input", "multiline": True, "max_length": REASON_MAX_CHARS},
            ),
        ],
    }
