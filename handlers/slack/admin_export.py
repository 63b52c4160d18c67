"""`/delight admin export`: the workspace's kudos as a CSV file in the admin's DM."""

from __future__ import annotations

import logging
from io import IOBase
from typing import cast

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.errors import ExportUnderWay, NotAnAdmin
from bot.core.export import KudosExport, WorkspaceExport
from bot.core.words import N_
from bot.i18n import _, ngettext, number
from handlers.slack import blocks
from handlers.slack.refusals import explain

logger = logging.getLogger(__name__)

# What an upload failure means for the admin, when Slack says why (translated when shown).
_UPLOAD_PROBLEMS = {
    "missing_scope": N_(
        "Delight isn't allowed to send files in this workspace yet: reinstall it (its new "
        "version asks for the files:write scope), then try again."
    ),
    "not_allowed_token_type": N_("Delight isn't allowed to send files in this workspace."),
}


async def send_export(
    export: WorkspaceExport, client: AsyncWebClient, *, team_id: str, user_id: str
) -> blocks.Message:
    """Build the CSV (off the event loop, into a temporary file) and upload it into the
    admin's DM; the reply says where it went, or why it didn't."""
    try:
        async with export.for_admin(team_id, user_id) as exported:
            return await _send(client, team_id, user_id, exported)
    except (NotAnAdmin, ExportUnderWay) as refused:
        return blocks.text_message(explain(refused))


async def _send(
    client: AsyncWebClient, team_id: str, user_id: str, exported: KudosExport
) -> blocks.Message:
    try:
        await _upload_to_dm(client, user_id, exported)
    except SlackApiError as error:
        code = str(error.response.get("error") or f"http_{error.response.status_code}")
        logger.warning("export upload for %s failed: %s", team_id, code)
        return blocks.text_message(_upload_failed(code))
    except (SlackRequestError, aiohttp.ClientError, TimeoutError) as error:
        logger.warning("export upload for %s failed: %r", team_id, error)
        return blocks.text_message(_upload_failed("upload_failed"))
    count = exported.kudos_count
    return blocks.text_message(
        ngettext(
            "Your export is in your DM with Delight: *{file}*, {count} recognition, oldest first.",
            "Your export is in your DM with Delight: *{file}*, {count} recognitions, oldest first.",
            count,
        ).format(file=exported.filename, count=number(count))
    )


async def _upload_to_dm(client: AsyncWebClient, user_id: str, exported: KudosExport) -> None:
    # files.completeUploadExternal wants a conversation ID, not a user's.
    opened = await client.conversations_open(users=user_id)
    await client.files_upload_v2(
        channel=opened["channel"]["id"],
        file=cast(IOBase, exported.content),  # a temporary file
        filename=exported.filename,
        title=exported.filename,
        initial_comment=_("Here is every recognition in this workspace, as you asked."),
    )


def _upload_failed(code: str) -> str:
    known = _UPLOAD_PROBLEMS.get(code)
    why = _(known) if known else _("Slack didn't take the file (`{code}`).").format(code=code)
    return _(
        "I couldn't send you the export. {why} Nothing was changed; you can try "
        "`/delight admin export` again, or ask whoever runs Delight for `python -m bot export`."
    ).format(why=why)
