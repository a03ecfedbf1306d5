"""Add many new, already published Wagtail pages under one parent in a few bulk queries.

`parent.add_child()` and `save_revision()` write one page in some thirty queries (a tree
lookup, full_clean, the page and specific rows, each child object, the revision, a second
save). Here each of those steps is one bulk insert for the whole batch, and the pages end up
as `profiles.importing.add_published_page` leaves them: last children of the parent in the
materialised-path tree, live, one revision that is both the latest and the live one, and a
"wagtail.create" log entry. Search and reference indexing and `page_published` are left to the
caller (imports defer them to the end).
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connections, router
from django.db.models import CharField, F, OuterRef, Subquery
from django.db.models.functions import Cast

from modelcluster.models import get_all_child_relations
from wagtail.log_actions import get_active_log_context
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision

from treebeard.exceptions import PathOverflow


def child_slugs(parent: Page) -> set[str]:
    """The slugs already used under parent: a new child must not take one of them."""
    return set(parent.get_children().values_list("slug", flat=True))


def add_published_children(parent: Page, pages: list[Page], now) -> None:
    """Insert `pages` as new live children of `parent`, in order.

    The pages are unsaved instances of one specific page model inheriting from Page directly,
    with title, slug and owner set, foreign keys pointing at saved rows and child objects
    (InlinePanel items, tags) set in memory. Slugs must be free (see `child_slugs`). Run it
    inside a transaction: a failure part-way leaves half a batch otherwise."""
    if not pages:
        return
    model = type(pages[0])
    if any(type(page) is not model for page in pages) or model._meta.get_parent_list() != [Page]:
        raise TypeError("pages must all be of one page model that inherits from Page directly")
    children = [_pin_child_objects(page) for page in pages]
    parent = Page.objects.select_for_update().get(pk=parent.pk)  # fresh path, locked on PostgreSQL
    paths = _next_child_paths(parent, len(pages))
    for page, path in zip(pages, paths, strict=True):
        page.path, page.depth, page.numchild = path, parent.depth + 1, 0
        page.url_path = f"{parent.url_path}{page.slug}/"
        page.locale_id = parent.locale_id
        page.draft_title = page.title
        page.live, page.has_unpublished_changes = True, False
        page.first_published_at = page.last_published_at = now

    # QuerySet.bulk_create refuses multi-table inheritance; save() inserts a Page row and then
    # the specific one from the same instance, which is what this does, a batch a statement.
    returning = Page._meta.db_returning_fields
    ids = _insert_rows(Page, pages, _columns(Page), returning_fields=returning)
    using = router.db_for_write(model)
    for page, (page_id,) in zip(pages, ids, strict=True):
        page.id = page.page_ptr_id = page_id
        page._state.adding, page._state.db = False, using
    _insert_rows(model, pages, model._meta.local_concrete_fields)
    _insert_child_objects(pages, children)

    # The revision holds the page as save_revision() stores it: before it points at the revision.
    content_type = ContentType.objects.get_for_model(model)
    page_type = ContentType.objects.get_for_model(Page)
    revisions = [
        Revision(
            content_type=content_type,
            base_content_type=page_type,
            object_id=str(page.pk),
            created_at=now,
            content=page.serializable_data(),
            object_str=str(page),
        )
        for page in pages
    ]
    Revision.objects.bulk_create(revisions)
    for page, revision in zip(pages, revisions, strict=True):
        page.latest_revision = page.live_revision = revision
        page.latest_revision_created_at = now
    # One UPDATE for the batch (bulk_update's CASE per row is slow): the new pages are the
    # children in this path range, and each has exactly one revision.
    revision = Revision.objects.filter(
        base_content_type=page_type, object_id=Cast(OuterRef("pk"), CharField(max_length=255))
    ).values("pk")[:1]
    Page.objects.filter(path__range=(paths[0], paths[-1]), depth=parent.depth + 1).update(
        latest_revision=Subquery(revision),
        live_revision=Subquery(revision),
        latest_revision_created_at=now,
    )

    log_context = get_active_log_context()
    entries = [
        PageLogEntry(
            content_type=content_type,
            page_id=page.pk,
            label=page.get_admin_display_title(),
            action="wagtail.create",
            timestamp=now,
            data={},
            user_id=page.owner_id or getattr(log_context.user, "pk", None),
            uuid=log_context.uuid,
            content_changed=True,
        )
        for page in pages
    ]
    _insert_rows(PageLogEntry, entries, _columns(PageLogEntry))
    Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))


def update_reference_index(objects: list) -> None:
    """ReferenceIndex.create_or_update_for_object() for each of these objects of one model,
    in one insert for those with no references recorded yet (new pages): it costs a few
    queries an object. Prefetch their child relations, which references are read from too."""
    if not objects:
        return
    base_type = ReferenceIndex._get_base_content_type(objects[0])
    content_type = ContentType.objects.get_for_model(objects[0], for_concrete_model=False)
    indexed = set(
        ReferenceIndex.objects.filter(
            base_content_type=base_type, object_id__in=[str(obj.pk) for obj in objects]
        ).values_list("object_id", flat=True)
    )
    rows = []
    for obj in objects:
        if str(obj.pk) in indexed:
            ReferenceIndex.create_or_update_for_object(obj)  # compares with what is recorded
            continue
        references = set(ReferenceIndex._extract_references_from_object(obj))
        rows.extend(
            ReferenceIndex(
                content_type=content_type,
                base_content_type=base_type,
                object_id=str(obj.pk),
                to_content_type_id=to_content_type_id,
                to_object_id=to_object_id,
                model_path=model_path,
                content_path=content_path,
                content_path_hash=ReferenceIndex._get_content_path_hash(content_path),
            )
            for to_content_type_id, to_object_id, model_path, content_path in references
        )
    _insert_rows(ReferenceIndex, rows, _columns(ReferenceIndex))


def _pin_child_objects(page: Page) -> dict[str, list]:
    """The page's child objects by relation, kept in memory: a relation never set would
    otherwise be read from the database once the page has an id (a query per page)."""
    children = {}
    for relation in get_all_child_relations(page):
        name = relation.get_accessor_name()
        children[name] = list(getattr(page, name).all())
        setattr(page, name, children[name])
    return children


def _next_child_paths(parent: Page, count: int) -> list[str]:
    """Treebeard paths for `count` children after the parent's current last child."""
    last_path = (
        Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    last_step = Page._str2int(last_path[-Page.steplen :]) if last_path else 0
    if len(Page._int2str(last_step + count)) > Page.steplen:
        raise PathOverflow(f"no room for {count} more children under {parent.path}")
    depth = parent.depth + 1
    return [Page._get_path(parent.path, depth, last_step + n) for n in range(1, count + 1)]


def _columns(model) -> list:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def _insert_rows(model, objects, fields, returning_fields=None) -> list[tuple]:
    """Insert the objects' values of `fields` into model's table, as Model.save() inserts each
    table's row (Model._do_insert), many rows a statement; returns returning_fields' values.
    Where no id is needed it is also cheaper than bulk_create, which reads every id back."""
    using = router.db_for_write(model)
    connection = connections[using]
    batch_size = max(connection.ops.bulk_batch_size(fields, objects), 1)
    if returning_fields and not connection.features.can_return_rows_from_bulk_insert:
        batch_size = 1  # the one backend-neutral way to learn each new id
    returned = []
    for start in range(0, len(objects), batch_size):
        batch = objects[start : start + batch_size]
        rows = model._base_manager._insert(
            batch, fields=fields, returning_fields=returning_fields, using=using
        )
        returned.extend(rows or [])
    return returned


def _insert_child_objects(pages: list[Page], children: list[dict[str, list]]) -> None:
    by_model: dict[type, list] = {}
    for page, relations in zip(pages, children, strict=True):
        for relation in get_all_child_relations(page):
            for child in relations[relation.get_accessor_name()]:
                setattr(child, relation.field.attname, page.pk)
                by_model.setdefault(type(child), []).append(child)
    for child_model, objects in by_model.items():
        child_model.objects.bulk_create(objects)
