"""English formats of times of data (see webapp/formats/__init__.py); the rest are Django's."""

from __future__ import annotations

SHORT_DATETIME_FORMAT = "D j M H:i"  # Tue 1 Dec 14:05
MONTH_DAY_FORMAT = "j M"  # 1 Dec
DATE_FORMAT = "j M Y"  # 1 Dec 2026
