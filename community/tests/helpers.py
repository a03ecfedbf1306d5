"""Helpers shared by the community tests."""

from django.test import Client


def create_post(
    client,
    category,
    title="下水道の技術交流",
    body="**オランダ**の事例を共有します。",
    tags="下水道, Netherlands",
):
    return client.post(f"{category.url}new/", {"title": title, "body": body, "tags": tags})


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
