"""The admins' cards for managers' teams in Teams: the list (`teams` in the 1:1 chat), the
dialog that makes or edits a team, and the digest schedule's dialog. Pure. Sentences are the
Slack views' where they read the same."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.core.digest_week import DigestSchedule
from bot.core.teams import NAME_LIMIT, Team
from bot.core.words import N_
from bot.i18n import _, number, say, weekday_names
from handlers.msteams import adaptive
from handlers.msteams.adaptive import Card, CardMessage, Part
from handlers.msteams.dialog import PEOPLE_DATASET, plain_error
from handlers.msteams.text import Names, inert, shorten

TEAM = "team"  # the dialog that makes, edits or deletes a team; data {"team_pk": int | None}
SCHEDULE = "digest_schedule"  # the digest day, hour and chart dialog
TEAMS_PAGE = "teams_page"  # Action.Execute verb: data {"page": int}
TEAM_PK = "team_pk"
PAGE = "page"
# The dialog's inputs: the submitted values arrive under these ids.
NAME = "name"
MANAGERS = "managers"  # comma-separated Entra ids (the people picker)
MEMBERS = "members"
ROSTERS = "rosters"  # comma-separated Teams team ids (19:…)
DELETE = "delete"  # "true" or "false"
DAY = "day"
HOUR = "hour"
CHARTS = "charts"
TEAMS_PER_PAGE = 25
MAX_PICKED = 100  # people shown chosen in a picker

# A day said of every week, as Slack's view says it (translated when shown).
_EVERY_WEEKDAY = (
    N_("Mondays"),
    N_("Tuesdays"),
    N_("Wednesdays"),
    N_("Thursdays"),
    N_("Fridays"),
    N_("Saturdays"),
    N_("Sundays"),
)


@dataclass(frozen=True, slots=True)
class TeamForm:
    """What the team dialog shows: a stored team, or what was submitted, with its problems."""

    team_pk: int | None = None
    name: str = ""
    manager_ids: tuple[str, ...] = ()
    member_ids: tuple[str, ...] = ()
    roster_ids: tuple[str, ...] = ()
    delete: bool = False
    errors: Mapping[str, str] = field(default_factory=dict)


def form_of(team: Team | None) -> TeamForm:
    if team is None:
        return TeamForm()
    return TeamForm(
        team_pk=team.id,
        name=team.name,
        manager_ids=team.manager_ids,
        member_ids=team.member_ids,
        roster_ids=team.channel_ids,
    )


def schedule_line(schedule: DigestSchedule) -> str:
    line = (
        _("Digests go out on {days} at {time} in each manager's own timezone, with a chart.")
        if schedule.charts
        else _(
            "Digests go out on {days} at {time} in each manager's own timezone, with text "
            "bars (charts off)."
        )
    )
    return line.format(
        days=f"**{_(_EVERY_WEEKDAY[schedule.weekday])}**", time=f"**{schedule.hour:02d}:00**"
    )


def _sources(team: Team, names: Names) -> str:
    parts = []
    if team.member_ids:
        parts.append(_("{count} picked").format(count=number(len(team.member_ids))))
    for roster in team.channel_ids:
        parts.append(inert(names.conversations.get(roster) or _("a Teams team")))
    return " · ".join(parts)


def _paused(team: Team) -> list[Part]:
    if team.paused_reason is None:
        return []
    return [
        adaptive.small(
            _("⏸️ Digests paused: {reason}").format(reason=inert(say(team.paused_reason)))
        )
    ]


def teams_card(
    teams: Sequence[Team], schedule: DigestSchedule, names: Names, *, page: int = 0
) -> CardMessage:
    """Every team of the workspace with its Edit button, the schedule, and New team."""
    pages = max(1, -(-len(teams) // TEAMS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = teams[page * TEAMS_PER_PAGE : (page + 1) * TEAMS_PER_PAGE]
    body: list[Part] = [
        adaptive.heading(_("Teams")),
        adaptive.text(
            _(
                "Each team's managers get a weekly digest in their chat with Delight: what "
                "colleagues recognised their people for, and who hasn't been recognised lately."
            )
        ),
        adaptive.text(schedule_line(schedule)),
        adaptive.action_set(adaptive.open_dialog(_("Change"), SCHEDULE)),
    ]
    if not teams:
        body.append(adaptive.text(_("No teams yet."), spacing="Medium"))
    for team in shown:
        managers = ", ".join(inert(names.person(uid)) for uid in team.manager_ids)
        about = _("Managed by {managers} · members: {members}").format(
            managers=managers, members=_sources(team, names)
        )
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [
                    adaptive.text(f"**{inert(shorten(team.name, NAME_LIMIT))}**"),
                    adaptive.small(about),
                    *_paused(team),
                    adaptive.action_set(
                        adaptive.open_dialog(_("Edit"), TEAM, **{TEAM_PK: team.id})
                    ),
                ],
            }
        )
    if pages > 1:
        body.append(
            adaptive.small(
                _("Page {page} of {pages}").format(page=number(page + 1), pages=number(pages))
            )
        )
        nav = []
        if page > 0:
            nav.append(adaptive.execute(_("Previous"), TEAMS_PAGE, {PAGE: page - 1}))
        if page < pages - 1:
            nav.append(adaptive.execute(_("Next"), TEAMS_PAGE, {PAGE: page + 1}))
        body.append(adaptive.action_set(*nav))
    new = adaptive.open_dialog(_("New team"), TEAM, **{TEAM_PK: None})
    return adaptive.message(body, [new], summary=_("Teams"))


def _problem(message: str) -> Part:
    return adaptive.text(message, color="Attention", size="Small", spacing="Small")


def _people_picker(
    input_id: str,
    label: str,
    chosen: Sequence[str],
    names: Names,
    *,
    required: bool,
    error: str | None,
) -> Part:
    found: Part = {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "isMultiSelect": True,
        "isRequired": required,
        # The people already chosen, by name: the picker shows a value only among its choices.
        "choices": [{"title": names.person(uid), "value": uid} for uid in chosen[:MAX_PICKED]],
        "choices.data": {"type": "Data.Query", "dataset": PEOPLE_DATASET},
    }
    if chosen:
        found["value"] = ",".join(chosen[:MAX_PICKED])
    if error or required:
        found["errorMessage"] = plain_error(error) or _("Pick at least one person.")
    return found


def team_dialog(form: TeamForm, names: Names, rosters: Sequence[tuple[str, str]]) -> Card:
    """New (no team_pk) or existing. `rosters`: (Teams team id, name) to take members from."""
    errors = form.errors
    body: list[Part] = []
    if general := errors.get("general"):
        body.append(_problem(general))
    name: Part = {
        "type": "Input.Text",
        "id": NAME,
        "label": _("Name"),
        "placeholder": _("Support EMEA"),
        "maxLength": NAME_LIMIT,
        "isRequired": True,
        "errorMessage": plain_error(errors.get(NAME)) or _("Give the team a name."),
    }
    if form.name:
        name["value"] = form.name[: NAME_LIMIT * 2]
    body.append(name)
    if NAME in errors:
        body.append(_problem(errors[NAME]))
    body.append(
        _people_picker(
            MANAGERS,
            _("Managers"),
            form.manager_ids,
            names,
            required=True,
            error=errors.get(MANAGERS),
        )
    )
    body.append(adaptive.small(_("They get the weekly digest.")))
    if MANAGERS in errors:
        body.append(_problem(errors[MANAGERS]))
    body.append(
        _people_picker(
            MEMBERS, _("People"), form.member_ids, names, required=False, error=errors.get(MEMBERS)
        )
    )
    if rosters:
        choices = [{"title": label, "value": roster_id} for roster_id, label in rosters]
        listed = {roster_id for roster_id, _label in rosters}
        teams_input: Part = {
            "type": "Input.ChoiceSet",
            "id": ROSTERS,
            "label": _("People in these Teams teams"),
            "isMultiSelect": True,
            "style": "expanded",
            "choices": choices,
        }
        chosen = [r for r in form.roster_ids if r in listed]
        if chosen:
            teams_input["value"] = ",".join(chosen)
        body.append(teams_input)
        body.append(
            adaptive.small(_("Read again before each digest, so the team follows the Teams team."))
        )
    else:
        body.append(
            adaptive.small(
                _(
                    "Add Delight to a Teams team to take a team's people from its members, "
                    "read again before each digest."
                )
            )
        )
    if MEMBERS in errors:
        body.append(_problem(errors[MEMBERS]))
    if form.team_pk is not None:
        body.append(
            {
                "type": "Input.Toggle",
                "id": DELETE,
                "title": _("Delete this team"),
                "valueOn": "true",
                "valueOff": "false",
                "value": "true" if form.delete else "false",
            }
        )
    submit = {
        "type": "Action.Submit",
        "title": _("Save"),
        "data": {adaptive.DIALOG: TEAM, TEAM_PK: form.team_pk},
    }
    return adaptive.card(body, [submit], summary=team_dialog_title(form))


def team_dialog_title(form: TeamForm) -> str:
    return _("Edit team") if form.team_pk is not None else _("New team")


def schedule_dialog(schedule: DigestSchedule, *, error: str | None = None) -> Card:
    days = [{"title": day, "value": str(n)} for n, day in enumerate(weekday_names())]
    hours = [{"title": f"{h:02d}:00", "value": str(h)} for h in range(24)]
    body: list[Part] = []
    if error:
        body.append(_problem(error))
    body += [
        {
            "type": "Input.ChoiceSet",
            "id": DAY,
            "label": _("Day"),
            "choices": days,
            "value": str(schedule.weekday),
            "isRequired": True,
            "errorMessage": _("Pick a day."),
        },
        {
            "type": "Input.ChoiceSet",
            "id": HOUR,
            "label": _("Hour, in each manager's own timezone"),
            "choices": hours,
            "value": str(schedule.hour),
            "isRequired": True,
            "errorMessage": _("Pick an hour."),
        },
        {
            "type": "Input.Toggle",
            "id": CHARTS,
            "label": _("Chart"),
            "title": _("Include a chart"),
            "valueOn": "true",
            "valueOff": "false",
            "value": "true" if schedule.charts else "false",
        },
    ]
    submit = {"type": "Action.Submit", "title": _("Save"), "data": {adaptive.DIALOG: SCHEDULE}}
    return adaptive.card(body, [submit], summary=_("Digest schedule"))
