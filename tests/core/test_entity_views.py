"""Declarative view tests (NetBox style) for every EntityViewSet of every app."""

import importlib

import pytest
from django.conf import settings
from django.urls import reverse

from qingshan.core.entity import EntityViewSet


def _all_viewsets():
    for app in settings.QINGSHAN_APPS:
        try:
            importlib.import_module(f"{app}.urls")
        except ModuleNotFoundError:
            pass
    seen, stack = [], list(EntityViewSet.__subclasses__())
    while stack:
        vs = stack.pop()
        stack.extend(vs.__subclasses__())
        if getattr(vs, "model", None) is not None and vs not in seen:
            seen.append(vs)
    return sorted(seen, key=lambda v: v.full_url_name("list"))


VIEWSETS = _all_viewsets()
ids = [vs.full_url_name("list") for vs in VIEWSETS]


@pytest.mark.parametrize("vs", VIEWSETS, ids=ids)
def test_list_detail_history_export_as_leader(vs, client_for):
    client = client_for("leader")
    r = client.get(reverse(vs.full_url_name("list")))
    assert r.status_code == 200
    obj = vs.queryset(r.wsgi_request.user).first()
    r = client.get(reverse(vs.full_url_name("list")), {"q": "x", "sort": vs.list_columns[0] if vs.list_columns else ""})
    assert r.status_code == 200
    if obj is not None:
        assert client.get(reverse(vs.full_url_name("detail"), args=[obj.pk])).status_code == 200
        assert client.get(reverse(vs.full_url_name("history"), args=[obj.pk])).status_code == 200
    r = client.get(reverse(vs.full_url_name("export")))
    assert r.status_code == 200 and r.content[:2] == b"PK"


@pytest.mark.parametrize("vs", VIEWSETS, ids=ids)
def test_anonymous_is_sent_to_login(vs, client):
    r = client.get(reverse(vs.full_url_name("list")))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


@pytest.mark.parametrize("vs", VIEWSETS, ids=ids)
def test_public_user_is_forbidden(vs, client_for):
    assert client_for("public").get(reverse(vs.full_url_name("list"))).status_code == 403


@pytest.mark.parametrize("vs", VIEWSETS, ids=ids)
def test_county_staff_get_404_outside_their_county(vs, client_for, users):
    client = client_for("donghu")
    user = users["donghu"]
    if not user.has_perm(vs.perm("view")):
        assert client.get(reverse(vs.full_url_name("list"))).status_code == 403
        return
    outside = vs.model._default_manager.exclude(pk__in=vs.model.objects.for_user(user).values("pk")).first()
    if outside is None:
        pytest.skip("no row outside the county in the small demo")
    assert client.get(reverse(vs.full_url_name("detail"), args=[outside.pk])).status_code == 404
    assert client.get(reverse(vs.full_url_name("history"), args=[outside.pk])).status_code == 404
    if user.has_perm(vs.perm("change")):
        assert client.get(reverse(vs.full_url_name("edit"), args=[outside.pk])).status_code == 404


@pytest.mark.parametrize("vs", VIEWSETS, ids=ids)
def test_add_form_renders_for_editors(vs, client_for):
    r = client_for("admin").get(reverse(vs.full_url_name("add")))
    assert r.status_code == 200
