"""Start-up check: a SEARCH_URL that cannot be parsed is reported clearly (no network here)."""

from urllib.parse import urlparse

from django.conf import settings
from django.core.checks import Error, register


@register()
def search_url_is_valid(app_configs, **kwargs):
    url = settings.SEARCH_URL
    if not url:
        return []
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        return [
            Error(
                f"SEARCH_URL={url!r} is not an http(s) URL of an OpenSearch node.",
                hint="Use for example SEARCH_URL=http://127.0.0.1:9200, or unset it to use "
                "the database search.",
                id="talenthub.E001",
            )
        ]
    return []
