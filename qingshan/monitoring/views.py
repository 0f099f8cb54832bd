"""Staff pages of online monitoring: overview, real-time per enterprise, history
charts, alarms with their workflow, transmission rates, facility efficiency.

Every query goes through ``for_user``; enterprise users see their own loggers.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from qingshan.core.entity import EntityDetail, EntityEdit, EntityList, EntityViewSet
from qingshan.registry.models import DataLogger, Enterprise, PermitLimit

from . import models as m
from . import rates as rates_mod
from .alarms import compared_value
from .rollups import valid_flags
from .services import WorkflowError, factor_name, open_case_from_alarm
from .store import get_store

VIEW_PERM = "monitoring.view_alarm"


def _need(request, perm=VIEW_PERM):
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _month(value, default):
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except (TypeError, ValueError):
        return default.replace(day=1)


def _limits(loggers):
    out = {}
    outlet_ids = {lg.outlet_id for lg in loggers if lg.outlet_id}
    for lim in PermitLimit.objects.filter(outlet_id__in=outlet_ids, concentration_limit__isnull=False,
                                          permit__status="valid").order_by("-concentration_limit"):
        out[(lim.outlet_id, lim.factor_code)] = lim
    return out


# -- overview ---------------------------------------------------------------

@login_required
def overview(request):
    """Loggers in reach with their status and running alarms, those needing attention first."""
    _need(request)
    user = request.user
    loggers = list(DataLogger.objects.for_user(user).filter(active=True).select_related("enterprise", "outlet", "region")
                   .order_by("enterprise__name", "mn"))
    statuses = {s.logger_id: s for s in m.LoggerStatus.objects.for_user(user).filter(logger__in=loggers)}
    running = defaultdict(int)
    for logger_id, n in (m.Alarm.objects.for_user(user).filter(status__in=m.Alarm.ACTIVE_STATUSES)
                         .values_list("logger_id").annotate(n=Count("pk"))):
        running[logger_id] = n
    from .alarms import _cache

    from .declarations import current

    now = timezone.now()
    offline_after = datetime.timedelta(minutes=_cache.fresh().rule("")["offline_minutes"])
    stopped = current(loggers, now)
    rows = []
    for lg in loggers:
        st = statuses.get(lg.pk)
        seen = st.last_seen if st else None
        rows.append({"logger": lg, "status": st, "alarms": running.get(lg.pk, 0),
                     "online": seen is not None and now - seen < offline_after, "declaration": stopped.get(lg.pk)})
    # what needs attention first: running alarms, then offline without a declared stop, then the rest;
    # enterprises' outlets before the air and water stations
    rows.sort(key=lambda r: (-r["alarms"], r["online"] or r["declaration"] is not None,
                             r["logger"].enterprise_id is None, r["logger"].enterprise.name if r["logger"].enterprise_id else "",
                             r["logger"].mn))
    counts = m.Alarm.objects.for_user(user).filter(status__in=m.Alarm.ACTIVE_STATUSES).values("kind").annotate(n=Count("pk"))
    return render(request, "monitoring/overview.html", {
        "title": _("Online monitoring"), "rows": rows,
        "kinds": [(code, label, {c["kind"]: c["n"] for c in counts}.get(code, 0)) for code, label in m.Alarm.Kind.choices], "online": sum(1 for r in rows if r["online"]),
    })


# -- real-time per enterprise ------------------------------------------------

@login_required
def enterprise_realtime(request, pk):
    _need(request)
    enterprise = get_object_or_404(Enterprise.objects.for_user(request.user), pk=pk)
    loggers = list(DataLogger.objects.for_user(request.user).filter(enterprise=enterprise)
                   .select_related("outlet").order_by("mn"))
    store = get_store()
    ids = [lg.pk for lg in loggers]
    rtd = store.latest(ids, "rtd")
    hour = store.latest(ids, "hour")
    day = store.latest(ids, "day")
    limits = _limits(loggers)
    flags = valid_flags()
    inlets = set(m.LoggerRole.objects.filter(logger__in=loggers, position="inlet").values_list("logger_id", flat=True))
    blocks = []
    for lg in loggers:
        rows = []
        for f in lg.factors or []:
            lim = None if lg.pk in inlets else limits.get((lg.outlet_id, f))
            r, h, d = rtd.get((lg.pk, f)), hour.get((lg.pk, f)), day.get((lg.pk, f))
            judged = h if (lim is None or lim.averaging == "hourly") else d

            def over(x):
                v = compared_value(x) if x is not None else None
                return bool(lim is not None and v is not None and x.flag in flags and v > float(lim.concentration_limit))

            rows.append({"factor": f, "name": factor_name(f), "rtd": r, "hour": h, "day": d, "limit": lim,
                         "over": over(judged), "rtd_over": over(r),
                         "invalid": any(x is not None and x.flag not in flags for x in (r, h))})
        newest = max((x.time for x in list(rtd.values()) + list(hour.values()) if x.logger_id == lg.pk), default=None)
        blocks.append({"logger": lg, "rows": rows, "newest": newest, "inlet": lg.pk in inlets,
                       "status": m.LoggerStatus.objects.filter(logger=lg).first()})
    alarms = (m.Alarm.objects.for_user(request.user).filter(enterprise=enterprise, status__in=m.Alarm.ACTIVE_STATUSES)
              .select_related("logger").order_by("-started_at")[:20])
    return render(request, "monitoring/realtime.html", {
        "title": _("Real-time data"), "enterprise": enterprise, "blocks": blocks, "alarms": alarms,
        "flag_names": _flag_names(),
    })


def _flag_names():
    try:
        from qingshan.standards.hj212 import tables

        return dict(tables.DATA_FLAGS)
    except Exception:
        return {"N": "正常", "F": "停运", "M": "维护", "S": "手工输入", "D": "故障", "C": "校准", "T": "超测定上限",
                "B": "通讯异常"}


# -- history chart ------------------------------------------------------------

@login_required
def history(request, pk):
    _need(request)
    lg = get_object_or_404(DataLogger.objects.for_user(request.user).select_related("enterprise", "outlet"), pk=pk)
    kind = request.GET.get("kind") if request.GET.get("kind") in ("hour", "day", "min", "rtd") else "hour"
    factors = lg.factors or []
    factor = request.GET.get("factor") if request.GET.get("factor") in factors else (factors[0] if factors else "")
    today = timezone.localdate()
    try:
        end_day = datetime.date.fromisoformat(request.GET.get("end") or "")
    except ValueError:
        end_day = today
    try:
        days = max(1, min(366, int(request.GET.get("days") or (7 if kind in ("hour", "min", "rtd") else 30))))
    except ValueError:
        days = 7
    tz = timezone.get_current_timezone()
    end = datetime.datetime.combine(end_day + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
    start = end - datetime.timedelta(days=days)
    values = get_store().read([lg.pk], factor=factor, kind=kind, start=start, end=end) if factor else []
    if not values and factor and "end" not in request.GET:
        # nothing in the last days (e.g. a demo dated in the past): show the newest data instead
        newest = get_store().latest([lg.pk], kind).get((lg.pk, factor))
        if newest is not None:
            end = datetime.datetime.combine(timezone.localtime(newest.time).date() + datetime.timedelta(days=1),
                                            datetime.time(), tzinfo=tz)
            start = end - datetime.timedelta(days=days)
            end_day = (end - datetime.timedelta(days=1)).date()
            values = get_store().read([lg.pk], factor=factor, kind=kind, start=start, end=end)
    lim = _limits([lg]).get((lg.outlet_id, factor))
    flags = valid_flags()
    fmt = "%Y-%m-%d" if kind == "day" else "%m-%d %H:%M"
    chart = {
        "times": [timezone.localtime(v.time).strftime(fmt) for v in values],
        "values": [v.value for v in values],
        "zs": [v.zs for v in values] if any(v.zs is not None for v in values) else [],
        "invalid": [[timezone.localtime(v.time).strftime(fmt), v.value] for v in values if v.flag not in flags and v.value is not None],
        "limit": float(lim.concentration_limit) if lim is not None else None,
        "name": factor_name(factor), "limit_label": gettext("limit"), "zs_label": gettext("converted"),
        "invalid_label": gettext("invalid"),
    }
    rows = [{"m": v, "over": lim is not None and v.flag in flags and compared_value(v) is not None
             and compared_value(v) > float(lim.concentration_limit)} for v in reversed(values)][:500]
    return render(request, "monitoring/history.html", {
        "title": _("History"), "logger": lg, "factor": factor, "factors": [(f, factor_name(f)) for f in factors],
        "kind": kind, "kinds": [("hour", _("hourly")), ("day", _("daily")), ("min", _("minute")), ("rtd", _("real-time"))],
        "days": days, "end": end_day, "chart": chart, "rows": rows, "limit": lim, "flag_names": _flag_names(),
    })


# -- alarms --------------------------------------------------------------------

class AlarmViews(EntityViewSet):
    model = m.Alarm
    list_columns = ["started_at", "kind", "status", "enterprise", "logger", "factor", "peak_value", "limit_value",
                    "exceedance_multiple", "last_seen_at", "ended_at"]
    filters = ["status", "kind", "region", "enterprise"]
    search = ["enterprise__name", "logger__mn", "factor", "explanation"]
    select_related = ["enterprise", "logger", "region"]
    list_template = "monitoring/alarm_list.html"
    #: staff may record an alarm by hand (e.g. reported by phone); the workflow is on the detail page
    form_fields = ["kind", "logger", "factor", "averaging", "started_at", "last_seen_at", "peak_value", "limit_value",
                   "unit", "detail"]

    @classmethod
    def urls(cls):
        s = cls.slug()
        generic = [p for p in super().urls() if p.name != cls.url_name("detail")]
        return [
            path(f"{s}/<int:pk>/", alarm_detail, name=cls.url_name("detail")),
            *generic,
            path(f"{s}/<int:pk>/do/<str:action>/", alarm_action, name="alarm_action"),
        ]


class ExplainForm(forms.Form):
    explanation = forms.CharField(label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
                                  max_length=4000)
    attachment = forms.FileField(label=_("Attachment"), required=False,
                                 widget=forms.ClearableFileInput(attrs={"class": "form-control"}))

    def clean_attachment(self):
        f = self.cleaned_data.get("attachment")
        if f and f.size > 20 * 1024 * 1024:
            raise ValidationError(_("The attachment is larger than 20 MB."))
        return f


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))


def allowed_actions(user, alarm) -> list[str]:
    active = alarm.status in m.Alarm.ACTIVE_STATUSES
    if not active:
        return []
    staff = user.has_perm("monitoring.change_alarm")
    own = bool(alarm.enterprise_id) and getattr(getattr(user, "profile", None), "enterprise_id", None) == alarm.enterprise_id
    out = []
    if staff and alarm.status == m.Alarm.Status.OPEN:
        out.append("acknowledge")
    if own or staff or user.has_perm("monitoring.explain_alarm") and own:
        out.append("explain")
    if staff:
        out.append("close")
    if (staff or user.has_perm("enforcement.add_case")) and alarm.enterprise_id and not own:
        out.append("escalate")
    return out


@login_required
def alarm_detail(request, pk):
    _need(request)
    alarm = get_object_or_404(m.Alarm.objects.for_user(request.user).select_related("logger", "enterprise", "outlet", "region"),
                              pk=pk)
    actions = allowed_actions(request.user, alarm)
    # values around the alarm for the chart
    kind = alarm.averaging if alarm.averaging in ("hour", "day") else "hour"
    pad = datetime.timedelta(hours=12) if kind == "hour" else datetime.timedelta(days=5)
    values = []
    if alarm.factor:
        values = get_store().read([alarm.logger_id], factor=alarm.factor, kind=kind, start=alarm.started_at - pad,
                                  end=(alarm.ended_at or alarm.last_seen_at) + pad)
    fmt = "%Y-%m-%d" if kind == "day" else "%m-%d %H:%M"
    chart = {"times": [timezone.localtime(v.time).strftime(fmt) for v in values],
             "values": [compared_value(v) for v in values], "limit": alarm.limit_value,
             "name": alarm.factor_name, "limit_label": gettext("limit")}
    return render(request, "monitoring/alarm_detail.html", {
        "title": _("Alarm"), "alarm": alarm, "actions": actions, "explain_form": ExplainForm(), "note_form": NoteForm(),
        "chart": chart, "case_url": alarm.case_url(),
    })


@login_required
@require_POST
def alarm_action(request, pk, action):
    _need(request)
    alarm = get_object_or_404(m.Alarm.objects.for_user(request.user), pk=pk)
    if action not in allowed_actions(request.user, alarm):
        raise PermissionDenied
    try:
        if action == "acknowledge":
            alarm.acknowledge(request.user)
            messages.success(request, gettext("Alarm acknowledged."))
        elif action == "explain":
            form = ExplainForm(request.POST, request.FILES)
            if not form.is_valid():
                for errors in form.errors.values():
                    for e in errors:
                        messages.error(request, e)
                return redirect(alarm.get_absolute_url())
            alarm.explain(form.cleaned_data["explanation"], request.user, form.cleaned_data.get("attachment"))
            messages.success(request, gettext("Explanation recorded."))
        elif action == "close":
            form = NoteForm(request.POST)
            form.is_valid()
            alarm.close(request.user, (form.cleaned_data.get("note") or "").strip())
            messages.success(request, gettext("Alarm closed."))
        elif action == "escalate":
            case = open_case_from_alarm(alarm, request.user)
            messages.success(request, gettext("Case %(number)s opened from the alarm.") % {"number": case.number})
            try:
                return redirect(reverse("enforcement:case_detail", args=[case.pk]))
            except Exception:
                pass
        else:
            raise Http404
    except (WorkflowError, ValidationError) as exc:
        for msg in getattr(exc, "messages", [str(exc)]):
            messages.error(request, msg)
    return redirect(alarm.get_absolute_url())


# -- transmission rates and facility efficiency ---------------------------------

@login_required
def transmission(request):
    _need(request)
    month = _month(request.GET.get("month"), timezone.localdate())
    table = rates_mod.month_table(request.user, month)
    only_below = request.GET.get("below") == "1"
    loggers = [r for r in table["loggers"] if r["rate"].below_target or not only_below]
    return render(request, "monitoring/transmission.html", {
        "title": _("Effective transmission rate"), "month": month, "table": table, "logger_rows": loggers,
        "only_below": only_below, "prev": (month - datetime.timedelta(days=1)).replace(day=1),
        "next": _next_month_if_past(month),
    })


@login_required
def efficiency(request):
    _need(request)
    month = _month(request.GET.get("month"), timezone.localdate())
    end = (month + datetime.timedelta(days=32)).replace(day=1)
    rows = rates_mod.facility_efficiency(request.user, month, end)
    roles = m.LoggerRole.objects.for_user(request.user).select_related("logger__enterprise", "paired_with")
    return render(request, "monitoring/efficiency.html", {
        "title": _("Treatment facility efficiency"), "month": month, "rows": rows, "roles": roles,
        "prev": (month - datetime.timedelta(days=1)).replace(day=1), "next": _next_month_if_past(month),
    })


def _next_month_if_past(month: datetime.date) -> datetime.date | None:
    """The first day of the next month, or None when that month has not begun (no link to the future)."""
    nxt = (month + datetime.timedelta(days=32)).replace(day=1)
    return nxt if nxt <= timezone.localdate() else None


# -- declared pages ----------------------------------------------------------------

class LoggerRoleViews(EntityViewSet):
    model = m.LoggerRole
    list_columns = ["logger", "position", "paired_with", "facility"]
    filters = ["position"]
    search = ["logger__mn", "logger__enterprise__name", "facility"]
    form_fields = ["logger", "position", "paired_with", "facility"]
    select_related = ["logger", "paired_with"]
    ordering = ["logger__mn"]


INGEST_PAGES = {
    "ingestevent": (m.IngestEvent, ["day", "mn", "logger", "packets_ok", "measurements", "duplicates", "bad_crc",
                                    "auth_failed", "malformed", "acks_sent", "last_peer", "last_error"], ["mn", "last_peer"]),
    "ingestrejection": (m.IngestRejection, ["time", "peer", "mn", "logger", "reason", "detail"], ["mn", "peer", "reason"]),
}


@login_required
def ingest_list(request, page_name):
    """Read-only diagnostic lists of the ingest server (counters per MN and day, rejected packets)."""
    from django.core.paginator import Paginator

    from qingshan.core.entity import display_value

    model, columns, search = INGEST_PAGES[page_name]
    _need(request, f"monitoring.view_{page_name}")
    qs = model.objects.for_user(request.user).select_related("logger")
    text = (request.GET.get("q") or "").strip()
    if text:
        cond = Q()
        for lookup in search:
            cond |= Q(**{f"{lookup}__icontains": text})
        qs = qs.filter(cond)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    labels = [model._meta.get_field(c).verbose_name for c in columns]
    rows = [[display_value(obj, c) for c in columns] for obj in page.object_list]
    return render(request, "monitoring/readonly_list.html", {
        "title": model._meta.verbose_name_plural, "meta": model._meta, "labels": labels, "rows": rows, "page": page,
        "total": page.paginator.count, "q": text, "query": f"q={text}" if text else "",
    })


# -- shutdown declarations (停产/停运申报) -------------------------------------------------

def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class LoggerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        where = f"{obj.enterprise.name} {obj.outlet.code}" if obj.outlet_id else (obj.enterprise.name if obj.enterprise_id else str(obj.region))
        return f"{obj.mn} · {where}"


class DeclarationForm(forms.ModelForm):
    """Filing or editing a declaration; who files it is set from the request (``form.user``)."""

    class Meta:
        model = m.ShutdownDeclaration
        fields = ["logger", "outlet", "kind", "start", "end", "reason", "attachment"]
        field_classes = {"logger": LoggerChoiceField}
        widgets = {"start": _datetime_widget(), "end": _datetime_widget(),
                   "reason": forms.Textarea(attrs={"rows": 4})}

    #: the user filing or editing (set by the view): declarant and choices within reach
    user = None

    def limit_choices(self, user):
        """Loggers and outlets within ``user``'s reach (an enterprise user: their own)."""
        from qingshan.registry.models import Outlet

        self.user = user
        current = self.instance.logger_id if self.instance.pk else None
        self.fields["logger"].queryset = (DataLogger.objects.for_user(user).filter(Q(active=True) | Q(pk=current))
                                          .select_related("enterprise", "outlet", "region").order_by("mn"))
        self.fields["outlet"].queryset = (Outlet.objects.for_user(user).filter(loggers__isnull=False).distinct()
                                          .select_related("enterprise").order_by("enterprise__name", "code"))
        self.fields["outlet"].help_text = _("Only needed to declare for every data logger of an outlet.")

    def clean_attachment(self):
        f = self.cleaned_data.get("attachment")
        if f and getattr(f, "size", 0) > m.ShutdownDeclaration.MAX_ATTACHMENT:
            raise ValidationError(_("The attachment is larger than 20 MB."))
        return f

    def save(self, commit=True):
        obj = super().save(commit=False)
        if obj.pk is None and self.user is not None and self.user.is_authenticated:
            obj.declared_by = self.user
        if commit:
            obj.save()
        return obj


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("Review note"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))


class EndForm(forms.Form):
    end = forms.DateTimeField(label=_("Operation resumed at"), widget=_datetime_widget(),
                              input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end"].widget.attrs.setdefault("class", "form-control form-control-sm")


class _DeclarationAccess:
    """Who may see the add/edit buttons and forms (enterprise users file for their own enterprise)."""

    def context(self, **extra):
        from . import declarations

        ctx = super().context(**extra)
        user = self.request.user
        ctx["can_add"] = declarations.can_declare(user)
        obj = extra.get("object")
        if obj is not None:
            ctx["can_change"] = declarations.can_edit(user, obj)
        return ctx


class DeclarationList(_DeclarationAccess, EntityList):
    pass


class DeclarationDetail(_DeclarationAccess, EntityDetail):
    def context(self, **extra):
        from . import declarations

        ctx = super().context(**extra)
        obj = extra.get("object")
        if obj is not None:
            ctx.update(actions=declarations.allowed_actions(self.request.user, obj), review_form=ReviewForm(),
                       end_form=EndForm(initial={"end": timezone.localtime().replace(second=0, microsecond=0)}),
                       title=obj._meta.verbose_name)
        return ctx


class DeclarationEdit(_DeclarationAccess, EntityEdit):
    def has_permission(self):
        from . import declarations

        user = self.request.user
        if "pk" in self.kwargs:  # the object decides (see get_object)
            return user.has_perm(declarations.VIEW_PERM)
        return declarations.can_declare(user)

    def get_object(self, pk):
        from . import declarations

        obj = super().get_object(pk)
        if not declarations.can_edit(self.request.user, obj):
            raise PermissionDenied
        return obj

    def _form(self, data=None, files=None, instance=None):
        form = super()._form(data, files, instance)
        form.limit_choices(self.request.user)
        return form

    def saved_message(self, obj, created):
        if created:
            return gettext("Declaration filed: it counts once staff approve it.")
        return super().saved_message(obj, created)

    def after_save(self, obj, created):
        from . import declarations

        if created:
            declarations.notify_filed(obj)


class ShutdownDeclarationViews(EntityViewSet):
    model = m.ShutdownDeclaration
    list_columns = ["start", "end", "kind", "status", "enterprise", "outlet", "logger", "declared_by", "reviewed_by"]
    filters = ["status", "kind", "region", "enterprise"]
    #: an MN finds the declarations of that logger and those of its whole outlet
    search = ["enterprise__name", "logger__mn", "outlet__loggers__mn", "outlet__code", "reason"]
    select_related = ["enterprise", "outlet__enterprise", "logger", "region", "declared_by", "reviewed_by"]
    form_class = DeclarationForm
    detail_fields = ["kind", "status", "enterprise", "outlet", "logger", "region", "start", "end", "reason",
                     "declared_by", "created", "reviewed_by", "reviewed_at", "review_note"]
    detail_extra_template = "monitoring/declaration_actions.html"
    list_template = "monitoring/declaration_list.html"

    @classmethod
    def apply_filters(cls, qs, form):
        return super().apply_filters(qs, form).distinct()  # the outlet's loggers may repeat a row

    @classmethod
    def urls(cls):
        s = cls.slug()
        mine = {
            cls.url_name("list"): path(f"{s}/", DeclarationList.as_view(viewset=cls), name=cls.url_name("list")),
            cls.url_name("add"): path(f"{s}/add/", DeclarationEdit.as_view(viewset=cls), name=cls.url_name("add")),
            cls.url_name("detail"): path(f"{s}/<int:pk>/", DeclarationDetail.as_view(viewset=cls), name=cls.url_name("detail")),
            cls.url_name("edit"): path(f"{s}/<int:pk>/edit/", DeclarationEdit.as_view(viewset=cls), name=cls.url_name("edit")),
        }
        patterns = [mine.get(p.name, p) for p in super().urls()]
        return [*patterns, path(f"{s}/<int:pk>/do/<str:action>/", declaration_action, name="shutdowndeclaration_action")]


@login_required
@require_POST
def declaration_action(request, pk, action):
    from . import declarations

    _need(request, declarations.VIEW_PERM)
    obj = get_object_or_404(m.ShutdownDeclaration.objects.for_user(request.user), pk=pk)
    if action not in declarations.allowed_actions(request.user, obj):
        raise PermissionDenied
    form = {"approve": ReviewForm, "reject": ReviewForm, "end": EndForm}.get(action, forms.Form)(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect(obj.get_absolute_url())
    try:
        if action == "approve":
            obj.approve(request.user, form.cleaned_data["note"])
            declarations.notify_reviewed(obj)
            messages.success(request, gettext("Declaration approved."))
        elif action == "reject":
            obj.reject(request.user, form.cleaned_data["note"])
            declarations.notify_reviewed(obj)
            messages.success(request, gettext("Declaration rejected."))
        elif action == "withdraw":
            obj.withdraw(request.user)
            messages.success(request, gettext("Declaration withdrawn."))
        elif action == "end":
            obj.record_end(form.cleaned_data["end"], request.user)
            messages.success(request, gettext("End of the period recorded."))
        else:
            raise Http404
    except (WorkflowError, ValidationError) as exc:
        for msg in getattr(exc, "messages", [str(exc)]):
            messages.error(request, msg)
    return redirect(obj.get_absolute_url())
