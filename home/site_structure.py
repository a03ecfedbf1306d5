"""Create the page tree the site needs (home page, members directory) if it is missing."""

from django.conf import settings
from django.db import transaction

from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page, Site

from profiles.models import ProfileIndexPage

from .models import HomePage


@transaction.atomic
def ensure_site_structure() -> tuple[HomePage, ProfileIndexPage]:
    """The home page as the default site's root, with the members directory under it."""
    if Collection.get_first_root_node() is None:
        # Images and documents need a root collection; Wagtail's migration made one.
        Collection.add_root(name="Root")
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node() or _create_root()
        # Wagtail's initial migration leaves a plain "Welcome" page; replace it with ours.
        for welcome in Page.objects.filter(depth=2, content_type__model="page"):
            welcome.delete()
        root.refresh_from_db()
        home = root.add_child(
            instance=HomePage(
                title="Talent Hub",
                slug="home",
                intro_ja="<p>技術職員が互いを見つけ、海外で学んだことを共有し、"
                "海外大学院派遣に備えるための場です。</p>",
                intro_en="<p>Where the technical staff find each other, share what they "
                "learned abroad and prepare for the overseas graduate-school dispatch.</p>",
            )
        )
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = "Talent Hub"
        site.save()
    directory = ProfileIndexPage.objects.first()
    if directory is None:
        directory = home.add_child(
            instance=ProfileIndexPage(title="メンバー / Members", slug="members")
        )
    return home, directory


def _create_root() -> Page:
    """Wagtail's tree root, for a database emptied after migrating (e.g. by a test flush)."""
    locale, _created = Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    return Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
