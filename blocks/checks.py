"""System checks of the blocks written in templates (ids blocks.E001...; see docs/role-home-pages.md).

Every template of the project (its templates/ folder and its apps', not those of installed
libraries) that uses a block is loaded, and each constant argument of each block is cleaned as the
block would clean it: a value it cannot use fails `manage.py check`, naming the template and line,
rather than in front of a person. Values from variables are known only at run time: the block says
then, in its own place, what it cannot show.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import cast

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ValidationError
from django.template import Engine, TemplateSyntaxError, engines

from .catalogue import BLOCKS
from .tags import BlockTagNode

# The check's id by the ValidationError's code (blocks/arguments.py).
IDS = {"icon": "blocks.E002", "url_name": "blocks.E003"}
HINTS = {
    "blocks.E001": "Use a value the block takes (the gallery at /blocks/ and docs/role-home-pages.md list them).",
    "blocks.E002": "Use a symbol of navigation/icons.html.",
    "blocks.E003": "Use a URL name that resolves without arguments, e.g. 'assets:list'.",
    "blocks.E004": "Write the block's arguments as the gallery at /blocks/ shows them.",
}
MARK = "{% block_"  # a template without it has no block (Django's own {% block %} has no underscore)


def project_templates() -> Iterator[tuple[str, Path]]:
    """(name, path) of each template of the project that mentions a block."""
    engine = engines["django"]
    root = Path(settings.BASE_DIR).resolve()
    for folder in map(Path, engine.template_dirs):
        folder = folder.resolve()
        if not folder.is_relative_to(root) or any(part.startswith(".") for part in folder.relative_to(root).parts):
            continue  # an installed library's templates (.venv) are not ours to check
        for path in sorted(folder.rglob("*.html")):
            if MARK in path.read_text(encoding="utf-8", errors="replace"):
                yield path.relative_to(folder).as_posix(), path


@register(Tags.templates)
def check_block_arguments(app_configs=None, **kwargs) -> list[Error]:
    """E001: a constant a block cannot use; E002: an unknown icon; E003: a URL name that does not resolve;
    E004: a template whose blocks cannot be read (an argument the block does not take)."""
    errors: list[Error] = []
    engine = Engine.get_default()
    for name, path in project_templates():
        try:
            template = engine.from_string(path.read_text(encoding="utf-8"))
        except TemplateSyntaxError as error:
            if "block_" in str(error):
                errors.append(_error("blocks.E004", f"{name}: {error}", path))
            continue  # other syntax errors are the template checks' to report
        for node in cast(list[BlockTagNode], template.nodelist.get_nodes_by_type(BlockTagNode)):
            errors.extend(_node_errors(name, path, node))
    return errors


def _node_errors(name: str, path: Path, node: BlockTagNode) -> Iterator[Error]:
    block = BLOCKS[node.block]
    line = node.token.lineno if node.token is not None else "?"
    by_name = {argument.name: argument for argument in block.arguments}
    for argument_name, value in node.constants().items():
        try:
            by_name[argument_name].clean(value)
        except ValidationError as error:
            check_id = IDS.get(str(error.code), "blocks.E001")
            message = f"{name}, line {line}: {{% {block.tag} %}} {argument_name}={value!r}: {error.messages[0]}"
            yield _error(check_id, message, path)


def _error(check_id: str, message: str, path: Path) -> Error:
    return Error(message, hint=HINTS[check_id], obj=str(path), id=check_id)
