import datetime

from qingshan.monitoring.models import Alarm, IngestEvent, IngestRejection, LoggerRole, LoggerStatus
from qingshan.monitoring.store import get_store
from qingshan.registry.models import DataLogger


def test_demo_history_alarms_and_states(db):
    loggers = list(DataLogger.objects.filter(kind="outlet"))
    store = get_store()
    latest = store.latest([lg.pk for lg in loggers], "hour")
    assert {k[0] for k in latest} == {lg.pk for lg in loggers}
    newest = max(m.time for m in latest.values())
    assert newest.date() <= datetime.date(2026, 6, 30)
    statuses = set(Alarm.objects.filter(kind="exceedance").values_list("status", flat=True))
    assert {"open", "acknowledged", "explained", "closed", "escalated"} <= statuses
    kinds = set(Alarm.objects.values_list("kind", flat=True))
    assert {"exceedance", "offline", "flat_line"} <= kinds
    escalated = Alarm.objects.get(kind="exceedance", status="escalated")
    assert escalated.case_id
    assert all(a.exceedance_multiple > 0 and a.peak_value > a.limit_value for a in Alarm.objects.filter(kind="exceedance"))
    assert LoggerStatus.objects.count() == len(loggers) and IngestEvent.objects.exists() and IngestRejection.objects.exists()
    assert LoggerRole.objects.filter(position="inlet").count() == 1

