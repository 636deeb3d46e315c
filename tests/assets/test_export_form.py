"""The export form's days are the person's local days, named in its labels."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.utils import timezone, translation

from assets.forms import ExportForm

ASPECTS = [{"name": "Environment", "variables": [{"name": "temperature"}]}]


@pytest.fixture
def berlin():
    timezone.activate(zoneinfo.ZoneInfo("Europe/Berlin"))
    yield
    timezone.deactivate()


@time_machine.travel(datetime(2026, 2, 1, tzinfo=UTC), tick=False)
def test_local_days_become_utc_times(berlin):
    form = ExportForm({"property_set": "Environment", "start": "2026-01-15", "end": "2026-01-16"}, aspects=ASPECTS)
    assert form.is_valid(), form.errors
    assert form.range() == (datetime(2026, 1, 14, 23, tzinfo=UTC), datetime(2026, 1, 16, 23, tzinfo=UTC))


@time_machine.travel(datetime(2026, 2, 1, tzinfo=UTC), tick=False)
def test_without_a_zone_the_days_are_utc_days():
    form = ExportForm({"property_set": "Environment", "start": "2026-01-15", "end": "2026-01-15"}, aspects=ASPECTS)
    assert form.is_valid(), form.errors
    assert form.range() == (datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 1, 16, tzinfo=UTC))


def test_labels_name_the_zone(berlin):
    form = ExportForm(aspects=ASPECTS)
    assert form["start"].label == "From (Europe/Berlin)"
    assert form["end"].label == "To (Europe/Berlin, inclusive)"


@time_machine.travel(datetime(2026, 1, 31, 23, 30, tzinfo=UTC), tick=False)
def test_the_initial_days_end_today_locally_and_stay_iso_in_german(berlin):
    with translation.override("de"):
        form = ExportForm(aspects=ASPECTS, initial=ExportForm.initial_for_last_days())
        html = str(form["end"])
        assert form["start"].label == "Von (Europe/Berlin)"
    assert form.initial["end"] == date(2026, 2, 1)  # already 1 February in Berlin
    assert 'value="2026-02-01"' in html  # type=date takes ISO only, whatever the language
