from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Complaint, Topic

MAX_PHOTOS = 5


def photo_limit() -> int:
    return getattr(settings, "COMPLAINT_PHOTO_MAX_BYTES", 5 * 1024 * 1024)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.ImageField):
    """Several photos; each must be a real image (Pillow opens and verifies it) under the size limit."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("At most %(n)s photos.") % {"n": MAX_PHOTOS})
        cleaned, errors = [], []
        single = super().clean
        for f in files:
            if f.size > photo_limit():
                errors.append(_("%(name)s is larger than %(mb)s MB.") % {"name": f.name, "mb": photo_limit() // (1024 * 1024)})
                continue
            try:
                cleaned.append(single(f, initial))
            except forms.ValidationError:
                errors.append(_("%(name)s is not a readable image (JPEG, PNG or WebP).") % {"name": f.name})
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class LocationMixin:
    def clean_location(self, data, required: bool):
        lon, lat = data.get("lon"), data.get("lat")
        if (lon is None) != (lat is None):
            self.add_error("lon", _("Give both longitude and latitude (or pick the place on the map)."))
            return None
        if lon is None:
            if required:
                self.add_error("lon", _("Give the location: pick the place on the map or type longitude and latitude."))
            return None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            self.add_error("lon", _("The location is not a valid longitude/latitude."))
            return None
        from .services import route

        region = route(lon, lat)
        if region is None:
            self.add_error("lon", _("The location is outside the area of this bureau."))
        return region


class PublicComplaintForm(LocationMixin, forms.Form):
    topic = forms.ChoiceField(label=_("topic"), choices=Topic.choices)
    description = forms.CharField(label=_("what happened"), min_length=10, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    address = forms.CharField(label=_("address or place"), max_length=300)
    lon = forms.FloatField(label=_("longitude"), required=False)
    lat = forms.FloatField(label=_("latitude"), required=False)
    enterprise_name = forms.CharField(label=_("enterprise (if known)"), max_length=200, required=False)
    anonymous = forms.BooleanField(label=_("report anonymously"), required=False)
    complainant_name = forms.CharField(label=_("your name"), max_length=50, required=False)
    complainant_phone = forms.CharField(label=_("your phone"), max_length=30, required=False)
    photos = MultipleImageField(label=_("photos"), required=False,
                                help_text=_("Up to 5 photos, JPEG/PNG/WebP, at most 5 MB each."))
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # honeypot: bots fill it

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select")
            else:
                field.widget.attrs.setdefault("class", "form-control")
        self.fields["lon"].widget.attrs.update({"step": "any", "id": "id_lon"})
        self.fields["lat"].widget.attrs.update({"step": "any", "id": "id_lat"})

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError(_("The form could not be accepted."))
        data["region"] = self.clean_location(data, required=True)
        if not data.get("anonymous") and not (data.get("complainant_phone") or "").strip():
            self.add_error("complainant_phone", _("Give a phone number for the reply, or choose to report anonymously."))
        if data.get("anonymous"):
            data["complainant_name"] = ""
            data["complainant_phone"] = ""
        return data


class StaffComplaintForm(LocationMixin, forms.ModelForm):
    """Staff intake and editing; the region is set from the location (or chosen when none is known)."""

    class Meta:
        model = Complaint
        fields = ["channel", "topic", "received_on", "description", "address", "lon", "lat", "region", "enterprise_name",
                  "enterprise", "anonymous", "complainant_name", "complainant_phone", "status", "accepted_on",
                  "extended_days", "extension_reason", "replied_on", "reply", "closed_on", "satisfaction",
                  "review_requested_on", "duplicate_of", "visitors", "reward_paid", "transferred"]
        widgets = {f: forms.DateInput(attrs={"type": "date"}) for f in
                   ("received_on", "accepted_on", "replied_on", "closed_on", "review_requested_on")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].required = False
        self.fields["region"].help_text = _("Leave empty to route by the location.")

    def clean(self):
        data = super().clean()
        routed = self.clean_location(data, required=False)
        if routed is not None and not self.has_error("lon"):
            data["region"] = routed
            self.instance.region = routed
        elif data.get("region") is None and not self.has_error("lon"):
            self.add_error("lon", _("Give the location or choose the region."))
        return data


class ActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ("accept", "reject", "extend", "reply", "close")])
    text = forms.CharField(required=False, max_length=4000)
    days = forms.IntegerField(required=False, min_value=1, max_value=30)
    satisfaction = forms.ChoiceField(required=False, choices=[("", "")] + list(Complaint.Satisfaction.choices))


class StatusLookupForm(forms.Form):
    ticket = forms.CharField(label=_("ticket number"), max_length=24,
                             widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "20260630-ABC234"}))
