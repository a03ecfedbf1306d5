"""A post's search document includes its visible replies: refresh it when they change."""

from collections.abc import Iterable

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from wagtail.search import index

from .models import DiscussionPostPage, Reply, replies_updated


def reindex_posts(post_ids: Iterable[int]) -> None:
    """Re-index the given posts in every search backend (a post deleted meanwhile is skipped)."""
    for post in DiscussionPostPage.objects.filter(pk__in=set(post_ids)):
        index.insert_or_update_object(post)


@receiver(post_save, sender=Reply, dispatch_uid="reindex_post_on_reply_saved")
@receiver(post_delete, sender=Reply, dispatch_uid="reindex_post_on_reply_deleted")
def reply_changed(sender, instance: Reply, raw: bool = False, **kwargs) -> None:
    if not raw:  # fixtures being loaded: the index is rebuilt afterwards
        reindex_posts([instance.post_id])


@receiver(replies_updated, dispatch_uid="reindex_posts_on_replies_updated")
def replies_changed(sender, post_ids: set[int], **kwargs) -> None:
    reindex_posts(post_ids)
