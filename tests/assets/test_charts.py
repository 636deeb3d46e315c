"""The chart: local times on its axis, and its style in a static file instead of the SVG."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone, translation

from assets import charts

END = datetime(2026, 1, 15, 10, 7, tzinfo=UTC)
CSS = Path(charts.__file__).parent / "static" / "assets" / "chart.css"


@pytest.fixture
def berlin():
    timezone.activate(zoneinfo.ZoneInfo("Europe/Berlin"))
    yield
    timezone.deactivate()


def axis_labels(svg: str) -> list[str]:
    axis = svg.split('class="axis x', 1)[1].split('class="axis y', 1)[0]
    return re.findall(r"<text[^>]*>([^<]+)</text>", axis)


def day_chart(start: datetime, end: datetime) -> str:
    points = [
        (start + timedelta(hours=hour), float(hour)) for hour in range(1, int((end - start) / timedelta(hours=1)) + 1)
    ]
    return charts.line_chart_svg(points, start, end, title="T")


LATE_MORNING = datetime(2026, 1, 15, 11, 30, tzinfo=UTC)


def test_the_axis_shows_round_local_hours(berlin):
    labels = axis_labels(day_chart(LATE_MORNING - timedelta(days=1), LATE_MORNING))
    assert labels == ["18:00", "00:00", "06:00", "12:00"]  # Berlin: 12:30 the day before to 12:30


def test_the_axis_shows_round_utc_hours_without_a_zone():
    labels = axis_labels(day_chart(LATE_MORNING - timedelta(days=1), LATE_MORNING))
    assert labels == ["12:00", "18:00", "00:00", "06:00"]  # UTC: 11:30 the day before to 11:30


def test_a_half_hour_zone_still_gets_round_labels():
    timezone.activate(zoneinfo.ZoneInfo("Asia/Kolkata"))  # UTC+5:30: UTC-aligned labels would read 05:30
    try:
        labels = axis_labels(day_chart(END - timedelta(days=1), END))
    finally:
        timezone.deactivate()
    assert labels and all(label.endswith(":00") for label in labels)


def test_day_labels_are_local_midnights_in_the_language(berlin):
    start = END - timedelta(days=30)
    with translation.override("de"):
        labels = axis_labels(day_chart(start, END))
    assert labels == [
        "23. Dez.",
        "30. Dez.",
        "6. Jan.",
        "13. Jan.",
    ]  # every 7 days from the start's local day, German style


def test_the_svg_carries_no_style_or_script():
    svg = day_chart(END - timedelta(days=1), END)
    assert "<style" not in svg and "<script" not in svg and "style=" not in svg
    assert 'class="pygal-chart"' in svg or "pygal-chart" in svg.split(">", 1)[0]


def test_the_static_chart_css_is_what_pygal_makes():
    # Changing the chart's Style (or a pygal upgrade) changes the rules: write the file again with
    #   .venv/bin/python -c "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='project.settings'; django.setup();
    #   from assets.charts import chart_css; open('assets/static/assets/chart.css', 'w').write(chart_css())"
    assert CSS.read_text(encoding="utf-8") == charts.chart_css()
    assert ".pygal-chart .series.serie-1{stroke-width:1;stroke-dasharray:3,3}" in CSS.read_text()
