"""Every block of role home pages, registered here and nowhere else.

A block is a function that gives a template its data, the template, the roles that see it and what
its arguments may be. From an entry follow its template tag (`{% block_<name> … %}`, blocks/tags.py),
for a block that calls MindSphere its URL (`/blocks/<name>/`, which htmx loads into the block's
shell), its `manage.py check` of the constants written in templates (blocks/checks.py), its place
in the gallery (`/blocks/`) and its short name for `startrolehome --blocks`. docs/role-home-pages.md
shows how to add one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from assets.app_settings import asset_roles
from assets.forms import DEFAULT_RANGE, RANGES
from navigation.homes import home_roles
from sso.roles import TENANT_ADMIN_ROLE

from . import arguments, data, tags

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

REQUIRED = object()  # an argument without a default must be given


@dataclass(frozen=True)
class Argument:
    name: str
    clean: arguments.Clean  # value → cleaned value, or ValidationError (blocks/arguments.py)
    default: Any = REQUIRED
    example: str = ""  # what the gallery and `startrolehome` write ("" for an asset: the first one found)


@dataclass(frozen=True)
class Block:
    """One block. `data(request, **arguments)` gives `template` its context, or None: nothing to show.

    `region`: the block calls MindSphere, so the tag renders `template` as a shell at once and
    `data` runs in `/blocks/<name>/` (with `request.mindsphere`, the token-checked client), whose
    answer is `region` rendered in the shell's loading region. Without `region`, `data` runs as the
    page renders (a database read, no MindSphere call) and `template` is the whole block.
    """

    name: str
    title: StrOrPromise  # the gallery's heading
    template: str
    data: Callable[..., Mapping[str, Any] | None]
    roles: Callable[[], Iterable[str]] | None = None  # None: everyone signed in (the data may still say None)
    arguments: tuple[Argument, ...] = ()
    positional: int = 0  # how many leading arguments are written without their name
    region: str = ""
    stylesheets: tuple[str, ...] = ()  # static files the block needs, linked once per page
    short: str = ""  # its name for `startrolehome --blocks`; "" = `name`

    @property
    def tag(self) -> str:
        return f"block_{self.name}"

    @property
    def loads(self) -> bool:
        return bool(self.region)

    def clean(self, given: Mapping[str, object]) -> dict[str, Any]:
        """The arguments `data` takes: the given ones cleaned, the others at their defaults; else ValidationError."""
        unknown = set(given) - {argument.name for argument in self.arguments}
        if unknown:
            raise ValidationError(_("Unknown argument “%(name)s”.") % {"name": sorted(unknown)[0]}, code="argument")
        cleaned = {}
        for argument in self.arguments:
            if argument.name in given:
                try:
                    cleaned[argument.name] = argument.clean(given[argument.name])
                except ValidationError as error:
                    raise ValidationError(f"{argument.name}: {error.messages[0]}", code=error.code) from None
            elif argument.default is REQUIRED:
                raise ValidationError(
                    _("The argument “%(name)s” is missing.") % {"name": argument.name}, code="missing"
                )
            else:
                cleaned[argument.name] = argument.default
        return cleaned

    def query(self, cleaned: Mapping[str, Any]) -> str:
        """The query string of `/blocks/<name>/` for these arguments (defaults left out)."""
        given = {
            argument.name: cleaned[argument.name]
            for argument in self.arguments
            if cleaned.get(argument.name) != argument.default
        }
        return urlencode(given)


BLOCKS: dict[str, Block] = {}


def register(block: Block) -> Block:
    """Add a block: its tag `{% block_<name> %}` works in every template that loads `blocks`."""
    if not block.name.isidentifier():
        raise ValueError(f"A block's name is a Python identifier, not {block.name!r}.")
    BLOCKS[block.name] = block
    tags.add(block)
    return block


def by_short_name(short: str) -> Block | None:
    return next((block for block in BLOCKS.values() if (block.short or block.name) == short), None)


ASSETS_CSS = "assets/assets.css"
ASSET = Argument("asset", arguments.asset_id)

register(
    Block(
        "fleet_overview",
        _("Fleet overview"),
        "fleet/_overview.html",
        data.fleet_overview,
        roles=home_roles,
        short="fleet",
    )
)
register(
    Block(
        "asset_list",
        _("Asset list"),
        "blocks/asset_list.html",
        data.asset_list,
        roles=asset_roles,
        arguments=(
            Argument("query", arguments.text(100), default="", example="Pump"),
            Argument("size", arguments.integer(1, 50), default=5, example="5"),
        ),
        region="blocks/_asset_list.html",
        stylesheets=(ASSETS_CSS,),
        short="assets",
    )
)
register(
    Block(
        "latest_values",
        _("Latest values"),
        "blocks/latest_values.html",
        data.latest_values,
        roles=asset_roles,
        arguments=(ASSET, Argument("aspect", arguments.aspect, example="Environment")),
        region="blocks/_latest_values.html",
        stylesheets=(ASSETS_CSS,),
        short="latest",
    )
)
register(
    Block(
        "chart",
        _("Chart"),
        "blocks/chart.html",
        data.chart,
        roles=asset_roles,
        arguments=(
            ASSET,
            Argument("variable", arguments.variable, default="", example="Environment.temperature"),
            Argument("range", arguments.choice(lambda: RANGES), default=DEFAULT_RANGE, example="7d"),
        ),
        region="blocks/_chart.html",
        stylesheets=(ASSETS_CSS, "assets/chart.css"),
    )
)
register(
    Block(
        "export",
        _("CSV export"),
        "blocks/export.html",
        data.export,
        roles=asset_roles,
        arguments=(ASSET,),
        region="blocks/_export.html",
        stylesheets=(ASSETS_CSS,),
    )
)
register(
    Block(
        "link",
        _("Link"),
        "blocks/link.html",
        data.link,
        arguments=(
            Argument("url_name", arguments.url_name, example="assets:list"),
            Argument("title", arguments.text(50), default="", example="Browse your assets"),
            Argument("icon", arguments.icon, default="", example="grid"),
        ),
        positional=1,
        stylesheets=("blocks/blocks.css",),
    )
)
register(
    Block(
        "mapping_summary",
        _("Scopes and roles"),
        "blocks/mapping_summary.html",
        data.mapping_summary,
        roles=lambda: {TENANT_ADMIN_ROLE},
        short="mapping",
    )
)
register(
    Block(
        "people",
        _("People"),
        "blocks/people.html",
        data.people,
        roles=lambda: {TENANT_ADMIN_ROLE},
        arguments=(Argument("size", arguments.integer(1, 50), default=5, example="5"),),
    )
)


def example_line(block: Block, values: Mapping[str, str] | None = None, *, examples: bool = True) -> str:
    """The line that puts `block` on a page, e.g. `{% block_chart asset="…" range="7d" %}`.

    With `values`, and with each other argument's example unless `examples` is False. A title is
    written to be translated (`_("…")`, docs/languages.md).
    """
    values = values or {}
    parts = [block.tag]
    for position, argument in enumerate(block.arguments):
        value = str(values.get(argument.name, argument.example if examples else ""))
        if not value:
            continue
        written = value if isinstance(argument.default, int) else '"' + value.replace('"', "") + '"'
        if argument.name == "title":
            written = f"_({written})"
        parts.append(written if position < block.positional else f"{argument.name}={written}")
    return "{% " + " ".join(parts) + " %}"
