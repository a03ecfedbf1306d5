"""Steps shared by the browser tests."""

import re

from profiles.tests.factories import TEST_PASSWORD


def sign_in(page, user) -> None:
    """Sign in through the real form (after dropping any earlier session)."""
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/$"))
