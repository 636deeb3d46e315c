from django.urls import path

from . import views

app_name = "navigation"

urlpatterns = [
    path("", views.home, name="home"),
    path("home/admin/", views.admin_home, name="admin_home"),
    path("home/user/", views.user_home, name="user_home"),
]
