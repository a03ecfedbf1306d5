"""The matching API (/api/v1/): project matching for managers' tools, with an OpenAPI schema."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _

from wagtail.api.v3.auth import BearerTokenAuth
from wagtail.models import APIToken

from ninja import NinjaAPI, Schema, Swagger
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.security import SessionAuth
from ninja.throttling import UserRateThrottle
from pydantic import ConfigDict, Field, field_validator, model_validator

from profiles.privacy import audience_of
from profiles.signal_handlers import MANAGERS_GROUP
from profiles.vocabularies import CEFR_LEVELS, LANGUAGE_NAMES

from .backends import match_members_to_project
from .experts import ExpertSearch, search_experts
from .matching import LanguageRequirement, MatchQuery

# Limits the validators enforce and the schema states (the error messages name them too).
MAX_TEXT_LENGTH = 5000
MAX_TAGS = 50
MAX_TAG_LENGTH = 100
MIN_LIMIT, MAX_LIMIT = 1, 50


class ManagerToken(BearerTokenAuth):
    """Wagtail's API-token authentication, for members of the Managers group: `Authorization:
    Bearer <key>`, or `Token <key>` as the API has always documented."""

    SCHEMES = ("bearer", "token")

    def __call__(self, request: HttpRequest):
        scheme, _sep, key = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() not in self.SCHEMES or not key.strip():
            return None
        return self.authenticate(request, key.strip())

    def authenticate(self, request: HttpRequest, token: str):
        if not APIToken.validate_token_format(token):
            return None
        api_token = super().authenticate(request, token)
        if api_token is None:
            return None
        user = api_token.user
        if not (user.is_superuser or user.groups.filter(name=MANAGERS_GROUP).exists()):
            raise HttpError(403, _("API tokens are for members of the Managers group."))
        return user


class CallerRateThrottle(UserRateThrottle):
    """Requests per signed-in member or token owner (API_RATE_LIMIT, e.g. "600/min"): one
    script cannot take the matcher from everyone else."""

    def __init__(self):
        super().__init__(settings.API_RATE_LIMIT)

    def allow_request(self, request: HttpRequest) -> bool:
        # Read per request, so a changed setting applies without a restart of the API module.
        self.rate = settings.API_RATE_LIMIT
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


class SignedInSession(SessionAuth):
    """A signed-in member's browser session (CSRF-checked for unsafe methods)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # Anonymous callers get a 401, not a CSRF 403: only check CSRF for a real session.
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", AnonymousUser())
        return user if user.is_authenticated else None


API_AUTH = [ManagerToken(), SignedInSession()]


def for_api_callers(view: Callable) -> Callable:
    """The docs and schema are for whoever may call the API (a signed-in member or a
    manager's token); anyone else gets the API's own 401."""

    @wraps(view)
    def view_for_callers(request: HttpRequest, *args, **kwargs):
        try:
            caller = next((user for auth in API_AUTH if (user := auth(request))), None)
        except HttpError as error:  # a token that is not a manager's
            return http_error(request, error)
        if caller is None:
            return not_signed_in(request, None)
        return view(request, *args, **kwargs)

    return view_for_callers


api = NinjaAPI(
    title="Talent Hub API",
    version="1",
    urls_namespace="api-v1",
    docs_url="/docs/",
    openapi_url="/schema/",
    # Swagger UI from the site's static files ("ninja" in INSTALLED_APPS), not a CDN, and
    # without the badge that sends the schema's address to validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
    docs_decorator=for_api_callers,
    auth=API_AUTH,
    throttle=[CallerRateThrottle()],
)


@api.exception_handler(ValidationError)
def invalid_input(request, error: ValidationError):
    """400 with the offending field named (ninja's default is a 422)."""
    first = error.errors[0] if error.errors else {}
    location = [str(part) for part in first.get("loc", []) if part not in ("body", "payload")]
    message = first.get("msg", _("Invalid input."))
    return api.create_response(
        request,
        {"error": message.removeprefix("Value error, "), "field": ".".join(location) or None},
        status=400,
    )


@api.exception_handler(AuthenticationError)
def not_signed_in(request, error):
    return api.create_response(
        request, {"error": _("Sign in, or send 'Authorization: Token <key>'.")}, status=401
    )


@api.exception_handler(Throttled)
def too_many_requests(request, error: Throttled):
    response = api.create_response(
        request,
        {"error": _("Too many requests: wait a moment and try again."), "field": None},
        status=429,
    )
    if error.wait:
        response["Retry-After"] = str(max(1, round(error.wait)))
    return response


@api.exception_handler(HttpError)
def http_error(request, error: HttpError):
    """Every error has the same JSON shape; a body that is not JSON is blamed on `body`."""
    message = str(error)
    field = "body" if error.status_code == 400 and "JSON" in message else None
    if message.startswith("Cannot parse request body"):
        message = _("The request body is not valid JSON.")
        field = "body"
    return api.create_response(
        request, {"error": message, "field": field}, status=error.status_code
    )


class LanguageIn(Schema):
    # The validators below enforce these (case-insensitively), with messages in the
    # caller's language; the schema lists the values.
    language: str = Field(
        description="ISO 639-1 code, e.g. en (case-insensitive)",
        json_schema_extra={"enum": sorted(LANGUAGE_NAMES)},
    )
    min_level: str = Field(
        description="Minimum CEFR level, A1–C2 (case-insensitive)",
        json_schema_extra={"enum": CEFR_LEVELS},
    )

    @field_validator("language")
    @classmethod
    def known_language(cls, value: str) -> str:
        if value.lower() not in LANGUAGE_NAMES:
            raise ValueError(_("unknown language code %(code)r") % {"code": value})
        return value.lower()

    @field_validator("min_level")
    @classmethod
    def known_level(cls, value: str) -> str:
        if value.upper() not in CEFR_LEVELS:
            raise ValueError(_("unknown CEFR level %(level)r (A1–C2)") % {"level": value})
        return value.upper()


class FiltersIn(Schema):
    bureau: str | None = None
    job_category: str | None = None


TEXT_OR_TAGS = "Give a text or at least one tag (a text of only spaces does not count)."


class MatchIn(Schema):
    # The validators below enforce what the schema states (json_schema_extra), so an error
    # message is in the caller's language rather than pydantic's English.
    model_config = ConfigDict(
        json_schema_extra={
            "description": TEXT_OR_TAGS,
            "anyOf": [
                {"required": ["text"], "properties": {"text": {"pattern": r"\S"}}},
                {"required": ["tags"], "properties": {"tags": {"minItems": 1}}},
            ],
        }
    )

    text: str = Field(
        "",
        description="Project title and description, Japanese or English",
        json_schema_extra={"maxLength": MAX_TEXT_LENGTH},
    )
    tags: list[str] = Field(
        default_factory=list,
        description="Expertise tags, Japanese or English",
        json_schema_extra={
            "maxItems": MAX_TAGS,
            "items": {"type": "string", "maxLength": MAX_TAG_LENGTH},
        },
    )
    language: LanguageIn | None = None
    limit: int = Field(
        10,
        description=f"How many members to return, {MIN_LIMIT}–{MAX_LIMIT}",
        json_schema_extra={"minimum": MIN_LIMIT, "maximum": MAX_LIMIT},
    )
    filters: FiltersIn = Field(default_factory=FiltersIn)

    @field_validator("text")
    @classmethod
    def text_not_too_long(cls, value: str) -> str:
        if len(value) > MAX_TEXT_LENGTH:
            raise ValueError(_("text is longer than %(max)s characters") % {"max": MAX_TEXT_LENGTH})
        return value

    @field_validator("tags")
    @classmethod
    def tags_are_short(cls, value: list[str]) -> list[str]:
        if len(value) > MAX_TAGS or any(len(tag) > MAX_TAG_LENGTH for tag in value):
            raise ValueError(_("at most 50 tags of up to 100 characters"))
        return [tag.strip() for tag in value if tag.strip()]

    @field_validator("limit")
    @classmethod
    def limit_in_range(cls, value: int) -> int:
        if not MIN_LIMIT <= value <= MAX_LIMIT:
            raise ValueError(_("limit must be between 1 and 50"))
        return value

    @model_validator(mode="after")
    def something_to_match(self):
        if not self.text.strip() and not self.tags:
            raise ValueError(_("give a text or at least one tag"))
        return self


class MatchResultOut(Schema):
    external_id: str
    name: str
    url: str
    score: float
    reasons: list[str]


class MatchOut(Schema):
    results: list[MatchResultOut]
    backend: str
    took_ms: int
    notice: str = ""


def _ranked_member(request, member, **extra) -> dict:
    """A match result or expert as JSON, with an absolute profile URL."""
    return {
        "external_id": member.external_id,
        "name": member.name,
        "url": request.build_absolute_uri(member.url) if member.url else "",
        "score": member.score,
        "reasons": member.reasons,
        **extra,
    }


@api.post("/match/", response=MatchOut, summary="Rank members for a project")
def match(request, payload: MatchIn):
    """Members ranked for a project, each with the reasons they matched."""
    query = MatchQuery(
        text=payload.text,
        tags=payload.tags,
        language=LanguageRequirement(payload.language.language, payload.language.min_level)
        if payload.language
        else None,
        limit=payload.limit,
        filters={k: v for k, v in payload.filters.dict().items() if v},
        audience=audience_of(request.auth),
    )
    response = match_members_to_project(query)
    return {
        "results": [_ranked_member(request, r) for r in response.results],
        "backend": response.backend,
        "took_ms": response.took_ms,
        "notice": response.notice,
    }


class ExpertOut(Schema):
    external_id: str
    name: str
    url: str
    score: float
    reasons: list[str]
    tags: list[str]


class FacetValue(Schema):
    value: str
    count: int


class ExpertsOut(Schema):
    results: list[ExpertOut]
    total: int
    page: int
    pages: int
    facets: dict[str, list[FacetValue]]


@api.get("/experts/", response=ExpertsOut, summary="Faceted expert search")
def experts(
    request,
    q: str = "",
    tag: str = "",
    bureau: str = "",
    job_category: str = "",
    language: str = "",
    min_level: str = "",
    overseas: bool | None = None,
    page: int = 1,
):
    """Members filtered by the facets (and ranked by `q` when given), with facet counts."""
    if len(q) > MAX_TEXT_LENGTH:
        raise HttpError(400, _("q is longer than %(max)s characters") % {"max": MAX_TEXT_LENGTH})
    if language and language.lower() not in LANGUAGE_NAMES:
        raise HttpError(400, _("unknown language code %(code)r") % {"code": language})
    if min_level and min_level.upper() not in CEFR_LEVELS:
        raise HttpError(400, _("unknown CEFR level %(level)r (A1–C2)") % {"level": min_level})
    result = search_experts(
        ExpertSearch(
            q=q,
            tag=tag,
            bureau=bureau,
            job_category=job_category,
            language=language.lower(),
            min_level=min_level.upper(),
            overseas=overseas,
            page=max(page, 1),
            audience=audience_of(request.auth),
        )
    )
    return {
        "results": [_ranked_member(request, e, tags=e.tags) for e in result.experts],
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
        "facets": {
            name: [{"value": value, "count": count} for value, count in values]
            for name, values in result.facets.items()
        },
    }
