from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import get_language

from .menus import active_url_name, items_for


def menu(request: HttpRequest) -> dict:
    """`menu_items` for the signed-in layout: the person's items, with the current one marked."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"menu_items": [], "menu_key": f"{get_language()}:"}
    active = active_url_name(request) or ""
    items = [(item, item.is_current(active)) for item in items_for(request.user)]
    # The rendered menu is the same for everyone with these items, this one current, this language.
    key = ",".join(f"{item.url_name}{'*' if current else ''}" for item, current in items)
    return {"menu_items": items, "menu_key": f"{get_language()}:{key}"}
