"""Find experts (API and page) and the "Match to a project" form."""

import pytest

pytestmark = pytest.mark.django_db


def test_experts_api_filters_and_counts_facets(member_client, members):
    everyone = member_client.get("/api/v1/experts/").json()
    bridges = member_client.get("/api/v1/experts/", {"q": "bridge", "bureau": "建設局"}).json()
    english = member_client.get("/api/v1/experts/", {"language": "en", "min_level": "B1"}).json()

    # The three imported members (the signed-in member's factory page was never published
    # through Wagtail, so it has no evidence).
    assert everyone["total"] == 3
    bureau_counts = {f["value"]: f["count"] for f in everyone["facets"]["bureau"]}
    assert bureau_counts == {"建設局": 2, "下水道局": 1}
    assert {r["external_id"] for r in bridges["results"]} == {"A00001", "A00003"}
    assert all(r["reasons"] for r in bridges["results"])
    assert {r["external_id"] for r in english["results"]} == {"A00001", "A00003"}


def test_experts_api_rejects_bad_levels(member_client, members):
    response = member_client.get("/api/v1/experts/", {"language": "en", "min_level": "Z9"})

    assert response.status_code == 400
    assert "Z9" in response.json()["error"]


def test_find_experts_page_in_japanese_and_english(member_client, members):
    japanese = member_client.get("/experts/", {"q": "橋梁"}, HTTP_ACCEPT_LANGUAGE="ja")
    english = member_client.get(
        "/experts/", {"bureau": "建設局"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    body = japanese.content.decode()
    assert "専門家を探す" in body and "橋本 一郎" in body and "下田 二郎" not in body
    assert "Find experts" in english and "Bureau of Construction" in english
    assert "下田 二郎" not in english


def test_match_form_ranks_candidates_with_reasons(member_client, members):
    response = member_client.get(
        "/experts/match/",
        {"title": "Sewer rehabilitation", "description": "", "language": "", "min_level": ""},
        HTTP_ACCEPT_LANGUAGE="ja",
    )

    body = response.content.decode()
    assert "候補者ランキング" in body
    assert body.index("下田 二郎") < body.find("橋本 一郎") or "橋本 一郎" not in body
    assert "専門分野タグ<mark>「管きょ更生」</mark>" in body


def test_match_form_needs_both_language_and_level(member_client, members):
    response = member_client.get(
        "/experts/match/", {"title": "x", "language": "en", "min_level": ""}
    )

    assert "候補者ランキング" not in response.content.decode()
    assert "両方選ぶ" in response.content.decode()


def test_quoted_words_in_reasons_are_highlighted_and_escaped():
    from search.templatetags.match_tags import mark_quoted

    html = mark_quoted("専門分野タグ「<b>橋梁</b>」 and expertise tag “GIS”")

    assert html == (
        "専門分野タグ<mark>「&lt;b&gt;橋梁&lt;/b&gt;」</mark> and expertise tag <mark>“GIS”</mark>"
    )
