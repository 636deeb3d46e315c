"""The asset page read at a glance on a 360 px phone, in English and German (#24 items 4 to 6): the
details' labels above their values and nothing broken mid-word; the variable and range stacked, full
width, each showing its whole value, variables grouped by aspect with readable names and units; the
latest value with unit, time and quality above the chart."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE_WIDTH, assert_fits_phone, screenshot
from tests.browser.test_asset_page import LINE_BREAKS
from tests.browser.test_chart_card import open_asset

# The selected option's text against the room inside its select (padding and the arrow taken off).
TEXT_FITS = """select => {
    const style = getComputedStyle(select);
    const probe = document.createElement("span");
    probe.style.font = style.font;  // a test's own probe, not the app's: the CSP allows script-set styles
    probe.style.position = "absolute"; probe.style.whiteSpace = "nowrap";
    probe.textContent = select.options[select.selectedIndex].text;
    document.body.appendChild(probe);
    const text = probe.getBoundingClientRect().width;
    probe.remove();
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 16;
    return [text, room];
}"""


def assert_nothing_breaks_mid_word(page: Page) -> None:
    for cell in page.locator(".facts dd, .facts dt, table th, table td").all():
        if not cell.is_visible():
            continue
        lines = cell.evaluate(LINE_BREAKS)
        assert not re.search(r"[\w.,/:-]\|[\w.,/:-]", lines), f"broken mid-word: {lines!r}"


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_asset_page_reads_at_a_glance(browser, playwright, app, language):
    page = open_asset(browser, playwright, app, language)
    variable, period = page.locator("#series-variable"), page.locator("#series-range")

    # Item 5: stacked, each the form's whole width, each showing its whole value.
    for select in (variable, period):
        box, form = select.bounding_box(), page.locator(".series-form").bounding_box()
        assert abs(box["width"] - form["width"]) <= 1, f"not full width: {box['width']} of {form['width']}"
    assert period.bounding_box()["y"] >= variable.bounding_box()["y"] + variable.bounding_box()["height"]
    for key in ("24h", "7d", "30d"):
        period.select_option(key)
        text, room = period.evaluate(TEXT_FITS)
        assert text <= room, f"range {key}: text {text}px in {room}px"
    for option in variable.locator("option").all():
        variable.select_option(option.get_attribute("value"))
        text, room = variable.evaluate(TEXT_FITS)
        assert text <= room, f"{option.text_content()}: text {text}px in {room}px"
    groups = variable.locator("optgroup")
    assert groups.evaluate_all("groups => groups.map(g => g.label)") == ["Environment", "Pump data"]
    assert variable.locator("optgroup[label='Environment'] option").all_text_contents() == [
        "Temperature (°C)",
        "Humidity (%)",
    ]
    expect(page.locator("figcaption")).to_contain_text("PumpData.")  # the last choice is charted

    # The export form's "Data" too: the options name the data, the hint below says what each holds.
    data = page.locator("#id_property_set")
    assert abs(data.bounding_box()["width"] - page.locator("#export-form").bounding_box()["width"]) <= 1
    for option in data.locator("option").all():
        data.select_option(option.get_attribute("value"))
        text, room = data.evaluate(TEXT_FITS)
        assert text <= room, f"{option.text_content()}: text {text}px in {room}px"
    assert data.locator("option").all_text_contents() == ["Environment", "Pump data"]
    hint = page.locator("#id_property_set_helptext")
    expect(hint).to_contain_text("Environment: Temperature, Humidity.")
    assert data.get_attribute("aria-describedby") == "id_property_set_helptext"

    # Item 6: the latest value with its unit, time and quality, above the chart.
    latest = page.locator("#latest-value")
    expect(latest).to_be_visible()
    expect(latest.locator(".latest-number")).to_have_text(re.compile(r"^-?\d[\d.,]* \S+$"))
    expect(latest.locator("time")).to_be_visible()
    expect(latest.locator(".quality")).to_have_text(
        re.compile(r"quality$") if language == "en" else re.compile(r"Qualität$")
    )
    assert latest.bounding_box()["y"] < page.locator(".chart-svg").bounding_box()["y"]
    # Item 7: the reader's numbers and dates, in the latest value, the caption and the chart's axis.
    if language == "de":
        expect(latest.locator(".latest-number")).to_have_text(re.compile(r"^-?\d+,\d{3} "))
        expect(page.locator("figcaption")).to_contain_text(re.compile(r"(Mo|Di|Mi|Do|Fr|Sa|So)\., \d{1,2}\. \w+"))
        y_labels = page.locator(".pygal-chart .axis.y text").all_text_contents()
        assert all("." not in label for label in y_labels), y_labels
    else:
        expect(latest.locator(".latest-number")).to_have_text(re.compile(r"^-?\d+\.\d{3} "))

    # Item 4: the details' labels above their values, nothing broken mid-way, in the table neither.
    page.get_by_text("Details").click()
    label, value = page.locator(".facts dt").first, page.locator(".facts dd").first
    assert value.bounding_box()["y"] >= label.bounding_box()["y"] + label.bounding_box()["height"] - 1
    assert value.bounding_box()["width"] > PHONE_WIDTH / 2
    expect(value).to_have_text(re.compile(r"^ACME-PUM-001$"))
    assert_fits_phone(page)
    screenshot(page, f"asset-glance-360-{language}")
    page.locator(".chart-table summary").click()
    assert_nothing_breaks_mid_word(page)
    assert_fits_phone(page)
    page.context.close()


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_admin_homes_table_keeps_words_whole(browser, playwright, app, language):
    from tests.browser.test_asset_page import phone_context

    context = phone_context(browser, playwright, locale="de-DE" if language == "de" else "en-GB")
    page = context.new_page()
    page.goto(app.url("/"))
    page.get_by_label("Tenant").fill("acme")
    page.get_by_role("button", name="Sign in" if language == "en" else "Anmelden").click()
    page.get_by_label("Email").fill("admin@acme.example")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/home/admin/$"))
    page.wait_for_load_state("networkidle")
    assert_nothing_breaks_mid_word(page)
    assert_fits_phone(page)
    context.close()
