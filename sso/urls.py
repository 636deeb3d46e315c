from django.urls import path

from . import signin, views

app_name = "sso"

urlpatterns = [
    path("session/", views.session_check, name="session"),
    path("logout/", views.logout, name="logout"),
    path("logout/everywhere/", views.logout_everywhere, name="logout_everywhere"),
]

# allauth reverses `{provider.id}_login` and `{provider.id}_callback` without a namespace.
provider_urlpatterns = [
    path("mindsphere/login/", views.login_start, name="mindsphere_login"),
    path("mindsphere/login/callback/", signin.oauth2_callback, name="mindsphere_callback"),
]
