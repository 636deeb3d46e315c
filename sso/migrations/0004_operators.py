"""Django admin is for the app's operators only (docs/tenancy.md).

Creates the group *Operators* with the permissions operators need; takes the mapping permissions
away from the Admin role (tenant admins use /manage/roles/ now) and staff status from everyone who
signed in through MindSphere and is not a superuser. The next sign-in or refresh makes the admins
of MINDSPHERE_OPERATOR_TENANTS staff and Operators again.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OPERATORS = "Operators"
PERMISSIONS = [
    "view_scoperolemapping",
    "add_scoperolemapping",
    "change_scoperolemapping",
    "delete_scoperolemapping",
    "view_mappingchange",
    "view_mindsphereidentity",
    "view_tokenrecord",
]


def forward(apps, schema_editor):
    # Permissions are normally made after all migrations; make sso's now so they can be granted.
    app_config = apps.get_app_config("sso")
    app_config.models_module = True  # the migration state's app stub lacks it; create_permissions checks it
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    operators, _ = Group.objects.get_or_create(name=OPERATORS)
    operators.permissions.add(*Permission.objects.filter(content_type__app_label="sso", codename__in=PERMISSIONS))
    for admin in Group.objects.filter(name="Admin"):
        admin.permissions.clear()
    User = apps.get_model("auth", "User")
    User.objects.filter(is_superuser=False, mindsphere__isnull=False).update(is_staff=False)


def backward(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=OPERATORS).delete()


class Migration(migrations.Migration):
    dependencies = [("sso", "0003_tenant_mappings")]

    operations = [migrations.RunPython(forward, backward)]
