"""The services a Slack listener reads from its request's context.

The request_context middleware puts one `SlackServices` on every request; a listener takes
`context` and asks `services_of(context)` for what it needs. A unit test calls the listener
with a context holding fakes (`with_services`).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from bot.core.platform import Directory
from bot.services import Services
from handlers.slack.nominate import SlackFlow
from handlers.slack.workspace_clients import WorkspaceClients

_KEY = "delight_services"


@dataclass(frozen=True, slots=True)
class SlackServices:
    """The core's features, and the Slack adapter's own parts its listeners share."""

    core: Services
    flow: SlackFlow  # every nomination path: command, modal, shortcut, mention
    directory: Directory  # Slack's people, cached
    clients: WorkspaceClients  # each workspace's Web API client


def with_services(context: MutableMapping[str, Any], services: SlackServices) -> None:
    context[_KEY] = services


def services_of(context: MutableMapping[str, Any]) -> SlackServices:
    services = context.get(_KEY)
    if not isinstance(services, SlackServices):
        raise RuntimeError("no Delight services in this request's context")
    return services
