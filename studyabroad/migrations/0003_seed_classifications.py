from django.db import migrations


def seed(apps, schema_editor):
    from studyabroad.reference_data import seed_classifications

    seed_classifications(apps.get_model("studyabroad", "TechnicalClassification"))


class Migration(migrations.Migration):
    dependencies = [("studyabroad", "0002_exchange_reports")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
