"""System checks for role home pages and menus (ids navigation.E001...; see docs/role-home-pages.md).

The lifecycle include sits in base.html outside every block, so a page that extends base.html
cannot lose it; role home pages must extend base_signed_in.html (the signed-in layout, itself a
child of base.html), which E001 checks by following `{% extends %}`.
"""

from __future__ import annotations

from django.core.checks import Error, Tags, register
from django.template import Engine, Template, TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader_tags import ExtendsNode
from django.urls import NoReverseMatch

from . import homes, menus
from .access import for_everyone_signed_in, page_roles

SIGNED_IN_LAYOUT = "base_signed_in.html"
MAX_DEPTH = 20  # extends levels followed; real pages use two or three


def _parents(template: Template) -> list[str]:
    """The names of the templates that `template` extends, nearest first (stops at a dynamic name)."""
    names: list[str] = []
    history = [template.origin]
    while len(names) < MAX_DEPTH:
        extends = next((node for node in template.nodelist if isinstance(node, ExtendsNode)), None)
        parent = getattr(extends.parent_name, "var", None) if extends else None
        if not isinstance(parent, str):
            return names
        name = parent.strip("\"'")
        # As ExtendsNode.find_template: a template may extend another of the same name (an override).
        template, origin = template.engine.find_template(name, skip=history)
        names.append(name)
        history.append(origin)
    return names


@register(Tags.templates)
def check_role_home_templates(app_configs=None, **kwargs) -> list:
    """E001: a role home page that does not extend base_signed_in.html; E004: one whose template won't load."""
    errors = []
    for home in homes.ROLE_HOMES:
        try:
            parents = _parents(Engine.get_default().get_template(home.template))
        except (TemplateDoesNotExist, TemplateSyntaxError) as exc:
            reason = f"not found: {exc}" if isinstance(exc, TemplateDoesNotExist) else str(exc)
            errors.append(
                Error(
                    f"The home page template '{home.template}' of role '{home.role}' cannot be loaded ({reason}).",
                    hint="Create it (`manage.py startrolehome` writes one) or fix the template syntax.",
                    obj=home.url_name,
                    id="navigation.E004",
                )
            )
            continue
        if SIGNED_IN_LAYOUT not in parents:
            errors.append(
                Error(
                    f"The home page template '{home.template}' of role '{home.role}' does not extend "
                    f"'{SIGNED_IN_LAYOUT}', so it lacks the menu and the lifecycle include that keeps tokens fresh.",
                    hint=f'Start the template with {{% extends "{SIGNED_IN_LAYOUT}" %}}.',
                    obj=home.url_name,
                    id="navigation.E001",
                )
            )
    return errors


@register(Tags.urls)
def check_menu_url_names(app_configs=None, **kwargs) -> list:
    """E002: a menu item whose URL name does not resolve; E005: one whose page declares no roles."""
    return [error for error in map(_menu_item_error, menus.menu()) if error]


def _menu_item_error(item: menus.MenuItem) -> Error | None:
    try:
        roles = page_roles(item.url_name)
    except NoReverseMatch:
        return Error(
            f"The menu item '{item.label}' has the URL name '{item.url_name}', which does not resolve.",
            hint="Add a URL pattern with that name (taking no arguments), or fix the name in navigation/menus.py.",
            obj=item.url_name,
            id="navigation.E002",
        )
    if roles is None and not for_everyone_signed_in(item.url_name):
        return Error(
            f"The page of the menu item '{item.label}' ('{item.url_name}') declares no roles, so nobody sees the item.",
            hint="Guard its view with navigation.access.role_required(...) (or signed_in_required).",
            obj=item.url_name,
            id="navigation.E005",
        )
    return None


@register()
def check_role_homes_are_distinct(app_configs=None, **kwargs) -> list:
    """E003: two role homes with the same role, URL or scope."""
    errors = []
    for attribute in ("slug", "scope"):
        values = [getattr(home, attribute) for home in homes.ROLE_HOMES]
        for value in sorted({value for value in values if values.count(value) > 1}):
            errors.append(
                Error(
                    f"More than one role home in navigation/homes.py has the {attribute} '{value}'.",
                    hint="Each role needs its own name and its own scope.",
                    id="navigation.E003",
                )
            )
    return errors
