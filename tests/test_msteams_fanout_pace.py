"""Teams fan-outs at Teams' rate limits, end to end: a tip by 1:1 to each member of a team (the
1:1s opened, then known) and a Monday's manager digests, sent by Delight's own delivery code
against the fake Bot Connector enforcing Teams' published limits, meet no 429
(bench/teams_fanout.py, small). On SQLite and PostgreSQL."""

from __future__ import annotations

from bench.teams_fanout import parse_args, run
from tests.fakemsteams import TENANT_LIMIT

MEMBERS = 40  # 80 requests when each 1:1 is opened: past the tenant's 50 a second
MANAGERS = 30


def test_a_tip_to_every_member_and_a_mondays_digests_meet_no_429(database_url: str) -> None:
    arguments = ["--database-url", database_url, "--members", str(MEMBERS)]
    arguments += ["--managers", str(MANAGERS), "--kudos", "300"]

    opened, known, digests = run(parse_args(arguments))

    everyone = f"sent (DMed {MEMBERS} of {MEMBERS} members)"
    assert (opened.outcome, opened.messages) == (everyone, MEMBERS)
    assert (known.outcome, known.messages) == (everyone, MEMBERS)
    assert (digests.outcome, digests.messages) == (f"{MANAGERS} sent", MANAGERS)
    assert opened.requests > TENANT_LIMIT[0]  # Teams' limit was reached, and kept
    assert digests.requests > TENANT_LIMIT[0]
    assert [r.throttled for r in (opened, known, digests)] == [0, 0, 0]
