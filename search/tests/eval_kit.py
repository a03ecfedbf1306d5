"""Run the public evaluation set (search/evaluation) against the matching API in a test."""

import json

from search.evaluation import scoring

MEMBERS_FILE = scoring.MEMBERS_FILE
BASELINE_NDCG = scoring.baseline_report()["overall"]["ndcg@10"]


def evaluate_api(client, **headers) -> dict:
    """POST every public query to /api/v1/match/ through the test client and score the rankings."""

    def match(body: dict) -> list:
        response = client.post(
            "/api/v1/match/", data=json.dumps(body), content_type="application/json", **headers
        )
        assert response.status_code == 200, response.content
        return response.json()["results"]

    return scoring.evaluate_with(match)
