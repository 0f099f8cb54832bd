"""The Django admin applies the same region scope as every other entry point."""

from qingshan.registry.models import Enterprise


def test_staff_admin_changelist_is_scoped(client_for, users):
    user = users["donghu"]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    r = client_for("donghu").get("/admin/registry/enterprise/")
    assert r.status_code == 200
    shown = r.context["cl"].result_count
    assert shown == Enterprise.objects.for_user(user).count() < Enterprise.objects.count()
    outside = Enterprise.objects.exclude(pk__in=Enterprise.objects.for_user(user).values("pk")).first()
    assert client_for("donghu").get(f"/admin/registry/enterprise/{outside.pk}/change/").status_code in (302, 404)
