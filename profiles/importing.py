"""Member import: read JSON Lines or CSV rows, validate each on its own, upsert by staff number.

Rows are validated into a `MemberRecord` (the member schema of shared/eval/README.md, normalised);
a record equal to the member's current snapshot is left alone, so re-running a file changes
nothing. New members are created in batches (profiles.bulk_pages), each batch one transaction;
a batch the database refuses is redone row by row, and an update is its own transaction: a
failure never leaves half a member behind, and a bad row costs only itself.
"""

import csv
import io
import json
import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.signals import post_save
from django.utils.translation import gettext as _

from modelcluster.models import get_all_child_relations
from modelsearch.signal_handlers import post_save_signal_handler
from taggit.models import Tag
from wagtail.search.backends import get_search_backends
from wagtail.signal_handlers import disable_reference_index_auto_update
from wagtail.signals import page_published

from allauth.account.models import EmailAddress
from django_countries import countries

from talenthub import clock

from .bulk_pages import add_published_children, child_slugs, update_reference_index
from .models import (
    PROVISIONAL_STAFF_NUMBER_PREFIX,
    Bureau,
    JobCategory,
    OverseasExperience,
    ProfileExchangeRecord,
    ProfileIndexPage,
    ProfileLanguage,
    ProfilePage,
    ProfileTag,
    User,
)
from .signal_handlers import MEMBERS_GROUP
from .text_checks import (
    BIOGRAPHY_MAX_LENGTH,
    RECORD_TEXT_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    TAG_MAX_LENGTH,
    has_letter_or_digit,
    tag_has_slug,
)
from .vocabularies import CEFR_LEVELS, LANGUAGE_NAMES, LANGUAGE_TESTS

LIST_SEPARATOR = ";"
# New profiles are written this many at a time: one transaction and a few bulk inserts each.
CREATE_BATCH_SIZE = 500
FIELD_SEPARATOR = "|"

logger = logging.getLogger(__name__)
# Cells may be long (biographies); the checks on each field report what is too long, so the
# CSV reader itself never stops a file at a long cell (its default limit is 131,072).
CSV_CELL_LIMIT = 16 * 1024 * 1024


class RowError(Exception):
    """A row that cannot be imported, with the reason in the operator's language."""


@dataclass
class MemberRecord:
    """One member as the import schema describes it, normalised for comparison."""

    external_id: str
    email: str
    name_ja: str = ""
    name_en: str = ""
    bureau: str = ""
    job_category: str = ""
    position: str = ""
    years_of_service: int | None = None
    expertise: list[str] = field(default_factory=list)
    languages: list[dict] = field(default_factory=list)
    overseas_experience: list[dict] = field(default_factory=list)
    bio_ja: str = ""
    bio_en: str = ""
    interested_in_dispatch: bool = False
    exchange_records: list[dict] = field(default_factory=list)

    def comparable(self) -> dict:
        """The record as plain data, with tag order and case ignored."""
        data = self.__dict__.copy()
        data["expertise"] = sorted({tag.casefold() for tag in self.expertise})
        return data


@dataclass
class ImportReport:
    """What an import did, row by row."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.created + self.updated


# --- Reading -------------------------------------------------------------------------------


def read_rows(path: Path) -> Iterator[tuple[int, dict | RowError]]:
    """(line number, raw row) pairs from a .jsonl/.json or .csv file; unreadable rows as errors."""
    if path.suffix.lower() == ".csv":
        yield from _read_csv(path)
    else:
        yield from read_jsonl(path)


def count_rows(path: Path) -> int:
    """Roughly how many rows a file has, for the progress bar."""
    with path.open("rb") as handle:
        lines = sum(1 for line in handle if line.strip())
    return max(lines - 1, 0) if path.suffix.lower() == ".csv" else lines


def _refuse_constant(name: str):
    raise RowError(_("%(value)s is not a number") % {"value": name})


def parse_json_row(line: str):
    """One JSON value; NaN and Infinity, which JSON itself does not allow, are refused."""
    try:
        return json.loads(line, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise RowError(_("broken JSON: %(error)s") % {"error": error.msg}) from None
    except RecursionError:
        raise RowError(_("broken JSON: nested too deeply")) from None


def read_jsonl(path: Path) -> Iterator[tuple[int, dict | RowError]]:
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = parse_json_row(line)
            except RowError as error:
                yield line_number, error
                continue
            if not isinstance(row, dict):
                yield line_number, RowError(_("each line must be one JSON object"))
                continue
            yield line_number, row


def read_csv_rows(path: Path, convert) -> Iterator[tuple[int, dict | RowError]]:
    """(line number, convert(row) or RowError) for each CSV row; a row the CSV reader cannot
    read (a NUL byte, say) is reported and the file goes on."""
    csv.field_size_limit(CSV_CELL_LIMIT)
    with path.open(encoding="utf-8-sig", newline="", errors="replace") as handle:
        reader = csv.DictReader(handle)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield reader.line_num, RowError(_("unreadable CSV: %(error)s") % {"error": error})
                continue
            try:
                yield reader.line_num, convert(row)
            except RowError as error:
                yield reader.line_num, error


def _read_csv(path: Path) -> Iterator[tuple[int, dict | RowError]]:
    return read_csv_rows(path, _csv_row_to_schema)


def _csv_row_to_schema(row: dict[str, str | None]) -> dict:
    """A flat CSV row in the shape of a JSON Lines row; lists are separated by ';'."""
    if None in row:
        raise RowError(_("this row has more cells than the header"))
    data: dict[str, Any] = {key: (value or "").strip() for key, value in row.items() if key}
    data["expertise"] = _split(data.get("expertise", ""))
    data["languages"] = _csv_list(data.get("languages", ""), ["language", "level", "test", "score"])
    data["overseas_experience"] = _csv_list(
        data.get("overseas_experience", ""), ["country", "organisation", "year", "summary"]
    )
    data["exchange_records"] = _csv_list(
        data.get("exchange_records", ""),
        ["title", "technical_field", "outcome", "utilisation_plan", "year"],
    )
    if data.get("years_of_service") == "":
        data["years_of_service"] = None
    flag = str(data.get("interested_in_dispatch", "")).lower()
    data["interested_in_dispatch"] = flag in {"1", "true", "yes", "y", "はい", "有"}
    return data


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(LIST_SEPARATOR) if item.strip()]


def _csv_list(value: str, keys: list[str]) -> list[dict]:
    """A CSV cell holding either a JSON array or `a|b|c; a|b|c` entries in `keys` order."""
    if value.startswith("["):
        return parse_json_row(value)
    entries = []
    for item in _split(value):
        parts = [part.strip() for part in item.split(FIELD_SEPARATOR)]
        entries.append({key: part for key, part in zip(keys, parts, strict=False) if part})
    return entries


# --- Validation ----------------------------------------------------------------------------


def _text(row: dict, key: str, max_length: int, required: bool = False) -> str:
    value = row.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str | int | float):
        raise RowError(_("%(field)s must be text") % {"field": key})
    value = str(value).strip()
    if required and not value:
        raise RowError(_("%(field)s is missing") % {"field": key})
    if len(value) > max_length:
        raise RowError(
            _("%(field)s is longer than %(max)s characters") % {"field": key, "max": max_length}
        )
    return value


def finite_decimal(value: Any, message: str) -> Decimal:
    """A number from a cell or JSON value, or RowError(message): NaN and infinities too."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise RowError(message) from None
    if not number.is_finite():
        raise RowError(message)
    return number


def _whole_number(value: Any, message: str) -> int:
    number = finite_decimal(value, message)
    if number != number.to_integral_value() or abs(number) > 10**6:
        raise RowError(message)
    return int(number)


def _year(value: Any, where: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        year = _whole_number(value, "")
    except RowError:
        raise RowError(
            _("%(where)s: year %(value)r is not a number") % {"where": where, "value": value}
        ) from None
    if not 1950 <= year <= 2100:
        raise RowError(
            _("%(where)s: year %(value)s is out of range") % {"where": where, "value": year}
        )
    return year


def _list_of_objects(row: dict, key: str) -> list[dict]:
    value = row.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise RowError(_("%(field)s must be a list of objects") % {"field": key})
    return value


def _name(row: dict, key: str) -> str:
    name = _text(row, key, 100)
    if name and not has_letter_or_digit(name):
        raise RowError(_("%(field)s %(value)r has no letter") % {"field": key, "value": name})
    return name


def validate_row(row: dict) -> MemberRecord:
    """Check one raw row against the member schema; the first problem found is raised."""
    external_id = _text(row, "external_id", 32, required=True)
    if external_id.lower().startswith(PROVISIONAL_STAFF_NUMBER_PREFIX):
        raise RowError(
            _("external_id %(id)s: staff numbers starting with %(prefix)s are reserved")
            % {"id": external_id, "prefix": PROVISIONAL_STAFF_NUMBER_PREFIX}
        )
    email = _text(row, "email", 254, required=True).lower()
    try:
        validate_email(email)
    except ValidationError:
        raise RowError(_("email %(email)r is not a valid address") % {"email": email}) from None
    years = row.get("years_of_service")
    if years not in (None, ""):
        years = _whole_number(years, _("years_of_service must be a whole number"))
        if not 0 <= years <= 60:
            raise RowError(_("years_of_service must be between 0 and 60"))
    else:
        years = None
    expertise = row.get("expertise") or []
    if not isinstance(expertise, list) or not all(isinstance(t, str) for t in expertise):
        raise RowError(_("expertise must be a list of strings"))
    tags: list[str] = []
    for tag in expertise:
        tag = " ".join(tag.split())[:TAG_MAX_LENGTH]
        if tag and not tag_has_slug(tag):
            raise RowError(_("expertise tag %(tag)r has no letter or digit") % {"tag": tag})
        if tag and tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(tag)
    interested = row.get("interested_in_dispatch", False)
    if not isinstance(interested, bool):
        raise RowError(_("interested_in_dispatch must be true or false"))
    return MemberRecord(
        external_id=external_id,
        email=email,
        name_ja=_name(row, "name_ja"),
        name_en=_name(row, "name_en"),
        bureau=_text(row, "bureau", 100),
        job_category=_text(row, "job_category", 100),
        position=_text(row, "position", 100),
        years_of_service=years,
        expertise=tags,
        languages=[_validate_language(item) for item in _list_of_objects(row, "languages")],
        overseas_experience=[
            _validate_experience(item) for item in _list_of_objects(row, "overseas_experience")
        ],
        bio_ja=_text(row, "bio_ja", BIOGRAPHY_MAX_LENGTH),
        bio_en=_text(row, "bio_en", BIOGRAPHY_MAX_LENGTH),
        interested_in_dispatch=interested,
        exchange_records=[
            _validate_exchange_record(item) for item in _list_of_objects(row, "exchange_records")
        ],
    )


def _validate_language(item: dict) -> dict:
    code = str(item.get("language", "")).strip().lower()
    if code not in LANGUAGE_NAMES:
        raise RowError(_("unknown language code %(code)r (ISO 639-1 expected)") % {"code": code})
    level = str(item.get("level", "")).strip().upper()
    if level not in CEFR_LEVELS:
        raise RowError(
            _("unknown CEFR level %(level)r for %(code)s (A1–C2 expected)")
            % {"level": item.get("level", ""), "code": code}
        )
    test = str(item.get("test") or "").strip()
    score = item.get("score")
    if score in (None, ""):
        score = None
    else:
        score = finite_decimal(score, _("score %(score)r is not a number") % {"score": score})
        score = score.quantize(Decimal("0.1"))
        if not test:
            raise RowError(_("a score needs the name of its test"))
        low, high = LANGUAGE_TESTS.get(test, (Decimal(0), Decimal(99999)))
        if not low <= score <= high:
            raise RowError(
                _("%(test)s score %(score)s is outside %(low)s–%(high)s")
                % {"test": test, "score": score, "low": low, "high": high}
            )
    if test and test not in LANGUAGE_TESTS:
        test = "other"
    return {"language": code, "level": level, "test": test, "score": score}


def _validate_experience(item: dict) -> dict:
    code = str(item.get("country", "")).strip().upper()
    if code not in countries:
        raise RowError(
            _("unknown country code %(code)r (ISO 3166-1 alpha-2 expected)") % {"code": code}
        )
    return {
        "country": code,
        "organisation": _text(item, "organisation", 200),
        "year": _year(item.get("year"), _("overseas experience")),
        "summary": _text(item, "summary", SUMMARY_MAX_LENGTH),
    }


def _validate_exchange_record(item: dict) -> dict:
    return {
        "title": _text(item, "title", 300, required=True),
        "technical_field": _text(item, "technical_field", 200),
        "outcome": _text(item, "outcome", RECORD_TEXT_MAX_LENGTH),
        "utilisation_plan": _text(item, "utilisation_plan", RECORD_TEXT_MAX_LENGTH),
        "year": _year(item.get("year"), _("exchange record")),
    }


# --- Snapshot of what is stored ------------------------------------------------------------


# The snapshot's lists of child objects: record key, page relation, model,
# {record field: model field}; and the page's own fields it compares as they are.
SNAPSHOT_CHILDREN = [
    (
        "languages",
        "languages",
        ProfileLanguage,
        {"language": "language", "level": "level", "test": "test_name", "score": "score"},
    ),
    (
        "overseas_experience",
        "overseas_experiences",
        OverseasExperience,
        {name: name for name in ("country", "organisation", "year", "summary")},
    ),
    (
        "exchange_records",
        "exchange_records",
        ProfileExchangeRecord,
        {
            name: name
            for name in ("title", "technical_field", "outcome", "utilisation_plan", "year")
        },
    ),
]
SNAPSHOT_FIELDS = [
    "external_id",
    "name_ja",
    "name_en",
    "position",
    "years_of_service",
    "bio_ja",
    "bio_en",
    "interested_in_dispatch",
]


def snapshot(page: ProfilePage) -> MemberRecord:
    """The stored member in import-record form, to tell whether a row changes anything."""
    return MemberRecord(
        email=page.user.email if page.user else "",
        bureau=page.bureau.name_ja if page.bureau else "",
        job_category=page.job_category.name_ja if page.job_category else "",
        expertise=[tag.name for tag in page.tags.all()],
        **{name: getattr(page, name) for name in SNAPSHOT_FIELDS},
        **{
            key: [
                {record: _as_stored(getattr(item, name)) for record, name in fields.items()}
                for item in getattr(page, relation).all()
            ]
            for key, relation, _model, fields in SNAPSHOT_CHILDREN
        },
    )


def _as_stored(value):
    """A model attribute as values_list() reads it (a country as its code)."""
    return getattr(value, "code", value)


def stored_snapshots() -> dict[int, MemberRecord]:
    """snapshot() of every stored profile by page id, read a table at a time: building
    thousands of pages with their children prefetched takes several times longer."""
    lists: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for page_id, name in ProfileTag.objects.values_list("content_object_id", "tag__name"):
        lists[page_id]["expertise"].append(name)
    for key, _relation, model, fields in SNAPSHOT_CHILDREN:
        # The order page.<relation>.all() gives, with the id to settle ties.
        rows = model.objects.order_by("page_id", "sort_order", "pk")
        for page_id, *values in rows.values_list("page_id", *fields.values()):
            lists[page_id][key].append(dict(zip(fields, values, strict=True)))
    pages = ProfilePage.objects.values(
        "pk", "user__email", "bureau__name_ja", "job_category__name_ja", *SNAPSHOT_FIELDS
    )
    return {
        page["pk"]: MemberRecord(
            email=page["user__email"] or "",
            bureau=page["bureau__name_ja"] or "",
            job_category=page["job_category__name_ja"] or "",
            **{name: page[name] for name in SNAPSHOT_FIELDS},
            **lists[page["pk"]],
        )
        for page in pages
    }


# --- Writing -------------------------------------------------------------------------------


class MemberImporter:
    """Upserts validated member records under the members directory."""

    def __init__(self, directory: ProfileIndexPage, dry_run: bool = False):
        self.directory = directory
        self.dry_run = dry_run
        self.batch_size = CREATE_BATCH_SIZE
        self.report = ImportReport()
        self._load_vocabulary()
        self.existing = {
            page.external_id: page
            for page in ProfilePage.objects.select_related("user", "bureau", "job_category")
        }
        self.snapshots = stored_snapshots()  # dropped for each page written
        self.user_ids_by_email = dict(User.objects.values_list("email", "pk"))
        self.verified_emails = set(
            EmailAddress.objects.filter(verified=True).values_list("email", flat=True)
        )
        self.seen_ids: dict[str, int] = {}
        self.seen_emails: dict[str, int] = {}
        self.created_users: list[User] = []
        self.written_page_ids: list[int] = []
        self.created_pages: dict[int, ProfilePage] = {}  # made in bulk, children in memory
        self.pending: list[tuple[int, MemberRecord]] = []  # new members not written yet
        self.taken_slugs: set[str] | None = None  # the directory's, with those of pending rows

    def _load_vocabulary(self) -> None:
        self.bureaus = {b.name_ja: b for b in Bureau.objects.all()}
        self.job_categories = {c.name_ja: c for c in JobCategory.objects.all()}
        self.tags_by_name: dict[str, Tag] | None = None

    @contextmanager
    def _transaction(self):
        """A transaction; if it is rolled back, so are the warnings and vocabulary this
        importer noted inside it (a bureau or tag it made is gone with it)."""
        warnings_before = len(self.report.warnings)
        try:
            with transaction.atomic():
                yield
        except Exception:
            del self.report.warnings[warnings_before:]
            self._load_vocabulary()
            raise

    def import_rows(self, rows, progress=None) -> ImportReport:
        """Import (line number, raw row) pairs; progress is a tqdm-like object or None."""
        import_each_row(rows, self.import_row, self.report, progress)
        self._create_pending()
        # Batches report their rows late: put everything back in file order.
        self.report.errors.sort(key=lambda error: error[0])
        self.report.warnings.sort(key=lambda warning: warning[0])
        return self.report

    def import_row(self, line_number: int, row: dict) -> None:
        record = validate_row(row)
        self._check_duplicates(line_number, record)
        page = self.existing.get(record.external_id) or self._self_registered_profile(record)
        if page is not None and self._stored(page) == record.comparable():
            self.report.unchanged += 1
            return
        if page is None:
            self._claim_slug(record)
        if self.dry_run:
            self._note_new_vocabulary(line_number, record)
            if page is None:
                self.report.created += 1
            else:
                self.report.updated += 1
            return
        if page is None:
            self.pending.append((line_number, record))
            if len(self.pending) >= self.batch_size:
                self._create_pending()
            return
        try:
            with self._transaction():
                self._update(line_number, page, record)
        except (IntegrityError, ValidationError) as error:
            raise RowError(_("could not be saved: %(error)s") % {"error": error}) from error
        self.existing[record.external_id] = page
        self.snapshots.pop(page.pk, None)
        self.report.updated += 1
        self.written_page_ids.append(page.pk)

    def _stored(self, page: ProfilePage) -> dict:
        stored = self.snapshots.get(page.pk) or snapshot(page)
        return stored.comparable()

    def _claim_slug(self, record: MemberRecord) -> None:
        """The new profile's address must be valid and free among the directory's pages and
        the rows before it: Page.full_clean() checks that, the batch insert does not, and no
        database constraint would either."""
        if self.taken_slugs is None:
            self.taken_slugs = child_slugs(self.directory)
        slug = _slug_of(record)
        if slug in self.taken_slugs:
            raise RowError(
                _("external_id %(id)s: another profile already has the page address %(slug)s")
                % {"id": record.external_id, "slug": slug}
            )
        try:
            ProfilePage._meta.get_field("slug").clean(slug, None)
        except ValidationError as error:
            error = ValidationError({"slug": error.error_list})
            raise RowError(_("could not be saved: %(error)s") % {"error": error}) from None
        self.taken_slugs.add(slug)

    def _check_duplicates(self, line_number: int, record: MemberRecord) -> None:
        first = self.seen_ids.get(record.external_id)
        if first is not None:
            raise RowError(
                _("external_id %(id)s already appeared on line %(line)s")
                % {"id": record.external_id, "line": first}
            )
        first = self.seen_emails.get(record.email)
        if first is not None:
            raise RowError(
                _("duplicate email %(email)s (already on line %(line)s)")
                % {"email": record.email, "line": first}
            )
        owner_id = self.user_ids_by_email.get(record.email)
        page = self.existing.get(record.external_id)
        own_user_id = page.user_id if page else None
        if owner_id is not None and owner_id != own_user_id:
            owners_profile = self._profile_of(owner_id)
            if page or (owners_profile and owners_profile.has_staff_number):
                raise RowError(
                    _("duplicate email %(email)s: it belongs to another member")
                    % {"email": record.email}
                )
        if page and page.user and page.user.email.lower() != record.email and _in_use(page.user):
            # Moving an account someone signs in to onto another address would hand it over.
            raise RowError(
                _(
                    "staff number %(id)s belongs to the account %(current)s, which is in use; "
                    "its email was not changed to %(email)s (change it in the admin if right)"
                )
                % {"id": record.external_id, "current": page.user.email, "email": record.email}
            )
        self.seen_ids[record.external_id] = line_number
        self.seen_emails[record.email] = line_number

    def _profile_of(self, user_id: int) -> ProfilePage | None:
        return ProfilePage.objects.filter(user_id=user_id).first()

    def _self_registered_profile(self, record: MemberRecord) -> ProfilePage | None:
        """The profile a member made before being imported, when the import names their
        verified email: it takes the staff number instead of a second profile being made."""
        owner_id = self.user_ids_by_email.get(record.email)
        if owner_id is None or record.email not in self.verified_emails:
            return None
        profile = self._profile_of(owner_id)
        return profile if profile and not profile.has_staff_number else None

    def _note_new_vocabulary(self, line_number: int, record: MemberRecord) -> None:
        for value, known, label in (
            (record.bureau, self.bureaus, _("bureau")),
            (record.job_category, self.job_categories, _("job category")),
        ):
            if value and value not in known:
                self.report.warnings.append(
                    (
                        line_number,
                        _("new %(label)s %(value)r will be added")
                        % {"label": label, "value": value},
                    )
                )

    def _vocabulary(self, line_number, model, cache, name):
        if not name:
            return None
        if name not in cache:
            # Curated lists grow from the data; admins can rename or merge them later.
            cache[name], created = model.objects.get_or_create(name_ja=name)
            if created:
                self.report.warnings.append(
                    (
                        line_number,
                        _("added %(name)r to %(list)s")
                        % {"name": name, "list": model._meta.verbose_name_plural},
                    )
                )
        return cache[name]

    def _user_for(self, record: MemberRecord, page: ProfilePage | None) -> User:
        first_name, last_name = _split_name(record.name_en)
        user = page.user if page and page.user else None
        if user is None and record.email in self.user_ids_by_email:
            user = User.objects.get(pk=self.user_ids_by_email[record.email])
            if record.email not in self.verified_emails:
                # Whoever signed up with this address never proved it is theirs: their
                # password must not open the member's account. The member sets their own.
                user.set_unusable_password()
        if user is None:
            # No password: the member sets one through an invitation link.
            user = User.objects.create_user(
                email=record.email, password=None, first_name=first_name, last_name=last_name
            )
            self.created_users.append(user)
            # The organisation vouches for imported addresses, so they count as verified.
            EmailAddress.objects.create(user=user, email=record.email, verified=True, primary=True)
        else:
            if user.email != record.email:
                EmailAddress.objects.filter(user=user, email__iexact=user.email).delete()
                user.email = record.email
            user.first_name, user.last_name = first_name, last_name
            user.save()
            EmailAddress.objects.update_or_create(
                user=user, email=record.email, defaults={"verified": True, "primary": True}
            )
        self.user_ids_by_email[record.email] = user.pk
        return user

    def _tags(self, names: list[str]) -> list[Tag]:
        """Tag objects for names, matched case-insensitively and created once per import."""
        if self.tags_by_name is None:
            self.tags_by_name = {tag.name.casefold(): tag for tag in Tag.objects.all()}
        tags = []
        for name in names:
            tag = self.tags_by_name.get(name.casefold())
            if tag is None:
                tag = Tag.objects.create(name=name)
                self.tags_by_name[name.casefold()] = tag
            tags.append(tag)
        return tags

    def _fill(self, line_number: int, page: ProfilePage, record: MemberRecord) -> None:
        page.name_ja = record.name_ja
        page.name_en = record.name_en
        page.bureau = self._vocabulary(line_number, Bureau, self.bureaus, record.bureau)
        page.job_category = self._vocabulary(
            line_number, JobCategory, self.job_categories, record.job_category
        )
        page.position = record.position
        page.years_of_service = record.years_of_service
        page.bio_ja = record.bio_ja
        page.bio_en = record.bio_en
        page.interested_in_dispatch = record.interested_in_dispatch
        page.tags.set(self._tags(record.expertise))
        page.languages = [
            ProfileLanguage(
                language=item["language"],
                level=item["level"],
                test_name=item["test"],
                score=item["score"],
            )
            for item in record.languages
        ]
        page.overseas_experiences = [
            OverseasExperience(**item) for item in record.overseas_experience
        ]
        page.exchange_records = [ProfileExchangeRecord(**item) for item in record.exchange_records]

    def _create_pending(self) -> None:
        """Write the pending new members as one batch; if the database refuses it, redo it
        row by row so that a bad row is reported on its own line and the others still go in."""
        batch, self.pending = self.pending, []
        if not batch:
            return
        try:
            self._create_batch(batch)
            return
        except Exception as error:
            if len(batch) == 1:
                self._report_failure(*batch[0], error)
                return
            logger.info("import: a batch of %s failed; importing its rows one by one", len(batch))
        for line_number, record in batch:
            try:
                self._create_batch([(line_number, record)])
            except Exception as error:
                self._report_failure(line_number, record, error)

    def _report_failure(self, line_number: int, record: MemberRecord, error: Exception) -> None:
        """Report why a new member's row could not be written (call from an except block)."""
        self.taken_slugs.discard(_slug_of(record))  # the address is free again
        if isinstance(error, RowError):
            message = str(error)
        elif isinstance(error, IntegrityError | ValidationError):
            message = _("could not be saved: %(error)s") % {"error": error}
        else:
            logger.exception("import: line %s could not be imported", line_number)
            message = _("could not be imported (%(error)s)") % {"error": error}
        self.report.errors.append((line_number, message))

    def _create_batch(self, batch: list[tuple[int, MemberRecord]]) -> None:
        """Create and publish these members' profiles in one transaction, in bulk."""
        now = clock.now()
        with self._transaction():
            users, new_users = self._users_for_new_members([record for _n, record in batch])
            pages = []
            for (line_number, record), user in zip(batch, users, strict=True):
                page = ProfilePage(
                    external_id=record.external_id, slug=_slug_of(record), user=user, owner=user
                )
                self._fill(line_number, page, record)
                page.title = page.display_name_ja_first  # as ProfilePage.save() sets it
                # What page.full_clean() checks without a query (validate_row checks the rest).
                page.clean_fields(exclude=NOT_CLEANED)
                pages.append(page)
            add_published_children(self.directory, pages, now)
            for page in pages:
                page_published.send(sender=ProfilePage, instance=page, revision=page.live_revision)
        for (_line_number, record), page in zip(batch, pages, strict=True):
            self.existing[record.external_id] = page
            self.user_ids_by_email[record.email] = page.user_id
            self.written_page_ids.append(page.pk)
            self.created_pages[page.pk] = page
        self.created_users.extend(new_users)
        self.report.created += len(pages)

    def _users_for_new_members(self, records: list[MemberRecord]) -> tuple[list[User], list]:
        """Each record's account, and the accounts made for them, created in bulk (bulk_create
        sends no post_save, so they join the Members group here as the signal handler does)."""
        users, new_users = [], []
        for record in records:
            if record.email in self.user_ids_by_email:
                users.append(self._user_for(record, None))  # an account without a profile
                continue
            first_name, last_name = _split_name(record.name_en)
            # No password: the member sets one through an invitation link.
            user = User(email=record.email, first_name=first_name, last_name=last_name)
            user.set_unusable_password()
            users.append(user)
            new_users.append(user)
        User.objects.bulk_create(new_users)
        # The organisation vouches for imported addresses, so they count as verified.
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, verified=True, primary=True)
            for user in new_users
        )
        group = Group.objects.filter(name=MEMBERS_GROUP).first()
        if group and new_users:
            membership = User.groups.through
            membership.objects.bulk_create(
                membership(user_id=user.pk, group_id=group.pk) for user in new_users
            )
        return users, new_users

    def _update(self, line_number: int, page: ProfilePage, record: MemberRecord) -> None:
        page = page.specific
        page.external_id = record.external_id  # a self-registered profile takes its number
        page.user = self._user_for(record, page)
        self._fill(line_number, page, record)
        page.save_revision(user=None, log_action=True).publish(log_action=True)


def import_each_row(rows, import_row, report: ImportReport, progress=None) -> None:
    """Call import_row(line number, row) for each (line number, row or RowError).

    A bad row is reported as `line N: reason` and the next row goes on, whatever went wrong:
    a value no check foresaw is reported too (and logged), never the end of the file."""
    for line_number, row in rows:
        try:
            if isinstance(row, RowError):
                raise row
            import_row(line_number, row)
        except RowError as error:
            report.errors.append((line_number, str(error)))
        except Exception as error:
            logger.exception("import: line %s could not be imported", line_number)
            report.errors.append(
                (line_number, _("could not be imported (%(error)s)") % {"error": error})
            )
        finally:
            if progress is not None:
                progress.update(1)


def _in_use(user: User) -> bool:
    """Someone can sign in to this account (a password, or a sign-in already made)."""
    return user.has_usable_password() or user.last_login is not None


def add_published_page(parent, page):
    """Add a new page already published, with one full save (publish() would save it twice
    more): the revision becomes the live one and page_published is sent as Wagtail does."""
    now = clock.now()
    page.live = True
    page.first_published_at = page.last_published_at = now
    parent.add_child(instance=page)
    revision = page.save_revision(user=None, log_action=False, clean=False)
    page.live_revision = revision
    page.has_unpublished_changes = False
    page.save(update_fields=["live_revision", "has_unpublished_changes"], clean=False)
    page_published.send(sender=type(page), instance=page, revision=revision)
    return page


def _slug_of(record: MemberRecord) -> str:
    return record.external_id.lower()


# Left out of page.clean_fields(): relations would each be looked up in the database, and the
# tree position is set by add_published_children.
NOT_CLEANED = [
    *(field.name for field in ProfilePage._meta.concrete_fields if field.is_relation),
    "path",
    "depth",
]


def _split_name(name_en: str) -> tuple[str, str]:
    given, _sep, family = name_en.strip().partition(" ")
    return given[:150], family[:150]


@contextmanager
def page_indexing_deferred(model, written_page_ids: list[int], created_pages=None):
    """Index the pages an import writes in bulk once, instead of on each save.

    Every page save would otherwise update the search, reference and matching indexes (about
    half the cost of a row). What was written is indexed at the end even if the import stops
    early; matching evidence is left to the caller (search.sync.sync_profiles). For
    created_pages see reindex_pages."""
    from search.sync import deferred_sync

    post_save.disconnect(post_save_signal_handler, sender=model)
    try:
        with disable_reference_index_auto_update(), deferred_sync():
            yield
    finally:
        post_save.connect(post_save_signal_handler, sender=model)
        reindex_pages(model, written_page_ids, created_pages)


@contextmanager
def indexing_deferred_until_the_end(importer: "MemberImporter"):
    from search.sync import sync_profiles

    try:
        with page_indexing_deferred(ProfilePage, importer.written_page_ids, importer.created_pages):
            yield
    finally:
        sync_profiles(importer.written_page_ids)


def reindex_pages(model, page_ids: list[int], created_pages=None, chunk_size: int = 500) -> None:
    """Bring the search backends and Wagtail's reference index up to date for these pages.

    created_pages ({id: page}) are pages just written in bulk, child objects held in memory:
    they are indexed as they are, which spares reading them back (half the cost here)."""
    created_pages = created_pages or {}
    # Both read every child relation (experience text, tags, references in InlinePanel items).
    relations = [relation.get_accessor_name() for relation in get_all_child_relations(model)]
    for start in range(0, len(page_ids), chunk_size):
        chunk = page_ids[start : start + chunk_size]
        pages = [created_pages[pk] for pk in chunk if pk in created_pages]
        stored = [pk for pk in chunk if pk not in created_pages]
        if stored:
            pages += model.get_indexed_objects().prefetch_related(*relations).filter(pk__in=stored)
        for backend in get_search_backends(with_auto_update=True):
            backend.add_bulk(model, pages)
        update_reference_index(pages)


def import_members(
    path: Path, directory: ProfileIndexPage, dry_run: bool = False, progress_factory=None
) -> tuple[ImportReport, list[User]]:
    """Import a members file; returns the report and the accounts it created."""
    return _run(MemberImporter(directory, dry_run=dry_run), read_rows(path), progress_factory, path)


def import_members_from_text(text: str, directory: ProfileIndexPage) -> ImportReport:
    """Import JSON Lines given as text (demo data, tests)."""
    rows = (
        (n, json.loads(line)) for n, line in enumerate(io.StringIO(text), start=1) if line.strip()
    )
    report, _users = _run(MemberImporter(directory), rows)
    return report


def _run(importer: "MemberImporter", rows, progress_factory=None, path: Path | None = None):
    progress = progress_factory(count_rows(path)) if progress_factory and path else None
    try:
        with indexing_deferred_until_the_end(importer):
            importer.import_rows(rows, progress)
    finally:
        if progress is not None:
            progress.close()
    return importer.report, importer.created_users
