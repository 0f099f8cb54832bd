"""Workflow actions of enforcement: run and publish a draw, open a case from any source, close out.

Callers wrap these in a request (ActorMiddleware) or ``acting_as`` so every
change is attributed in the change log.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingshan.core.scope import can_reach
from qingshan.registry.models import Enterprise, KeyLevel

from . import models as m
from . import rules


def draw_population(draw: m.InspectionDraw):
    qs = Enterprise.objects.filter(region__path__startswith=draw.region.path, status=Enterprise.Status.OPERATING)
    if draw.population_kind == m.InspectionDraw.Population.KEY:
        qs = qs.exclude(key_level=KeyLevel.NONE)
    elif draw.population_kind == m.InspectionDraw.Population.GENERAL:
        qs = qs.filter(key_level=KeyLevel.NONE)
    return qs.order_by("uscc")


def _department(user) -> str:
    profile = getattr(user, "profile", None)
    if profile is None:
        return "none"
    return profile.department or (profile.region.code if profile.region_id else profile.role)


@transaction.atomic
def run_draw(draw: m.InspectionDraw, *, seed: str | None = None) -> m.InspectionDraw:
    """Draw enterprises and inspector teams with a recorded seed (standards.random_inspection);
    the population and pool snapshots are stored so anyone can re-run it; planned inspections are created."""
    if draw.drawn:
        raise ValidationError(_("This draw has already been made; it can only be verified."))
    stratum = draw.population_kind
    population = [[uscc, stratum] for uscc in draw_population(draw).values_list("uscc", flat=True)]
    members = list(draw.inspector_pool.select_related("profile", "profile__region").order_by("username"))
    pool = [[u.username, _department(u)] for u in members]
    if not population:
        raise ValidationError(_("The population is empty: no operating enterprise matches the filters."))
    if len(pool) < draw.inspectors_per_team:
        raise ValidationError(_("The inspector pool is smaller than a team."))
    draw.seed = seed or draw.seed or rules_new_seed()
    try:
        record = rules.draw(draw.seed, population, pool, draw.ratio, draw.inspectors_per_team)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    draw.population, draw.pool, draw.result = population, pool, record
    draw.drawn_at = timezone.now()
    draw.save()
    users = {u.username: u for u in members}
    ents = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=[t["enterprise"] for t in record["teams"]])}
    for team in record["teams"]:
        insp = m.Inspection.objects.create(enterprise=ents[team["enterprise"]], kind=m.Inspection.Kind.RANDOM, draw=draw,
                                           status=m.Inspection.Status.PLANNED, planned_on=draw.period_end,
                                           staff_count=len(team["inspectors"]))
        insp.inspectors.set([users[u] for u in team["inspectors"]])
    return draw


def rules_new_seed() -> str:
    from qingshan.standards import random_inspection

    return random_inspection.new_seed()


def verify_draw(draw: m.InspectionDraw):
    """(ok, differences) of re-running the recorded draw on its stored snapshot."""
    if not draw.drawn:
        return False, (_("Not drawn yet."),)
    return rules.verify_draw(draw.result, draw.population, draw.pool)


def publish_draw(draw: m.InspectionDraw, day=None):
    if not draw.drawn:
        raise ValidationError(_("Make the draw before publishing it."))
    draw.published_on = day or timezone.localdate()
    draw.save()


SOURCE_KINDS = {"inspection": m.Case.Source.INSPECTION, "complaint": m.Case.Source.COMPLAINT, "alarm": m.Case.Source.ALARM}


def cases_for_source(obj):
    ct = ContentType.objects.get_for_model(type(obj))
    return m.Case.objects.filter(source_type=ct, source_id=obj.pk)


@transaction.atomic
def open_case(source, user=None, *, violation_type=None, facts: str = "", day=None) -> m.Case:
    """Open a case from an inspection, a complaint, a monitoring alarm or any object with a scope and an enterprise.

    Idempotent: a source that already has a case returns it. Raises
    PermissionDenied when the source is outside the user's reach, and
    ValidationError when no enterprise is identified.
    """
    if user is not None and not can_reach(user, source):
        raise PermissionDenied
    existing = cases_for_source(source).first()
    if existing is not None:
        return existing
    enterprise = source_enterprise(source)
    if enterprise is None:
        raise ValidationError(_("Identify the enterprise before opening a case."))
    kind = SOURCE_KINDS.get(type(source)._meta.model_name, m.Case.Source.OTHER)
    if violation_type is None:
        violation_type = m.ViolationType.EXCEEDANCE if kind == m.Case.Source.ALARM else m.ViolationType.OTHER
    case = m.Case(enterprise=enterprise, region_id=enterprise.region_id, source_kind=kind,
                  source_type=ContentType.objects.get_for_model(type(source)), source_id=source.pk,
                  violation_type=violation_type, facts=facts or _source_facts(source),
                  opened_on=day or timezone.localdate(),
                  handler=user if user is not None and getattr(user, "is_authenticated", False) else None)
    case.save()
    # let the source know it was escalated (e.g. monitoring.Alarm.mark_escalated), if it supports it
    for hook in ("mark_escalated", "escalate", "mark_case_opened"):
        method = getattr(source, hook, None)
        if callable(method):
            try:
                method(case=case, user=user)
            except TypeError:
                try:
                    method(case)
                except TypeError:
                    method()
            break
    if kind == m.Case.Source.COMPLAINT and source.status in ("received", "accepted"):
        source.status = "handling"
        if not source.accepted_on:
            source.accepted_on = case.opened_on
        source.save()
    return case


def source_enterprise(source):
    """The enterprise of a source: its own ``enterprise`` or that of its outlet / data logger."""
    enterprise = getattr(source, "enterprise", None)
    for via in ("outlet", "logger", "data_logger", "datalogger"):
        if enterprise is not None:
            break
        related = getattr(source, via, None)
        enterprise = getattr(related, "enterprise", None) if related is not None else None
    return enterprise


def _source_facts(source) -> str:
    for attr in ("findings", "description", "message", "summary"):
        value = getattr(source, attr, "")
        if value:
            return str(value)[:2000]
    return str(source)


def close_out(rect: m.Rectification, evidence: str, evidence_file=None, day=None):
    if evidence_file:
        rect.evidence_file = evidence_file
    rect.close_out(evidence, day)
    case = rect.case
    if case is not None and not case.rectifications.exclude(status=m.Rectification.Status.CLOSED_OUT).exists():
        if case.status in (m.Case.Status.DECIDED, m.Case.Status.RECTIFYING):
            case.status = m.Case.Status.CLOSED
            case.closed_on = rect.closed_out_on
            case.save()
    return rect


def enterprise_record(enterprise):
    """Case outcomes of one enterprise for the credit rating and disclosure (see docs/enforcement.md)."""
    rows = []
    for case in m.Case.objects.filter(enterprise=enterprise).prefetch_related("measures").order_by("opened_on"):
        rows.append({
            "case": case.number, "opened_on": case.opened_on, "decided_on": case.decided_on,
            "violation_type": case.violation_type, "status": case.status, "published_on": case.published_on,
            "categories": case.categories, "total_fine": case.total_fine,
        })
    return rows
