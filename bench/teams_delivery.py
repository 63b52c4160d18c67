"""How fast Delight acks Teams' activities and delivers kudos, against a minimal Teams deliverer.

    .venv/bin/python -m bench.teams_delivery [-n 10000] [-c 50] [--rounds 3]
                                             [--database-url postgresql://...]

bench.ack_and_delivery's machinery (the load generator, CPU accounting, rounds taking turns,
the report), with the Teams path in place of Slack's: one fake Bot Connector
(bench.fake_connector, its own process: OpenID metadata, keys, the token endpoint, the v3 REST
calls, the bench's people in its rosters) and two apps (bench.teams_apps), each in its own
process, taking turns:

- minimal: verifies each activity's JWT as Delight does, acks, then posts the same
           announcement card in the thread, the same card in the recipient's 1:1 (opened
           once) and the same confirmation in the giver's 1:1; no checks, no storage;
- delight: the real app (bot.runtime.build_runtime), Teams only, on a scratch database that
           holds a year of history (--history), shared out among the tenants.

The load: N channel @mention activities (`@Delight @Someone kbNNNNNNN what they did #tags`)
shaped like Teams' own, from C concurrent clients (closed loop, keep-alive), each with the Bot
Framework's token (signed by the fake; one token for all, as the Bot Framework reuses it). The
givers (--givers) and the people they recognise (--people) are spread over --tenants tenants,
each a team of the fake's: Teams allows an app 50 requests a second in a tenant and Delight
paces itself to that, so one tenant could not take more than about 16 kudos a second, whatever
the app. Each giver recognises people of their own tenant. A warm-up first (two activities per
giver and per person), so each is known and has a 1:1 chat open, as in a tenant in use.

A kudos is delivered when its recipient's 1:1 card arrived at the fake; delivered kudos/s is
the number delivered over the time from the first activity sent to the last card received.
Targets: Delight delivers >= 0.8x the minimal app's kudos/s, p99 ack < 100 ms at 50 concurrent,
no answer other than 200. The exit code is 0 whatever the figures; 1 if something crashed.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import itertools
import json
import time

from bench.ack_and_delivery import (
    AppRun,
    Bench,
    Fake,
    Request,
    Words,
    bench_parser,
    checked_args,
    load_history,
    run_main,
)
from bench.fake_connector import BenchPerson, giver, recipient, team_id, tenant_id
from bench.teams_apps import APPS
from bot.core.workspaces import Platform, workspace_id
from handlers.msteams.endpoint import TEAMS_MESSAGES_PATH
from tests.fakemsteams import BOT_ID, BOT_NAME, FakeConnector, mention

DEFAULT_TENANTS = 100
DEFAULT_GIVERS = 400
DEFAULT_PEOPLE = 400
STORY = (
    "stayed after closing to help a customer find the perfect gift, and walked them to the "
    "car with it #voluntary #delight"
)

_HTML_MENTION = (
    '<span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="{}">{}</span>'
)


class TeamsWorkload:
    """Channel @mention activities as Teams sends them, each in a thread of its own, with
    ids never seen before (Delight acts once on an activity id), givers taking turns."""

    def __init__(
        self,
        *,
        recipients: int,
        givers: int,
        people: int,
        tenants: int,
        service_url: str,
        token: str,
    ) -> None:
        self.recipients = recipients
        self.tenants = tenants
        self.givers = [giver(n, tenants) for n in range(givers)]
        self.people: list[list[BenchPerson]] = [[] for _ in range(tenants)]
        for n in range(people):
            person = recipient(n, tenants)
            self.people[person.tenant].append(person)
        self.service_url = service_url
        self.headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        self.shape = FakeConnector()  # builds activities; never served
        self.client_info = self.shape.activity("channel_mention_message")["entities"][-1]
        self._seq = itertools.count(1)
        self._ids = itertools.count(time.time_ns() // 1000)

    def next(self) -> Request:
        n = next(self._seq)
        sender = self.givers[n % len(self.givers)]
        ours = self.people[sender.tenant]
        first = (n // self.tenants) * self.recipients  # the tenant's people in turn
        chosen = [ours[(first + k) % len(ours)] for k in range(self.recipients)]
        tag = f"kb{n:07d}"
        names = [BOT_NAME, *(p.name for p in chosen)]
        html = " ".join(_HTML_MENTION.format(i, name) for i, name in enumerate(names))
        html += f" {tag} {STORY}"
        number = str(next(self._ids))
        team, tenant = team_id(sender.tenant), tenant_id(sender.tenant)
        activity = self.shape.activity(
            "channel_mention_message",
            id=number,
            serviceUrl=self.service_url,
            from_={"id": sender.member_id, "name": sender.name, "aadObjectId": sender.aad_id},
            conversation={"id": f"{team};messageid={number}", "tenantId": tenant},
            channelData={
                "teamsChannelId": team,
                "teamsTeamId": team,
                "channel": {"id": team},
                "team": {"id": team},
                "tenant": {"id": tenant},
            },
            text=" ".join(f"<at>{name}</at>" for name in names) + f" {tag} {STORY}",
            entities=[
                mention(BOT_ID, BOT_NAME),
                *(mention(p.member_id, p.name) for p in chosen),
                self.client_info,
            ],
            attachments=[{"contentType": "text/html", "content": f"<div><div>{html}</div></div>"}],
        )
        return Request(tag=tag, body=json.dumps(activity).encode(), headers=self.headers)


def teams_history(
    database_url: str, *, kudos: int, givers: int, people: int, tenants: int
) -> float:
    """`load_history` shared among the tenants, each among its givers and people."""
    members: list[list[str]] = [[] for _ in range(tenants)]
    for person in [
        *(giver(n, tenants) for n in range(givers)),
        *(recipient(n, tenants) for n in range(people)),
    ]:
        members[person.tenant].append(person.aad_id)
    workspaces = [
        (workspace_id(Platform.MSTEAMS, tenant_id(t)), ours) for t, ours in enumerate(members)
    ]
    return load_history(database_url, kudos=kudos, workspaces=workspaces)


def teams_bench(args: argparse.Namespace) -> Bench:
    async def app_run(app: str, fake: Fake, database_url: str) -> AppRun:
        token = (await fake._get("/_bench/token"))["token"]
        module_args = ["bench.teams_apps", app, "--fake-url", fake.child.url]
        if app == "delight":
            module_args += ["--database-url", database_url, "--daily-limit", str(args.daily_limit)]
        workload = TeamsWorkload(
            recipients=args.recipients,
            givers=args.givers,
            people=args.people,
            tenants=args.tenants,
            service_url=f"{fake.child.url}/amer/",
            token=token,
        )
        return AppRun(module_args, TEAMS_MESSAGES_PATH, workload, delivers=True)

    def history(database_url: str) -> float:
        return teams_history(
            database_url,
            kudos=args.history,
            givers=args.givers,
            people=args.people,
            tenants=args.tenants,
        )

    fake_args = ["bench.fake_connector", "--port", "0", "--tenants", str(args.tenants)]
    fake_args += ["--givers", str(args.givers), "--recipients", str(args.people)]
    return Bench(
        words=Words(
            fake="fake Bot Connector",
            calls="Bot Connector calls",
            requests="signed channel @mention activities",
            dms="recipients' 1:1 cards",
            responses="givers' 1:1 cards",
            people=f"; givers and {args.people} recipients in {args.tenants} tenants",
        ),
        fake_args=fake_args,
        history=history,
        app=app_run,
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = bench_parser(
        "python -m bench.teams_delivery", __doc__, apps=APPS, givers=DEFAULT_GIVERS
    )
    parser.add_argument(
        "--people",
        type=int,
        default=DEFAULT_PEOPLE,
        help=f"people recognised, in the tenants' rosters ({DEFAULT_PEOPLE})",
    )
    parser.add_argument(
        "--tenants",
        type=int,
        default=DEFAULT_TENANTS,
        help=f"tenants the givers and people are spread over ({DEFAULT_TENANTS}); each takes "
        "at most 50 of Delight's requests to Teams a second",
    )
    # The warm-up meets every giver and person twice, as in a tenant in use: the first time
    # (their 1:1 opened, their mention's member looked up) is written, and read back once at
    # the next.
    args = checked_args(
        parser, argv, apps=APPS, warmup=lambda args: max(50, 2 * max(args.givers, args.people))
    )
    if not 1 <= args.tenants <= min(args.givers, args.people // args.recipients):
        parser.error("--tenants must be 1 to --givers, with --recipients people in each tenant")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_main(args, teams_bench(args))


if __name__ == "__main__":
    sys.exit(main())
