"""PostgreSQL backend: a table range-partitioned by month on ``time``.

Partitions (``monitoring_measurement_y2026m06``) are created on demand by
``write`` (months in UTC). A batch is written with one
``INSERT … SELECT FROM unnest(arrays) ON CONFLICT DO UPDATE`` statement per
``batch_size`` rows (one round trip, no per-row parsing), inside one
transaction. A small unpartitioned table keeps the newest value per
(logger, kind, factor) for the real-time pages.
"""

from __future__ import annotations

import datetime
import threading

from django.db import transaction

from .base import UTC, Measurement, MeasurementStore, _factors, _ids, dedupe, latest_of

TABLE = "monitoring_measurement"
LATEST = "monitoring_measurement_latest"
COLS = "logger_id, kind, factor, time, value, min, max, cou, flag, zs, source"
COLUMNS_DDL = """
    logger_id integer NOT NULL,
    kind varchar(4) NOT NULL,
    factor varchar(20) NOT NULL,
    time timestamptz NOT NULL,
    value double precision, min double precision, max double precision, cou double precision,
    flag varchar(4) NOT NULL DEFAULT 'N',
    zs double precision,
    source varchar(8) NOT NULL DEFAULT 'hj212'
"""
SCHEMA = [
    f"CREATE TABLE IF NOT EXISTS {TABLE} ({COLUMNS_DDL}, PRIMARY KEY (logger_id, kind, factor, time)) "
    "PARTITION BY RANGE (time)",
    f"CREATE TABLE IF NOT EXISTS {LATEST} ({COLUMNS_DDL}, PRIMARY KEY (logger_id, kind, factor))",
]
UNNEST = (
    "SELECT * FROM unnest(%s::integer[], %s::varchar[], %s::varchar[], %s::timestamptz[], %s::float8[], "
    "%s::float8[], %s::float8[], %s::float8[], %s::varchar[], %s::float8[], %s::varchar[])"
)
UPDATE_SET = (
    "value = excluded.value, min = excluded.min, max = excluded.max, cou = excluded.cou, "
    "flag = excluded.flag, zs = excluded.zs, source = excluded.source"
)
INSERT = f"INSERT INTO {TABLE} ({COLS}) {UNNEST} ON CONFLICT (logger_id, kind, factor, time) DO UPDATE SET {UPDATE_SET}"
UPSERT_LATEST = (
    f"INSERT INTO {LATEST} AS l ({COLS}) {UNNEST} ON CONFLICT (logger_id, kind, factor) DO UPDATE SET "
    f"time = excluded.time, {UPDATE_SET} WHERE excluded.time >= l.time"
)


def month_start(dt: datetime.datetime) -> datetime.datetime:
    dt = dt.astimezone(UTC)
    return datetime.datetime(dt.year, dt.month, 1, tzinfo=UTC)


def next_month(d: datetime.datetime) -> datetime.datetime:
    return d.replace(year=d.year + (d.month == 12), month=d.month % 12 + 1)


def partition_name(start: datetime.datetime) -> str:
    return f"{TABLE}_y{start.year:04d}m{start.month:02d}"


def _f(x):
    return None if x is None else float(x)


def _columns(rows: list[Measurement]) -> list[list]:
    # psycopg adapts a list to one array type: numbers must all be floats (no int/float mix)
    return [
        [int(m.logger_id) for m in rows], [m.kind for m in rows], [m.factor for m in rows], [m.time for m in rows],
        [_f(m.value) for m in rows], [_f(m.min) for m in rows], [_f(m.max) for m in rows], [_f(m.cou) for m in rows],
        [m.flag or "N" for m in rows], [_f(m.zs) for m in rows], [m.source for m in rows],
    ]


def _measurement(r) -> Measurement:
    return Measurement(
        logger_id=r[0], kind=r[1], factor=r[2], time=r[3].astimezone(UTC),
        value=r[4], min=r[5], max=r[6], cou=r[7], flag=r[8], zs=r[9], source=r[10],
    )


class PostgresStore(MeasurementStore):
    vendor = "postgresql"

    def __init__(self, alias="default"):
        super().__init__(alias)
        self._partitions: set[str] = set()
        self._plock = threading.Lock()

    def create_schema(self, schema_editor=None):
        with self.connection.cursor() as c:
            for sql in SCHEMA:
                c.execute(sql)

    def drop_schema(self, schema_editor=None):
        with self.connection.cursor() as c:
            c.execute(f"DROP TABLE IF EXISTS {TABLE} CASCADE")
            c.execute(f"DROP TABLE IF EXISTS {LATEST}")
        self._partitions.clear()

    def ensure_partitions(self, times) -> None:
        """Create the monthly partitions that hold ``times`` (idempotent, race-safe)."""
        months = {month_start(t) for t in times}
        # Inside an enclosing transaction (tests, callers' atomic blocks) a partition created
        # earlier may have been rolled back: do not trust the cache there.
        trust_cache = not self.connection.in_atomic_block
        for start in sorted(months):
            name = partition_name(start)
            if trust_cache and name in self._partitions:
                continue
            sql = (
                f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {TABLE} "
                "FOR VALUES FROM (%s) TO (%s)"
            )
            with self._plock:
                try:
                    with transaction.atomic(using=self.alias), self.connection.cursor() as c:
                        c.execute(sql, [start, next_month(start)])
                except Exception as exc:  # a concurrent writer created it first
                    if "already exists" not in str(exc):
                        raise
                if trust_cache:
                    self._partitions.add(name)

    def partitions(self) -> list[str]:
        with self.connection.cursor() as c:
            c.execute(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s ORDER BY 1",
                [TABLE],
            )
            return [r[0] for r in c.fetchall()]

    def write(self, measurements):
        rows = dedupe(measurements)
        if not rows:
            return 0
        self.ensure_partitions(m.time for m in rows)
        latest = list(latest_of(rows).values())
        with transaction.atomic(using=self.alias), self.connection.cursor() as c:
            for i in range(0, len(rows), self.batch_size):
                c.execute(INSERT, _columns(rows[i:i + self.batch_size]))
            for i in range(0, len(latest), self.batch_size):
                c.execute(UPSERT_LATEST, _columns(latest[i:i + self.batch_size]))
        return len(rows)

    def _where(self, logger_ids, kind, factor=None, start=None, end=None):
        ids = _ids(logger_ids)
        sql = ["logger_id = ANY(%s)", "kind = %s"]
        params: list = [ids, kind]
        factors = _factors(factor)
        if factors is not None:
            sql.append("factor = ANY(%s)")
            params.append(factors)
        if start is not None:
            sql.append("time >= %s")
            params.append(start)
        if end is not None:
            sql.append("time < %s")
            params.append(end)
        return " AND ".join(sql), params, ids, factors

    def read(self, logger_ids, factor=None, kind="hour", start=None, end=None):
        where, params, ids, factors = self._where(logger_ids, kind, factor, start, end)
        if not ids or factors == []:
            return []
        with self.connection.cursor() as c:
            c.execute(f"SELECT {COLS} FROM {TABLE} WHERE {where} ORDER BY logger_id, factor, time", params)
            return [_measurement(r) for r in c.fetchall()]

    def latest(self, logger_ids, kind="rtd"):
        ids = _ids(logger_ids)
        if not ids:
            return {}
        with self.connection.cursor() as c:
            c.execute(f"SELECT {COLS} FROM {LATEST} WHERE logger_id = ANY(%s) AND kind = %s", [ids, kind])
            return {(r[0], r[2]): _measurement(r) for r in c.fetchall()}

    def counts(self, logger_ids, kind="hour", start=None, end=None, factors=None, valid_flags=("N",)):
        where, params, ids, factors = self._where(logger_ids, kind, factors, start, end)
        if not ids or factors == []:
            return {}
        with self.connection.cursor() as c:
            c.execute(
                "SELECT logger_id, factor, COUNT(*), COUNT(*) FILTER (WHERE flag = ANY(%s) AND value IS NOT NULL) "
                f"FROM {TABLE} WHERE {where} GROUP BY logger_id, factor",
                [list(valid_flags), *params],
            )
            return {(r[0], r[1]): (r[2], r[3] or 0) for r in c.fetchall()}

    def delete(self, logger_ids, kind=None, start=None, end=None):
        ids = _ids(logger_ids)
        if not ids:
            return 0
        sql, params = ["logger_id = ANY(%s)"], [ids]
        if kind:
            sql.append("kind = %s")
            params.append(kind)
        if start is not None:
            sql.append("time >= %s")
            params.append(start)
        if end is not None:
            sql.append("time < %s")
            params.append(end)
        kind_sql = " AND kind = %s" if kind else ""
        with transaction.atomic(using=self.alias), self.connection.cursor() as c:
            c.execute(f"DELETE FROM {TABLE} WHERE {' AND '.join(sql)}", params)
            n = c.rowcount
            c.execute(f"DELETE FROM {LATEST} WHERE logger_id = ANY(%s){kind_sql}", [ids] + ([kind] if kind else []))
            c.execute(
                f"INSERT INTO {LATEST} ({COLS}) SELECT DISTINCT ON (logger_id, kind, factor) {COLS} FROM {TABLE} "
                f"WHERE logger_id = ANY(%s){kind_sql} ORDER BY logger_id, kind, factor, time DESC",
                [ids] + ([kind] if kind else []),
            )
        return n
