"""docs/role-home-pages.md's "Your own block", run as it stands: its code and templates, registered, rendered, loaded live."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template import RequestContext, Template
from django.utils.translation import gettext_lazy

from assets.app_settings import asset_roles
from blocks import arguments, catalogue
from blocks.tags import library

DOC = Path(__file__).resolve().parents[2] / "docs" / "role-home-pages.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def example() -> list[tuple[str, str]]:
    """(language, code) of each fenced block of the section "Your own block"."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("### Your own block") :]
    section = section[: section.index("\n## ")]
    return FENCE.findall(section)


@pytest.fixture
def own_block(settings, tmp_path):
    """The example's templates in a templates folder, its function and its entry run as the docs have them."""
    code = example()
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]
    for language, source in code:
        if language == "django":
            path = re.match(r"\{# blocks/templates/(\S+) #\}\n", source).group(1)
            (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / path).write_text(source)
    function, entry = [source for language, source in code if language == "python"]
    assert function.startswith("# blocks/data.py") and entry.startswith("# blocks/catalogue.py")
    module: dict = {}
    exec(function, module)  # noqa: S102  (the docs' own code)
    names = {
        "register": catalogue.register,
        "Block": catalogue.Block,
        "Argument": catalogue.Argument,
        "arguments": arguments,
        "asset_roles": asset_roles,
        "data": SimpleNamespace(asset_count=module["asset_count"]),
        "_": gettext_lazy,
    }
    exec(entry, names)  # noqa: S102
    yield catalogue.BLOCKS["asset_count"]
    del catalogue.BLOCKS["asset_count"]
    del library.tags["block_asset_count"]


def test_the_docs_have_the_example():
    assert [language for language, _code in example()] == ["python", "django", "django", "python"]


def test_the_example_block_renders_its_shell_for_people_with_its_roles(own_block, rf, db):
    from tests.people import make_person

    request = rf.get("/")
    request.user = make_person("acme", "user")
    html = Template('{% load blocks %}{% block_asset_count name_contains="Pump" %}').render(RequestContext(request))
    assert 'hx-get="/blocks/asset_count/?name_contains=Pump"' in html and "<h2" in html
    request.user = make_person("acme", "norole")
    assert Template("{% load blocks %}{% block_asset_count %}").render(RequestContext(request)).strip() == ""


def test_the_example_blocks_region_loads_from_mindsphere(own_block, app):
    browser = app.sign_in("acme", "user@acme.example").browser
    headers = {"HX-Request": "true", "HX-Target": "block-asset-count-1-data"}
    answer = browser.get(app.url("/blocks/asset_count/?name_contains=Pump"), headers=headers, timeout=30)
    assert answer.status_code == 200 and answer.text.lstrip().startswith('<div id="block-asset-count-1-data"')
    assert ">10 assets</p>" in answer.text  # acme's pumps: 01, 04, … 28
