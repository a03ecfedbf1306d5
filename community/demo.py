"""The community section and its categories (used by load_demo)."""

from .models import CategoryPage, CommunityIndexPage

CATEGORIES = [
    ("海外大学院派遣 / Graduate-school dispatch", "dispatch"),
    ("技術交流 / Technical exchange", "exchange"),
    ("海外研修報告 / Overseas training reports", "reports"),
    ("Q&A", "qa"),
]


def ensure_community(home) -> CommunityIndexPage:
    """The community index under the home page, with the standard categories."""
    community = CommunityIndexPage.objects.first()
    if community is None:
        community = home.add_child(
            instance=CommunityIndexPage(title="コミュニティ / Community", slug="community")
        )
    for title, slug in CATEGORIES:
        if not CategoryPage.objects.child_of(community).filter(slug=slug).exists():
            community.add_child(instance=CategoryPage(title=title, slug=slug))
    return community
