"""Roles and what each may do, as data.

A role gives *model permissions* (what kind of data a user may view or edit);
the user's region (see :mod:`qingshan.core.scope`) decides *which rows*.
``ROLE_ACCESS`` maps a role to app labels and an access level:
``"view"`` (view permissions of every model of the app) or ``"edit"`` (add,
change, delete and view). ``"*"`` stands for every Qingshan app; an
``"app_label.model_name"`` key overrides its app's level for that model (e.g.
county staff edit water data but only view the compensation schemes and
targets by which the city assesses them). Django groups
named ``role:<role>`` are synchronised from this table after each migration
(and by ``qingshan setup_roles``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    LEADER = "leader", _("bureau leader")
    MONITORING_STAFF = "monitoring_staff", _("monitoring department staff")
    ENFORCEMENT_STAFF = "enforcement_staff", _("enforcement department staff")
    COMPLAINTS_STAFF = "complaints_staff", _("complaints department staff")
    PLANNING_STAFF = "planning_staff", _("planning department staff")
    COUNTY_STAFF = "county_staff", _("county staff")
    GRID_OFFICER = "grid_officer", _("grid officer")
    ENTERPRISE = "enterprise", _("enterprise user")
    PUBLIC = "public", _("public")

    @staticmethod
    def group_name(role: str) -> str:
        return f"role:{role}"

    @classmethod
    def group_names(cls) -> list[str]:
        return [cls.group_name(r) for r in cls.values]


#: apps whose models are framework internals, never granted through roles
INTERNAL_APPS = {"core"}

ROLE_ACCESS: dict[str, dict[str, str]] = {
    Role.LEADER: {"*": "view", "targets": "edit", "reports": "edit"},
    Role.MONITORING_STAFF: {"*": "view", "registry": "edit", "monitoring": "edit", "air": "edit", "water": "edit", "reports": "edit"},
    Role.ENFORCEMENT_STAFF: {"*": "view", "enforcement": "edit", "complaints": "edit", "credit": "edit", "reports": "edit"},
    Role.COMPLAINTS_STAFF: {"*": "view", "complaints": "edit", "reports": "edit"},
    Role.PLANNING_STAFF: {"*": "view", "registry": "edit", "targets": "edit", "credit": "edit", "reports": "edit"},
    Role.COUNTY_STAFF: {"*": "view", "registry": "edit", "monitoring": "edit", "air": "edit", "water": "edit",
                        "enforcement": "edit", "complaints": "edit", "targets": "edit", "reports": "edit",
                        # counties are assessed by these: the city sets them
                        "water.compensationscheme": "view", "water.compensationassignment": "view",
                        "water.sharetarget": "view"},
    Role.GRID_OFFICER: {"registry": "view", "monitoring": "view", "enforcement": "edit", "complaints": "edit"},
    Role.ENTERPRISE: {"registry": "view", "monitoring": "view", "enforcement": "view", "credit": "view", "targets": "view"},
    Role.PUBLIC: {},
}

#: individual extra permissions per role ("app_label.codename")
ROLE_EXTRA_PERMISSIONS: dict[str, set[str]] = {
    Role.ENTERPRISE: set(),
}


def permissions_for(role: str):
    """The Permission rows a role gets."""
    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    access = ROLE_ACCESS.get(role, {})
    wanted: set[tuple[str, str]] = set()
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("qingshan.") or app_config.label in INTERNAL_APPS:
            continue
        app_level = access.get(app_config.label, access.get("*"))
        for model in app_config.get_models():
            level = access.get(f"{app_config.label}.{model._meta.model_name}", app_level)
            if level is None:
                continue
            actions = ("view",) if level == "view" else ("view", "add", "change", "delete")
            for action in actions:
                wanted.add((app_config.label, f"{action}_{model._meta.model_name}"))
    for perm in ROLE_EXTRA_PERMISSIONS.get(role, ()):
        app_label, codename = perm.split(".", 1)
        wanted.add((app_label, codename))
    perms = Permission.objects.filter(content_type__in=ContentType.objects.all()).select_related("content_type")
    return [p for p in perms if (p.content_type.app_label, p.codename) in wanted]


def sync_role_groups(**kwargs):
    """Create or update one Django group per role from :data:`ROLE_ACCESS`."""
    from django.contrib.auth.models import Group

    for role in Role.values:
        group, _created = Group.objects.get_or_create(name=Role.group_name(role))
        group.permissions.set(permissions_for(role))
