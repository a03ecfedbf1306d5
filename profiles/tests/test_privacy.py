"""Per-field privacy on the pages and downloads that show profiles (search paths are in
search/tests/test_search_privacy.py)."""

import csv
import io

import pytest

from profiles.privacy import Visibility

pytestmark = pytest.mark.django_db

BIO = "pneumatic caisson foundations"
EXPERIENCE = "tunnel boring machine"
RECORD = "Storm surge barrier visit"
PHONE = "内線 55501"
SCORE = "IELTS"


def page_for(client, user, page):
    client.force_login(user)
    return client.get(page.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_member_sees_only_what_is_shared_with_all_members(client, plain_member, secretive):
    body = page_for(client, plain_member, secretive)

    assert "Mamoru Hida" in body and "構造" in body  # name and tags are always visible
    for hidden in (BIO, EXPERIENCE, RECORD, PHONE, SCORE, "secret-photo", secretive.user.email):
        assert hidden not in body


def test_a_manager_also_sees_what_is_shared_with_managers(client, manager, secretive):
    body = page_for(client, manager, secretive)

    assert BIO in body and EXPERIENCE in body and RECORD in body and "secret-photo" in body
    assert PHONE not in body and SCORE not in body  # only the member sees these


def test_the_member_sees_everything_with_who_else_sees_it(client, secretive):
    body = page_for(client, secretive.user, secretive)

    for shown in (BIO, EXPERIENCE, RECORD, PHONE, SCORE, "secret-photo"):
        assert shown in body
    assert "Only you see this" in body and "Managers and programme admins see this" in body


def test_contact_details_shown_when_shared(client, plain_member, open_member):
    body = page_for(client, plain_member, open_member)

    assert "内線 55502" in body and open_member.user.email in body


def test_directory_hides_the_photo_from_members_only(client, plain_member, manager, secretive):
    directory = secretive.get_parent()
    client.force_login(plain_member)
    as_member = client.get(directory.url).content.decode()
    client.force_login(manager)
    as_manager = client.get(directory.url).content.decode()

    assert "秘田 守" in as_member and "secret-photo" not in as_member
    assert "secret-photo" in as_manager


def test_destination_page_names_only_members_who_share_their_experience(
    client, plain_member, manager, secretive, catalogue
):
    from studyabroad.tests.factories import StudyDestinationPageFactory

    delft = StudyDestinationPageFactory(
        parent=catalogue, university_en="Delft University of Technology", country="NL"
    )
    client.force_login(plain_member)
    as_member = client.get(delft.url).content.decode()
    client.force_login(manager)
    as_manager = client.get(delft.url).content.decode()

    assert "秘田 守" not in as_member
    assert "秘田 守" in as_manager


def read_csv(response) -> list[dict]:
    raw = response.content
    assert raw.startswith("\ufeff".encode())  # UTF-8 BOM for Excel
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_export_leaves_hidden_fields_blank(client, plain_member, manager, secretive):
    client.force_login(plain_member)
    as_member = read_csv(client.get("/experts/export.csv", HTTP_ACCEPT_LANGUAGE="en"))
    client.force_login(manager)
    as_manager = read_csv(client.get("/experts/export.csv", HTTP_ACCEPT_LANGUAGE="en"))

    member_row = next(r for r in as_member if r["Staff number"] == "P00001")
    manager_row = next(r for r in as_manager if r["Staff number"] == "P00001")
    assert member_row["Name (Japanese)"] == "秘田 守" and member_row["Expertise"] == "構造"
    assert member_row["Overseas experience"] == "" and manager_row["Overseas experience"]
    for row in (member_row, manager_row):
        assert row["Email"] == "" and row["Phone"] == "" and row["Languages"] == ""


def test_site_search_does_not_find_members_by_text_they_hide(
    client, plain_member, secretive, open_member
):
    client.force_login(plain_member)

    body = client.get("/search/", {"query": "caisson"}).content.decode()
    tunnel = client.get("/search/", {"query": "tunnel"}).content.decode()

    assert "公開 花子" in body and "秘田 守" not in body
    assert "秘田 守" not in tunnel


def test_edit_form_offers_the_choices_and_keeps_them(client, secretive):
    client.force_login(secretive.user)
    directory = secretive.get_parent()
    form = client.get(f"{directory.url}me/edit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Who sees what" in form and "Only me" in form
    assert 'name="visibility_bio" value="staff"' in form and "checked" in form
    secretive.refresh_from_db()
    assert secretive.visibility_bio == Visibility.STAFF
