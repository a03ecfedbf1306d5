"""What the search app promises about trust (issue #12), one test per promise:

- matching never scores nor quotes an exchange report of a participant who keeps their
  overseas experience from the asker (profiles.privacy, "experience"), on either backend;
- odd input (a form value that is no id, a quote or NUL in a search, a huge number in a
  filter) gets a message or is ignored, never a server error;
- the API's docs come from the site itself and only for the API's callers, and its schema
  states the limits the API enforces.
"""

import datetime
import re

from django.conf import settings

import pytest

from profiles.privacy import Visibility
from profiles.tests.factories import ProfilePageFactory, UserFactory
from profiles.tests.privacy_fixtures import publish_with_evidence
from profiles.vocabularies import CEFR_LEVELS, LANGUAGE_NAMES
from search.models import Shortlist, ShortlistEntry
from search.sync import sync_profiles
from search.tests.engine_fixtures import MATCH_BACKENDS, answer_matching_from
from search.tests.test_match_api import post
from studyabroad.demo import ensure_report_index
from studyabroad.models import ExchangeReportPage, ReportParticipant

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # more than a 64-bit integer holds
REPORT_REASON = "report: 下水道管きょ更生 (2024, NL)"
SEWER_PROJECT = {"text": "sewer pipe rehabilitation project"}


# --- Exchange reports follow the participant's "experience" choice ----------------------------


def traveller(directory, external_id: str, experience: str):
    """A member whose only evidence is the sewer report they took part in."""
    page = ProfilePageFactory(
        parent=directory,
        external_id=external_id,
        bio_ja="",
        bio_en="",
        visibility_experience=experience,
    )
    publish_with_evidence(page)
    return page


@pytest.fixture
def travellers(directory):
    """Three members on one report: sharing experience with all members (S00001), with
    managers only (S00002), with no one (S00003)."""
    pages = [
        traveller(directory, "S00001", Visibility.MEMBERS),
        traveller(directory, "S00002", Visibility.STAFF),
        traveller(directory, "S00003", Visibility.PRIVATE),
    ]
    report = ExchangeReportPage(
        title="下水道管きょ更生",
        slug="sewer-rehabilitation",
        report_key="EX-9001",
        country="NL",
        host_organisation="Rijkswaterstaat",
        start_date=datetime.date(2024, 5, 13),
        outcomes="オランダの管きょ更生工法と維持管理の仕組みを調査した。",
    )
    report.participants = [ReportParticipant(profile=page) for page in pages]
    ensure_report_index(directory.get_parent().specific).add_child(instance=report)
    report.save_revision().publish()
    sync_profiles([page.pk for page in pages])  # tests never reach the on_commit sync
    return pages


@pytest.fixture(params=MATCH_BACKENDS)
def backend(request, travellers):
    return answer_matching_from(request, request.param)


def match(client, user, backend: str) -> dict[str, list[str]]:
    """Reasons by staff number for the sewer project, asked as `user` (on `backend`)."""
    client.force_login(user)
    response = post(client, SEWER_PROJECT, HTTP_ACCEPT_LANGUAGE="en").json()
    assert response["backend"] == backend  # no silent fallback to the database
    return {result["external_id"]: result["reasons"] for result in response["results"]}


def test_members_do_not_match_on_reports_of_participants_who_hide_their_experience(client, backend):
    """A member sees a report quoted only for participants who share experience with all."""
    # Given three participants of one report, sharing experience with all / managers / no one
    # When an ordinary member matches a project the report is evidence for
    found = match(client, UserFactory(), backend)

    # Then only the one sharing with all members is found, and the report is quoted for them
    assert list(found) == ["S00001"]
    assert any(REPORT_REASON in reason for reason in found["S00001"])


def test_managers_match_on_reports_shared_with_them_but_not_on_private_ones(client, backend):
    """A manager sees reports of participants sharing with managers, never "only me" ones."""
    found = match(client, UserFactory(groups=["Managers"]), backend)

    assert set(found) == {"S00001", "S00002"}
    assert any(REPORT_REASON in reason for reason in found["S00002"])


def test_expert_search_does_not_find_members_by_reports_they_keep_to_themselves(client, travellers):
    """Find experts (database only) follows the same rule as matching."""
    client.force_login(UserFactory())

    found = client.get("/api/v1/experts/", {"q": "管きょ更生"}).json()

    assert [expert["external_id"] for expert in found["results"]] == ["S00001"]


# --- Odd input is a message or ignored, never a server error ----------------------------------


@pytest.fixture
def manager_client(client, manager, open_member):
    """A signed-in manager, with one member to find."""
    client.force_login(manager)
    return client


@pytest.mark.parametrize("entry", ["abc", "", HUGE, "-1"])
def test_a_shortlist_form_naming_no_entry_gets_a_message(
    manager_client, manager, open_member, entry
):
    """Removing an entry that is not on the list says so (and changes nothing)."""
    # Given a manager's shortlist with one member and a note
    shortlist = Shortlist.objects.create(owner=manager, name="候補")
    kept = ShortlistEntry.objects.create(shortlist=shortlist, profile=open_member, note="n")

    # When the note form names an entry that is no entry of this list
    response = manager_client.post(
        shortlist.get_absolute_url(),
        {"entry": entry, "action": "remove"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )

    # Then the list is shown again with a message, and the entry is still there
    assert response.redirect_chain == [(shortlist.get_absolute_url(), 302)]
    assert "That member is no longer on this shortlist." in response.content.decode()
    assert ShortlistEntry.objects.filter(pk=kept.pk, note="n").exists()


@pytest.mark.parametrize("shortlist", ["", "abc", "²"])
def test_adding_to_a_shortlist_without_choosing_one_gets_a_message(
    manager_client, open_member, shortlist
):
    """ "Add to shortlist" with no list chosen (a new manager has none) asks to choose one."""
    response = manager_client.post(
        "/experts/shortlists/add/",
        {"member": open_member.external_id, "shortlist": shortlist, "next": "/experts/"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )

    assert response.redirect_chain == [("/experts/", 302)]
    assert "Choose one of your shortlists or name a new one." in response.content.decode()
    assert not ShortlistEntry.objects.exists()


@pytest.mark.parametrize(
    "query", ['"', '"Rijkswaterstaat', 'Rijkswaterstaat"', "\x00", "Rijks\x00"]
)
def test_site_search_ignores_quotes_and_nul(client, travellers, query):
    """Quotes and NUL, which the database backend cannot take, are left out of the search."""
    client.force_login(UserFactory())

    response = client.get("/search/", {"query": query})

    assert response.status_code == 200
    found = [page.title for page in response.context["search_results"]]
    assert found == (["下水道管きょ更生"] if "Rijkswaterstaat" in query else [])


@pytest.mark.parametrize(
    "params",
    [
        {"bureau": HUGE},
        {"job_category": HUGE},
        {"tag": HUGE},
        {"language": HUGE, "min_level": HUGE},
        {"overseas": HUGE},
        {"page": HUGE},
        {"page": "²"},  # a digit to str.isdigit(), not to int()
        {"page": "-1"},
    ],
)
def test_expert_search_ignores_filters_it_cannot_use(manager_client, params):
    """Find experts and its CSV download answer odd filter values, not a server error."""
    page = manager_client.get("/experts/", params)
    download = manager_client.get("/experts/export.csv", params)

    assert page.status_code == 200
    assert page.context["result"].page == 1
    assert download.status_code == 200


# --- The API's docs and schema -----------------------------------------------------------------

# An address on another host: "https://cdn…", "http://…" or protocol-relative "//cdn…".
EXTERNAL_ADDRESS = re.compile(r"""https?://|["'(=]//""")


def test_api_docs_come_from_the_sites_own_static_files(member_client):
    """The docs page loads Swagger UI from /static/, not a CDN, and every file is there."""
    html = member_client.get("/api/v1/docs/").content.decode()
    assets = re.findall(r"""(?:src|href)="([^"]+)\"""", html)

    assert not EXTERNAL_ADDRESS.search(html)
    assert '"validatorUrl": null' in html  # no badge fetched from validator.swagger.io
    assert assets and all(asset.startswith(f"{settings.STATIC_URL}ninja/") for asset in assets)
    assert all(member_client.get(asset).status_code == 200 for asset in assets)


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/schema/"])
def test_api_docs_and_schema_refuse_anonymous_visitors(client, db, path):
    """Only the API's callers (signed in, or a manager's token) read the docs and schema."""
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 401
    assert response.json() == {"error": "Sign in, or send 'Authorization: Token <key>'."}


def test_api_schema_states_the_limits_the_api_enforces(member_client):
    """The OpenAPI schema lists language codes and levels, the 1–50 limit, text or tags."""
    # Given the schema the API serves
    schemas = member_client.get("/api/v1/schema/").json()["components"]["schemas"]
    match_in, language_in = schemas["MatchIn"], schemas["LanguageIn"]

    # Then it states each constraint
    assert language_in["properties"]["language"]["enum"] == sorted(LANGUAGE_NAMES)
    assert language_in["properties"]["min_level"]["enum"] == CEFR_LEVELS
    limit = match_in["properties"]["limit"]
    assert (limit["minimum"], limit["maximum"]) == (1, 50)
    assert [branch["required"] for branch in match_in["anyOf"]] == [["text"], ["tags"]]
    assert "at least one tag" in match_in["description"]

    # And the API refuses what the schema rules out
    assert post(member_client, {"text": "bridge", "limit": limit["maximum"] + 1}).status_code == 400
    assert post(member_client, {"text": "bridge", "limit": limit["minimum"]}).status_code == 200
    assert post(member_client, {"text": " ", "tags": []}).status_code == 400
    unknown = {"text": "bridge", "language": {"language": "xx", "min_level": "B2"}}
    assert post(member_client, unknown).json()["field"] == "language.language"
