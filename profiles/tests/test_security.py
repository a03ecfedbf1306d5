"""What the profiles app promises about trust, read as a list:

- a member never chooses their own staff number, and an import never hands an account that
  someone signs in to over to another email address;
- profile photos reach only the people their member lets see them, and a removed photo is gone;
- exported CSV cells never run as spreadsheet formulas;
- bad input (names without letters, tags without a slug, huge ids, oversized forms) gets a
  clear message in the member's language, never a server error or a slow request.
"""

import csv
import io
import json
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

import pytest
from allauth.account.models import EmailAddress
from PIL import Image

from profiles.exports import spreadsheet_safe
from profiles.models import ProfilePage, User
from profiles.tests.factories import ProfilePageFactory, UserFactory
from profiles.tests.helpers import edit_url, profile_form_data
from profiles.tests.privacy_fixtures import publish_with_evidence

pytestmark = pytest.mark.django_db


def import_rows(tmp_path: Path, *rows: dict) -> tuple[str, CommandError | None]:
    path = tmp_path / "members.jsonl"
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n")
    out = io.StringIO()
    try:
        call_command("import_members", str(path), stdout=out, stderr=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def member_row(external_id: str, email: str, **fields) -> dict:
    return {"external_id": external_id, "email": email, "name_ja": "本人 太郎", **fields}


def signed_up_member(email: str, *, verified: bool = True) -> User:
    """Someone who signed up on the site themself (a password of their own)."""
    user = User.objects.create_user(email=email, password="their-own-password-123")
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


# --- Staff numbers and accounts ---------------------------------------------------------------


def test_a_member_cannot_choose_their_staff_number(client, directory):
    """A staff number typed into the new-profile form is ignored: imports and SSO set them."""
    squatter = signed_up_member("squatter@example.jp")
    client.force_login(squatter)
    data = profile_form_data(ProfilePage(name_ja="乗取 一郎"), external_id="D00001")

    response = client.post("/members/me/edit/", data)

    assert response.status_code == 302
    profile = ProfilePage.objects.get(user=squatter)
    assert profile.external_id == f"self-{squatter.pk}" and not profile.has_staff_number


def test_an_import_never_moves_an_account_in_use_to_another_email(directory, tmp_path):
    """A staff number whose account someone signs in to keeps its email; the row is reported."""
    # Given an account in use holding staff number D00001 (from an older squatted profile)
    squatter = signed_up_member("squatter@example.jp")
    ProfilePageFactory(parent=directory, external_id="D00001", user=squatter)

    # When the operator imports D00001 with the real person's email
    output, error = import_rows(tmp_path, member_row("D00001", "real.person@example.jp"))

    # Then nothing is handed over, and the conflict is named with its line
    squatter.refresh_from_db()
    assert squatter.email == "squatter@example.jp"
    assert not User.objects.filter(email="real.person@example.jp").exists()
    assert error is not None and "line 1" in output and "D00001" in output


def test_an_import_adopts_the_profile_a_verified_member_made_first(directory, tmp_path, client):
    """A member who signed up before the import gets their staff number, not a second profile."""
    member = signed_up_member("early.bird@example.jp")
    client.force_login(member)
    client.post("/members/me/edit/", profile_form_data(ProfilePage(name_ja="早起 鳥子")))

    _output, error = import_rows(tmp_path, member_row("D00002", "early.bird@example.jp"))

    assert error is None
    profile = ProfilePage.objects.get(user=member)
    assert profile.external_id == "D00002"
    assert ProfilePage.objects.filter(external_id__startswith="self-").count() == 0
    assert ProfilePage.objects.filter(user__email="early.bird@example.jp").count() == 1


def test_an_unverified_sign_up_does_not_keep_its_password_after_the_import(directory, tmp_path):
    """Someone who signed up with a colleague's address but never proved it cannot sign in as
    them once the import names that address."""
    impostor = signed_up_member("colleague@example.jp", verified=False)

    _output, error = import_rows(tmp_path, member_row("D00003", "colleague@example.jp"))

    assert error is None
    impostor.refresh_from_db()
    assert not impostor.has_usable_password()
    assert ProfilePage.objects.get(external_id="D00003").user == impostor


def test_imports_refuse_the_keys_reserved_for_self_registered_profiles(directory, tmp_path):
    output, error = import_rows(tmp_path, member_row("self-7", "seven@example.jp"))

    assert error is not None and "line 1" in output and "self-" in output
    assert not ProfilePage.objects.filter(external_id="self-7").exists()


# --- Photos ----------------------------------------------------------------------------------


def png_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), color=(10, 120, 200)).save(buffer, "PNG")
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


def test_a_photo_for_managers_only_is_not_served_to_other_members(client, secretive, plain_member):
    """The original file and its renditions are 404 to members; managers see them."""
    original = secretive.photo.file.url
    rendition = secretive.photo.get_rendition("fill-200x200").url
    manager = UserFactory(groups=["Managers"])

    client.force_login(plain_member)
    assert client.get(original).status_code == 404
    assert client.get(rendition).status_code == 404

    client.force_login(manager)
    assert client.get(original).status_code == 200
    assert client.get(rendition).status_code == 200
    client.force_login(secretive.user)
    assert client.get(original).status_code == 200


def test_a_removed_photo_is_not_kept(member_client, member, django_capture_on_commit_callbacks):
    """After a member removes their photo its old URLs answer 404 and the file is gone."""
    profile = member.profile
    member_client.post(
        edit_url(profile), {**profile_form_data(profile), "photo_upload": png_upload()}
    )
    photo = ProfilePage.objects.get(pk=profile.pk).photo
    original_url, original_path = photo.file.url, Path(photo.file.path)
    rendition_url = photo.get_rendition("fill-200x200").url
    assert member_client.get(original_url).status_code == 200

    profile = ProfilePage.objects.get(pk=profile.pk)
    with django_capture_on_commit_callbacks(execute=True):  # Wagtail deletes files on commit
        member_client.post(edit_url(profile), {**profile_form_data(profile), "remove_photo": "on"})

    assert ProfilePage.objects.get(pk=profile.pk).photo is None
    assert member_client.get(original_url).status_code == 404
    assert member_client.get(rendition_url).status_code == 404
    assert not original_path.exists()


# --- Exports ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx"])
def test_csv_cells_never_start_as_formulas(dangerous):
    assert spreadsheet_safe(dangerous) == "'" + dangerous
    assert spreadsheet_safe("橋梁 =1") == "橋梁 =1"


def test_the_experts_export_neutralises_formulas_from_member_text(client, directory):
    """A name written as a formula arrives in Excel as text."""
    page = ProfilePageFactory(
        parent=directory, name_ja="=cmd|' /C calc'!A0", name_en="Evil Formula", tags=["橋梁"]
    )
    publish_with_evidence(page)
    client.force_login(UserFactory(groups=["Managers"]))

    response = client.get("/experts/export.csv", {"q": "橋梁"})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'=cmd|' /C calc'!A0" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["!!!", "🎉"])
def test_a_name_without_letters_gets_a_message(member_client, member, name):
    profile = member.profile

    response = member_client.post(edit_url(profile), profile_form_data(profile, name_ja=name))

    assert response.status_code == 400
    assert "名前には文字を1つ以上含めてください。" in response.content.decode()


def test_a_tag_without_letters_or_digits_gets_a_message(member_client, member):
    profile = member.profile

    response = member_client.post(edit_url(profile), profile_form_data(profile, tags="橋梁, )"))

    assert response.status_code == 400
    assert "文字や数字を含まないタグがあります" in response.content.decode()
    assert not member.profile.tags.filter(name=")").exists()


def test_imported_tags_and_names_without_letters_are_reported(directory, tmp_path):
    output, error = import_rows(
        tmp_path,
        member_row("D00010", "a@example.jp", expertise=["橋梁", ")"]),
        member_row("D00011", "b@example.jp", name_ja="!!!"),
        member_row("D00012", "c@example.jp"),
    )

    assert error is not None
    assert "line 1" in output and "line 2" in output
    assert list(ProfilePage.objects.values_list("external_id", flat=True)) == ["D00012"]


@pytest.mark.parametrize(
    "url",
    [
        "/members/?bureau=99999999999999999999",
        "/members/?job_category=99999999999999999999&page=99999999999999999999",
        "/members/?bureau=-1&job_category=abc",
    ],
)
def test_huge_or_odd_filter_values_are_ignored(member_client, url):
    assert member_client.get(url).status_code == 200


def test_a_huge_profile_id_is_not_found(member_client):
    assert member_client.get("/members/99999999999999999999/edit/").status_code == 404


def test_thousands_of_posted_language_rows_are_refused_cheaply(member_client, member):
    """A TOTAL_FORMS of 3000 gets "at most 20" without 3000 row forms being built."""
    profile = member.profile
    data = profile_form_data(profile, **{"languages-TOTAL_FORMS": "3000"})

    response = member_client.post(edit_url(profile), data)

    assert response.status_code == 400
    formset = response.context["form"].formsets["languages"]
    assert len(formset.forms) <= 21
    assert "最大で 20 個のフォームを送信してください。" in response.content.decode()


def test_an_oversized_biography_is_refused_and_not_saved(member_client, member):
    profile = member.profile
    before = ProfilePage.objects.get(pk=profile.pk).bio_en

    response = member_client.post(
        edit_url(profile), profile_form_data(profile, bio_en="x" * 20_001)
    )

    assert response.status_code == 400
    assert "20000" in response.content.decode()
    assert ProfilePage.objects.get(pk=profile.pk).bio_en == before


def test_tags_saved_with_an_empty_slug_before_the_check_get_one():
    """The data migration gives old slug-less tags a slug, so their pages link again."""
    from importlib import import_module

    from django.apps import apps

    from taggit.models import Tag

    broken = Tag.objects.create(name=")", slug="")
    migration = import_module("profiles.migrations.0008_tags_without_slugs_get_one")

    migration.give_empty_slugs_a_value(apps, None)

    broken.refresh_from_db()
    assert broken.slug == f"tag-{broken.pk}"


def test_a_profile_lists_exchange_reports_only_to_those_who_see_its_experience(
    client, secretive, plain_member, catalogue
):
    """Reports belong to overseas experience: hidden from members when it is for managers."""
    from studyabroad.demo import ensure_report_index
    from studyabroad.models import ExchangeReportPage, ReportParticipant

    index = ensure_report_index(catalogue.get_parent().specific)
    report = ExchangeReportPage(
        title="防潮堤の視察", report_key="EX-SEC-1", country="NL", start_date="2024-05-01"
    )
    index.add_child(instance=report)
    ReportParticipant.objects.create(page=report, profile=secretive)

    client.force_login(plain_member)
    assert "防潮堤の視察" not in client.get(secretive.url).content.decode()
    client.force_login(UserFactory(groups=["Managers"]))
    assert "防潮堤の視察" in client.get(secretive.url).content.decode()
