"""Single sign-on through allauth's OpenID Connect and SAML providers, from environment
variables alone (see README, "Single sign-on").

The identity provider's addresses are trusted as verified (for SSO_VERIFIED_EMAIL_DOMAINS, or
all when unset), so a member's first sign-in links to the account their import created.
"""

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured


def _required(env: Mapping[str, str], name: str, because: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when {because} is set.")
    return value


def _verified_email(env: Mapping[str, str]) -> bool | list[str]:
    domains = [
        d.strip().lower().lstrip("@") for d in env.get("SSO_VERIFIED_EMAIL_DOMAINS", "").split(",")
    ]
    domains = [d for d in domains if d]
    return domains or True


def oidc_app(env: Mapping[str, str]) -> dict | None:
    server_url = env.get("OIDC_SERVER_URL", "").strip()
    if not server_url:
        return None
    return {
        "provider_id": env.get("OIDC_PROVIDER_ID", "metro"),
        "name": env.get("OIDC_PROVIDER_NAME", "職員 ID / Staff ID"),
        "client_id": _required(env, "OIDC_CLIENT_ID", "OIDC_SERVER_URL"),
        "secret": _required(env, "OIDC_CLIENT_SECRET", "OIDC_SERVER_URL"),
        "settings": {
            "server_url": server_url,
            "token_auth_method": env.get("OIDC_TOKEN_AUTH_METHOD", "client_secret_basic"),
            "oauth_pkce_enabled": True,
            "verified_email": _verified_email(env),
        },
    }


def saml_app(env: Mapping[str, str]) -> dict | None:
    entity_id = env.get("SAML_IDP_ENTITY_ID", "").strip()
    if not entity_id:
        return None
    idp = {"entity_id": entity_id}
    if env.get("SAML_IDP_METADATA_URL"):
        idp["metadata_url"] = env["SAML_IDP_METADATA_URL"]
    else:
        idp["sso_url"] = _required(env, "SAML_IDP_SSO_URL", "SAML_IDP_ENTITY_ID (without metadata)")
        idp["x509cert"] = _required(
            env, "SAML_IDP_X509_CERT", "SAML_IDP_ENTITY_ID (without metadata)"
        )
        if env.get("SAML_IDP_SLO_URL"):
            idp["slo_url"] = env["SAML_IDP_SLO_URL"]
    settings = {
        "attribute_mapping": {
            "uid": env.get("SAML_ATTRIBUTE_UID", "uid"),
            "email": env.get("SAML_ATTRIBUTE_EMAIL", "email"),
        },
        "idp": idp,
        "verified_email": _verified_email(env),
    }
    if env.get("SAML_SP_ENTITY_ID"):
        settings["sp"] = {"entity_id": env["SAML_SP_ENTITY_ID"]}
    return {
        "provider_id": entity_id,
        "name": env.get("SAML_PROVIDER_NAME", "職員 ID (SAML) / Staff ID (SAML)"),
        # The organisation slug in /accounts/saml/<slug>/login/, acs/ and metadata/.
        "client_id": env.get("SAML_ORGANIZATION", "metro"),
        "settings": settings,
    }


def social_providers(env: Mapping[str, str]) -> dict:
    """allauth's SOCIALACCOUNT_PROVIDERS for whichever identity providers are configured."""
    providers = {}
    oidc = oidc_app(env)
    if oidc:
        providers["openid_connect"] = {"APPS": [oidc]}
    saml = saml_app(env)
    if saml:
        providers["saml"] = {"APPS": [saml]}
    return providers


def password_login_enabled(env: Mapping[str, str]) -> bool:
    value = env.get("PASSWORD_LOGIN", "on").strip().lower()
    if value not in {"on", "off"}:
        raise ImproperlyConfigured("PASSWORD_LOGIN must be 'on' or 'off'.")
    return value == "on"
