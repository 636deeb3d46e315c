"""German formats of times of data (see webapp/formats/__init__.py); the rest are Django's.

"N" is Django's abbreviated month with its dot where German abbreviates ("Dez.", but "Mai").
"""

from __future__ import annotations

SHORT_DATETIME_FORMAT = "D., j. N H:i"  # Di., 1. Dez. 14:05
MONTH_DAY_FORMAT = "j. N"  # 1. Dez.
DATE_FORMAT = "j. N Y"  # 1. Dez. 2026
