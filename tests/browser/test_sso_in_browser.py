"""Single sign-on against a real OpenID Connect provider on loopback (node-oidc-provider):
the first sign-in links to the member's imported account by email."""

import pytest
from allauth.socialaccount.models import SocialAccount

from profiles.models import User
from profiles.tests.factories import ProfilePageFactory
from talenthub.settings import sso
from tests.sso_provider import CLIENT_ID, CLIENT_SECRET, start_oidc_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def oidc_provider(live_server, settings):
    issuer, process = start_oidc_provider(f"{live_server.url}/accounts/oidc/metro/login/callback/")
    environment = {
        "OIDC_SERVER_URL": issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_PROVIDER_NAME": "東京都職員 ID",
    }
    settings.SOCIALACCOUNT_PROVIDERS = sso.social_providers(environment)
    yield issuer
    process.terminate()
    process.wait(timeout=10)


def sign_in_at_provider(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("link", name="東京都職員 ID").click()
    # allauth asks to confirm leaving for the provider (a POST, so no sign-in by a mere link).
    page.locator("form button[type=submit]").last.click()
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill("anything")  # the provider's own form
    page.locator("button[type=submit]").click()
    page.locator("button[type=submit]").click()  # consent


def test_first_sso_sign_in_links_to_the_imported_member(page_ja, directory, oidc_provider):
    imported = ProfilePageFactory(parent=directory, name_ja="連携 太郎")
    imported.save_revision().publish()
    email = imported.user.email

    sign_in_at_provider(page_ja, email)

    page_ja.wait_for_url(lambda url: "/accounts/" not in url and "127.0.0.1" not in url)
    assert page_ja.get_by_role("link", name="マイプロフィール").first.is_visible()
    assert User.objects.filter(email=email).count() == 1  # no second account
    account = SocialAccount.objects.get(provider="metro")
    assert account.user_id == imported.user_id and account.uid == email
    page_ja.get_by_role("link", name="マイプロフィール").first.click()
    assert "連携 太郎" in page_ja.locator("h1").inner_text()


@pytest.fixture
def saml_provider(live_server, settings, client):
    from tests.saml_provider import SamlIdentityProvider

    idp = SamlIdentityProvider()
    environment = {
        "SAML_IDP_ENTITY_ID": idp.entity_id,
        "SAML_IDP_SSO_URL": idp.sso_url,
        "SAML_IDP_X509_CERT": idp.certificate,
        "SAML_PROVIDER_NAME": "東京都職員 ID (SAML)",
    }
    settings.SOCIALACCOUNT_PROVIDERS = sso.social_providers(environment)
    metadata = client.get("/accounts/saml/metro/metadata/", HTTP_HOST=live_server.url[7:])
    assert metadata.status_code == 200, metadata.content
    idp.trust(metadata.content.decode())
    idp.start()
    yield idp
    idp.stop()


def test_first_saml_sign_in_links_to_the_imported_member(page_ja, directory, saml_provider):
    imported = ProfilePageFactory(parent=directory, name_ja="署名 花子")
    imported.save_revision().publish()

    page_ja.goto("/accounts/login/")
    page_ja.get_by_role("link", name="東京都職員 ID (SAML)").click()
    page_ja.locator("form button[type=submit]").last.click()  # allauth's "continue" step
    page_ja.get_by_label("Email").fill(imported.user.email)
    page_ja.get_by_role("button", name="Sign in").click()

    page_ja.wait_for_url(lambda url: "/accounts/" not in url and "127.0.0.1" not in url)
    assert User.objects.filter(email=imported.user.email).count() == 1
    account = SocialAccount.objects.get(provider=saml_provider.entity_id)
    assert account.user_id == imported.user_id
    page_ja.get_by_role("link", name="マイプロフィール").first.click()
    assert "署名 花子" in page_ja.locator("h1").inner_text()
