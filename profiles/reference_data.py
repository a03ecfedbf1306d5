"""Reference data every installation starts with: the groups and the curated vocabularies."""

GROUPS = ["Members", "Programme admins", "Managers"]

# Bureaus of the metropolitan government whose technical staff use Talent Hub.
BUREAUS = [
    ("建設局", "Bureau of Construction"),
    ("水道局", "Bureau of Waterworks"),
    ("下水道局", "Bureau of Sewerage"),
    ("港湾局", "Bureau of Port and Harbor"),
    ("都市整備局", "Bureau of Urban Development"),
    ("環境局", "Bureau of Environment"),
    ("交通局", "Bureau of Transportation"),
    ("デジタルサービス局", "Bureau of Digital Services"),
    ("財務局", "Bureau of Finance"),
    ("住宅政策本部", "Headquarters of Housing Policy"),
    ("産業労働局", "Bureau of Industrial and Labor Affairs"),
    ("保健医療局", "Bureau of Public Health"),
    ("政策企画局", "Office of the Governor for Policy Planning"),
    ("総務局", "Bureau of General Affairs"),
    ("中央卸売市場", "Central Wholesale Market"),
    ("教育庁", "Board of Education"),
    ("東京消防庁", "Fire Department"),
]

JOB_CATEGORIES = [
    ("土木", "Civil engineering"),
    ("建築", "Architecture"),
    ("機械", "Mechanical engineering"),
    ("電気", "Electrical engineering"),
    ("造園", "Landscape architecture"),
    ("環境", "Environmental engineering"),
    ("化学", "Chemistry"),
    ("情報", "Information and communication technology"),
    ("林業", "Forestry"),
    ("農業", "Agriculture"),
]


def seed_reference_data(
    group_model=None, permission_model=None, bureau_model=None, job_category_model=None
) -> None:
    """Create what is missing; safe to run again. Migrations pass their historical models."""
    if group_model is None:
        from django.contrib.auth.models import Group, Permission

        from .models import Bureau, JobCategory

        group_model, permission_model = Group, Permission
        bureau_model, job_category_model = Bureau, JobCategory
    for name in GROUPS:
        group_model.objects.get_or_create(name=name)
    # Programme admins work in the Wagtail admin (destinations, moderation).
    access_admin = permission_model.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    ).first()
    if access_admin:
        group_model.objects.get(name="Programme admins").permissions.add(access_admin)
    for model, entries in ((bureau_model, BUREAUS), (job_category_model, JOB_CATEGORIES)):
        for order, (name_ja, name_en) in enumerate(entries):
            model.objects.get_or_create(
                name_ja=name_ja, defaults={"name_en": name_en, "sort_order": order}
            )
