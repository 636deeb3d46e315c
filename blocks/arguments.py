"""What a block's arguments may be: each a function that cleans a value or raises ValidationError.

The same functions clean an argument at run time (the tag, the block's data view) and, for the
constants written in a template, at `manage.py check` (blocks/checks.py). The ValidationError's
code decides the check's id: "icon" → blocks.E002, "url_name" → blocks.E003, any other → blocks.E001.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.template import Engine
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

Clean = Callable[[object], object]
# Asset ids as Asset Management has them (32 hex digits), and the odd ids of other sources: no "/", no spaces.
ASSET_ID = re.compile(r"[\w.:-]{1,100}")
NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")  # an aspect's or variable's name


def text(max_length: int = 100) -> Clean:
    def clean(value: object) -> str:
        value = str(value).strip()
        if len(value) > max_length:
            raise ValidationError(_("At most %(max)s characters.") % {"max": max_length}, code="text")
        return value

    return clean


def integer(low: int, high: int) -> Clean:
    def clean(value: object) -> int:
        try:
            number = int(str(value))
        except ValueError:
            raise ValidationError(_("“%(value)s” is not a whole number.") % {"value": value}, code="integer") from None
        if not low <= number <= high:
            raise ValidationError(_("A number from %(low)s to %(high)s.") % {"low": low, "high": high}, code="integer")
        return number

    return clean


def choice(choices: Callable[[], Iterable[str]], code: str = "choice") -> Clean:
    """One of `choices()` (asked at each call, so it follows the code it comes from)."""

    def clean(value: object) -> str:
        known = list(choices())
        if str(value) not in known:
            raise ValidationError(
                _("Unknown value “%(value)s”; choose one of: %(choices)s.")
                % {"value": value, "choices": ", ".join(known)},
                code=code,
            )
        return str(value)

    return clean


def asset_id(value: object) -> str:
    value = str(value).strip()
    if not ASSET_ID.fullmatch(value):
        raise ValidationError(_("“%(value)s” is not an asset id.") % {"value": value}, code="asset")
    return value


def aspect(value: object) -> str:
    value = str(value).strip()
    if not NAME.fullmatch(value):
        raise ValidationError(_("“%(value)s” is not an aspect's name.") % {"value": value}, code="aspect")
    return value


def variable(value: object) -> str:
    """`aspect.variable`, as the asset page's `?variable=`; empty: the asset's first variable."""
    value = str(value).strip()
    property_set, dot, name = value.partition(".")
    if value and not (dot and NAME.fullmatch(property_set) and NAME.fullmatch(name)):
        raise ValidationError(
            _("“%(value)s” is not a variable; write it as aspect.variable, e.g. Environment.temperature.")
            % {"value": value},
            code="variable",
        )
    return value


def icon_names() -> list[str]:
    """The symbols of navigation/icons.html, the menu's icons."""
    source = Engine.get_default().get_template("navigation/icons.html").source
    return sorted(re.findall(r'id="icon-([\w-]+)"', source))


icon = choice(icon_names, code="icon")


def url_name(value: object) -> str:
    """A URL name that resolves without arguments, e.g. "assets:list"."""
    value = str(value)
    try:
        reverse(value)
    except NoReverseMatch:
        raise ValidationError(
            _("The URL name “%(value)s” does not resolve (without arguments).") % {"value": value}, code="url_name"
        ) from None
    return value
