"""Profile changes reach the matching evidence within the request that made them."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from wagtail.signals import page_published, page_unpublished

from profiles.models import ProfilePage

from .sync import push_to_engine, sync_deferred, sync_profiles


def _sync_after_commit(page_id: int) -> None:
    if not sync_deferred():
        transaction.on_commit(lambda: sync_profiles([page_id]))


@receiver(page_published, sender=ProfilePage, dispatch_uid="match_sync_published")
def profile_published(sender, instance, **kwargs):
    _sync_after_commit(instance.pk)


@receiver(page_unpublished, sender=ProfilePage, dispatch_uid="match_sync_unpublished")
def profile_unpublished(sender, instance, **kwargs):
    _sync_after_commit(instance.pk)


@receiver(post_delete, sender=ProfilePage, dispatch_uid="match_sync_deleted")
def profile_deleted(sender, instance, **kwargs):
    # The evidence row goes with the page (CASCADE); the engine document must go too.
    page_id = instance.pk
    if not sync_deferred():
        transaction.on_commit(lambda: push_to_engine([page_id]))
