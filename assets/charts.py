"""The time series chart as an SVG string, made on the server with pygal (no JavaScript, no CDN).

The SVG carries no <style>: pygal's rules live in the static file assets/static/assets/chart.css
(`chart_css()` makes it; a test keeps the file in step), so a chart swapped in by htmx needs no
CSP nonce. Times on the axis are in the active time zone (the person's, webapp/localtime.py).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pygal
from django.utils import dateformat, formats, timezone
from pygal.style import Style

from .series import Series

# The SVG scales to the card's width (about 290 px on a 360 px phone), so its own coordinate
# system is kept small: 14 px labels in a 320-unit-wide chart read as about 13 px on that phone.
WIDTH, HEIGHT = 320, 240
STYLE = Style(
    background="transparent",
    plot_background="#ffffff",
    foreground="#1b1f24",
    foreground_strong="#1b1f24",
    foreground_subtle="#8a949e",
    colors=("#005f87", "#7aa9c2", "#7aa9c2"),  # the mean, then the band's minimum and maximum
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=14,
    major_label_font_size=14,
    no_data_font_size=20,
    stroke_width=2,
    stroke_opacity=1,
    stroke_width_hover=2,
    stroke_opacity_hover=1,
    guide_stroke_color="#c4cad1",
    major_guide_stroke_color="#c4cad1",
    transition="none",
)


def _local_name(element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _fit_for_the_page(title: str, *, keep_style: bool = False):
    """An xml filter that makes pygal's SVG fit the page's Content-Security-Policy and name it.

    Drops pygal's inline <script> (it writes one with its config even when `js` is empty; nothing
    here needs it) and its <style> (chart.css has the rules), drops `style` attributes (only the
    hidden tooltip has one, and the policy allows no inline style attribute), and names the chart
    instead of pygal's default "Pygal".
    """

    def xml_filter(root):
        for parent in root.iter():
            parent.attrib.pop("style", None)
            for child in list(parent):
                if _local_name(child) == "script" or (_local_name(child) == "style" and not keep_style):
                    parent.remove(child)
                elif _local_name(child) == "title" and parent is root:
                    child.text = title
        return root

    return xml_filter


def _x_labels(start: datetime, end: datetime) -> tuple[list[datetime], str]:
    """Round local times for the x axis: 00/06/12/18 h up to a day, every other midnight up to 8 days, else weekly.

    Local to the active time zone; the format is Django's (`date` filter letters), so month names
    follow the language.
    """
    zone = timezone.get_current_timezone()
    local_start = start.astimezone(zone)
    if end - start <= timedelta(days=1):
        hours, fmt = 6, "H:i"
        first = local_start.replace(minute=0, second=0, microsecond=0)
        first = first.replace(hour=first.hour - first.hour % hours)
        step_days = 0
    else:
        step_days, fmt = (2 if end - start <= timedelta(days=8) else 7), formats.get_format("MONTH_DAY_FORMAT")
        first = local_start.replace(hour=0, minute=0, second=0, microsecond=0)
        hours = 0
    labels = []
    count = 0
    while True:
        # Wall-clock steps from the first label, each made aware again: 00:00 stays 00:00 across a
        # change to or from summer time.
        naive = first.replace(tzinfo=None) + timedelta(hours=hours * count, days=step_days * count)
        moment = naive.replace(tzinfo=zone)
        count += 1
        if moment > end:
            break
        if moment > start:
            labels.append(moment)
    return labels, fmt


def _label(moment: datetime, fmt: str) -> str:
    if moment.tzinfo is None:  # pygal hands the formatter naive UTC (datetime.utcfromtimestamp)
        moment = moment.replace(tzinfo=UTC)
    return dateformat.format(timezone.localtime(moment), fmt)


def _number_label(value: float) -> str:
    """A y label as short as it can be, in the page's language: 47.6 / 47,6."""
    return f"{value:g}".replace(".", formats.get_format("DECIMAL_SEPARATOR"))


def line_chart_svg(
    points: Sequence[tuple[datetime, float]],
    start: datetime,
    end: datetime,
    title: str = "",
    *,
    band: Sequence[tuple[datetime, float, float]] = (),
) -> str:
    """An inline `<svg>` line chart of `points` (already downsampled) between `start` and `end`.

    `band` (time, minimum, maximum) draws two thin lines around the mean, when the data has them.
    The axis shows local times of the active time zone; the page needs assets/chart.css.
    """
    return _chart(points, start, end, title, band=band).render(is_unicode=True)


def chart_context(found: Series, title: str) -> dict:
    """What the asset page shows of a series (assets/_series.html): the chart, its caption and its table."""
    svg = line_chart_svg(found.points, found.start, found.end, title, band=found.band) if found.points else ""
    return {
        "start": found.start,
        "end": found.end,  # aggregates cover whole intervals: the chart may end a little before the asked end
        "points": found.points,
        "rows": found.table_rows(),
        "band": bool(found.band),  # minimum and maximum columns in the table
        "bucket_minutes": found.bucket_minutes,
        "bad": found.bad,  # values of bad quality, left out
        "uncertain": found.uncertain,
        "chart_svg": svg,
    }


def _chart(points, start, end, title, *, band=(), keep_style: bool = False) -> pygal.DateTimeLine:
    labels, fmt = _x_labels(start, end)
    chart = pygal.DateTimeLine(
        js=[],  # no pygal.js from a CDN; the table under the chart carries the exact numbers
        disable_xml_declaration=True,
        width=WIDTH,
        height=HEIGHT,
        style=STYLE,
        margin=8,
        spacing=6,
        show_legend=False,
        show_dots=False,
        show_x_guides=False,
        x_labels=labels,
        x_value_formatter=lambda moment: _label(moment, fmt),
        value_formatter=_number_label,  # short y labels; the unit is in the heading
        min_scale=3,
        max_scale=6,
        truncate_label=-1,
        no_data_text="No data",
    )
    chart.add_xml_filter(_fit_for_the_page(title, keep_style=keep_style))
    chart.add(title, list(points), allow_interruptions=True)
    if band:
        thin = {"width": 1, "dasharray": "3, 3"}
        chart.add(
            f"{title} min", [(moment, low) for moment, low, _ in band], stroke_style=thin, allow_interruptions=True
        )
        chart.add(
            f"{title} max", [(moment, high) for moment, _, high in band], stroke_style=thin, allow_interruptions=True
        )
    return chart


def chart_css() -> str:
    """The rules pygal would put in each chart's <style>, for any chart of this module (chart.css).

    Made from a sample chart with a band (so the dashed band's rules are there too), with the
    chart's own id selector turned into the class every chart carries.
    """
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    svg = _chart(
        [(moment, 1.0)], moment - timedelta(hours=1), moment, band=[(moment, 0.0, 2.0)], title="", keep_style=True
    ).render(is_unicode=True)
    style = re.search(r"<style[^>]*>(.*?)</style>", svg, re.S)
    if style is None:
        raise ValueError("pygal wrote no <style> element")
    css = html.unescape(style.group(1))
    css = re.sub(r"#chart-[0-9a-f-]+", ".pygal-chart", css)
    return (
        "/* Made by assets.charts.chart_css() from pygal's style; tests/assets/test_charts.py keeps it in step. */\n"
        + css.strip()
        + "\n"
    )
