"""`{% load blocks %}`: one tag per block of blocks/catalogue.py, e.g. `{% block_asset_list query="Pump" %}`."""

from __future__ import annotations

from blocks import catalogue  # noqa: F401  (registers the blocks' tags in the library)
from blocks.tags import library as register

__all__ = ["register"]
