"""One activity's facts, as Delight reads them: which tenant, which conversation, who acts,
in which language. Read from the Teams SDK's typed activity; nothing past this module sees the
SDK's types."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from microsoft_teams.api.models import ClientInfoEntity, MentionEntity
from microsoft_teams.api.models.activity import Activity as ActivityModel

from bot.core.workspaces import MAX_ID_LENGTH, Platform, workspace_id
from bot.entra import ENTRA_ID
from handlers.msteams.book import ConversationKind
from handlers.msteams.parsing import Mention

_KINDS: dict[str | None, ConversationKind] = {
    "personal": "personal",
    "channel": "channel",
    "groupChat": "groupChat",
}


class NotForDelight(Exception):
    """An activity Delight can't act on (no tenant, no person behind it): answered, ignored."""


@dataclass(frozen=True, slots=True)
class Turn:
    activity_id: str
    workspace: str  # msteams:<tenant>
    tenant_id: str
    service_url: str
    conversation_id: str
    kind: ConversationKind
    team_id: str | None  # the team's 19: id, in a team's channel
    channel_name: str | None
    team_name: str | None
    member_id: str  # the sender's 29: id
    user_id: str | None  # the sender's Entra object id (None for a bot)
    name: str
    locale: str | None
    timezone: str | None
    reply_to_id: str | None
    bot_id: str  # Delight's own 28: id, as this activity names it
    # The channel channelData names: the conversation's, or one an event is about (created).
    channel_id: str | None = None

    @property
    def personal(self) -> bool:
        return self.kind == "personal"


def turn_of(activity: ActivityModel) -> Turn:
    data = activity.channel_data
    tenant = (data.tenant.id if data is not None and data.tenant is not None else None) or (
        activity.conversation.tenant_id
    )
    if not tenant or not ENTRA_ID.fullmatch(tenant.lower()):
        raise NotForDelight("no tenant")
    sender = activity.from_
    user_id = (sender.aad_object_id or "").lower() or None
    if user_id is not None and not ENTRA_ID.fullmatch(user_id):
        raise NotForDelight("not an Entra object id")
    conversation = activity.conversation
    if not conversation.id or len(conversation.id) > MAX_ID_LENGTH or len(sender.id) > 255:
        raise NotForDelight("ids out of shape")
    kind = _KINDS.get(conversation.conversation_type, "groupChat")
    team = data.team if data is not None else None
    channel = data.channel if data is not None else None
    timezone: str | None = None  # the clientInfo entity says (the SDK keeps no localTimezone)
    locale = activity.locale
    for entity in activity.entities or ():
        if isinstance(entity, ClientInfoEntity):
            timezone = timezone or entity.timezone
            locale = locale or entity.locale
    return Turn(
        activity_id=activity.id or "",
        workspace=workspace_id(Platform.MSTEAMS, tenant.lower()),
        tenant_id=tenant.lower(),
        service_url=activity.service_url or "",
        conversation_id=conversation.id,
        kind=kind,
        team_id=team.id if team is not None else None,
        channel_name=channel.name if channel is not None else None,
        team_name=team.name if team is not None else None,
        member_id=sender.id,
        user_id=user_id,
        name=sender.name or "",
        locale=locale[:35] if locale else None,
        timezone=timezone[:64] if timezone else None,
        reply_to_id=activity.reply_to_id,
        bot_id=activity.recipient.id,
        channel_id=channel.id if channel is not None else None,
    )


def mentions_of(activity: Any) -> list[Mention]:
    found = []
    for entity in getattr(activity, "entities", None) or ():
        if isinstance(entity, MentionEntity) and entity.mentioned is not None:
            text = entity.text or f"<at>{entity.mentioned.name or ''}</at>"
            found.append(Mention(text, entity.mentioned.id, entity.mentioned.name or ""))
    return found
