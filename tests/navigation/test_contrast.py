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
        ("ink", "bg"),
        ("ink", "card"),
        ("muted", "card"),
        ("muted", "bg"),
        ("brand", "card"),
        ("brand-ink", "brand"),
        ("error-ink", "error-bg"),
        ("ok-ink", "ok-bg"),
        ("warn-ink", "warn-bg"),
    ],
)
def test_colour_pairs_meet_wcag_aa(foreground, background):
    ratio = contrast(VARIABLES[foreground], VARIABLES[background])
    assert ratio >= 4.5, f"{foreground} on {background}: {ratio:.2f}:1"


# --- the offline banner, read from its rule in the CSS ------------------------------------------------

RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
DECLARATION = re.compile(r"([\w-]+)\s*:\s*([^;]+)")
VAR = re.compile(r"var\(\s*--([\w-]+)\s*(?:,\s*([^)]+))?\)")
COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|rgba?\([^)]*\)|\b(?:white|black)\b")
NAMED = {"white": "#ffffff", "black": "#000000"}


def rules(css: str) -> list[tuple[list[str], dict[str, str]]]:
    """(selectors, declarations) of every rule, in source order (rules inside @media included)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = []
    for selectors, body in RULE.findall(css):
        declarations = {name.lower(): value.strip() for name, value in DECLARATION.findall(body)}
        found.append(([selector.strip() for selector in selectors.split(",")], declarations))
    return found


def custom_properties(css: str) -> dict[str, str]:
    properties: dict[str, str] = {}
    for selectors, declarations in rules(css):
        if ":root" in selectors:
            properties.update({name[2:]: value for name, value in declarations.items() if name.startswith("--")})
    return properties


def resolve(value: str, properties: dict[str, str], depth: int = 0) -> str:
    """A value with every var(--x[, fallback]) replaced by --x of :root (or the fallback)."""
    assert depth < 10, f"var() loop in {value!r}"

    def substitute(match: re.Match) -> str:
        name, fallback = match.groups()
        assert name in properties or fallback, f"--{name} is not defined in :root"
        return resolve(properties.get(name, fallback or ""), properties, depth + 1)

    return VAR.sub(substitute, value)


def as_hex(value: str) -> str:
    """The first colour in a (resolved) value as #rrggbb: hex, rgb()/rgba() (opaque) or white/black."""
    match = COLOUR.search(value)
    assert match, f"no colour this test can read in {value!r}"
    colour = match.group(0).lower()
    if colour in NAMED:
        return NAMED[colour]
    if colour.startswith("rgb"):
        parts = re.split(r"[\s,/]+", colour[colour.index("(") + 1 : -1].strip())
        assert len(parts) == 3 or parts[3] in ("1", "100%"), f"a translucent colour: {colour}"
        channels = [float(part.rstrip("%")) * (2.55 if part.endswith("%") else 1) for part in parts[:3]]
        return "#" + "".join(f"{round(channel):02x}" for channel in channels)
    return colour if len(colour) == 7 else "#" + "".join(c * 2 for c in colour[1:])


def banner_colours(css: str, class_name: str = "notice-offline") -> tuple[str, str]:
    """(text, background) of `.notice .{class_name}`: the cascade of the two rules, later winning."""
    properties = custom_properties(css)
    applied: dict[str, str] = {}
    for selectors, declarations in rules(css):
        if f".{class_name}" in selectors or ".notice" in selectors:
            for name in ("color", "background", "background-color"):
                if name in declarations:
                    applied["background" if name.startswith("background") else name] = declarations[name]
    assert "color" in applied and "background" in applied, f".{class_name} sets no color or background: {applied}"
    return as_hex(resolve(applied["color"], properties)), as_hex(resolve(applied["background"], properties))


@pytest.mark.parametrize("class_name", ["notice-offline", "notice-unavailable"])
def test_the_offline_banner_is_readable(class_name):
    text, background = banner_colours(CSS, class_name)
    ratio = contrast(text, background)
    assert ratio >= 4.5, f".{class_name}: {text} on {background} is {ratio:.2f}:1"


@pytest.mark.parametrize(
    ("css", "readable"),
    [
        (".notice-offline { background: #1b1f24; color: #fff; }", True),
        (".notice-offline { background: #777; color: #fff; }", False),
        (":root { --dim: #999; --bg: #fff; } .notice-offline { background: var(--bg); color: var(--dim); }", False),
        (":root { --a: var(--b); --b: #000; } .notice-offline { background-color: white; color: var(--a); }", True),
        (".notice-offline { background: rgb(40 40 40) url(x.png); color: var(--missing, #333); }", False),
        (".notice { color: #111; } .notice-offline { background: #fff; }", True),
        (".notice-offline { background: #fff; color: #eee; } /* .notice-offline { color: #000 } */", False),
    ],
)
def test_the_banner_check_reads_what_the_css_says(css, readable):
    # The check above must follow edits to the CSS, including ones that make the banner unreadable.
    assert (contrast(*banner_colours(css)) >= 4.5) is readable


# --- the keyboard focus ring, read from the :focus-visible rule ---------------------------------------


def focus_ring(css: str) -> tuple[str, str]:
    """(outline colour, halo colour) of the `:focus-visible` rule: the outline and the box-shadow."""
    properties = custom_properties(css)
    applied: dict[str, str] = {}
    for selectors, declarations in rules(css):
        if ":focus-visible" in selectors:
            applied.update(
                {
                    name: declarations[name]
                    for name in ("outline", "outline-color", "box-shadow")
                    if name in declarations
                }
            )
    assert "outline" in applied or "outline-color" in applied, (
        "no :focus-visible outline: keyboard focus would be invisible"
    )
    assert "box-shadow" in applied, ":focus-visible has no halo"
    outline = as_hex(resolve(applied.get("outline-color", applied.get("outline", "")), properties))
    return outline, as_hex(resolve(applied["box-shadow"], properties))


@pytest.mark.parametrize("background", ["bg", "card", "brand"])
def test_the_focus_ring_shows_on_every_background(background):
    # WCAG 1.4.11: a focus indicator needs 3:1 against what is next to it; one of the ring's two
    # colours (the outline, or the halo between it and the control) must have it on each background.
    outline, halo = focus_ring(CSS)
    colour = as_hex(resolve(f"var(--{background})", custom_properties(CSS)))
    best = max(contrast(outline, colour), contrast(halo, colour))
    assert best >= 3, f"focus ring ({outline} on {halo}) on --{background} {colour}: {best:.2f}:1"
    assert contrast(outline, halo) >= 3  # the two rings tell apart from each other


@pytest.mark.parametrize(
    ("css", "visible"),
    [
        (":root { --bg: #fff; } :focus-visible { outline: 3px solid #f0a500; box-shadow: 0 0 0 2px #fff; }", False),
        (":root { --bg: #fff; } :focus-visible { outline: 3px solid #1b1f24; box-shadow: 0 0 0 2px #fff; }", True),
    ],
)
def test_the_focus_check_reads_what_the_css_says(css, visible):
    outline, halo = focus_ring(css)
    assert (max(contrast(outline, "#ffffff"), contrast(halo, "#ffffff")) >= 3) is visible
