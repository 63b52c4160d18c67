"""What benchmarks do to a freshly filled database before measuring it."""

from __future__ import annotations

from sqlalchemy import Engine, text


def analyze(engine: Engine) -> None:
    """What autovacuum does soon after a bulk load: planner statistics, and on PostgreSQL the
    visibility map that index-only scans need. Measuring before it would time a state no
    running deployment stays in."""
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(
            text("VACUUM ANALYZE" if connection.dialect.name == "postgresql" else "ANALYZE")
        )
