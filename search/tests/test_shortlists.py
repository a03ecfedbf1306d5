"""Managers' shortlists: adding from search, notes, sharing, privacy and CSV export."""

import csv
import io
import re

import pytest

from profiles.tests.factories import UserFactory
from search.models import Shortlist, ShortlistEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_managers(db):
    return UserFactory(groups=["Managers"]), UserFactory(groups=["Managers"])


def listed(html: str, heading: str) -> list[str]:
    """The rows of the shortlists page's section under `heading`, as text."""
    section = re.search(rf"<h2>{re.escape(heading)}</h2>(.*?)</section>", html, re.S)
    if section is None:
        return []
    items = re.search(r'<ul class="shortlists">(.*?)</ul>', section[1], re.S)
    rows = re.findall(r"<li>(.*?)</li>", items[1], re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def add(client, member, **data):
    return client.post("/experts/shortlists/add/", {"member": member.external_id, **data})


def test_a_manager_adds_members_from_search_and_keeps_notes(
    client, two_managers, open_member, secretive
):
    manager, _other = two_managers
    client.force_login(manager)

    page = client.get("/experts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    first = add(client, open_member, new_name="下水道プロジェクト", next="/experts/?q=caisson")
    shortlist = Shortlist.objects.get(owner=manager)
    add(client, secretive, shortlist=shortlist.pk)
    again = add(client, secretive, shortlist=shortlist.pk)
    entry = ShortlistEntry.objects.get(shortlist=shortlist, profile=open_member)
    client.post(
        shortlist.get_absolute_url(), {"entry": entry.pk, "action": "note", "note": "第一候補"}
    )

    assert "Add to shortlist" in page
    assert first.status_code == 302 and first["Location"] == "/experts/?q=caisson"
    assert again.status_code == 302 and shortlist.entries.count() == 2
    entry.refresh_from_db()
    assert entry.note == "第一候補"


def test_unshared_shortlists_are_private_and_shared_ones_read_only(
    client, two_managers, open_member
):
    owner, other = two_managers
    private = Shortlist.objects.create(owner=owner, name="private")
    shared = Shortlist.objects.create(owner=owner, name="shared", shared=True)
    entry = ShortlistEntry.objects.create(shortlist=shared, profile=open_member, note="n")
    client.force_login(other)

    assert client.get(private.get_absolute_url()).status_code == 404
    assert client.get(f"/experts/shortlists/{private.pk}/export/").status_code == 404
    assert client.get(shared.get_absolute_url()).status_code == 200
    assert (
        client.post(shared.get_absolute_url(), {"entry": entry.pk, "action": "remove"}).status_code
        == 404
    )
    assert add(client, open_member, shortlist=private.pk).status_code == 404
    assert ShortlistEntry.objects.filter(pk=entry.pk).exists()
    listing = client.get("/experts/shortlists/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert listed(listing, "My shortlists") == ["No shortlists yet."]
    assert listed(listing, "Shared by other managers") == [f"shared · {owner.email} · 1 member"]
    assert private.get_absolute_url() not in listing
    client.force_login(owner)
    own = client.get("/experts/shortlists/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert sorted(listed(own, "My shortlists")) == [
        "private · 0 members",
        "shared · 1 member · Shared",
    ]
    assert listed(own, "Shared by other managers") == []


def test_members_cannot_use_shortlists(client, member, open_member):
    client.force_login(member)

    assert client.get("/experts/shortlists/").status_code == 403
    assert add(client, open_member, new_name="x").status_code == 403


def test_shortlist_csv_is_utf8_with_bom_and_follows_privacy(
    client, two_managers, secretive, open_member
):
    owner, _other = two_managers
    shortlist = Shortlist.objects.create(owner=owner, name="候補")
    ShortlistEntry.objects.create(shortlist=shortlist, profile=open_member, note="連絡済み")
    ShortlistEntry.objects.create(shortlist=shortlist, profile=secretive)
    client.force_login(owner)

    response = client.get(f"/experts/shortlists/{shortlist.pk}/export/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["Staff number"] for row in rows] == ["P00002", "P00001"]
    assert rows[0]["Note"] == "連絡済み" and rows[0]["Phone"] == "内線 55502"
    assert rows[1]["Phone"] == ""  # the member keeps their phone to themself
