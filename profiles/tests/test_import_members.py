"""import_members: idempotent upsert, per-row validation with line numbers, dry run, CSV."""

import json
from pathlib import Path

from django.core import mail
from django.core.management import CommandError, call_command

import pytest
from allauth.account.models import EmailAddress

from profiles.models import ProfilePage, User
from search.evaluation.scoring import MEMBERS_FILE

pytestmark = pytest.mark.django_db


def member_row(external_id="X00001", email="taro.yamada@example.jp", **overrides) -> dict:
    row = {
        "external_id": external_id,
        "email": email,
        "name_ja": "山田 太郎",
        "name_en": "Taro Yamada",
        "bureau": "下水道局",
        "job_category": "土木",
        "position": "主任",
        "years_of_service": 12,
        "expertise": ["下水道管きょ更生", "English"],
        "languages": [
            {"language": "ja", "level": "C2"},
            {"language": "en", "level": "B2", "test": "IELTS", "score": 6.5},
        ],
        "overseas_experience": [
            {"country": "NL", "organisation": "Waternet", "year": 2019, "summary": "Sewer study"}
        ],
        "bio_ja": "下水道管きょの更生工事を担当。",
        "bio_en": "",
        "interested_in_dispatch": True,
        "exchange_records": [
            {
                "title": "オランダ下水道視察",
                "technical_field": "下水道",
                "outcome": "更生工法の知見",
                "utilisation_plan": "設計基準へ反映",
                "year": 2024,
            }
        ],
    }
    row.update(overrides)
    return row


def write_jsonl(path: Path, lines: list) -> Path:
    path.write_text(
        "\n".join(
            line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)
            for line in lines
        )
        + "\n",
        encoding="utf-8",
    )
    return path


def run_import(path: Path, *args) -> tuple[str, str, CommandError | None]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("import_members", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def test_public_file_imports_600_members_and_a_second_run_changes_nothing(directory):
    # Given the 600-member public evaluation file
    # When it is imported twice
    out_first, _err, error = run_import(MEMBERS_FILE)
    revisions_after_first = sum(p.revisions.count() for p in ProfilePage.objects.all()[:50])
    out_second, _err, second_error = run_import(MEMBERS_FILE)

    # Then every member is live once, and the second run reports no change at all
    assert error is None and second_error is None
    assert "created 600, updated 0, unchanged 0, failed 0" in out_first
    assert ProfilePage.objects.live().count() == 600
    assert User.objects.filter(profile__isnull=False).count() == 600
    assert not User.objects.filter(profile__isnull=False).first().has_usable_password()
    assert "created 0, updated 0, unchanged 600, failed 0" in out_second
    assert "No changes" in out_second
    assert sum(p.revisions.count() for p in ProfilePage.objects.all()[:50]) == revisions_after_first


def test_every_field_of_a_row_is_stored(directory, tmp_path):
    run_import(write_jsonl(tmp_path / "one.jsonl", [member_row()]))

    page = ProfilePage.objects.get(external_id="X00001")
    assert page.live and page.url.endswith("/members/x00001/")
    assert (page.name_ja, page.name_en, page.title) == ("山田 太郎", "Taro Yamada", "山田 太郎")
    assert (page.bureau.name_ja, page.job_category.name_ja) == ("下水道局", "土木")
    assert sorted(t.name for t in page.tags.all()) == ["English", "下水道管きょ更生"]
    english = page.languages.get(language="en")
    assert (english.level, english.test_name, float(english.score)) == ("B2", "IELTS", 6.5)
    assert str(page.overseas_experiences.get().country) == "NL"
    assert page.exchange_records.get().utilisation_plan == "設計基準へ反映"
    assert page.interested_in_dispatch
    assert EmailAddress.objects.get(email="taro.yamada@example.jp").verified


def test_a_changed_row_updates_the_page_with_a_new_revision(directory, tmp_path):
    run_import(write_jsonl(tmp_path / "v1.jsonl", [member_row()]))
    page = ProfilePage.objects.get(external_id="X00001")
    revisions_before = page.revisions.count()

    changed = member_row(expertise=["管路更生"], position="課長代理")
    out, _err, error = run_import(write_jsonl(tmp_path / "v2.jsonl", [changed]))

    assert error is None
    assert "created 0, updated 1, unchanged 0" in out
    page = ProfilePage.objects.get(external_id="X00001")
    assert page.position == "課長代理"
    assert [t.name for t in page.tags.all()] == ["管路更生"]
    assert page.revisions.count() == revisions_before + 1
    assert not page.has_unpublished_changes


def test_bad_rows_are_reported_by_line_and_good_rows_still_import(directory, tmp_path):
    lines = [
        member_row("G00001", "good.one@example.jp"),
        '{"external_id": "B00002", "email": broken',
        member_row("", "no.id@example.jp"),
        member_row("B00004", "bad.cefr@example.jp", languages=[{"language": "en", "level": "B3"}]),
        member_row(
            "B00005",
            "bad.country@example.jp",
            overseas_experience=[{"country": "XX", "organisation": "", "year": 2020}],
        ),
        member_row("B00006", "good.one@example.jp"),
        member_row("G00007", "good.two@example.jp"),
    ]

    out, err, error = run_import(write_jsonl(tmp_path / "mixed.jsonl", lines))

    assert error is not None, "a failed row must make the command exit non-zero"
    assert "created 2, updated 0, unchanged 0, failed 5" in out
    assert "line 2: " in err and "JSON" in err
    assert "line 3: external_id" in err
    assert "line 4: " in err and "B3" in err
    assert "line 5: " in err and "XX" in err
    assert "line 6: " in err and "good.one@example.jp" in err
    assert set(ProfilePage.objects.values_list("external_id", flat=True)) == {"G00001", "G00007"}
    assert not User.objects.filter(email__startswith="bad.").exists()


def test_a_row_that_fails_while_saving_leaves_nothing_behind(directory, tmp_path):
    # Two staff numbers that differ only by case pass validation but collide on the page slug.
    lines = [member_row("Z00001", "first@example.jp"), member_row("z00001", "second@example.jp")]

    _out, err, error = run_import(write_jsonl(tmp_path / "clash.jsonl", lines))

    assert error is not None
    assert "line 2: " in err
    assert ProfilePage.objects.count() == 1
    assert not User.objects.filter(email="second@example.jp").exists()


def test_dry_run_validates_without_writing(directory, tmp_path):
    lines = [member_row("D00001", "dry.one@example.jp"), member_row("D00002", "bad", bio_ja="")]

    out, err, error = run_import(write_jsonl(tmp_path / "dry.jsonl", lines), "--dry-run")

    assert error is not None
    assert "would have created 1" in out
    assert "line 2: " in err
    assert ProfilePage.objects.count() == 0
    assert not User.objects.filter(email="dry.one@example.jp").exists()


def test_csv_with_flat_columns_imports_like_jsonl(directory, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text(
        "external_id,email,name_ja,name_en,bureau,job_category,position,years_of_service,"
        "expertise,languages,overseas_experience,bio_ja,bio_en,interested_in_dispatch\n"
        "C00001,hanako.sato@example.jp,佐藤 花子,Hanako Sato,水道局,化学,主事,5,"
        "浄水処理;water quality,ja|C2;en|B2|TOEIC|820,US|EPA|2018|Study tour,"
        "浄水場の水質管理を担当。,,true\n",
        encoding="utf-8-sig",
    )

    _out, err, error = run_import(path)

    assert error is None, err
    page = ProfilePage.objects.get(external_id="C00001")
    assert sorted(t.name for t in page.tags.all()) == ["water quality", "浄水処理"]
    assert page.languages.get(language="en").test_name == "TOEIC"
    assert page.overseas_experiences.get().organisation == "EPA"
    assert page.interested_in_dispatch
    assert "unchanged 1" in run_import(path)[0]


def test_invite_emails_new_members_a_working_password_set_link(client, directory, tmp_path):
    out, _err, error = run_import(write_jsonl(tmp_path / "one.jsonl", [member_row()]), "--invite")

    assert error is None
    assert "sent 1 invitations" in out
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["taro.yamada@example.jp"]
    link = next(
        line for line in message.body.splitlines() if "/accounts/password/reset/key/" in line
    )
    path = link.split("://", 1)[1].split("/", 1)[1]

    response = client.get("/" + path, follow=True)

    assert response.status_code == 200
    assert b"password1" in response.content


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry run"])
def test_every_bad_value_is_reported_by_line_and_the_rows_after_it_are_imported(
    directory, tmp_path, dry_run
):
    """NaN, infinities and numbers too large for a float are line errors, not a traceback."""
    ielts = '{"language": "en", "level": "B2", "test": "IELTS", "score": %s}'
    lines = [
        member_row("X00001", "a@example.jp", languages=[json.loads(ielts % '"NaN"')]),
        '{"external_id": "X00002", "email": "b@example.jp", "languages": [%s]}' % (ielts % "NaN"),
        '{"external_id": "X00003", "email": "c@example.jp", "years_of_service": Infinity}',
        '{"external_id": "X00004", "email": "d@example.jp", "years_of_service": 1e400}',
        member_row(
            "X00005", "e@example.jp", overseas_experience=[{"country": "NL", "year": "-Infinity"}]
        ),
        member_row("X00006", "f@example.jp"),
    ]

    out, err, error = run_import(
        write_jsonl(tmp_path / "m.jsonl", lines), *(["--dry-run"] if dry_run else [])
    )

    assert error is not None
    for line in range(1, 6):
        assert f"line {line}:" in out + err
    assert "would have created 1" in out if dry_run else "created 1" in out
    expected = [] if dry_run else ["X00006"]
    assert list(ProfilePage.objects.values_list("external_id", flat=True)) == expected


def test_a_csv_cell_over_the_csv_modules_limit_is_a_line_error(directory, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text(
        "external_id,email,name_ja,bio_en\n"
        f"X00010,a@example.jp,一,{'x' * 140_000}\n"
        "X00011,b@example.jp,二,ok\n",
        encoding="utf-8",
    )

    out, err, error = run_import(path)

    assert error is not None and "line 2:" in out + err and "bio_en" in out + err
    assert list(ProfilePage.objects.values_list("external_id", flat=True)) == ["X00011"]
