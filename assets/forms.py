from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .app_settings import app_settings
from .aspects import export_columns


class ExportForm(forms.Form):
    """A property set of the asset and a range of days (at most ASSETS_EXPORT_MAX_DAYS).

    The days are days of the person's time zone (the active one, webapp/localtime.py), named in the labels.
    """

    property_set = forms.ChoiceField(label=_("Data"))
    # type=date takes ISO values only, whatever the page's language (German would format 22.11.2026).
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, aspects: list[dict], **kwargs) -> None:
        """`aspects`: the asset's aspect definitions (`mindsphere.api.MindSphereClient.aspects`); time-series ones are offered."""
        super().__init__(*args, **kwargs)
        zone = timezone.get_current_timezone_name()
        self.fields["start"].label = _("From ({zone})").format(zone=zone)
        self.fields["end"].label = _("To ({zone}, inclusive)").format(zone=zone)
        self.aspects = export_columns(aspects)
        self.fields["property_set"].choices = [
            (name, f"{name} ({', '.join(column for column in columns if not column.endswith('_qc'))})")
            for name, columns in self.aspects.items()
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end date must not be before the start date."))
            days = (end - start).days + 1
            if days > app_settings.ASSETS_EXPORT_MAX_DAYS:
                raise forms.ValidationError(
                    _("An export covers at most {limit} days; you chose {days}.").format(limit=app_settings.ASSETS_EXPORT_MAX_DAYS, days=days)
                )
        return cleaned

    def range(self) -> tuple[datetime, datetime]:
        """(start, end) in UTC: from the start of the first local day to the end of the last, not past now."""
        zone = timezone.get_current_timezone()
        start = datetime.combine(self.cleaned_data["start"], time.min, tzinfo=zone)
        end = datetime.combine(self.cleaned_data["end"] + timedelta(days=1), time.min, tzinfo=zone)
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        return start.astimezone(UTC), min(end.astimezone(UTC), now)

    def variables(self) -> list[str]:
        return self.aspects[self.cleaned_data["property_set"]]

    @classmethod
    def initial_for_last_days(cls, days: int = 7) -> dict:
        today = timezone.localdate()
        return {"start": today - timedelta(days=days - 1), "end": today}
