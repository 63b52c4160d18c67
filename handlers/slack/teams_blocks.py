"""The admins' views for teams and the digest schedule. Pure."""

from __future__ import annotations

import json

from bot.core.digest_week import WEEKDAYS, DigestSchedule
from bot.core.teams import NAME_LIMIT, Team
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


def schedule_line(schedule: DigestSchedule) -> str:
    charts = "with a chart" if schedule.charts else "with text bars (charts off)"
    return (
        f"Digests go out on *{WEEKDAYS[schedule.weekday]}s at {schedule.hour:02d}:00* in each "
        f"manager's own timezone, {charts}."
    )


def _sources(team: Team) -> str:
    parts = []
    if team.member_ids:
        parts.append(f"{len(team.member_ids)} picked")
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
            "Each team's managers get a weekly DM: what colleagues recognised their people "
            "for, and who hasn't been recognised lately."
        ),
        _section(schedule_line(schedule), button("Change", ids.DIGEST_SETTINGS)),
        {"type": "actions", "elements": [button("New team", ids.TEAM_NEW, style="primary")]},
        {"type": "divider"},
    ]
    if not teams:
        blocks.append(_section("No teams yet."))
    for team in shown:
        # Group and channel mentions here only render names: a view notifies nobody.
        text = (
            f"*{defuse(shorten(team.name, NAME_LIMIT))}*\n"
            f"Managed by {people_list(team.manager_ids)} · members: {_sources(team)}"
        )
        blocks.append(_section(shorten(text, 3000), button("Edit", ids.TEAM_EDIT, str(team.id))))
    if pages > 1:
        nav = []
        if page > 0:
            nav.append(button("Previous", ids.TEAMS_PAGE, str(page - 1)))
        if page < pages - 1:
            nav.append(button("Next", ids.TEAMS_PAGE, str(page + 1)))
        blocks.append({"type": "context", "elements": [plain_text(f"Page {page + 1} of {pages}")]})
        blocks.append({"type": "actions", "elements": nav})
    return {
        "type": "modal",
        "callback_id": ids.TEAMS_MODAL,
        "title": plain_text("Teams"),
        "close": plain_text("Done"),
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
        _input(ids.TEAM_NAME_BLOCK, "Name", name),
        _input(ids.TEAM_MANAGERS_BLOCK, "Managers", managers, hint="They get the weekly digest."),
        _input(ids.TEAM_MEMBERS_BLOCK, "People", members, optional=True),
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
                "People in these user groups",
                groups,
                optional=True,
                hint="Read again before each digest, so the team follows the group.",
            )
        )
    blocks.append(
        _input(
            ids.TEAM_CHANNELS_BLOCK,
            "People in these channels",
            channels,
            optional=True,
            hint="Read again before each digest. Private channels need Delight invited.",
        )
    )
    if team is not None:
        blocks.append(
            _input(
                ids.TEAM_DELETE_BLOCK,
                "Delete",
                {
                    "type": "checkboxes",
                    "options": [{"text": plain_text("Delete this team"), "value": "delete"}],
                },
                optional=True,
            )
        )
    return {
        "type": "modal",
        "callback_id": ids.TEAM_EDIT_MODAL,
        "title": plain_text("Edit team" if team else "New team"),
        "submit": plain_text("Save"),
        "close": plain_text("Back"),
        "private_metadata": json.dumps({"team": team.id if team else None}),
        "blocks": blocks,
    }


def digest_settings_view(schedule: DigestSchedule) -> Block:
    days = [{"text": plain_text(day), "value": str(n)} for n, day in enumerate(WEEKDAYS)]
    hours = [{"text": plain_text(f"{h:02d}:00"), "value": str(h)} for h in range(24)]
    charts_option = {"text": plain_text("Include a chart"), "value": "charts"}
    charts: Block = {"type": "checkboxes", "options": [charts_option]}
    if schedule.charts:
        charts["initial_options"] = [charts_option]
    return {
        "type": "modal",
        "callback_id": ids.DIGEST_SETTINGS_MODAL,
        "title": plain_text("Digest schedule"),
        "submit": plain_text("Save"),
        "close": plain_text("Back"),
        "blocks": [
            _input(
                ids.DIGEST_DAY_BLOCK,
                "Day",
                {
                    "type": "static_select",
                    "options": days,
                    "initial_option": days[schedule.weekday],
                },
            ),
            _input(
                ids.DIGEST_HOUR_BLOCK,
                "Hour, in each manager's own timezone",
                {"type": "static_select", "options": hours, "initial_option": hours[schedule.hour]},
            ),
            _input(ids.DIGEST_CHARTS_BLOCK, "Chart", charts, optional=True),
        ],
    }
