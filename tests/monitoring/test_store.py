"""The measurement store's shared suite: runs against the test database's vendor (CI runs SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection

from qingshan.monitoring.store import Measurement, get_store
from qingshan.monitoring.store.base import StoreError

UTC = datetime.timezone.utc
T0 = datetime.datetime(2031, 1, 31, 22, 0, tzinfo=UTC)  # far from the demo data, crosses a month end
LOGGER = 900001  # ids not used by the demo


def m(hours=0, value=1.0, *, kind="hour", factor="a21026", logger=LOGGER, flag="N", **kw):
    return Measurement(logger_id=logger, factor=factor, kind=kind, time=T0 + datetime.timedelta(hours=hours),
                       value=value, flag=flag, **kw)


@pytest.fixture
def store(db):
    return get_store()


def test_backend_matches_vendor(store):
    assert store.vendor == connection.vendor


def test_write_read_roundtrip(store):
    rows = [m(h, float(h), min=0.5, max=2.5, cou=10.0, zs=1.1) for h in range(5)]
    assert store.write(rows) == 5
    got = store.read([LOGGER], factor="a21026", kind="hour", start=T0, end=T0 + datetime.timedelta(hours=5))
    assert [g.value for g in got] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert got[1] == rows[1]  # every field survives, time equal as an instant
    assert got[0].time.tzinfo is not None
    # half-open range, other kinds and factors excluded
    store.write([m(0, 9.0, kind="min"), m(0, 9.0, factor="a21002")])
    assert len(store.read([LOGGER], "a21026", "hour", T0, T0 + datetime.timedelta(hours=2))) == 2
    assert len(store.read([LOGGER], None, "hour", T0, T0 + datetime.timedelta(hours=1))) == 2
    assert len(store.read([LOGGER], ["a21026", "a21002"], "hour")) == 6


def test_duplicate_replaces_values_idempotently(store):
    store.write([m(0, 1.0), m(1, 2.0)])
    store.write([m(0, 1.0), m(1, 2.0)])
    assert [g.value for g in store.read(LOGGER, "a21026")] == [1.0, 2.0]
    # backfill (补传) of a corrected value replaces it
    store.write([m(1, 5.0, flag="M")])
    got = store.read(LOGGER, "a21026")
    assert [(g.value, g.flag) for g in got] == [(1.0, "N"), (5.0, "M")]
    # a batch repeating a key keeps the last one
    store.write([m(2, 1.0), m(2, 3.0)])
    assert store.read(LOGGER, "a21026", start=T0 + datetime.timedelta(hours=2))[0].value == 3.0


def test_backfilled_history_and_latest(store):
    store.write([m(10, 10.0, kind="rtd")])
    store.write([m(-48, 1.0, kind="rtd")])  # older data sent later does not become the latest
    latest = store.latest([LOGGER], kind="rtd")
    assert latest[(LOGGER, "a21026")].value == 10.0
    assert len(store.read(LOGGER, kind="rtd")) == 2
    store.write([m(11, 11.0, kind="rtd")])
    assert store.latest(LOGGER, "rtd")[(LOGGER, "a21026")].value == 11.0
    assert store.latest([LOGGER], "day") == {}


def test_null_values_and_flags_kept(store):
    store.write([m(0, None, flag="D")])
    got = store.read(LOGGER)
    assert got[0].value is None and got[0].flag == "D"


def test_counts(store):
    store.write([m(h, 1.0, flag="N" if h % 4 else "D") for h in range(8)] + [m(0, None, factor="a21002")])
    counts = store.counts([LOGGER], "hour", T0, T0 + datetime.timedelta(days=1), valid_flags=("N",))
    assert counts[(LOGGER, "a21026")] == (8, 6)
    assert counts[(LOGGER, "a21002")] == (1, 0)
    assert store.counts([LOGGER], "hour", factors=["a21002"]) == {(LOGGER, "a21002"): (1, 0)}


def test_bad_input_rejected_nothing_written(store):
    with pytest.raises(StoreError):
        store.write([m(0), Measurement(LOGGER, "a21026", "hour", datetime.datetime(2031, 1, 1), 1.0)])
    with pytest.raises(StoreError):
        store.write([m(0, kind="week")])
    assert store.read(LOGGER) == []
    assert store.write([]) == 0
    assert store.read([]) == []


def test_delete(store):
    store.write([m(h, float(h)) for h in range(4)])
    assert store.delete([LOGGER], "hour", start=T0 + datetime.timedelta(hours=2)) == 2
    assert [g.value for g in store.read(LOGGER)] == [0.0, 1.0]
    assert store.latest(LOGGER, "hour")[(LOGGER, "a21026")].value == 1.0


def test_many_rows_one_batch(store):
    rows = [m(h, float(h), factor=f, logger=LOGGER + k) for k in range(3) for f in ("a", "b") for h in range(2000)]
    assert store.write(rows) == 12000
    assert len(store.read([LOGGER + 2], "b")) == 2000


@pytest.mark.django_db(transaction=True)
def test_write_from_worker_thread_is_committed():
    from django.db import connections

    store = get_store()
    errors = []

    def work():
        try:
            store.write([m(h, float(h), logger=LOGGER + 50) for h in range(3)])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            store.close()

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert not errors
    assert len(store.read(LOGGER + 50)) == 3
    store.delete([LOGGER + 50])
    connections.close_all()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgres_monthly_partitions(store):
    store.write([m(0), m(3)])  # 2031-01-31 22:00 and 2031-02-01 01:00 UTC
    names = store.partitions()
    assert "monitoring_measurement_y2031m01" in names and "monitoring_measurement_y2031m02" in names


def test_ints_and_floats_mixed(store):
    store.write([m(0, 1), m(1, 2.5, cou=3, zs=None), m(2, None, min=0)])
    assert [g.value for g in store.read(LOGGER)] == [1.0, 2.5, None]


def test_ingest_bookkeeping_helpers(db):
    import datetime as dt

    from qingshan.monitoring.models import IngestEvent, LoggerStatus
    from qingshan.registry.models import DataLogger

    a, b = DataLogger.objects.order_by("pk")[:2]
    now = dt.datetime(2031, 1, 1, tzinfo=UTC)
    LoggerStatus.objects.filter(logger__in=[a, b]).delete()
    LoggerStatus.touch_many({a.pk: {"last_seen": now, "last_peer": "1.2.3.4:5"}})
    LoggerStatus.touch_many({a.pk: {"last_seen": now + dt.timedelta(minutes=1), "last_peer": "1.2.3.4:6"},
                             b.pk: {"last_seen": now}})
    sa = LoggerStatus.objects.get(logger=a)
    assert sa.last_seen == now + dt.timedelta(minutes=1) and sa.last_peer == "1.2.3.4:6"
    assert LoggerStatus.objects.get(logger=b).last_seen == now
    day = dt.date(2031, 1, 1)
    IngestEvent.record({(a.mn, day): {"logger_id": a.pk, "packets_ok": 3, "bad_crc": 1},
                        ("UNKNOWN", day): {"auth_failed": 2, "last_peer": "9.9.9.9:1"}})
    IngestEvent.record({(a.mn, day): {"packets_ok": 2, "last_error": "crc_mismatch"}})
    ev = IngestEvent.objects.get(mn=a.mn, day=day)
    assert (ev.packets_ok, ev.bad_crc, ev.logger_id, ev.last_error) == (5, 1, a.pk, "crc_mismatch")
    assert IngestEvent.objects.get(mn="UNKNOWN", day=day).auth_failed == 2
