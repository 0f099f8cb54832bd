"""Menus contributed by apps.

An app adds itself to the staff menu with a module ``<app>/navigation.py``
defining ``MENU = Menu(label, items=[MenuItem(label, url_name, perm), …])``.
Items whose permission the user lacks are hidden; empty menus disappear.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    perm: str | None = None


@dataclass(frozen=True)
class Menu:
    label: str
    items: list[MenuItem] = field(default_factory=list)
    icon: str = ""


def app_modules(name: str):
    """Yield (app_label, module) for every Qingshan app that has ``<app>.<name>``."""
    for app in settings.QINGSHAN_APPS:
        try:
            module = importlib.import_module(f"{app}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name and (exc.name == f"{app}.{name}" or exc.name.startswith(f"{app}.{name}")):
                continue
            raise
        yield app.rsplit(".", 1)[-1], module


def menus_for(user):
    result = []
    for _label, module in app_modules("navigation"):
        menu = getattr(module, "MENU", None)
        if menu is None:
            continue
        items = []
        for item in menu.items:
            if item.perm and not user.has_perm(item.perm):
                continue
            try:
                items.append((item.label, reverse(item.url_name)))
            except NoReverseMatch:
                continue
        if items:
            result.append((menu.label, items))
    return result
