from __future__ import annotations

from django.urls import path

from . import views
from .homes import ROLE_HOMES

app_name = "navigation"

urlpatterns = [
    path("", views.home, name="home"),
    # One URL per role home (navigation/homes.py): /home/<slug>/, named <slug>_home.
    *[path(home.path, views.role_home(home), name=f"{home.slug}_home") for home in ROLE_HOMES],
    path("account/", views.account, name="account"),
    path("account/language/", views.change_language, name="account_language"),
    path("account/sign-out-everywhere/", views.sign_out_everywhere, name="account_sign_out_everywhere"),
]
