"""MindSphere's APIs through its gateway, for whoever holds a token: no sign-in, no sessions.

`api.MindSphereClient` calls Asset Management, IoT Time Series and its Aggregates with the token
a `gateway.TokenSource` gives it (a signed-in person's: sso.tokens.api_client; a fixed one:
`gateway.FixedToken`; the app's own, with no person signed in: `technical.TechnicalTokens`). The
package imports Django and libraries only, never the project's apps (.importlinter);
docs/architecture.md shows where it sits.
"""
