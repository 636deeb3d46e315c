"""Text and controls keep a WCAG AA contrast (4.5:1) on their backgrounds, from the app's own CSS."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[2] / "static" / "css" / "app.css").read_text()
VARIABLES = {
    name: value if len(value) == 7 else "#" + "".join(c * 2 for c in value[1:])  # #fff -> #ffffff
    for name, value in re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b)", CSS)
}


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize(
    ("foreground", "background"),
    [
        ("ink", "bg"), ("ink", "card"), ("muted", "card"), ("muted", "bg"), ("brand", "card"),
        ("brand-ink", "brand"), ("error-ink", "error-bg"), ("ok-ink", "ok-bg"), ("warn-ink", "warn-bg"),
    ],
)
def test_colour_pairs_meet_wcag_aa(foreground, background):
    ratio = contrast(VARIABLES[foreground], VARIABLES[background])
    assert ratio >= 4.5, f"{foreground} on {background}: {ratio:.2f}:1"


def test_the_offline_banner_is_readable():
    assert contrast("#ffffff", "#1b1f24") >= 4.5
