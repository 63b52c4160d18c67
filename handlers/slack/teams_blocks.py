"""The admins' views for teams and the digest schedule. Pure."""

from __future__ import annotations

import json

from bot.core.digest_week import DigestSchedule
from bot.core.teams import NAME_LIMIT, Team
from bot.core.words import N_
from bot.i18n import _, number, weekday_names
from handlers.slack import ids
from handlers.slack.blocks import Block, button, plain_text
from handlers.slack.mrkdwn import defuse, people_list, shorten

TEAMS_PER_PAGE = 40  # two blocks each, under a modal's 100
MAX_GROUP_OPTIONS = 100  # a static select's limit


def _section(text: str, accessory: Block | None = None) -> Block:
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if accessory is not None:
        block["accessory"] = accessory
    return block


# A day said of every week ("on Mondays", "op maandag", "le lundi"): translated when shown.
_EVERY_WEEKDAY = (
    N_("Mondays"),
    N_("Tuesdays"),
    N_("Wednesdays"),
    N_("Thursdays"),
    N_("Fridays"),
    N_("Saturdays"),
    N_("Sundays"),
)


def schedule_line(schedule: DigestSchedule) -> str:
    line = (
        _("Digests go out on *{days} at {time}* in each manager's own timezone, with a chart.")
        if schedule.charts
        else _(
            "Digests go out on *{days} at {time}* in each manager's own timezone, with text "
            "bars (charts off)."
        )
    )
    return line.format(days=_(_EVERY_WEEKDAY[schedule.weekday]), time=f"{schedule.hour:02d}:00")


def _sources(team: Team) -> str:
    parts = []
    if team.member_ids:
        parts.append(_("{count} picked").format(count=number(len(team.member_ids))))
    if team.usergroup_ids:
        parts.append(" ".join(f"<!subteam^{g}>" for g in team.usergroup_ids))
    if team.channel_ids:
        parts.append(" ".join(f"<#{c}>" for c in team.channel_ids))
    return " · ".join(parts)


def teams_view(teams: list[Team], schedule: DigestSchedule, *, page: int = 0) -> Block:
    pages = max(1, -(-len(teams) // TEAMS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = teams[page * TEAMS_PER_PAGE : (page + 1) * TEAMS_PER_PAGE]
    blocks: list[Block] = [
        _section(
            _(
                "Each team's managers get a weekly DM: what colleagues recognised their people "
                "for, and who hasn't been recognised lately."
            )
        ),
        _section(schedule_line(schedule), button(_("Change"), ids.DIGEST_SETTINGS)),
        {"type": "actions", "elements": [button(_("New team"), ids.TEAM_NEW, style="primary")]},
        {"type": "divider"},
    ]
    if not teams:
        blocks.append(_section(_("No teams yet.")))
    for team in shown:
        # Group and channel mentions here only render names: a view notifies nobody.
        text = f"*{defuse(shorten(team.name, NAME_LIMIT))}*\n" + _(
            "Managed by {managers} · members: {members}"
        ).format(managers=people_list(team.manager_ids), members=_sources(team))
        edit = button(_("Edit"), ids.TEAM_EDIT, str(team.id))
        blocks.append(_section(shorten(text, 3000), edit))
    if pages > 1:
        nav = []
        if page > 0:
            nav.append(button(_("Previous"), ids.TEAMS_PAGE, str(page - 1)))
        if page < pages - 1:
            nav.append(button(_("Next"), ids.TEAMS_PAGE, str(page + 1)))
        blocks.append(
            {
                "type": "context",
                "elements": [
                    plain_text(
                        _("Page {page} of {pages}").format(
                            page=number(page + 1), pages=number(pages)
                        )
                    )
                ],
            }
        )
        blocks.append({"type": "actions", "elements": nav})
    return {
        "type": "modal",
        "callback_id": ids.TEAMS_MODAL,
        "title": plain_text(_("Teams")),
        "close": plain_text(_("Done")),
        "private_metadata": json.dumps({"page": page}),
        "blocks": blocks,
    }


def _input(
    block_id: str, label: str, element: Block, *, optional: bool = False, hint: str = ""
) -> Block:
    element = {**element, "action_id": ids.VALUE}
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain_text(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain_text(hint)
    return block


def team_edit_view(team: Team | None, usergroups: list[tuple[str, str]]) -> Block:
    """New (team None) or existing. `usergroups`: (id, handle) pairs to choose from."""
    name: Block = {"type": "plain_text_input", "max_length": NAME_LIMIT}
    managers: Block = {"type": "multi_users_select"}
    members: Block = {"type": "multi_users_select"}
    channels: Block = {
        "type": "multi_conversations_select",
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if team is not None:
        name["initial_value"] = team.name
        managers["initial_users"] = list(team.manager_ids)
        if team.member_ids:
            members["initial_users"] = list(team.member_ids)
        if team.channel_ids:
            channels["initial_conversations"] = list(team.channel_ids)
    blocks = [
        _input(ids.TEAM_NAME_BLOCK, _("Name"), name),
        _input(
            ids.TEAM_MANAGERS_BLOCK, _("Managers"), managers, hint=_("They get the weekly digest.")
        ),
        _input(ids.TEAM_MEMBERS_BLOCK, _("People"), members, optional=True),
    ]
    options = [
        {"text": plain_text(shorten("@" + handle, 75)), "value": group_id}
        for group_id, handle in usergroups[:MAX_GROUP_OPTIONS]
    ]
    if options:
        groups: Block = {"type": "multi_static_select", "options": options}
        chosen = [o for o in options if team is not None and o["value"] in team.usergroup_ids]
        if chosen:
            groups["initial_options"] = chosen
        blocks.append(
            _input(
                ids.TEAM_GROUPS_BLOCK,
                _("People in these user groups"),
                groups,
                optional=True,
                hint=_("Read again before each digest, so the team follows the group."),
            )
        )
    blocks.append(
        _input(
            ids.TEAM_CHANNELS_BLOCK,
            _("People in these channels"),
            channels,
            optional=True,
            hint=_("Read again before each digest. Private channels need Delight invited."),
        )
    )
    if team is not None:
        blocks.append(
            _input(
                ids.TEAM_DELETE_BLOCK,
                _("Delete"),
                {
                    "type": "checkboxes",
                    "options": [{"text": plain_text(_("Delete this team")), "value": "delete"}],
                },
                optional=True,
            )
        )
    return {
        "type": "modal",
        "callback_id": ids.TEAM_EDIT_MODAL,
        "title": plain_text(_("Edit team") if team else _("New team")),
        "submit": plain_text(_("Save")),
        "close": plain_text(_("Back")),
        "private_metadata": json.dumps({"team": team.id if team else None}),
        "blocks": blocks,
    }


def digest_settings_view(schedule: DigestSchedule) -> Block:
    days = [{"text": plain_text(day), "value": str(n)} for n, day in enumerate(weekday_names())]
    hours = [{"text": plain_text(f"{h:02d}:00"), "value": str(h)} for h in range(24)]
    charts_option = {"text": plain_text(_("Include a chart")), "value": "charts"}
    charts: Block = {"type": "checkboxes", "options": [charts_option]}
    if schedule.charts:
        charts["initial_options"] = [charts_option]
    return {
        "type": "modal",
        "callback_id": ids.DIGEST_SETTINGS_MODAL,
        "title": plain_text(_("Digest schedule")),
        "submit": plain_text(_("Save")),
        "close": plain_text(_("Back")),
        "blocks": [
            _input(
                ids.DIGEST_DAY_BLOCK,
                _("Day"),
                {
                    "type": "static_select",
                    "options": days,
                    "initial_option": days[schedule.weekday],
                },
            ),
            _input(
                ids.DIGEST_HOUR_BLOCK,
                _("Hour, in each manager's own timezone"),
                {"type": "static_select", "options": hours, "initial_option": hours[schedule.hour]},
            ),
            _input(ids.DIGEST_CHARTS_BLOCK, _("Chart"), charts, optional=True),
        ],
    }
