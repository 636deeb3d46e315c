from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Each test starts in English: a German request of another test leaves its language active in the thread."""
    with translation.override("en"):
        yield
