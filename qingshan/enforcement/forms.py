from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import models as m


def _basis_field(subject=None, required=False):
    from . import rules

    try:
        choices = rules.legal_basis_choices(subject)
    except Exception:  # noqa: BLE001 - the table is data; an unreadable table must not break the form
        choices = []
    return forms.ChoiceField(label=_("legal basis"), required=required, choices=[("", "---------"), *choices])


class CaseForm(forms.ModelForm):
    class Meta:
        model = m.Case
        fields = ["enterprise", "violation_type", "facts", "legal_basis", "opened_on", "status", "handler",
                  "decision_number", "decided_on", "published_on", "closed_on", "outcome"]
        widgets = {"opened_on": forms.DateInput(attrs={"type": "date"}), "decided_on": forms.DateInput(attrs={"type": "date"}),
                   "published_on": forms.DateInput(attrs={"type": "date"}), "closed_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_basis"] = _basis_field()
        from django.contrib.auth import get_user_model

        self.fields["handler"].queryset = get_user_model().objects.filter(profile__role__in=[
            "enforcement_staff", "county_staff", "grid_officer"]).order_by("username")


class MeasureForm(forms.ModelForm):
    class Meta:
        model = m.Measure
        fields = ["case", "category", "legal_basis", "decided_on", "amount", "original_fine", "correction_order_on",
                  "reinspection_on", "payment_due", "paid_on", "notes"]
        widgets = {f: forms.DateInput(attrs={"type": "date"}) for f in
                   ("decided_on", "correction_order_on", "reinspection_on", "payment_due", "paid_on")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_basis"] = _basis_field()


class RectificationForm(forms.ModelForm):
    class Meta:
        model = m.Rectification
        fields = ["case", "enterprise", "requirement", "ordered_on", "workdays", "due_on", "listed_supervision",
                  "status", "rectified_on", "closed_out_on", "close_out_evidence", "evidence_file"]
        widgets = {f: forms.DateInput(attrs={"type": "date"}) for f in ("ordered_on", "due_on", "rectified_on", "closed_out_on")}


class InspectionForm(forms.ModelForm):
    class Meta:
        model = m.Inspection
        fields = ["enterprise", "kind", "status", "planned_on", "inspected_on", "inspectors", "staff_count", "outlets",
                  "findings", "problem_found", "attachment", "rectification"]
        widgets = {f: forms.DateInput(attrs={"type": "date"}) for f in ("planned_on", "inspected_on")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["inspectors"].queryset = get_user_model().objects.filter(profile__role__in=[
            "enforcement_staff", "county_staff", "grid_officer"]).order_by("username")

    def clean(self):
        data = super().clean()
        ent, outlets = data.get("enterprise"), data.get("outlets")
        if ent and outlets and any(o.enterprise_id != ent.pk for o in outlets):
            self.add_error("outlets", _("Outlets must belong to the inspected enterprise."))
        f = data.get("attachment")
        if f and hasattr(f, "size") and f.size > 20 * 1024 * 1024:
            self.add_error("attachment", _("The attachment is larger than 20 MB."))
        return data


class DrawForm(forms.ModelForm):
    class Meta:
        model = m.InspectionDraw
        fields = ["name", "region", "population_kind", "period_start", "period_end", "ratio", "inspectors_per_team",
                  "inspector_pool", "seed"]
        widgets = {f: forms.DateInput(attrs={"type": "date"}) for f in ("period_start", "period_end")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["inspector_pool"].queryset = get_user_model().objects.filter(profile__role__in=[
            "enforcement_staff", "county_staff"]).order_by("username")
        self.fields["region"].queryset = self.fields["region"].queryset.filter(level__lte=3)


class CloseOutForm(forms.Form):
    evidence = forms.CharField(label=_("close-out evidence"), widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))
    evidence_file = forms.FileField(label=_("evidence file"), required=False)


class StatsForm(forms.Form):
    start = forms.DateField(label=_("from"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}))
    end = forms.DateField(label=_("to"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data
