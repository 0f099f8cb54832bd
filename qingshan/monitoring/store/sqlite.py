"""SQLite backend: a WITHOUT ROWID table keyed (logger, kind, factor, time).

Times are stored as integer Unix seconds (UTC). Writes are one transaction of
``executemany`` upserts; the database runs in WAL mode (see settings) so the
web server reads while the ingest server writes. A second small table keeps
the newest value per (logger, kind, factor) for the real-time pages.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from .base import UTC, Measurement, MeasurementStore, _factors, _ids, dedupe, latest_of, unix_seconds

TABLE = "monitoring_measurement"
LATEST = "monitoring_measurement_latest"
COLS = "logger_id, kind, factor, time, value, min, max, cou, flag, zs, source"

SCHEMA = [
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        logger_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        factor TEXT NOT NULL,
        time INTEGER NOT NULL,
        value REAL, min REAL, max REAL, cou REAL,
        flag TEXT NOT NULL DEFAULT 'N',
        zs REAL,
        source TEXT NOT NULL DEFAULT 'hj212',
        PRIMARY KEY (logger_id, kind, factor, time)
    ) WITHOUT ROWID""",
    f"""CREATE TABLE IF NOT EXISTS {LATEST} (
        logger_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        factor TEXT NOT NULL,
        time INTEGER NOT NULL,
        value REAL, min REAL, max REAL, cou REAL,
        flag TEXT NOT NULL DEFAULT 'N',
        zs REAL,
        source TEXT NOT NULL DEFAULT 'hj212',
        PRIMARY KEY (logger_id, kind, factor)
    ) WITHOUT ROWID""",
]

INSERT = f"INSERT OR REPLACE INTO {TABLE} ({COLS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
UPSERT_LATEST = (
    f"INSERT INTO {LATEST} ({COLS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (logger_id, kind, factor) DO UPDATE SET time = excluded.time, value = excluded.value, "
    "min = excluded.min, max = excluded.max, cou = excluded.cou, flag = excluded.flag, zs = excluded.zs, "
    f"source = excluded.source WHERE excluded.time >= {LATEST}.time"
)


def _ts(dt: datetime.datetime) -> int:
    return int(dt.timestamp())


def _rows(ms: list[Measurement]) -> list[tuple]:
    return [(m.logger_id, m.kind, m.factor, ts, m.value, m.min, m.max, m.cou, m.flag or "N", m.zs, m.source)
            for m, ts in zip(ms, unix_seconds(ms))]


def _measurement(r) -> Measurement:
    return Measurement(
        logger_id=r[0], kind=r[1], factor=r[2], time=datetime.datetime.fromtimestamp(r[3], UTC),
        value=r[4], min=r[5], max=r[6], cou=r[7], flag=r[8], zs=r[9], source=r[10],
    )


def _in(values) -> str:
    return ", ".join(["%s"] * len(values))


class SQLiteStore(MeasurementStore):
    vendor = "sqlite"

    def create_schema(self, schema_editor=None):
        with self.connection.cursor() as c:
            for sql in SCHEMA:
                c.execute(sql)

    def drop_schema(self, schema_editor=None):
        with self.connection.cursor() as c:
            c.execute(f"DROP TABLE IF EXISTS {TABLE}")
            c.execute(f"DROP TABLE IF EXISTS {LATEST}")

    def write(self, measurements):
        rows = dedupe(measurements)
        if not rows:
            return 0
        latest = latest_of(rows)
        with transaction.atomic(using=self.alias), self.connection.cursor() as c:
            for i in range(0, len(rows), self.batch_size):
                c.executemany(INSERT, _rows(rows[i:i + self.batch_size]))
            c.executemany(UPSERT_LATEST, _rows(list(latest.values())))
        return len(rows)

    def _where(self, logger_ids, kind, factor=None, start=None, end=None):
        ids = _ids(logger_ids)
        sql = [f"logger_id IN ({_in(ids)})", "kind = %s"]
        params: list = [*ids, kind]
        factors = _factors(factor)
        if factors is not None:
            sql.append(f"factor IN ({_in(factors)})")
            params += factors
        if start is not None:
            sql.append("time >= %s")
            params.append(_ts(start))
        if end is not None:
            sql.append("time < %s")
            params.append(_ts(end))
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
            c.execute(f"SELECT {COLS} FROM {LATEST} WHERE logger_id IN ({_in(ids)}) AND kind = %s", [*ids, kind])
            return {(r[0], r[2]): _measurement(r) for r in c.fetchall()}

    def counts(self, logger_ids, kind="hour", start=None, end=None, factors=None, valid_flags=("N",)):
        where, params, ids, factors = self._where(logger_ids, kind, factors, start, end)
        flags = list(valid_flags) or [""]
        if not ids or factors == []:
            return {}
        with self.connection.cursor() as c:
            c.execute(
                f"SELECT logger_id, factor, COUNT(*), SUM(CASE WHEN flag IN ({_in(flags)}) AND value IS NOT NULL "
                f"THEN 1 ELSE 0 END) FROM {TABLE} WHERE {where} GROUP BY logger_id, factor",
                [*flags, *params],
            )
            return {(r[0], r[1]): (r[2], r[3] or 0) for r in c.fetchall()}

    def delete(self, logger_ids, kind=None, start=None, end=None):
        ids = _ids(logger_ids)
        if not ids:
            return 0
        sql, params = [f"logger_id IN ({_in(ids)})"], list(ids)
        if kind:
            sql.append("kind = %s")
            params.append(kind)
        if start is not None:
            sql.append("time >= %s")
            params.append(_ts(start))
        if end is not None:
            sql.append("time < %s")
            params.append(_ts(end))
        with transaction.atomic(using=self.alias), self.connection.cursor() as c:
            c.execute(f"DELETE FROM {TABLE} WHERE {' AND '.join(sql)}", params)
            n = c.rowcount
            c.execute(f"DELETE FROM {LATEST} WHERE logger_id IN ({_in(ids)})" + (" AND kind = %s" if kind else ""),
                      ids + ([kind] if kind else []))
            # rebuild the latest rows of what is left
            c.execute(
                f"INSERT OR REPLACE INTO {LATEST} ({COLS}) SELECT {COLS} FROM {TABLE} t WHERE logger_id IN ({_in(ids)})"
                + (" AND kind = %s" if kind else "")
                + f" AND time = (SELECT MAX(time) FROM {TABLE} u WHERE u.logger_id = t.logger_id AND u.kind = t.kind"
                " AND u.factor = t.factor)",
                ids + ([kind] if kind else []),
            )
        return n
