from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from .app_settings import app_settings
from .aspects import export_columns, readable
from .series import Variable

# A plain (no-JS) "Load more" asks for pages 0..N in one call of size (N + 1) * PAGE_SIZE, so the
# page number is bounded; past that many rows a search is the better tool on a phone.
MAX_PAGE = 49
RANGES = {
    "24h": (_("Last 24 hours"), timedelta(hours=24)),
    "7d": (_("Last 7 days"), timedelta(days=7)),
    "30d": (_("Last 30 days"), timedelta(days=30)),
}
DEFAULT_RANGE = "24h"
EARLIEST_END = datetime(1970, 1, 2, tzinfo=UTC)
# An export's days: none before time series begin (1970, as the chart's EARLIEST_END), none past
# tomorrow (the person's today, with a day for clocks and zones). Without bounds, 9999-12-31 or
# 0001-01-01 overflow Python's datetime when they become instants in a zone.
EARLIEST_DAY = date(1970, 1, 1)


class AssetListQuery(forms.Form):
    """The asset list's query: `q` searches names, `page` (0-based, as the API) loads more."""

    q = forms.CharField(required=False, max_length=100, strip=True)
    page = forms.IntegerField(required=False, min_value=0, max_value=MAX_PAGE)

    def clean_page(self) -> int:
        return self.cleaned_data["page"] or 0

    def problem(self) -> str:
        """The first error, with the parameter it is about (Django's texts don't name it)."""
        field, errors = next(iter(self.errors.items()))
        return f"{field}: {errors[0]}"


def parse_end(raw: str | None, now: datetime) -> datetime:
    """The chart's end: `?end=` (ISO 8601 with a zone, for links that show the same numbers) or now; whole minutes.

    ValueError for anything else, including times before 1970 or more than a day ahead.
    """
    if not raw:
        return now.replace(second=0, microsecond=0)
    try:
        moment = datetime.fromisoformat(raw.strip().replace(" ", "+"))  # a '+' in a query string arrives as ' '
        if moment.tzinfo is None:
            raise ValueError("no time zone")
        moment = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of range") from None
    if not EARLIEST_END <= moment <= now + timedelta(days=1):
        raise ValueError("out of range")
    return moment.replace(second=0, microsecond=0)


class ChartQuery(forms.Form):
    """The asset page's query: `range` (24h unless given), `end` (now unless given) and `variable`.

    Whether the asset has the variable is known only once its aspects are: `variable_of(variables)`.
    """

    # As the URL has them (not stripped): anything but a known key is refused with the choices.
    range = forms.CharField(required=False, strip=False)
    end = forms.CharField(required=False, strip=False)
    variable = forms.CharField(required=False, strip=False)

    def __init__(self, data: Mapping[str, str], *, now: datetime | None = None) -> None:
        super().__init__(data)
        self.now = now or datetime.now(UTC)

    def clean_range(self) -> str:
        key = self.cleaned_data["range"] or DEFAULT_RANGE
        if key not in RANGES:
            raise forms.ValidationError(
                _("Unknown range “{range}”; choose one of: {choices}.").format(range=key, choices=", ".join(RANGES))
            )
        return key

    def clean_end(self) -> datetime:
        try:
            return parse_end(self.cleaned_data["end"], self.now)
        except ValueError:
            raise forms.ValidationError(
                _(
                    "The end must be an ISO 8601 time with a time zone, e.g. 2026-01-01T12:00:00Z,"
                    " after 1970 and at most a day ahead."
                )
            ) from None

    def problem(self) -> str:
        """The first error; each names its parameter already."""
        return str(next(iter(self.errors.values()))[0])

    @property
    def span(self) -> timedelta:
        return RANGES[self.cleaned_data["range"]][1]

    @property
    def range_label(self) -> str:
        return str(RANGES[self.cleaned_data["range"]][0])

    def link_to_same_numbers(self, variable: Variable) -> str:
        """The query of a link that shows the same numbers later: `variable`, the range and the end as it is now."""
        end = self.cleaned_data["end"].strftime("%Y-%m-%dT%H:%MZ")
        return urlencode({"variable": variable.key, "range": self.cleaned_data["range"], "end": end})

    def named_variable(self) -> Variable | None:
        """The variable `?variable=` names, split at its first dot: a guess until the asset's variables are known."""
        property_set, dot, name = self.cleaned_data["variable"].partition(".")
        return Variable(property_set, name, "") if dot and property_set and name else None

    def variable_of(self, variables: list[Variable]) -> Variable | None:
        """The asset's variable the query names, else its first (None: it has none); ValidationError for another."""
        by_key = {variable.key: variable for variable in variables}
        key = self.cleaned_data["variable"] or (variables[0].key if variables else "")
        if key and key not in by_key:
            raise forms.ValidationError(
                _("Unknown variable “{variable}” for this asset; choose one of: {choices}.").format(
                    variable=key, choices=", ".join(by_key) or _("none")
                )
            )
        return by_key.get(key)


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
        for name in ("start", "end"):
            self.fields[name].widget.attrs.update(min=EARLIEST_DAY.isoformat(), max=self.latest_day().isoformat())
        self.aspects = export_columns(aspects)
        # The options name the data only, so the closed select shows its whole choice at 360 px; what
        # each holds is the hint below it, which wraps.
        data = self.fields["property_set"]
        cast(forms.ChoiceField, data).choices = [(name, readable(name)) for name in self.aspects]
        data.help_text = " ".join(
            _("{data}: {variables}.").format(
                data=readable(name),
                variables=", ".join(readable(column) for column in columns if not column.endswith("_qc")),
            )
            for name, columns in self.aspects.items()
        )

    @staticmethod
    def latest_day() -> date:
        return timezone.localdate() + timedelta(days=1)

    def clean_start(self) -> date:
        return self._within_bounds(self.cleaned_data["start"])

    def clean_end(self) -> date:
        return self._within_bounds(self.cleaned_data["end"])

    def _within_bounds(self, day: date) -> date:
        if not EARLIEST_DAY <= day <= self.latest_day():
            raise forms.ValidationError(
                _("Choose a day from {earliest} to {latest}.").format(
                    earliest=EARLIEST_DAY.isoformat(), latest=self.latest_day().isoformat()
                )
            )
        return day

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end date must not be before the start date."))
            days = (end - start).days + 1
            if days > app_settings.ASSETS_EXPORT_MAX_DAYS:
                raise forms.ValidationError(
                    _("An export covers at most {limit} days; you chose {days}.").format(
                        limit=app_settings.ASSETS_EXPORT_MAX_DAYS, days=days
                    )
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
