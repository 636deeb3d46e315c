from django.db import migrations, models


def number_existing_changes(apps, schema_editor):
    """Changes made before versions were numbered: 1, 2, 3… per tenant in the order they were made."""
    MappingChange = apps.get_model("sso", "MappingChange")
    latest: dict[str, int] = {}
    for change in MappingChange.objects.order_by("pk"):
        latest[change.tenant] = change.number = latest.get(change.tenant, 0) + 1
        change.save(update_fields=["number"])


class Migration(migrations.Migration):
    dependencies = [("sso", "0004_operators")]

    operations = [
        migrations.AddField(
            model_name="mappingchange",
            name="number",
            field=models.PositiveIntegerField(
                default=0, editable=False, help_text="1, 2, 3… per tenant: the version of the mapping this change made."
            ),
        ),
        migrations.RunPython(number_existing_changes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="mappingchange",
            constraint=models.UniqueConstraint(fields=("tenant", "number"), name="one_change_per_mapping_version"),
        ),
    ]
