"""Create the three groups and seed the curated bureau and job-category lists."""

from django.db import migrations

from profiles.reference_data import GROUPS, seed_reference_data


def seed(apps, schema_editor):
    seed_reference_data(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
        bureau_model=apps.get_model("profiles", "Bureau"),
        job_category_model=apps.get_model("profiles", "JobCategory"),
    )


def unseed(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0002_profiles"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
