"""Programme admins lose the publish permission on the destination catalogue (issue #12).

Installations set up before this kept "publish_page" (studyabroad.permissions), with which a
programme admin could publish a destination directly and skip the review workflow."""

from django.db import migrations

PROGRAMME_ADMINS_GROUP = "Programme admins"
CATALOGUE_MODELS = ("studydestinationindexpage", "studydestinationpage")


def revoke_direct_publishing(apps, schema_editor):
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupPagePermission.objects.filter(
        group__name=PROGRAMME_ADMINS_GROUP,
        permission__content_type__app_label="wagtailcore",
        permission__codename="publish_page",
        page__content_type__app_label="studyabroad",
        page__content_type__model__in=CATALOGUE_MODELS,
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("studyabroad", "0004_dispatch_programme"),
        ("wagtailcore", "0098_apitoken"),
    ]

    # Not reversed: granting direct publishing again would reopen the finding.
    operations = [migrations.RunPython(revoke_direct_publishing, migrations.RunPython.noop)]
