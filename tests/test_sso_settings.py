"""Single sign-on is configured from environment variables alone; password sign-in can be
switched off (the OIDC round trip itself is in tests/browser/test_sso_in_browser.py)."""

from django.core.exceptions import ImproperlyConfigured

import pytest

from talenthub.settings import sso
from tests.test_settings import run_manage

OIDC = {
    "OIDC_SERVER_URL": "https://idp.metro.example.jp/realms/staff",
    "OIDC_CLIENT_ID": "talenthub",
    "OIDC_CLIENT_SECRET": "s3cret",
}
SAML = {
    "SAML_IDP_ENTITY_ID": "https://idp.metro.example.jp/saml",
    "SAML_IDP_SSO_URL": "https://idp.metro.example.jp/saml/sso",
    "SAML_IDP_X509_CERT": "MIIC-test-certificate",
    "SAML_ATTRIBUTE_EMAIL": "mail",
}


def test_no_identity_provider_configured_by_default():
    assert sso.social_providers({}) == {}
    assert sso.password_login_enabled({}) is True


def test_openid_connect_from_the_environment():
    app = sso.social_providers({**OIDC, "SSO_VERIFIED_EMAIL_DOMAINS": "@metro.example.jp"})[
        "openid_connect"
    ]["APPS"][0]

    assert app["provider_id"] == "metro" and app["client_id"] == "talenthub"
    assert app["settings"]["server_url"] == OIDC["OIDC_SERVER_URL"]
    assert app["settings"]["verified_email"] == ["metro.example.jp"]


def test_saml_from_the_environment():
    app = sso.social_providers(SAML)["saml"]["APPS"][0]

    assert app["client_id"] == "metro"  # /accounts/saml/metro/…
    assert app["settings"]["idp"]["sso_url"] == SAML["SAML_IDP_SSO_URL"]
    assert app["settings"]["attribute_mapping"]["email"] == "mail"


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"OIDC_SERVER_URL": "https://idp"}, "OIDC_CLIENT_ID must be set"),
        ({**OIDC, "OIDC_CLIENT_SECRET": ""}, "OIDC_CLIENT_SECRET must be set"),
        ({"SAML_IDP_ENTITY_ID": "urn:idp"}, "SAML_IDP_SSO_URL must be set"),
        ({"PASSWORD_LOGIN": "maybe"}, "PASSWORD_LOGIN must be 'on' or 'off'"),
    ],
)
def test_incomplete_configuration_is_refused_with_the_variable_named(environment, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        sso.social_providers(environment)
        sso.password_login_enabled(environment)


def test_password_login_off_passes_the_system_checks_and_hides_password_pages(tmp_path):
    environment = {**OIDC, **SAML, "PASSWORD_LOGIN": "off"}
    database = f"sqlite:///{tmp_path / 'sso.sqlite3'}"
    script = (
        "from django.urls import NoReverseMatch, reverse\n"
        "for name in ('account_signup', 'account_reset_password'):\n"
        "    try:\n"
        "        reverse(name); print(name, 'available')\n"
        "    except NoReverseMatch:\n"
        "        print(name, 'gone')\n"
        "print(reverse('saml_metadata', kwargs={'organization_slug': 'metro'}))\n"
    )

    checked = run_manage("check", "--fail-level=WARNING", DATABASE_URL=database, **environment)
    urls = run_manage("shell", "-c", script, DATABASE_URL=database, **environment)

    assert checked.returncode == 0, checked.stderr
    assert "account_signup gone" in urls.stdout and "account_reset_password gone" in urls.stdout
    assert "/accounts/saml/metro/metadata/" in urls.stdout


def test_password_login_off_without_a_provider_is_refused():
    result = run_manage("check", PASSWORD_LOGIN="off")

    assert result.returncode != 0
    assert "PASSWORD_LOGIN=off needs OIDC_SERVER_URL or SAML_IDP_ENTITY_ID" in result.stderr


@pytest.mark.django_db
def test_password_form_is_refused_when_password_login_is_off(client, member, settings):
    settings.SOCIALACCOUNT_ONLY = True
    settings.ACCOUNT_EMAIL_VERIFICATION = "none"
    settings.SOCIALACCOUNT_PROVIDERS = sso.social_providers(OIDC)
    from profiles.tests.factories import TEST_PASSWORD

    page = client.get("/accounts/login/").content.decode()
    response = client.post("/accounts/login/", {"login": member.email, "password": TEST_PASSWORD})

    assert 'name="password"' not in page
    assert response.status_code in (403, 405) or "_auth_user_id" not in client.session
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admin_login_goes_to_the_one_sign_in_page(client):
    response = client.get("/admin/login/?next=/admin/pages/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/pages/"
