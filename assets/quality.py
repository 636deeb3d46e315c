"""Quality codes of IoT Time Series records (`{variable}_qc`): OPC UA status codes.

The two top bits of a status code are its severity (OPC UA Part 4, "StatusCode"): 00 good,
01 uncertain, 10 bad (11 is reserved, and counted as bad here). A record without a code is good.
"""

from __future__ import annotations

GOOD, UNCERTAIN, BAD = "good", "uncertain", "bad"


def severity(code: object) -> str:
    """GOOD, UNCERTAIN or BAD for a `_qc` value; anything that is not a whole number counts as good."""
    if isinstance(code, bool) or not isinstance(code, int):
        return GOOD
    return (GOOD, UNCERTAIN, BAD, BAD)[(code >> 30) & 3]
