"""Helpers shared by the profile tests: a complete edit-form POST and its URL."""

from profiles.models import ProfilePage


def profile_form_data(profile: ProfilePage, **overrides) -> dict:
    """A complete, valid POST for the edit form, based on what the profile holds now."""
    data = {
        "name_ja": profile.name_ja,
        "name_en": profile.name_en,
        "bureau": profile.bureau_id or "",
        "job_category": profile.job_category_id or "",
        "position": profile.position,
        "years_of_service": profile.years_of_service or "",
        "tags": ", ".join(tag.name for tag in profile.tags.all()),
        "bio_ja": profile.bio_ja,
        "bio_en": profile.bio_en,
        "languages-TOTAL_FORMS": "1",
        "languages-INITIAL_FORMS": "0",
        "languages-MIN_NUM_FORMS": "0",
        "languages-MAX_NUM_FORMS": "1000",
        "languages-0-language": "",
        "languages-0-level": "",
        "languages-0-test_name": "",
        "languages-0-score": "",
        "overseas_experiences-TOTAL_FORMS": "1",
        "overseas_experiences-INITIAL_FORMS": "0",
        "overseas_experiences-MIN_NUM_FORMS": "0",
        "overseas_experiences-MAX_NUM_FORMS": "1000",
        "overseas_experiences-0-country": "",
        "overseas_experiences-0-organisation": "",
        "overseas_experiences-0-year": "",
        "overseas_experiences-0-summary": "",
    }
    data.update(overrides)
    return data


def edit_url(profile: ProfilePage) -> str:
    return f"{profile.get_parent().url}me/edit/"
