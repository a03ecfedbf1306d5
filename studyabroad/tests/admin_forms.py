"""Posting the Wagtail page editor as a person would: the form as rendered, a field changed."""

from django.http import QueryDict

from wagtail.fields import StreamField
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html, streamfield


def edit_url(page) -> str:
    return f"/admin/pages/{page.pk}/edit/"


def editor_form(client, page, **changes) -> QueryDict:
    """The page editor's form as the admin renders it for the signed-in user, with `changes`."""
    response = client.get(edit_url(page))
    assert response.status_code == 200, f"the editor did not open ({response.status_code})"
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    data.update(_empty_stream_fields(page))
    for name, value in changes.items():
        data[name] = value
    return data


def post_editor(client, page, action: str, **changes):
    """Press an editor button ("action-publish", "action-submit", …) after making `changes`."""
    data = editor_form(client, page, **changes)
    data[action] = action
    return client.post(edit_url(page), data)


def _empty_stream_fields(page) -> dict:
    """The editor draws StreamFields with JavaScript, so the HTML holds no inputs for them;
    post them empty (which keeps them only when they are empty, as on the test pages)."""
    stream_fields = [f for f in page.specific._meta.fields if isinstance(f, StreamField)]
    for field in stream_fields:
        assert not getattr(page.specific, field.name), f"{field.name} would be emptied"
    return nested_form_data({field.name: streamfield([]) for field in stream_fields})
