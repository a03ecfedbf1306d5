"""The real OpenSearch node started by bin/test (TALENTHUB_TEST_SEARCH_URL), per-test index names.

Without a node the engine tests skip on a laptop; under CI=true they fail, never skip.
"""

import os
import uuid

from django.core.management import call_command

import pytest
from opensearchpy import OpenSearch

ENGINE_URL_VARIABLE = "TALENTHUB_TEST_SEARCH_URL"
# For `@pytest.fixture(params=MATCH_BACKENDS)`: a matching test runs on both implementations.
MATCH_BACKENDS = ["database", pytest.param("opensearch", marks=pytest.mark.engine)]


def _engine_url() -> str:
    url = os.environ.get(ENGINE_URL_VARIABLE, "")
    problem = None
    if not url:
        problem = f"{ENGINE_URL_VARIABLE} is not set (bin/test starts OpenSearch and sets it)"
    else:
        try:
            OpenSearch(hosts=[url], timeout=5, max_retries=0).info()
        except Exception as error:
            problem = f"OpenSearch at {url} is not answering: {error}"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"Engine tests cannot run in CI: {problem}", pytrace=False)
        pytest.skip(problem)
    return url


@pytest.fixture
def engine(settings):
    """Point the site at the real node with a fresh index prefix; clean up afterwards."""
    from search.engine import OpenSearchMemberIndex

    settings.SEARCH_URL = _engine_url()
    settings.SEARCH_INDEX_PREFIX = f"test_{uuid.uuid4().hex[:10]}"
    OpenSearchMemberIndex.reset_availability()
    index = OpenSearchMemberIndex.from_settings()
    yield index
    index.delete_all()
    OpenSearchMemberIndex.reset_availability()


def answer_matching_from(request, backend: str) -> str:
    """Make matching answer from `backend`: for "opensearch", the real node, its index rebuilt
    from the evidence stored so far (so call it after creating the test's members)."""
    if backend == "opensearch":
        request.getfixturevalue("engine")
        call_command("rebuild_match_index")
    return backend
