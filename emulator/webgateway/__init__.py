"""The emulated MindSphere gateway for web apps: the second entrance, through the Launchpad.

Its own server process (`python -m emulator gateway`, settings `emulator.gateway_settings`) on
GATEWAY_PORT. It signs people in at the emulator's sign-in service as an OAuth client of its own,
keeps their tokens server-side behind its session cookies, and forwards every other request to the
app with `Authorization: Bearer <access token>`, as MindSphere's gateway does (docs/emulator.md).
"""
