"""One gateway client with every API the app calls: Asset Management, IoT Time Series, Aggregates.

    client = MindSphereClient(FixedToken(token), "acme")     # or sso.tokens.api_client(record)
    client = MindSphereClient(TechnicalTokens("acme"), "acme")  # the app's own (mindsphere.technical)
    client.assets_page(size=10)["page"]["totalElements"]

Each API is its own module (a Gateway subclass); docs/assets.md lists the methods.
"""

from __future__ import annotations

from .aggregates import Aggregates
from .assetmanagement import AssetManagement
from .timeseries import TimeSeries


class MindSphereClient(AssetManagement, TimeSeries, Aggregates):
    """Calls the tenant's gateway with the token of its token source (see mindsphere.gateway.Gateway)."""
