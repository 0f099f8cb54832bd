"""The sample form: one input per item instead of raw JSON."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _

from qingshan.standards import gb3838, water_assessment

from .models import Sample

#: items shown as inputs, in GB 3838 order (Table 1, then Table 2)
FORM_ITEMS = [*gb3838.TABLE1, *gb3838.TABLE2]


def item_field_name(key: str) -> str:
    return "item_" + key.replace("-", "_")


class SampleForm(forms.ModelForm):
    """Section, date, source, condition, note, and one text input per item.

    Values are numbers, ``0.05L`` below the detection limit, or empty (not measured);
    each bad value is reported on its own field.
    """

    class Meta:
        model = Sample
        fields = ["section", "date", "source", "condition", "note"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.values if self.instance and self.instance.pk else {}
        for key in FORM_ITEMS:
            it = gb3838.item(key)
            unit = "" if it.unit == "dimensionless" else f" ({it.unit})"
            self.fields[item_field_name(key)] = forms.CharField(
                label=f"{it.name} {key}{unit}", required=False, initial=current.get(key, ""),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": ""}))

    def _update_errors(self, errors):
        # model-level errors about ``values`` belong to the form as a whole (there is no "values" input)
        if hasattr(errors, "error_dict") and "values" in errors.error_dict:
            moved = errors.error_dict.pop("values")
            errors.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(moved)
        super()._update_errors(errors)

    def clean(self):
        data = super().clean()
        values = {}
        for key in FORM_ITEMS:
            name = item_field_name(key)
            text = (data.get(name) or "").strip()
            if not text:
                continue
            try:
                parsed = water_assessment.parse_measurement(text, key)
                if parsed is not None and key in gb3838.TABLE1 and not isinstance(parsed, water_assessment.BelowDetection):
                    gb3838.evaluation_value(key, parsed)
            except gb3838.WaterQualityError as exc:
                self.add_error(name, str(exc))
                continue
            if parsed is None:
                continue
            if isinstance(parsed, water_assessment.BelowDetection):
                values[key] = text
            else:
                values[key] = int(parsed) if parsed == parsed.to_integral_value() and abs(parsed) < 10**12 else float(parsed)
        if data.get("condition", "normal") == "normal" and not values and not self.errors:
            raise forms.ValidationError(_("Give at least one value, or mark the section dry or frozen."))
        if not any(item_field_name(k) in self.errors for k in FORM_ITEMS):
            self.instance.values = values
        return data
