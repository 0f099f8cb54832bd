"""Declarative staff pages for an entity (NetBox-style view sets).

Declare once per model what the pages show::

    class EnterpriseViews(EntityViewSet):
        model = Enterprise
        list_columns = ["uscc", "name", "industry", "region", "key_level", "status"]
        filters = ["key_level", "status", "industry", "region"]
        search = ["name", "uscc", "address"]
        form_fields = ["uscc", "name", ...]
        related = [("outlets", _("Outlets"))]

    urlpatterns = [*EnterpriseViews.urls()]

and get list (filter, search, sort, paginate), detail, create, edit, delete,
change-history, Excel export and Excel import pages, all restricted to the
user's region by :mod:`qingshan.core.scope` and guarded by model permissions.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from .audit import history
from .scope import Scope, reach_of, region_path_of


def resolve_field(model, lookup: str):
    """The model field at the end of a ``a__b__c`` lookup path."""
    field = None
    current = model
    for part in lookup.split("__"):
        field = current._meta.get_field(part)
        if field.is_relation and field.related_model is not None:
            current = field.related_model
    return field


def display_value(obj, lookup: str):
    """Human value of a lookup path on an object (choices shown by label)."""
    target = obj
    parts = lookup.split("__")
    for part in parts[:-1]:
        target = getattr(target, part, None)
        if target is None:
            return ""
    last = parts[-1]
    getter = getattr(target, f"get_{last}_display", None)
    if callable(getter):
        return getter()
    value = getattr(target, last, "")
    if callable(value) and not isinstance(value, models.Model):
        value = value()
    return "" if value is None else value


def scope_form_querysets(form, user):
    """Limit every foreign-key choice of ``form`` to rows the user may see."""
    for field in form.fields.values():
        qs = getattr(field, "queryset", None)
        if qs is not None and isinstance(getattr(qs.model, "scope", None), Scope):
            field.queryset = qs.model.objects.for_user(user) if hasattr(qs.model.objects, "for_user") else qs


def check_in_reach(user, obj) -> str | None:
    """An error message if saving ``obj`` would put it outside the user's reach."""
    reach = reach_of(user)
    if reach.everything:
        return None
    scope = getattr(type(obj), "scope", None)
    if scope is None:
        return None
    if reach.enterprise_id is not None:
        if scope.enterprise is None:
            return _("Enterprise users cannot edit this record.")
        target = obj
        for part in scope.enterprise.split("__"):
            if part == "pk":
                break
            target = getattr(target, part, None)
        if target is None or target.pk != reach.enterprise_id:
            return _("You can only edit records of your own enterprise.")
        return None
    path_ = region_path_of(obj)
    if path_ is None and scope.region_nullable_visible:
        return None
    if not reach.covers_path(path_):
        return _("This record would be outside your region.")
    return None


class FilterForm(forms.Form):
    q = forms.CharField(required=False, label="")


class EntityViewSet:
    model: type[models.Model]
    list_columns: list[str] = []
    filters: list[str] = []
    search: list[str] = []
    form_fields: list[str] | str = "__all__"
    form_class: type[forms.ModelForm] | None = None
    detail_fields: list[str] | None = None
    related: list[tuple[str, str]] = []
    select_related: list[str] = []
    ordering: list[str] | None = None
    paginate_by = 50
    import_spec = None  # an ImportSpec from qingshan.core.importexport
    list_template = "core/object_list.html"
    detail_template = "core/object_detail.html"
    #: extra template included on the detail page (e.g. charts), optional
    detail_extra_template: str | None = None

    # -- names ------------------------------------------------------------
    @classmethod
    def slug(cls) -> str:
        return cls.model._meta.model_name

    @classmethod
    def perm(cls, action: str) -> str:
        return f"{cls.model._meta.app_label}.{action}_{cls.model._meta.model_name}"

    @classmethod
    def url_name(cls, action: str) -> str:
        return f"{cls.slug()}_{action}"

    @classmethod
    def full_url_name(cls, action: str) -> str:
        return f"{cls.model._meta.app_label}:{cls.url_name(action)}"

    # -- querysets and forms ---------------------------------------------
    @classmethod
    def queryset(cls, user):
        qs = cls.model.objects.for_user(user)
        if cls.select_related:
            qs = qs.select_related(*cls.select_related)
        if cls.ordering:
            qs = qs.order_by(*cls.ordering)
        return qs

    @classmethod
    def build_filter_form(cls, data, user):
        form = FilterForm(data)
        form.fields["q"].widget.attrs.update({"placeholder": _("Search"), "class": "form-control"})
        for lookup in cls.filters:
            field = resolve_field(cls.model, lookup)
            label = field.verbose_name
            if field.is_relation:
                related = field.related_model
                qs = related.objects.for_user(user) if hasattr(related.objects, "for_user") else related.objects.all()
                if related._meta.model_name == "region":
                    qs = qs.filter(level__lte=4)
                ff = forms.ModelChoiceField(qs, required=False, label=label)
            elif field.choices:
                ff = forms.ChoiceField(choices=[("", "---------")] + list(field.flatchoices), required=False, label=label)
            elif isinstance(field, models.BooleanField):
                ff = forms.NullBooleanField(required=False, label=label)
            else:
                ff = forms.CharField(required=False, label=label)
            ff.widget.attrs.setdefault("class", "form-select form-select-sm" if hasattr(ff, "choices") else "form-control form-control-sm")
            form.fields[lookup] = ff
        return form

    @classmethod
    def apply_filters(cls, qs, form):
        if not form.is_valid():
            return qs
        data = form.cleaned_data
        text = (data.get("q") or "").strip()
        if text and cls.search:
            cond = Q()
            for lookup in cls.search:
                cond |= Q(**{f"{lookup}__icontains": text})
            qs = qs.filter(cond)
        for lookup in cls.filters:
            value = data.get(lookup)
            if value in (None, ""):
                continue
            field = resolve_field(cls.model, lookup)
            if field.is_relation and field.related_model._meta.model_name == "region":
                qs = qs.filter(**{f"{lookup}__path__startswith": value.path})
            else:
                qs = qs.filter(**{lookup: value})
        return qs

    @classmethod
    def get_form_class(cls):
        if cls.form_class is not None:
            return cls.form_class
        return forms.modelform_factory(cls.model, fields=cls.form_fields)

    @classmethod
    def columns(cls):
        cols = []
        for lookup in cls.list_columns:
            try:
                label = resolve_field(cls.model, lookup).verbose_name
            except FieldDoesNotExist:
                label = lookup.replace("_", " ")
            cols.append((lookup, label))
        return cols

    # -- URLs ---------------------------------------------------------------
    @classmethod
    def urls(cls):
        s = cls.slug()
        patterns = [
            path(f"{s}/", EntityList.as_view(viewset=cls), name=cls.url_name("list")),
            path(f"{s}/add/", EntityEdit.as_view(viewset=cls), name=cls.url_name("add")),
            path(f"{s}/export.xlsx", EntityExport.as_view(viewset=cls), name=cls.url_name("export")),
            path(f"{s}/<int:pk>/", EntityDetail.as_view(viewset=cls), name=cls.url_name("detail")),
            path(f"{s}/<int:pk>/edit/", EntityEdit.as_view(viewset=cls), name=cls.url_name("edit")),
            path(f"{s}/<int:pk>/delete/", EntityDelete.as_view(viewset=cls), name=cls.url_name("delete")),
            path(f"{s}/<int:pk>/history/", EntityHistory.as_view(viewset=cls), name=cls.url_name("history")),
        ]
        if cls.import_spec is not None:
            patterns.append(path(f"{s}/import/", EntityImport.as_view(viewset=cls), name=cls.url_name("import")))
        return patterns


class EntityView(LoginRequiredMixin, PermissionRequiredMixin, View):
    viewset: type[EntityViewSet] = None
    action = "view"
    raise_exception = True

    def get_permission_required(self):
        return [self.viewset.perm(self.action)]

    def handle_no_permission(self):
        # anonymous users go to the login page; logged-in users without the permission get 403
        if not self.request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(self.request.get_full_path())
        return super().handle_no_permission()

    def context(self, **extra):
        vs = self.viewset
        user = self.request.user
        meta = vs.model._meta
        ctx = {
            "vs": vs,
            "meta": meta,
            "title": meta.verbose_name_plural,
            "list_url": reverse(vs.full_url_name("list")),
            "can_add": user.has_perm(vs.perm("add")),
            "can_change": user.has_perm(vs.perm("change")),
            "can_delete": user.has_perm(vs.perm("delete")),
            "can_import": vs.import_spec is not None and user.has_perm(vs.perm("add")),
            "url_names": {a: vs.full_url_name(a) for a in ("list", "add", "detail", "edit", "delete", "history", "export", "import")},
        }
        ctx.update(extra)
        return ctx

    def get_object(self, pk):
        return get_object_or_404(self.viewset.queryset(self.request.user), pk=pk)


class EntityList(EntityView):
    def get(self, request):
        vs = self.viewset
        form = vs.build_filter_form(request.GET or None, request.user)
        qs = vs.apply_filters(vs.queryset(request.user), form) if request.GET else vs.queryset(request.user)
        sort = request.GET.get("sort")
        allowed = {c for c, _label in vs.columns()} | {f"-{c}" for c, _label in vs.columns()}
        if sort in allowed:
            try:
                resolve_field(vs.model, sort.lstrip("-"))
                qs = qs.order_by(sort)
            except FieldDoesNotExist:
                pass
        paginator = Paginator(qs, vs.paginate_by)
        page = paginator.get_page(request.GET.get("page"))
        rows = [(obj, [display_value(obj, c) for c, _label in vs.columns()]) for obj in page.object_list]
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            vs.list_template,
            self.context(filter_form=form, page=page, rows=rows, columns=vs.columns(), total=paginator.count,
                         query=query.urlencode(), sort=sort or ""),
        )


class EntityDetail(EntityView):
    def get(self, request, pk):
        vs = self.viewset
        obj = self.get_object(pk)
        names = vs.detail_fields or [
            f.name for f in vs.model._meta.concrete_fields if f.name not in ("id", "created", "last_updated", "path")
            and not (isinstance(f, models.CharField) and f.name == "password")
        ]
        fields = []
        for name in names:
            try:
                label = resolve_field(vs.model, name).verbose_name
            except FieldDoesNotExist:
                label = name
            value = display_value(obj, name)
            link = value.get_absolute_url() if isinstance(value, models.Model) and hasattr(value, "get_absolute_url") else None
            fields.append((label, value, link))
        related = []
        for rel_name, title in vs.related:
            manager = getattr(obj, rel_name, None)
            if manager is None:  # the app providing it is not installed
                continue
            rel_qs = manager.all()
            if hasattr(rel_qs, "for_user"):
                rel_qs = rel_qs.for_user(request.user)
            related.append((title, list(rel_qs[:100])))
        return render(request, vs.detail_template, self.context(object=obj, fields=fields, related=related,
                                                                 recent_changes=history(obj)[:5]))


class EntityEdit(EntityView):
    def get_permission_required(self):
        return [self.viewset.perm("change" if "pk" in self.kwargs else "add")]

    def _form(self, data=None, files=None, instance=None):
        form = self.viewset.get_form_class()(data=data, files=files, instance=instance)
        scope_form_querysets(form, self.request.user)
        for field in form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if isinstance(field.widget, forms.CheckboxInput):
                css = "form-check-input"
            field.widget.attrs.setdefault("class", css)
        return form

    def get(self, request, pk=None):
        obj = self.get_object(pk) if pk else None
        initial_form = self._form(instance=obj)
        if obj is None:
            for key, value in request.GET.items():
                if key in initial_form.fields:
                    initial_form.initial[key] = value
        return render(request, "core/object_form.html", self.context(form=initial_form, object=obj))

    def post(self, request, pk=None):
        obj = self.get_object(pk) if pk else None
        form = self._form(request.POST, request.FILES, instance=obj)
        if form.is_valid():
            candidate = form.save(commit=False)
            problem = check_in_reach(request.user, candidate)
            if problem:
                form.add_error(None, problem)
            else:
                with transaction.atomic():
                    candidate.save()
                    form.save_m2m()
                messages.success(request, self.saved_message(candidate, created=obj is None))
                self.after_save(candidate, created=obj is None)
                return redirect(reverse(self.viewset.full_url_name("detail"), args=[candidate.pk]))
        return render(request, "core/object_form.html", self.context(form=form, object=obj), status=400)

    def saved_message(self, obj, created: bool) -> str:
        return _("Saved %(obj)s.") % {"obj": obj}

    def after_save(self, obj, created: bool) -> None:
        """Hook for side effects after a successful save (notifications); the default does nothing."""


class EntityDelete(EntityView):
    action = "delete"

    def get(self, request, pk):
        return render(request, "core/object_confirm_delete.html", self.context(object=self.get_object(pk)))

    def post(self, request, pk):
        obj = self.get_object(pk)
        try:
            with transaction.atomic():
                obj.delete()
        except models.ProtectedError:
            messages.error(request, _("%(obj)s is still referenced by other records and cannot be deleted.") % {"obj": obj})
            return redirect(reverse(self.viewset.full_url_name("detail"), args=[pk]))
        messages.success(request, _("Deleted %(obj)s.") % {"obj": obj})
        return redirect(reverse(self.viewset.full_url_name("list")))


class EntityHistory(EntityView):
    def get(self, request, pk):
        obj = self.get_object(pk)
        return render(request, "core/object_history.html", self.context(object=obj, entries=history(obj)[:500]))


class EntityExport(EntityView):
    def get(self, request):
        from .importexport import export_workbook

        vs = self.viewset
        form = vs.build_filter_form(request.GET or None, request.user)
        qs = vs.apply_filters(vs.queryset(request.user), form) if request.GET else vs.queryset(request.user)
        spec = vs.import_spec
        content = export_workbook(qs, spec.columns if spec else None, vs.list_columns)
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{vs.slug()}.xlsx"'
        return response


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))


class EntityImport(EntityView):
    action = "add"

    def get(self, request):
        return render(request, "core/object_import.html", self.context(form=ImportForm(), spec=self.viewset.import_spec))

    def post(self, request):
        from .importexport import import_workbook, run_upload

        form = ImportForm(request.POST, request.FILES)
        result, status = run_upload(form, lambda f: import_workbook(self.viewset.import_spec, f, request.user))
        return render(
            request,
            "core/object_import.html",
            self.context(form=form, spec=self.viewset.import_spec, result=result),
            status=status,
        )
