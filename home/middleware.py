"""Keep the whole site members-only (cheaper and safer than per-page privacy, wagtail#14108)."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

# Paths an anonymous visitor may open: signing in, signing up, resetting a password,
# confirming an email address, switching language, and static files.
PUBLIC_PATH_PREFIXES = (
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/confirm-email/",
    "/accounts/invitation/",
    # Single sign-on: the provider's redirect comes back here before anyone is signed in.
    "/admin/login/",  # redirects to /accounts/login/
    "/accounts/oidc/",
    "/accounts/saml/",
    "/accounts/3rdparty/signup/",
    "/i18n/",
    # The API answers 401/403 itself (token or session), rather than redirecting.
    "/api/",
    "/favicon.ico",
    "/robots.txt",
)


class MembersOnlyMiddleware:
    """Send anonymous visitors to the sign-in page, except for the public paths above."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.public_prefixes = (*PUBLIC_PATH_PREFIXES, settings.STATIC_URL)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated or request.path.startswith(self.public_prefixes):
            return self.get_response(request)
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
