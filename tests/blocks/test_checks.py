"""`manage.py check` judges the constants written in blocks: blocks.E001-E004, with the template and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from blocks import checks


@pytest.fixture
def templates(settings, tmp_path) -> Path:
    """A templates directory of a project at tmp_path (the check reads only the project's own templates)."""
    engine = settings.TEMPLATES[0]
    folder = tmp_path / "templates"
    folder.mkdir()
    settings.TEMPLATES = [{**engine, "DIRS": [folder]}]
    settings.BASE_DIR = tmp_path
    return folder


def errors(folder: Path, source: str) -> list[tuple[str, str]]:
    (folder / "page.html").write_text(
        '{% extends "base_signed_in.html" %}{% load blocks %}\n{% block content %}\n' + source
    )
    return [(error.id, error.msg) for error in checks.check_block_arguments()]


def test_the_projects_templates_pass():
    assert checks.check_block_arguments() == []
    assert any(name.endswith("homes/user.html") for name, _path in checks.project_templates())


@pytest.mark.parametrize(
    ("source", "check_id", "says"),
    [
        (
            '{% block_chart asset="a" range="1y" %}',
            "blocks.E001",
            "range='1y': Unknown value “1y”; choose one of: 24h, 7d, 30d",
        ),
        ("{% block_asset_list size=500 %}", "blocks.E001", "size=500: A number from 1 to 50"),
        ('{% block_chart asset="a" variable="temperature" %}', "blocks.E001", "write it as aspect.variable"),
        ('{% block_link "assets:list" icon="rocket" %}', "blocks.E002", "icon='rocket': Unknown value “rocket”"),
        (
            '{% block_link "assets:lost" title="Lost" %}',
            "blocks.E003",
            "url_name='assets:lost': The URL name “assets:lost” does not resolve",
        ),
        ('{% block_asset_list colour="red" %}', "blocks.E004", "takes no argument 'colour'"),
    ],
)
def test_a_constant_the_block_cannot_use_is_an_error_naming_template_and_line(templates, source, check_id, says):
    found = errors(templates, "\n" + source + "\n{% endblock %}")
    assert len(found) == 1 and found[0][0] == check_id, found
    assert found[0][1].startswith("page.html") and says in found[0][1]
    if check_id != "blocks.E004":
        assert found[0][1].startswith("page.html, line 4:")


def test_values_from_variables_are_left_to_run_time(templates):
    assert (
        errors(templates, "{% block_chart asset=asset range=choice %}{% block_link url icon=icon %}{% endblock %}")
        == []
    )


def test_good_constants_pass(templates):
    source = '{% block_chart asset="abc" variable="Environment.temperature" range="30d" %}{% block_link "assets:list" title=_("Assets") icon="grid" %}{% endblock %}'
    assert errors(templates, source) == []


def test_manage_py_check_fails(templates):
    errors(templates, '{% block_link "assets:list" icon="rocket" %}{% endblock %}')
    with pytest.raises(SystemCheckError, match="blocks.E002"):
        call_command("check")
