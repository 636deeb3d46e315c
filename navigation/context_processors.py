from django.http import HttpRequest

from .menus import active_url_name, items_for


def menu(request: HttpRequest) -> dict:
    """`menu_items` for the signed-in layout: the person's items, with the current one marked."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"menu_items": []}
    active = active_url_name(request) or ""
    return {
        "menu_items": [
            (item, item.url_name == active or bool(item.section and active.startswith(item.section)))
            for item in items_for(request.user)
        ]
    }
