"""A local stand-in for MindSphere's sign-in (PIAM) and API gateway.

It is its own Django project (settings, URLconf, database) and runs as its own server;
the app reaches it only over HTTP. Run it with ``python -m emulator runserver 127.0.0.1:8001``.
"""
