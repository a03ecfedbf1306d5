"""Tags saved before names were checked may have an empty slug (a tag named ")"), which broke
every page linking to them: give each such tag a slug of its own."""

from django.db import migrations


def give_empty_slugs_a_value(apps, schema_editor):
    Tag = apps.get_model("taggit", "Tag")
    for tag in Tag.objects.filter(slug=""):
        tag.slug = f"tag-{tag.pk}"
        tag.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0007_reminder_sent_at_from_the_clock"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(give_empty_slugs_a_value, migrations.RunPython.noop)]
