"""The template tags of the blocks, one per block: `{% block_<name> positional… name=value… %}`.

blocks/catalogue.py's `register` adds a block's tag to `library`, which `{% load blocks %}` loads
(blocks/templatetags/blocks.py). An argument the block does not take is a TemplateSyntaxError when
the template is loaded; the values are cleaned when the block renders (and, for constants, at
`manage.py check`: blocks/checks.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template
from django.template.base import FilterExpression, Parser, Token, token_kwargs

if TYPE_CHECKING:
    from .catalogue import Block

library = template.Library()


class BlockTagNode(template.Node):
    """A block in a template: its name and its arguments as written (constants or variables)."""

    def __init__(self, block: str, values: dict[str, FilterExpression]) -> None:
        self.block = block
        self.values = values

    def render(self, context: template.Context) -> str:
        from . import rendering  # the catalogue imports this module

        given = {name: value.resolve(context) for name, value in self.values.items()}
        return rendering.render_block(context, self.block, given)

    def constants(self) -> dict[str, object]:
        """The arguments written as constants (no variable, no filter): what `check` can judge."""
        found = {}
        for name, value in self.values.items():
            literal = value.var if isinstance(value.var, str) else getattr(value.var, "literal", None)
            if literal is not None and not value.filters:
                found[name] = literal
        return found


def add(block: Block) -> None:
    """Register `{% block_<name> %}` for `block` in the library."""

    def compile_tag(parser: Parser, token: Token) -> BlockTagNode:
        return BlockTagNode(block.name, _values(block, parser, token))

    library.tag(block.tag, compile_tag)


def _values(block: Block, parser: Parser, token: Token) -> dict[str, FilterExpression]:
    bits = token.split_contents()[1:]
    names = [argument.name for argument in block.arguments]
    values: dict[str, FilterExpression] = {}
    positional = 0
    for bit in bits:
        keyword = token_kwargs([bit], parser)
        if keyword:
            name, value = next(iter(keyword.items()))
            if name not in names:
                raise template.TemplateSyntaxError(
                    f"{{% {block.tag} %}} takes no argument {name!r}; it takes: {', '.join(names) or 'none'}."
                )
            if name in values:
                raise template.TemplateSyntaxError(f"{{% {block.tag} %}} got {name!r} twice.")
            values[name] = value
        elif values or positional >= block.positional:
            raise template.TemplateSyntaxError(
                f"{{% {block.tag} %}}: write {bit!r} as name=value"
                + (f" (only the first {block.positional} may go without a name)" if block.positional else "")
                + "."
            )
        else:
            values[names[positional]] = parser.compile_filter(bit)
            positional += 1
    return values
