"""The Mendix template's roles: groups Admin and User, scopes admin -> Admin and user -> User.

The Admin group may edit the scope-to-role mapping in the Django admin, and nothing else.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MAPPINGS = {"admin": "Admin", "user": "User"}
ADMIN_PERMISSIONS = [
    "view_scoperolemapping",
    "add_scoperolemapping",
    "change_scoperolemapping",
    "delete_scoperolemapping",
]


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; make sso's now so they can be granted.
    app_config = apps.get_app_config("sso")
    app_config.models_module = True  # the migration state's app stub lacks it; create_permissions checks it
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ScopeRoleMapping = apps.get_model("sso", "ScopeRoleMapping")
    for scope, name in MAPPINGS.items():
        group, _ = Group.objects.get_or_create(name=name)
        ScopeRoleMapping.objects.get_or_create(scope=scope, defaults={"group": group})
    admin = Group.objects.get(name="Admin")
    admin.permissions.add(*Permission.objects.filter(content_type__app_label="sso", codename__in=ADMIN_PERMISSIONS))


def remove_roles(apps, schema_editor):
    apps.get_model("sso", "ScopeRoleMapping").objects.filter(scope__in=MAPPINGS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sso", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
