"""Core statements run on the database driver's own cursor, for the nomination hot path.

Each statement is compiled once per dialect. Executing it skips SQLAlchemy's per-execution
work (execution context, parameter and result processing), which on the hot path cost more
than the database's own work. The price is that the caller passes parameters as the driver
takes them: every column the statement names, and times through `DriverCursor.time`.

Callers name their parameters; sqlite3 gets them as tuples, in the statement's order: given a
dict, sqlite3 asks SQLite for each parameter's name (releasing the GIL and taking it back) and
looks it up, for each of the ~56 a kudos binds (bench/README.md has the count).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.util import await_only

# The dialects as the drivers take parameters: sqlite3 positionally (?), psycopg by name.
_DIALECTS: dict[str, Dialect] = {
    "sqlite": sqlite.dialect(paramstyle="qmark"),
    "postgresql": postgresql.psycopg.dialect(),  # type: ignore[no-untyped-call]
}

Params = Mapping[str, Any]
# A time's fields as SQLite stores them, looked up: formatting each number cost twice as much.
_TWO_DIGITS = tuple(f"{n:02d}" for n in range(100))
_THREE_DIGITS = tuple(f"{n:03d}" for n in range(1000))

# sqlite3 binds an int, float, str or bytes as it is, and anything else (None, a bool) only
# after its adapter protocol, whose two failed attribute lookups each build an AttributeError:
# five values a kudos. Adapters registered for both are found at once,
# and give sqlite3 what it bound anyway (NULL; 1 or 0). Process-wide, and harmless elsewhere.
sqlite3.register_adapter(type(None), lambda value: value)
sqlite3.register_adapter(bool, int)


@dataclass(frozen=True, slots=True)
class CompiledStatement:
    """A statement's SQL for one dialect, and how to turn named parameters into the driver's."""

    sql: str
    fixed: Params  # the values of the parameters the statement itself fixes
    in_order: Callable[[Params], tuple[Any, ...]] | None  # positional drivers only

    def params(self, given: Params) -> Any:
        merged = {**self.fixed, **given} if self.fixed else given
        return merged if self.in_order is None else self.in_order(merged)

    def each(self, rows: Sequence[Params]) -> Any:
        if self.in_order is not None and not self.fixed:
            return map(self.in_order, rows)  # sqlite3's executemany takes any iterable
        return [self.params(row) for row in rows]


class DriverStatement:
    def __init__(self, statement: ClauseElement, *, columns: Sequence[str] | None = None) -> None:
        self._statement = statement
        self._columns = list(columns) if columns is not None else None
        self._compiled: dict[str, CompiledStatement] = {}

    def sql(self, dialect: str) -> CompiledStatement:
        if (found := self._compiled.get(dialect)) is None:
            compiled = self._statement.compile(
                dialect=_DIALECTS[dialect], column_keys=self._columns
            )
            fixed = {
                name: value
                for name, value in compiled.params.items()
                if value is not None and not _is_required(value)
            }
            assert isinstance(compiled, SQLCompiler)
            order = compiled.positiontup
            found = self._compiled[dialect] = CompiledStatement(
                str(compiled), fixed, None if order is None else _in_order(order)
            )
        return found


def _in_order(names: Sequence[str]) -> Callable[[Params], tuple[Any, ...]]:
    """The values of `names` from a mapping, as a tuple (itemgetter of one name gives the
    bare value)."""
    if len(names) == 1:
        name = names[0]
        return lambda params: (params[name],)
    if not names:
        return lambda params: ()
    return itemgetter(*names)


class RowsStatement:
    """A statement for many rows that PostgreSQL runs once for them all: each parameter
    travels as one array of the rows' values and `unnest` turns the arrays back into rows.
    An executemany runs its statement once per row, and psycopg's work for each row was the
    larger part of the hot path's storage CPU on PostgreSQL. SQLite runs `each` per row
    (its executemany is a loop in C)."""

    def __init__(self, each: DriverStatement, postgres: str, columns: Sequence[str]) -> None:
        self.each = each
        self.postgres = postgres
        self.columns = tuple(columns)

    @classmethod
    def insert(cls, table: Table, columns: Sequence[str]) -> RowsStatement:
        return cls(
            DriverStatement(insert(table), columns=columns),
            f"INSERT INTO {table.name} ({', '.join(columns)}) "
            f"SELECT * FROM unnest({arrays(table, {c: c for c in columns})})",
            columns,
        )


class InQuery:
    """A query whose parameters are lists of values, written with `{name}` where each
    list goes: on PostgreSQL one array each (`= ANY(...)`), on SQLite one placeholder per
    value (its statement cache keeps one statement per length): SQLAlchemy's expanding
    parameters cost several times more, in every group of kudos."""

    def __init__(self, template: str) -> None:
        self._template = template

    def sql(self, dialect: str, lists: Mapping[str, Sequence[Any]]) -> tuple[str, Any]:
        if dialect == "postgresql":
            sql = self._template.format(**{n: f"= ANY(%({n})s)" for n in lists})
            return sql, {n: list(values) for n, values in lists.items()}
        sql = self._template.format(
            **{n: f"IN ({', '.join('?' * len(values))})" for n, values in lists.items()}
        )
        return sql, [v for values in lists.values() for v in values]


def arrays(table: Table, typed_as: Mapping[str, str]) -> str:
    """`%(parameter)b::TYPE[]` for each parameter, typed as the table's column it maps to,
    for `unnest`. Binary (`b`): psycopg's text format escaped every element in Python, 2.4%
    of the app's CPU on the hot path."""
    dialect = _DIALECTS["postgresql"]
    return ", ".join(
        f"%({name})b::{table.c[column].type.compile(dialect=dialect)}[]"
        for name, column in typed_as.items()
    )


def _is_required(value: Any) -> bool:
    return type(value).__name__ == "symbol"  # SQLAlchemy's REQUIRED marker


class DriverCursor:
    """The driver's cursor of a connection inside its SQLAlchemy transaction."""

    def __init__(self, connection: Connection) -> None:
        self._dialect = connection.dialect.name
        driver = connection.connection.driver_connection
        if self._dialect == "sqlite":
            self._cursor: Any = driver.cursor()  # type: ignore[union-attr]
        else:  # psycopg's AsyncConnection, its work run by Database.transaction's greenlet
            self._cursor = _Awaited(driver)

    def time(self, value: datetime) -> Any:
        """A time as this driver stores it; aware times only, as tables.UTCDateTime."""
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: pass an aware UTC time")
        if self._dialect == "sqlite":
            if value.tzinfo is not UTC:
                value = value.astimezone(UTC)
            return _sqlite_time(value)
        return value

    def scalar(self, statement: DriverStatement, params: Params) -> Any:
        compiled = statement.sql(self._dialect)
        self._cursor.execute(compiled.sql, compiled.params(params))
        row = self._cursor.fetchone()
        return None if row is None else row[0]

    def insert(self, statement: DriverStatement, params: Params) -> int | None:
        """SQLite: run an INSERT of one row that may do nothing on a conflict; the new row's
        id, or None when it inserted nothing. (sqlite3's `lastrowid`: a RETURNING clause made
        SQLite gather the row in a table of its own, and sqlite3 describe its columns, for
        each kudos.)"""
        assert self._dialect == "sqlite"
        compiled = statement.sql(self._dialect)
        self._cursor.execute(compiled.sql, compiled.params(params))
        return self._cursor.lastrowid if self._cursor.rowcount == 1 else None

    def row(self, statement: DriverStatement, params: Params) -> tuple[Any, ...]:
        """The one row a statement returns."""
        compiled = statement.sql(self._dialect)
        self._cursor.execute(compiled.sql, compiled.params(params))
        found = self._cursor.fetchone()
        assert found is not None
        return tuple(found)

    def all_in(self, query: InQuery, lists: Mapping[str, Sequence[Any]]) -> list[tuple[Any, ...]]:
        """Every row of a query whose parameters are lists of values (`IN` them)."""
        sql, params = query.sql(self._dialect, lists)
        self._cursor.execute(sql, params)
        return [tuple(row) for row in self._cursor.fetchall()]

    def row_each(self, statement: DriverStatement, rows: Sequence[Params]) -> list[tuple[Any, ...]]:
        """The one row a statement returns for each set of parameters, run in order. On
        PostgreSQL all go in one round trip (psycopg's pipelined executemany), not one each."""
        if self._dialect == "sqlite":
            return [self.row(statement, r) for r in rows]
        compiled = statement.sql(self._dialect)
        # A cursor of its own: in a pipeline, the shared one may still owe earlier results.
        cursor = self._cursor.another()
        cursor.executemany(compiled.sql, compiled.each(rows), returning=True)
        found: list[tuple[Any, ...]] = []
        while True:
            row = cursor.fetchone()
            assert row is not None
            found.append(tuple(row))
            if not cursor.nextset():
                return found

    @contextmanager
    def batched(self) -> Iterator[None]:
        """Statements sent together, for the results nobody reads: on PostgreSQL one round
        trip for all of them (psycopg's pipeline mode), where each executemany takes one."""
        if self._dialect == "sqlite":
            yield
            return
        with self._cursor.pipeline():
            yield

    def execute_many(
        self, statement: DriverStatement | RowsStatement, rows: Sequence[Params]
    ) -> None:
        if isinstance(statement, RowsStatement):
            if self._dialect == "postgresql":
                columns = {c: [row[c] for row in rows] for c in statement.columns}
                self._cursor.execute(statement.postgres, columns)
                return
            statement = statement.each
        compiled = statement.sql(self._dialect)
        self._cursor.executemany(compiled.sql, compiled.each(rows))


def _sqlite_time(value: datetime) -> str:
    """As SQLAlchemy's DateTime stores a time on SQLite ("%Y-%m-%d %H:%M:%S.%f", a string
    compared as one), so every query finds it. isoformat and strftime cost several times more."""
    two, micro = _TWO_DIGITS, value.microsecond
    return (
        f"{value.year:04d}-{two[value.month]}-{two[value.day]} "
        f"{two[value.hour]}:{two[value.minute]}:{two[value.second]}."
        f"{_THREE_DIGITS[micro // 1000]}{_THREE_DIGITS[micro % 1000]}"
    )


class _Awaited:
    """An async cursor's methods called from synchronous code, each awaited on the event loop
    (SQLAlchemy's greenlet bridge: `run_sync` runs the work in a greenlet and `await_only`
    hands the coroutine to the loop)."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self._cursor = connection.cursor()

    def another(self) -> _Awaited:
        return _Awaited(self._connection)

    @contextmanager
    def pipeline(self) -> Iterator[None]:
        manager = self._connection.pipeline()
        await_only(manager.__aenter__())
        try:
            yield
        except BaseException as exc:
            if not await_only(manager.__aexit__(type(exc), exc, exc.__traceback__)):
                raise
        else:
            await_only(manager.__aexit__(None, None, None))

    def execute(self, sql: str, params: Any) -> None:
        await_only(self._cursor.execute(sql, params))

    def executemany(self, sql: str, rows: Any, *, returning: bool = False) -> None:
        await_only(self._cursor.executemany(sql, rows, returning=returning))

    def fetchone(self) -> Any:
        return await_only(self._cursor.fetchone())

    def fetchall(self) -> Any:
        return await_only(self._cursor.fetchall())

    def nextset(self) -> bool | None:
        return self._cursor.nextset()  # type: ignore[no-any-return]
