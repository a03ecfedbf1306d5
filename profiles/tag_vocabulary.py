"""The one expertise vocabulary: usage counts, label-aware suggestions, merging duplicates,
and the synonym groups that feed matching's glossary.

Profiles, discussion posts and study destinations all tag with taggit's Tag through their own
TaggedItemBase models; everything here finds those models itself, so a new tagged model is
covered without changes.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, F, Q, Value

from taggit.models import ItemBase, Tag
from wagtail.models import Page, Revision
from wagtail.search.index import insert_or_update_object

from .models import TagCuration


def tagged_item_relations():
    """(through model, query name on Tag) for every model that tags with Tag."""
    return [
        (rel.related_model, rel.field.related_query_name())
        for rel in Tag._meta.related_objects
        if issubclass(rel.related_model, ItemBase)
        and rel.field.name == "tag"
        and hasattr(rel.related_model, "content_object")
    ]


def tags_with_usage(queryset=None):
    """Tags annotated with their number of uses per tagged model (`uses_<app>_<model>`) and
    `uses` in total."""
    queryset = queryset if queryset is not None else Tag.objects.all()
    counts = {
        f"uses_{model._meta.label_lower.replace('.', '_')}": Count(name, distinct=True)
        for model, name in tagged_item_relations()
    }
    queryset = queryset.annotate(**counts)
    total = sum((F(name) for name in counts), start=Value(0))
    return queryset.annotate(uses=total)


def all_curations() -> dict[int, TagCuration]:
    """Every curation by tag id, in one query (callers resolve synonyms in memory)."""
    return {c.tag_id: c for c in TagCuration.objects.select_related("tag", "synonym_of")}


def canonical(tag: Tag, curations: dict[int, TagCuration] | None = None) -> Tag:
    """The tag this one is a synonym of (following chains), or the tag itself."""
    curations = all_curations() if curations is None else curations
    seen = {tag.pk}
    while True:
        curation = curations.get(tag.pk)
        if curation is None or curation.synonym_of is None or curation.synonym_of_id in seen:
            return tag
        tag = curation.synonym_of
        seen.add(tag.pk)


@dataclass
class Suggestion:
    name: str
    label: str


def suggest(term: str, limit: int = 10) -> list[Suggestion]:
    """Tags whose name, labels or merged names contain `term`, synonyms shown as the tag they
    stand for, most used by profiles first: `bridge` → 橋梁 / bridge."""
    term = term.strip()
    if not term:
        return []
    found = (
        Tag.objects.filter(
            Q(name__icontains=term)
            | Q(curation__label_ja__icontains=term)
            | Q(curation__label_en__icontains=term)
            | Q(curation__aliases__icontains=term)
        )
        .annotate(uses=Count("profiles_profiletag_items", distinct=True))
        .order_by("-uses", "name")[: limit * 3]
    )
    curations = all_curations()
    suggestions: dict[int, Suggestion] = {}
    for tag in found:
        target = canonical(tag, curations)
        if target.pk not in suggestions:
            curation = curations.get(target.pk)
            label = curation.display_label if curation else target.name
            if label != target.name and target.name not in label:
                label = f"{target.name} ({label})"
            suggestions[target.pk] = Suggestion(target.name, label)
    return list(suggestions.values())[:limit]


def vocabulary_groups() -> list[list[str]]:
    """For each curated tag: every way to write it (name, labels, merged names, synonyms)."""
    groups: dict[int, list[str]] = defaultdict(list)
    curations = all_curations()
    for curation in curations.values():
        root = canonical(curation.tag, curations)
        forms = [curation.tag.name, curation.label_ja, curation.label_en, *curation.alias_list]
        groups[root.pk] += [root.name, *forms]
    return [list(dict.fromkeys(f for f in forms if f)) for forms in groups.values()]


@dataclass
class MergeResult:
    target: Tag
    merged_names: list[str]
    moved: int = 0
    pages: dict[type, set[int]] = field(default_factory=dict)


@transaction.atomic
def merge_tags(target: Tag, sources: list[Tag]) -> MergeResult:
    """Move every use of `sources` to `target` and delete them, in one transaction.

    A page that had both keeps one; page revisions are rewritten so an older revision never
    brings a deleted tag back; the old names stay as the target's merged names, so searches
    for them still find it. Search indexes are updated after the commit."""
    sources = [tag for tag in sources if tag.pk != target.pk]
    source_ids = {tag.pk for tag in sources}
    result = MergeResult(target=target, merged_names=[tag.name for tag in sources])
    if not sources:
        return result
    for model, _query_name in tagged_item_relations():
        objects = _move_items(model, source_ids, target, result)
        tagged_model = model._meta.get_field("content_object").related_model
        # Pages keep revisions and search entries; other tagged models (applications) don't.
        if objects and issubclass(tagged_model, Page):
            result.pages[tagged_model] = objects
            _rewrite_revisions(model, objects, source_ids, target.pk)
    _merge_curations(target, sources)
    Tag.objects.filter(pk__in=source_ids).delete()
    transaction.on_commit(lambda: reindex(result.pages))
    return result


def _move_items(model, source_ids: set[int], target: Tag, result: MergeResult) -> set[int]:
    items = list(model.objects.filter(tag_id__in=source_ids | {target.pk}).order_by("pk"))
    pages = {item.content_object_id for item in items if item.tag_id in source_ids}
    has_target = {item.content_object_id for item in items if item.tag_id == target.pk}
    for item in items:
        if item.tag_id == target.pk:
            continue
        if item.content_object_id in has_target:
            item.delete()
        else:
            model.objects.filter(pk=item.pk).update(tag=target)
            has_target.add(item.content_object_id)
            result.moved += 1
    return pages


def _rewrite_revisions(model, page_ids: set[int], source_ids: set[int], target_id: int) -> None:
    relation = model._meta.get_field("content_object").remote_field.related_name
    revisions = Revision.objects.filter(
        base_content_type__model="page", object_id__in=[str(pk) for pk in page_ids]
    )
    for revision in revisions.iterator():
        items = revision.content.get(relation)
        if not items or not any(item.get("tag") in source_ids for item in items):
            continue
        kept, seen = [], set()
        for item in items:
            tag_id = target_id if item.get("tag") in source_ids else item.get("tag")
            if tag_id in seen:
                continue
            seen.add(tag_id)
            kept.append({**item, "tag": tag_id})
        revision.content[relation] = kept
        Revision.objects.filter(pk=revision.pk).update(content=revision.content)


def _merge_curations(target: Tag, sources: list[Tag]) -> None:
    curation, _created = TagCuration.objects.get_or_create(tag=target)
    aliases = curation.alias_list
    for source in sources:
        aliases.append(source.name)
        old = TagCuration.objects.filter(tag=source).first()
        if old:
            aliases += old.alias_list
            curation.label_ja = curation.label_ja or old.label_ja
            curation.label_en = curation.label_en or old.label_en
    source_ids = [tag.pk for tag in sources]
    TagCuration.objects.filter(synonym_of_id__in=source_ids).update(synonym_of=target)
    if curation.synonym_of_id in source_ids:
        curation.synonym_of = None
    curation.aliases = "\n".join(dict.fromkeys(a for a in aliases if a != target.name))
    curation.save()


def reindex(pages_by_model: dict[type, set[int]]) -> None:
    """Update site search and the matching evidence of pages whose tags changed."""
    from search.sync import sync_profiles

    from .models import ProfilePage

    for model, page_ids in pages_by_model.items():
        for page in model.objects.filter(pk__in=page_ids).specific():
            insert_or_update_object(page)
    sync_profiles(pages_by_model.get(ProfilePage, set()))
