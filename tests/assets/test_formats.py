"""German readers get German numbers and dates (#24 item 7) in the asset page's table, caption, latest
value and chart axes, and in My exports; the CSV keeps a machine format (ISO 8601 times in UTC,
a dot for decimals). Over real HTTP, in both languages."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.utils import translation
from django.utils.formats import date_format, number_format

from assets.models import Export
from project.celery import app as celery_app
from tests.assets.test_export_views import PUMP, start
from tests.assets.test_pages import get

WEEKDAY_TIME = {
    "en": r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d\d:\d\d",
    "de": r"(Mo|Di|Mi|Do|Fr|Sa|So)\., \d{1,2}\. (Jan\.|Feb\.|März|April|Mai|Juni|Juli|Aug\.|Sep\.|Okt\.|Nov\.|Dez\.) \d\d:\d\d",
}
DECIMAL = {"en": r"-?\d+\.\d{3}", "de": r"-?\d+,\d{3}"}
DAY = {"en": r"\d{1,2} (Nov|Dec|Jan)", "de": r"\d{1,2}\. (Nov\.|Dez\.|Jan\.)"}


@pytest.fixture
def acme_user(app):
    return app.sign_in("acme", "user@acme.example").browser


def test_the_formats_of_each_language():
    from datetime import datetime

    moment = datetime(2026, 12, 1, 14, 5)
    with translation.override("de"):
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "Di., 1. Dez. 14:05"
        assert date_format(moment, "MONTH_DAY_FORMAT") == "1. Dez."
        assert number_format(14.173) == "14,173"
    with translation.override("en"):
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "Tue 1 Dec 14:05"
        assert number_format(14.173) == "14.173"


@pytest.mark.parametrize(("language", "shown"), [("en", "Tue 1 Dec 15:05 CET"), ("de", "Di., 1. Dez. 15:05 CET")])
def test_a_moment_in_a_sentence_is_in_the_readers_format_and_zone(language, shown):
    """The `moment` filter of the session end, "As of" and "Last data" texts: no fixed English format."""
    from datetime import UTC, datetime

    from django.template import Context, Template
    from django.utils import timezone

    template = Template("{% load moments %}{{ when|moment }}")
    with translation.override(language), timezone.override("Europe/Berlin"):
        assert template.render(Context({"when": datetime(2026, 12, 1, 14, 5, tzinfo=UTC)})) == shown
        assert template.render(Context({"when": None})) == ""


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_asset_page_speaks_the_readers_formats(app, acme_user, language):
    page = get(
        app,
        acme_user,
        f"/assets/{PUMP}/?variable=Environment.temperature&range=7d",
        headers={"Accept-Language": language},
    ).text
    caption = re.search(r"<figcaption>(.*?)</figcaption>", page, re.S).group(1)
    assert len(re.findall(WEEKDAY_TIME[language], caption)) == 2, caption
    cells = re.findall(r"<td>([^<]*)</td>", page)
    times = re.findall(r"<td><time[^>]*>([^<]+)</time></td>", page)
    assert cells and all(re.fullmatch(DECIMAL[language], cell) for cell in cells), cells[:5]
    assert times and all(re.fullmatch(WEEKDAY_TIME[language], moment) for moment in times), times[:3]
    latest = re.search(r'class="latest-number">([^ <]+)', page).group(1)
    assert re.fullmatch(DECIMAL[language], latest)
    svg = re.search(r'<svg[^>]*class="pygal-chart".*?</svg>', page, re.S).group(0)
    labels = re.findall(r">([^<>]+)</text>", svg)
    assert any(re.fullmatch(DAY[language], label) for label in labels), labels
    y_decimals = [label for label in labels if re.fullmatch(r"-?\d+[.,]\d+", label)]
    assert y_decimals and all(("," if language == "de" else ".") in label for label in y_decimals), y_decimals


@pytest.mark.parametrize("language", ["en", "de"])
def test_my_exports_in_the_readers_formats_and_the_csv_in_a_machines(app, acme_user, settings, tmp_path, language):
    settings.MEDIA_ROOT = tmp_path / "media"
    celery_app.conf.task_always_eager = True
    try:
        start(app, acme_user)
    finally:
        celery_app.conf.task_always_eager = False
    export = Export.objects.get()
    listing = get(app, acme_user, "/assets/exports/", headers={"Accept-Language": language}).text
    made = re.search(r'class="export-made">[^<]*<time[^>]*>([^<]+)</time>', listing).group(1)
    assert re.fullmatch(WEEKDAY_TIME[language], made), made
    assert re.search(DAY[language], listing)
    download = get(app, acme_user, f"/assets/exports/{export.pk}/download/", headers={"Accept-Language": language})
    rows = list(csv.reader(io.StringIO(download.text)))
    assert rows[0] == ["_time", "temperature", "humidity"]
    for row in rows[1:50]:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", row[0]), row
        assert all(re.fullmatch(r"-?\d+(\.\d+)?", value) for value in row[1:]), row
