"""Region scope: the one place that decides which rows a user may see.

Every model whose rows belong to a region declares a :class:`Scope` as the
class attribute ``scope``. :func:`restrict` turns a queryset into the rows the
user may see; the generic views, the admin, the API and reports all call it
(through ``Model.objects.for_user(user)``), so no view filters by hand.

A user's reach comes from their profile (``registry.UserProfile``):

* superusers and users whose profile has ``all_regions`` see everything;
* staff see the subtree of their region (bureau leader: the city; county
  staff: their county; grid officer: their grid) plus any regions granted in
  ``extra_regions``;
* enterprise users see only rows of their own enterprise;
* anyone else (no profile, anonymous) sees nothing through this path; public
  pages use published querysets instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
import operator

from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class Scope:
    """How to reach a model's region and enterprise.

    ``region``: lookup path from the model to a ``registry.Region`` (``""``
    when the model *is* the region). ``enterprise``: lookup path to a
    ``registry.Enterprise`` (``"pk"`` for the enterprise itself, ``None``
    when rows do not belong to an enterprise). ``region_nullable_visible``:
    rows with no region (e.g. city-wide records) are visible to every staff
    user of the deployment.
    """

    region: str | None
    enterprise: str | None = None
    region_nullable_visible: bool = False
    #: a CharField holding a region path directly (e.g. the change log's copy)
    path_field: str | None = None

    def path_lookup(self) -> str | None:
        if self.path_field:
            return self.path_field
        if self.region is None:
            return None
        return f"{self.region}__path" if self.region else "path"


class Reach:
    """What one user can reach; computed once per request and cached on the user."""

    def __init__(self, *, everything=False, paths=(), enterprise_id=None):
        self.everything = everything
        self.paths = tuple(paths)
        self.enterprise_id = enterprise_id

    @property
    def nothing(self):
        return not self.everything and not self.paths and self.enterprise_id is None

    def covers_path(self, path: str | None) -> bool:
        if self.everything:
            return True
        return bool(path) and any(path.startswith(p) for p in self.paths)


def reach_of(user) -> Reach:
    if user is None or not getattr(user, "is_authenticated", False):
        return Reach()
    cached = getattr(user, "_qingshan_reach", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        reach = Reach(everything=True)
    else:
        profile = getattr(user, "profile", None) if hasattr(user, "profile") else None
        if profile is None:
            reach = Reach()
        elif profile.all_regions:
            reach = Reach(everything=True)
        elif profile.enterprise_id:
            reach = Reach(enterprise_id=profile.enterprise_id)
        else:
            paths = []
            if profile.region_id:
                paths.append(profile.region.path)
            paths.extend(r.path for r in profile.extra_regions.all())
            reach = Reach(paths=paths)
    user._qingshan_reach = reach
    return reach


def scope_q(model, user) -> Q | None:
    """The filter for ``user`` on ``model``; ``None`` means no restriction."""
    scope: Scope = model.scope
    reach = reach_of(user)
    if reach.everything:
        return None
    if reach.enterprise_id is not None:
        if scope.enterprise is None:
            return Q(pk__in=[])
        return Q(**{scope.enterprise: reach.enterprise_id})
    lookup = scope.path_lookup()
    if not reach.paths or lookup is None:
        return Q(pk__in=[])
    q = reduce(operator.or_, (Q(**{f"{lookup}__startswith": p}) for p in reach.paths))
    if scope.region_nullable_visible and scope.region:
        q |= Q(**{f"{scope.region}__isnull": True})
    return q


def restrict(queryset, user):
    q = scope_q(queryset.model, user)
    return queryset if q is None else queryset.filter(q)


def region_path_of(obj) -> str | None:
    """The region path of one object, following its scope (None if it has none)."""
    scope = getattr(type(obj), "scope", None)
    if scope is None or scope.region is None:
        return None
    target = obj
    if scope.region:
        for part in scope.region.split("__"):
            target = getattr(target, part, None)
            if target is None:
                return None
    return getattr(target, "path", None)


def can_reach(user, obj) -> bool:
    """Whether ``obj`` is inside ``user``'s reach (same rule as :func:`scope_q`)."""
    model = type(obj)
    q = scope_q(model, user)
    if q is None:
        return True
    return model._default_manager.filter(q, pk=obj.pk).exists()


class ScopedQuerySet(models.QuerySet):
    def for_user(self, user):
        return restrict(self, user)


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass


def scoped_models():
    """Every installed model that declares a scope (used by the scope tests)."""
    from django.apps import apps

    return [m for m in apps.get_models() if isinstance(getattr(m, "scope", None), Scope)]
