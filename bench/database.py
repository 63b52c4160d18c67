"""What benchmarks do to a freshly filled database before measuring it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event, text


def analyze(engine: Engine) -> None:
    """What autovacuum does soon after a bulk load: planner statistics, and on PostgreSQL the
    visibility map that index-only scans need. Measuring before it would time a state no
    running deployment stays in."""
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(
            text("VACUUM ANALYZE" if connection.dialect.name == "postgresql" else "ANALYZE")
        )


class StatementCounter:
    """How many SQL statements an engine has sent so far: the benches report queries per
    build to show the count stays fixed whatever the data's size (no N+1)."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1
