"""The time series chart as an SVG string, made on the server with pygal (no JavaScript, no CDN)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import pygal
from pygal.style import Style

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


def _fit_for_the_page(title: str, nonce: str):
    """An xml filter that makes pygal's SVG fit the page's Content-Security-Policy and name it.

    Drops pygal's inline <script> (it writes one with its config even when `js` is empty; nothing
    here needs it), gives its <style> the request's CSP nonce, drops `style` attributes (only the
    hidden tooltip has one, and the policy allows no inline style attribute), and names the chart
    instead of pygal's default "Pygal".
    """

    def xml_filter(root):
        for parent in root.iter():
            parent.attrib.pop("style", None)
            for child in list(parent):
                if _local_name(child) == "script":
                    parent.remove(child)
                elif _local_name(child) == "style":
                    child.set("nonce", nonce)
                elif _local_name(child) == "title" and parent is root:
                    child.text = title
        return root

    return xml_filter


def _x_labels(start: datetime, end: datetime) -> tuple[list[datetime], str]:
    """Round times for the x axis: every 6 hours up to a day, every other midnight up to 8 days, else weekly."""
    if end - start <= timedelta(days=1):
        step, fmt = timedelta(hours=6), "%H:%M"
    elif end - start <= timedelta(days=8):
        step, fmt = timedelta(days=2), "%d %b"
    else:
        step, fmt = timedelta(days=7), "%d %b"
    first = start.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)
    epoch_seconds = int(first.timestamp())
    first += timedelta(seconds=-epoch_seconds % int(step.total_seconds()))
    labels = []
    while first <= end:
        if first > start:
            labels.append(first)
        first += step
    return labels, fmt


def line_chart_svg(
    points: Sequence[tuple[datetime, float]],
    start: datetime,
    end: datetime,
    title: str = "",
    *,
    nonce: str = "",
    band: Sequence[tuple[datetime, float, float]] = (),
) -> str:
    """An inline `<svg>` line chart of `points` (already downsampled) between `start` and `end` (UTC).

    `band` (time, minimum, maximum) draws two thin lines around the mean, when the data has them.
    `nonce` is the request's CSP nonce (`request.csp_nonce`), which the SVG's <style> carries.
    """
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
        x_value_formatter=lambda moment: moment.astimezone(timezone.utc).strftime(fmt),
        value_formatter=lambda value: f"{value:g}",  # short y labels; the unit is in the heading
        min_scale=3,
        max_scale=6,
        truncate_label=-1,
        no_data_text="No data",
    )
    chart.add_xml_filter(_fit_for_the_page(title, nonce))
    chart.add(title, list(points), allow_interruptions=True)
    if band:
        thin = {"width": 1, "dasharray": "3, 3"}
        chart.add(f"{title} min", [(moment, low) for moment, low, _ in band], stroke_style=thin, allow_interruptions=True)
        chart.add(f"{title} max", [(moment, high) for moment, _, high in band], stroke_style=thin, allow_interruptions=True)
    return chart.render(is_unicode=True)
