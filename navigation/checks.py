"""System checks for role home pages and menus (ids navigation.E001...; see docs/role-home-pages.md).

E001 loads each role home template with Django's template engine and follows what rendering would
follow: `{% extends %}` parents, `{% block %}` overrides (a child's block replaces the parent's
unless it renders `{{ block.super }}`) and `{% include %}` with constant names. Includes inside
`{% if %}` or `{% for %}` count, as their conditions can't be known without a request.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.checks import Error, Tags, register
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.template import Context, Template, TemplateDoesNotExist, TemplateSyntaxError
from django.template.base import Node, NodeList, Variable, VariableNode
from django.template.loader import get_template
from django.template.loader_tags import BlockNode, ExtendsNode, IncludeNode
from django.urls import NoReverseMatch, reverse

from . import menus, registry

LIFECYCLE_TEMPLATE = "sso/lifecycle.html"
MAX_DEPTH = 20  # include and extends levels followed; real pages use a handful


class UnloadableTemplate(Exception):
    """A template that a role home page extends or includes can't be loaded."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


@dataclass
class _Search:
    """What a walk over one page found: the target include, and names it could not follow."""

    target: str
    dynamic: list[str] = field(default_factory=list)


def _constant(expression) -> str | None:
    """The template name of an `{% extends %}`/`{% include %}` argument if it is a string literal."""
    if isinstance(expression.var, str):
        value = expression.resolve(Context())
        return value if isinstance(value, str) and value else None
    return None


def _is_block_super(node: Node) -> bool:
    return (
        isinstance(node, VariableNode)
        and isinstance(node.filter_expression.var, Variable)
        and node.filter_expression.var.lookups == ("block", "super")
    )


def _inheritance_chain(template: Template, search: _Search) -> list[Template] | None:
    """The template and its `{% extends %}` ancestors, most derived first (None: a parent is dynamic)."""
    chain = [template]
    history = [template.origin]
    while len(chain) <= MAX_DEPTH:
        extends = next((node for node in chain[-1].nodelist if isinstance(node, ExtendsNode)), None)
        if extends is None:
            return chain
        name = _constant(extends.parent_name)
        if name is None:
            search.dynamic.append(extends.parent_name.token)
            return None
        try:
            # As ExtendsNode.find_template: skip templates already in the chain, so a template may
            # extend another of the same name (an override of an app's template).
            parent, origin = template.engine.find_template(name, skip=history)
        except TemplateDoesNotExist as exc:
            raise UnloadableTemplate(name, f"extended by {chain[-1].origin.template_name} but not found") from exc
        except TemplateSyntaxError as exc:
            raise UnloadableTemplate(name, f"template syntax error: {exc}") from exc
        history.append(origin)
        chain.append(parent)
    raise UnloadableTemplate(template.origin.template_name, f"more than {MAX_DEPTH} levels of extends")


def _blocks(chain: list[Template]) -> dict[str, list[BlockNode]]:
    """Per block name, its definitions most derived first: index 0 renders, index i+1 is block.super."""
    blocks: dict[str, list[BlockNode]] = {}
    for template in chain:
        for block in template.nodelist.get_nodes_by_type(BlockNode):
            blocks.setdefault(block.name, []).append(block)
    return blocks


def _child_nodelists(node: Node) -> Iterator[NodeList]:
    for attr in node.child_nodelists:
        nodelist = getattr(node, attr, None)
        if nodelist:
            yield nodelist


def carries(template: Template, search: _Search, depth: int = 0) -> bool:
    """Whether rendering `template` renders the include `search.target`."""
    if depth > MAX_DEPTH:
        raise UnloadableTemplate(template.origin.template_name, f"more than {MAX_DEPTH} levels of includes")
    chain = _inheritance_chain(template, search)
    if chain is None:
        return False
    blocks = _blocks(chain)

    def walk(nodelist: NodeList, block: tuple[str, int] | None) -> bool:
        for node in nodelist:
            if isinstance(node, BlockNode):
                definitions = blocks.get(node.name, [node])
                if walk(definitions[0].nodelist, (node.name, 0)):
                    return True
            elif _is_block_super(node):
                if block is not None:
                    name, level = block
                    if level + 1 < len(blocks[name]) and walk(blocks[name][level + 1].nodelist, (name, level + 1)):
                        return True
            elif isinstance(node, IncludeNode):
                if _include_carries(node, template, search, depth):
                    return True
            else:
                if any(walk(child, block) for child in _child_nodelists(node)):
                    return True
        return False

    # Rendering starts at the root of the chain; its blocks render the most derived definitions.
    return walk(chain[-1].nodelist, None)


def _include_carries(node: IncludeNode, including: Template, search: _Search, depth: int) -> bool:
    name = _constant(node.template)
    if name is None:
        search.dynamic.append(node.template.token)
        return False
    if name == search.target:
        return True
    try:
        included = including.engine.get_template(name)
    except TemplateDoesNotExist as exc:
        raise UnloadableTemplate(name, f"included by {node.origin.template_name} but not found") from exc
    except TemplateSyntaxError as exc:
        raise UnloadableTemplate(name, f"template syntax error: {exc}") from exc
    # An included template renders on its own: its extends and blocks are its own.
    return carries(included, search, depth + 1)


def _load(name: str) -> Template:
    return get_template(name).template


@register(Tags.templates)
def check_role_home_templates(app_configs=None, **kwargs) -> list:
    """E001: a role home page without the lifecycle include; E004: one whose template won't load."""
    errors = []
    for home in registry.ROLE_HOMES:
        try:
            search = _Search(LIFECYCLE_TEMPLATE)
            if carries(_load(home.template), search):
                continue
        except TemplateDoesNotExist:
            errors.append(
                Error(
                    f"The home page template '{home.template}' of role '{home.role}' cannot be loaded: not found.",
                    hint="Create it (it should extend base_signed_in.html) or fix the template name in the registry.",
                    obj=home.url_name,
                    id="navigation.E004",
                )
            )
            continue
        except TemplateSyntaxError as exc:
            errors.append(
                Error(
                    f"The home page template '{home.template}' of role '{home.role}' cannot be loaded: {exc}",
                    hint="Fix the template syntax.",
                    obj=home.url_name,
                    id="navigation.E004",
                )
            )
            continue
        except UnloadableTemplate as exc:
            errors.append(
                Error(
                    f"The home page template '{home.template}' of role '{home.role}' cannot be loaded: "
                    f"template '{exc.name}' {exc.reason}.",
                    hint="Create the missing template or fix its name.",
                    obj=home.url_name,
                    id="navigation.E004",
                )
            )
            continue
        message = (
            f"The home page template '{home.template}' of role '{home.role}' does not carry the lifecycle "
            f"include ('{LIFECYCLE_TEMPLATE}'), so tokens of people on it would not be checked or refreshed."
        )
        if search.dynamic:
            message += f" Template names given by a variable cannot be followed: {', '.join(search.dynamic)}."
        errors.append(
            Error(
                message,
                hint=(
                    "Extend 'base_signed_in.html'; if the page overrides the 'after_main' block, render "
                    "{{ block.super }} in it. Or add {% include \"sso/lifecycle.html\" %} to the page."
                ),
                obj=home.url_name,
                id="navigation.E001",
            )
        )
    return errors


def _unresolvable(url_name: str) -> bool:
    try:
        reverse(url_name)
    except NoReverseMatch:
        return True
    return False


@register(Tags.urls)
def check_url_names(app_configs=None, **kwargs) -> list:
    """E002: a menu item or role home whose URL name does not resolve."""
    errors = []
    for home in registry.ROLE_HOMES:
        if _unresolvable(home.url_name):
            errors.append(
                Error(
                    f"The home page of role '{home.role}' has the URL name '{home.url_name}', which does not resolve.",
                    hint="Add a URL pattern with that name (taking no arguments) to navigation/urls.py, "
                    "or fix the name in navigation/registry.py.",
                    obj=home.url_name,
                    id="navigation.E002",
                )
            )
    for item in menus.MENU:
        if _unresolvable(item.url_name):
            errors.append(
                Error(
                    f"The menu item '{item.label}' has the URL name '{item.url_name}', which does not resolve.",
                    hint="Add a URL pattern with that name (taking no arguments), or fix the name in navigation/menus.py.",
                    obj=item.url_name,
                    id="navigation.E002",
                )
            )
    return errors


def _roles() -> dict[str, str]:
    """Every role the navigation names, with where it is named first."""
    roles: dict[str, str] = {}
    for home in registry.ROLE_HOMES:
        roles.setdefault(home.role, f"the role home page '{home.url_name}'")
    for item in menus.MENU:
        for role in sorted(item.roles):
            roles.setdefault(role, f"the menu item '{item.label}'")
    return roles


def _fully_migrated(alias: str) -> bool:
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


@register(Tags.database)
def check_role_groups(app_configs=None, databases=None, **kwargs) -> list:
    """E003: a role of the registry or the menus without a Django group (needs `--database`).

    `migrate` runs this before migrating: while migrations are pending it reports nothing, as the
    data migrations that create the groups may be among them.
    """
    if not databases:
        return []
    errors = []
    roles = _roles()
    for alias in databases:
        if not _fully_migrated(alias):
            continue
        existing = set(Group.objects.using(alias).filter(name__in=roles).values_list("name", flat=True))
        for role, where in roles.items():
            if role not in existing:
                errors.append(
                    Error(
                        f"The role '{role}' of {where} has no Django group in database '{alias}'.",
                        hint="Add a data migration that creates the group and the scope that grants it "
                        "(`manage.py startrolehome` writes one), then run `manage.py migrate`.",
                        obj=role,
                        id="navigation.E003",
                    )
                )
    return errors
