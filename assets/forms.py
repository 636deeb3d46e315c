from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from django import forms
from django.utils.translation import gettext_lazy as _

from .app_settings import app_settings
from .aspects import export_columns


class ExportForm(forms.Form):
    """A property set of the asset and a range of days (at most ASSETS_EXPORT_MAX_DAYS)."""

    property_set = forms.ChoiceField(label=_("Data"))
    start = forms.DateField(label=_("From (UTC)"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (UTC, inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, aspects: list[dict], **kwargs) -> None:
        """`aspects`: the asset's aspect definitions (`MindSphereClient.aspects`); time-series ones are offered."""
        super().__init__(*args, **kwargs)
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
        """(start, end) in UTC: from the start of the first day to the end of the last, not past now."""
        start = datetime.combine(self.cleaned_data["start"], time.min, tzinfo=timezone.utc)
        end = datetime.combine(self.cleaned_data["end"], time.min, tzinfo=timezone.utc) + timedelta(days=1)
        now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
        return start, min(end, now)

    def variables(self) -> list[str]:
        return self.aspects[self.cleaned_data["property_set"]]

    @classmethod
    def initial_for_last_days(cls, days: int = 7) -> dict:
        today = datetime.now(timezone.utc).date()
        return {"start": today - timedelta(days=days - 1), "end": today}
