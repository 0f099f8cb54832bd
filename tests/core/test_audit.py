from django.urls import reverse

from qingshan.core.actor import acting_as
from qingshan.core.audit import history
from qingshan.core.models import ChangeLog
from qingshan.registry.models import Enterprise


def test_edit_through_the_web_is_recorded_with_user_and_diff(client_for, users):
    client = client_for("donghu")
    ent = Enterprise.objects.for_user(users["donghu"]).first()
    data = {"uscc": ent.uscc, "name": ent.name + "（更名）", "industry": ent.industry_id, "region": ent.region_id,
            "key_level": ent.key_level, "status": "suspended", "address": ent.address}
    r = client.post(reverse("registry:enterprise_edit", args=[ent.pk]), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    entry = history(ent).first()
    assert entry.user == users["donghu"] and entry.action == "update"
    changed = {k for k, _b, _a in entry.diff()}
    assert {"name", "status"} <= changed
    assert entry.region_path == ent.region.path
    page = client.get(reverse("registry:enterprise_history", args=[ent.pk]))
    assert "（更名）" in page.content.decode()


def test_create_and_delete_are_recorded(db, users):
    from qingshan.registry.models import Outlet

    ent = Enterprise.objects.first()
    with acting_as(users["leader"]):
        outlet = Outlet.objects.create(enterprise=ent, code="DW999", name="test", medium="water")
        pk = outlet.pk
        outlet.delete()
    actions = list(ChangeLog.objects.filter(object_id=str(pk), content_type__model="outlet").values_list("action", "user_name"))
    assert ("create", "leader") in actions and ("delete", "leader") in actions


def test_change_log_is_region_scoped(client_for, users):
    ents = list(Enterprise.objects.for_user(users["xishan"])[:1])
    with acting_as(users["xishan"]):
        ents[0].phone = "13800000000"
        ents[0].save()
    mine = {"object_id": str(ents[0].pk), "content_type__model": "enterprise"}
    assert ChangeLog.objects.for_user(users["xishan"]).filter(**mine).exists()
    assert not ChangeLog.objects.for_user(users["donghu"]).filter(**mine).exists()
    r = client_for("donghu").get(reverse("core:changelog"))
    assert r.status_code == 200 and "13800000000" not in r.content.decode()


def test_passwords_are_not_logged(db, users):
    from qingshan.registry.models import DataLogger

    logger = DataLogger.objects.first()
    with acting_as(users["admin"]):
        logger.password = "654321"
        logger.active = False
        logger.save()
    entry = history(logger).first()
    assert "password" not in (entry.postchange_data or {})
