"""Sign-in with allauth: email login, domain-restricted sign-up, verification, rate limits."""

from django.contrib.auth.models import Group
from django.core import mail
from django.test import override_settings

import pytest
from allauth.account.models import EmailAddress

from profiles.models import User
from profiles.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_up(client, email: str, language: str = "ja"):
    return client.post(
        "/accounts/signup/",
        {
            "email": email,
            "password1": "a-long-unusual-pass-77",
            "password2": "a-long-unusual-pass-77",
        },
        HTTP_ACCEPT_LANGUAGE=language,
    )


def test_groups_exist_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Members",
        "Programme admins",
        "Managers",
    }


def test_sign_up_outside_the_staff_domains_is_refused_in_japanese(client, directory):
    response = sign_up(client, "someone@gmail.com")

    assert response.status_code == 200
    assert "職員のメールアドレス" in response.content.decode()
    assert not User.objects.filter(email="someone@gmail.com").exists()


def test_sign_up_needs_email_verification_before_the_site_opens(client, directory):
    response = sign_up(client, "new.member@metro.example.jp")

    assert response.status_code == 302
    user = User.objects.get(email="new.member@metro.example.jp")
    assert user.groups.filter(name="Members").exists()
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1 and "confirm-email" in mail.outbox[0].body
    # Not signed in until the address is confirmed: the site still sends them to sign in.
    assert client.get("/members/").status_code == 302

    login = client.post(
        "/accounts/login/", {"login": user.email, "password": "a-long-unusual-pass-77"}
    )
    assert login.status_code == 302 and "confirm-email" in login.url
    assert len(mail.outbox) == 2


def test_verified_member_signs_in_with_email_and_password(client, directory):
    user = UserFactory()

    response = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert client.get("/members/").status_code == 200


def test_login_form_asks_for_email_not_username(client, db):
    body = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()

    assert 'type="email"' in body
    assert "username" not in body
    assert "サインイン" in body


def test_password_reset_sends_a_link(client, db):
    user = UserFactory()

    response = client.post("/accounts/password/reset/", {"email": user.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "3/m/ip"})
def test_repeated_failed_sign_ins_are_rate_limited(client, db):
    # The test settings use a real (local-memory) cache, where allauth keeps its counters.
    user = UserFactory()
    limited = "ログイン失敗が連続しています"
    bodies = [
        client.post(
            "/accounts/login/",
            {"login": user.email, "password": "wrong"},
            HTTP_ACCEPT_LANGUAGE="ja",
        ).content.decode()
        for _attempt in range(4)
    ]
    correct = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})

    assert [limited in body for body in bodies] == [False, False, False, True]
    # Even the right password is refused while the limit holds.
    assert correct.status_code == 200


def test_wagtail_admin_speaks_japanese_to_japanese_users(client, directory):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)

    body = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()

    assert '<html lang="ja"' in body
    assert "ダッシュボード" in body or "ページ" in body
