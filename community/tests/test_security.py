"""What the community promises about trust (issue #12), one promise per test.

- Hidden and deleted replies stay out of sight, also inside replies that quote them.
- Odd input (a title of only 🎉, a huge id in a URL) never breaks a page.
- A post cannot make readers' browsers load images from outside the site.
- Every text a member sends has a limit, refused with a clear message.
"""

import re

import pytest

from community.models import MAX_BODY, DiscussionPostPage, Reply
from community.tests.helpers import create_post, signed_in
from profiles.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HUGE_ID = "99999999999999999999"  # more than a 64-bit database integer holds
# One character over the limit (a body over 1 MB never reaches the form: see home.tests)
HUGE_TEXT = "x" * (MAX_BODY + 1)


@pytest.fixture
def post(member_client, category) -> DiscussionPostPage:
    create_post(member_client, category)
    return DiscussionPostPage.objects.get()


def reply_to(client, post, body: str, quoted: Reply | None = None, **extra):
    data = {"body": body, "quoted": quoted.pk if quoted else ""}
    return client.post(f"{post.url}reply/", data, follow=True, **extra)


def hide_by_moderators(reply: Reply) -> None:
    moderator = UserFactory(is_superuser=True, is_staff=True)
    signed_in(moderator).post(
        "/admin/community/flags/", {"content": f"reply:{reply.pk}", "action": "hide"}
    )


def remove(how: str, client, post, reply: Reply) -> None:
    """Hide the reply as moderators do, or delete it as its author."""
    if how == "hidden":
        hide_by_moderators(reply)
    else:
        client.post(f"{post.url}replies/{reply.pk}/delete/")


def page_html(client, url: str, **params) -> str:
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE="en").content.decode()


# --- Hidden and deleted replies ---------------------------------------------------------


@pytest.mark.parametrize(
    ("how", "placeholder"), [("hidden", "This reply is hidden."), ("deleted", "(deleted)")]
)
def test_a_quote_does_not_show_a_hidden_or_deleted_reply(member_client, post, how, placeholder):
    """A reply that quotes a removed reply shows a placeholder instead of the removed text."""
    # Given a reply, and a second reply quoting it
    reply_to(member_client, post, "Offensive remark")
    quoted = Reply.objects.get(body="Offensive remark")
    reply_to(member_client, post, "I quote this", quoted=quoted)

    # When the quoted reply is hidden by moderators (or deleted by its author)
    remove(how, member_client, post, quoted)

    # Then the page shows the quoting reply and a placeholder, never the removed text
    html = page_html(member_client, post.url)
    assert "Offensive remark" not in html
    assert "I quote this" in html
    quote = re.search(r'<blockquote class="reply__quote">(.*?)</blockquote>', html, re.S)
    assert quote and quote.group(1).strip() == placeholder


@pytest.mark.parametrize("how", ["hidden", "deleted"])
def test_a_hidden_or_deleted_reply_cannot_be_quoted(member_client, post, how):
    """The reply form refuses to quote a removed reply, and says why."""
    # Given a reply that was hidden (or deleted)
    reply_to(member_client, post, "Removed text")
    quoted = Reply.objects.get(body="Removed text")
    remove(how, member_client, post, quoted)

    # When a member posts a reply quoting it
    response = reply_to(member_client, post, "Quoting it", quoted=quoted, HTTP_ACCEPT_LANGUAGE="en")

    # Then nothing is saved and the member reads a clear reason
    assert not Reply.objects.filter(body="Quoting it").exists()
    message = "The quoted reply has been hidden or deleted, so it cannot be quoted."
    assert message in response.content.decode()


def test_a_reply_quoting_a_since_hidden_reply_can_still_be_edited(member_client, post):
    """Hiding a quoted reply does not lock its quoter out of editing their own reply."""
    reply_to(member_client, post, "Original")
    quoted = Reply.objects.get(body="Original")
    reply_to(member_client, post, "My answer", quoted=quoted)
    mine = Reply.objects.get(body="My answer")
    hide_by_moderators(quoted)

    response = member_client.post(
        f"{post.url}replies/{mine.pk}/edit/", {"body": "My corrected answer", "quoted": quoted.pk}
    )

    mine.refresh_from_db()
    assert response.status_code == 302
    assert mine.body == "My corrected answer" and mine.quoted == quoted


# --- Odd input never breaks a page ------------------------------------------------------


@pytest.mark.parametrize("title", ["!!!", "🎉", "！？…"])
def test_a_title_without_letters_or_digits_is_published(member_client, category, title):
    """A title of only punctuation or emoji is published under a generated address."""
    response = create_post(member_client, category, title=title)

    post = DiscussionPostPage.objects.get()
    assert response.status_code == 302 and post.live and post.title == title
    assert post.slug
    assert member_client.get(post.url).status_code == 200


def test_posts_with_such_titles_get_different_addresses(member_client, category):
    """Two posts titled only 🎉 in one category do not collide."""
    create_post(member_client, category, title="🎉")
    create_post(member_client, category, title="🎉")

    slugs = set(DiscussionPostPage.objects.values_list("slug", flat=True))
    assert len(slugs) == 2


@pytest.mark.parametrize(
    ("method", "route"),
    [("get", "edit"), ("post", "edit"), ("post", "flag"), ("post", "delete")],
)
def test_a_huge_reply_id_in_a_url_is_not_found(member_client, post, method, route):
    """A reply id too large for the database is a 404, not a server error."""
    url = f"{post.url}replies/{HUGE_ID}/{route}/"

    response = getattr(member_client, method)(url, {"reason": "x"} if method == "post" else {})

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("where", "params"),
    [
        ("post", {"quote": HUGE_ID}),
        ("post", {"quote": "²"}),  # a digit to str.isdigit(), not to int()
        ("post", {"quote": "-1"}),
        ("category", {"page": HUGE_ID}),
        ("category", {"tag": HUGE_ID}),
        ("index", {"page": HUGE_ID}),
        ("notifications", {"page": HUGE_ID}),
    ],
)
def test_huge_or_odd_numbers_in_query_strings_are_ignored(
    member_client, post, category, where, params
):
    """Pages treat an unusable number in the query string as absent."""
    urls = {
        "post": post.url,
        "category": category.url,
        "index": category.get_parent().url,
        "notifications": "/notifications/",
    }

    response = member_client.get(urls[where], params)

    assert response.status_code == 200


@pytest.mark.parametrize("quoted", [HUGE_ID, "²", "-1", "abc"])
def test_an_unusable_quoted_id_in_a_reply_is_refused(member_client, post, quoted):
    """A reply quoting an id that cannot exist is refused like any invalid choice."""
    response = member_client.post(f"{post.url}reply/", {"body": "Hello", "quoted": quoted})

    assert response.status_code == 302
    assert not Reply.objects.exists()


@pytest.mark.parametrize("content", [f"reply:{HUGE_ID}", f"post:{HUGE_ID}", "reply:abc", "x"])
def test_the_moderation_queue_answers_an_unusable_content_id_with_404(content):
    """A moderator's decision on content that cannot exist is a 404, not a server error."""
    moderator = signed_in(UserFactory(is_superuser=True, is_staff=True))

    response = moderator.post("/admin/community/flags/", {"content": content, "action": "hide"})

    assert response.status_code == 404


# --- Images only from the site ----------------------------------------------------------

OUTSIDE_IMAGES = [
    "![map](https://evil.example/track.png)",
    "![map](HTTP://EVIL.EXAMPLE/track.png)",
    "![map](//evil.example/track.png)",
    "![map](data:image/png;base64,iVBORw0KGgo=)",
    '<img src="https://evil.example/track.png">',
    '<img src="//evil.example/track.png">',
    '<img src="///evil.example/track.png">',  # any number of slashes names a host
    '<img src="/\\evil.example/track.png">',  # browsers read a backslash as a slash
    '<img src="/&#9;/evil.example/track.png">',  # and drop tabs and newlines in URLs
    '<img src="&#47;&#47;evil.example/track.png">',
    '<img src=" //evil.example/track.png">',
    '<img src="data:image/svg+xml,&lt;svg/&gt;">',
]


def image_tags(html: str) -> list[str]:
    return re.findall(r"<img\b[^>]*>", html, re.I)


@pytest.mark.parametrize("markdown", OUTSIDE_IMAGES)
def test_posts_and_replies_load_no_images_from_outside_the_site(member_client, category, markdown):
    """An image from another host or a data: URI is not loaded by readers' browsers."""
    # Given a post and a reply that embed an outside image
    create_post(member_client, category, body=f"See {markdown}")
    post = DiscussionPostPage.objects.get()
    reply_to(member_client, post, f"Also {markdown}")

    # When a member reads them
    html = page_html(member_client, post.url)

    # Then no image on the page points outside the site
    outside = [tag for tag in image_tags(html) if "evil.example" in tag.lower() or "data:" in tag]
    assert outside == []


def test_an_outside_markdown_image_becomes_a_plain_link(member_client, category):
    """Readers can still open an outside picture, by choice, from a link."""
    create_post(member_client, category, body="![the plan](https://evil.example/plan.png)")
    post = DiscussionPostPage.objects.get()

    html = page_html(member_client, post.url)

    link = re.search(r'<a href="https://evil.example/plan.png"[^>]*>the plan</a>', html)
    assert link and 'rel="noopener noreferrer nofollow"' in link.group(0)


@pytest.mark.parametrize("src", ["/media/images/plan.png", "images/plan.png"])
def test_images_from_the_site_are_still_shown(member_client, category, src):
    """Images by a path on the site (a single leading slash, or relative) are kept."""
    create_post(member_client, category, body=f"![plan]({src})")
    post = DiscussionPostPage.objects.get()

    html = page_html(member_client, post.url)

    assert f'<img alt="plan" src="{src}">' in html


# --- Every text has a limit -------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "limit"),
    [("body", HUGE_TEXT, "20000"), ("title", "長" * 201, "200")],
)
def test_a_post_too_long_is_refused_with_a_clear_message(
    member_client, category, field, value, limit
):
    """Titles stop at 200 characters and bodies at 20,000; longer is refused, not saved."""
    data = {"title": "Title", "body": "Body", "tags": ""} | {field: value}

    response = member_client.post(f"{category.url}new/", data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert f"Ensure this value has at most {limit} characters" in response.content.decode()
    assert not DiscussionPostPage.objects.exists()


def test_a_reply_too_long_is_refused_with_a_clear_message(member_client, post):
    """Replies stop at 20,000 characters; a 2.4 MB reply is refused, not saved."""
    response = reply_to(member_client, post, HUGE_TEXT, HTTP_ACCEPT_LANGUAGE="en")

    assert not Reply.objects.exists()
    assert "Ensure this value has at most 20000 characters" in response.content.decode()


def test_an_edited_reply_too_long_is_refused(member_client, post):
    """Editing a reply is bounded like writing one."""
    reply_to(member_client, post, "Short")
    reply = Reply.objects.get()

    response = member_client.post(
        f"{post.url}replies/{reply.pk}/edit/", {"body": HUGE_TEXT}, HTTP_ACCEPT_LANGUAGE="en"
    )

    reply.refresh_from_db()
    assert reply.body == "Short"
    assert "Ensure this value has at most 20000 characters" in response.content.decode()


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ("長" * 101, "A tag may have at most 100 characters."),
        (", ".join(f"tag{n}" for n in range(11)), "Give at most 10 tags."),
        ("!!!", "These tags have no letter or digit: !!!"),
    ],
)
def test_unusable_tags_are_refused_with_a_clear_message(member_client, category, tags, message):
    """Tags are at most 100 characters, at most 10 per post, and need a letter or digit."""
    data = {"title": "Title", "body": "Body", "tags": tags}

    response = member_client.post(f"{category.url}new/", data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DiscussionPostPage.objects.exists()
