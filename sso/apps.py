from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = "MindSphere sign-in"
