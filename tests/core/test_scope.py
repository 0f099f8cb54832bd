"""Region scope holds for every scoped model, for every kind of user.

The expected visibility of each row is computed independently in Python from
the row's own region path / enterprise and compared with ``for_user``.
"""

import pytest

from qingshan.core.scope import reach_of, region_path_of, scoped_models

USERS = ["donghu", "xishan", "grid990101001001", "ent001", "leader", "public", "admin"]

#: scoped models the small demo legitimately leaves empty
MAY_BE_EMPTY = {"core.changelog", "reports.report"}  # reports: scope tested in tests/reports


def _enterprise_id(obj, lookup):
    if lookup is None:
        return None
    if lookup == "pk":
        return obj.pk
    target = obj
    for part in lookup.split("__"):
        target = getattr(target, part, None)
        if target is None:
            return None
    return target.pk


def _expected(user, obj):
    reach = reach_of(user)
    scope = type(obj).scope
    if reach.everything:
        return True
    if reach.enterprise_id is not None:
        return _enterprise_id(obj, scope.enterprise) == reach.enterprise_id
    if scope.path_field:
        return reach.covers_path(getattr(obj, scope.path_field))
    path = region_path_of(obj)
    if path is None:
        return bool(scope.region_nullable_visible and scope.region and reach.paths)
    return reach.covers_path(path)


def _label(model):
    return model._meta.label_lower


@pytest.mark.parametrize("model", scoped_models(), ids=_label)
def test_every_scoped_model_is_restricted_by_region(model, users):
    rows = list(model._default_manager.all()[:400])
    if not rows and _label(model) not in MAY_BE_EMPTY:
        pytest.fail(f"the small demo city seeds no {_label(model)}: add rows in the app's demo hook")
    for username in USERS:
        user = users[username]
        visible = set(model.objects.for_user(user).filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True))
        expected = {r.pk for r in rows if _expected(user, r)}
        assert visible == expected, f"{_label(model)} for {username}: extra={visible - expected} missing={expected - visible}"


def test_county_staff_see_only_their_county(users, counties):
    from qingshan.registry.models import Enterprise

    donghu, xishan = users["donghu"], users["xishan"]
    mine = Enterprise.objects.for_user(donghu)
    theirs = Enterprise.objects.for_user(xishan)
    assert mine.exists() and theirs.exists()
    assert not set(mine.values_list("pk", flat=True)) & set(theirs.values_list("pk", flat=True))
    assert all(e.region.path.startswith(counties[0].path) for e in mine.select_related("region"))
    assert mine.count() + theirs.count() == Enterprise.objects.count()


def test_extra_regions_grant_more(users, counties):
    from qingshan.registry.models import Enterprise

    user = users["donghu"]
    before = Enterprise.objects.for_user(user).count()
    user.profile.extra_regions.add(counties[1])
    user = type(user).objects.get(pk=user.pk)  # fresh: reach is cached per user object
    assert Enterprise.objects.for_user(user).count() == Enterprise.objects.count() > before


def test_anonymous_and_profileless_users_see_nothing(db, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    from qingshan.registry.models import Enterprise

    assert Enterprise.objects.for_user(AnonymousUser()).count() == 0
    bare = django_user_model.objects.create_user("bare", password="x" * 12)
    assert Enterprise.objects.for_user(bare).count() == 0
