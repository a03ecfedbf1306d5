"""Profile, exchange report and vocabulary changes reach the matching evidence within the
request that made them."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from wagtail.signals import page_published, page_unpublished

from profiles.models import ProfilePage, TagCuration
from studyabroad.models import ExchangeReportPage, ReportParticipant

from .glossary import forget_vocabulary
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


@receiver(post_save, sender=TagCuration, dispatch_uid="match_vocabulary_saved")
@receiver(post_delete, sender=TagCuration, dispatch_uid="match_vocabulary_deleted")
def vocabulary_changed(sender, instance, **kwargs):
    """A curated label, synonym or merge changes the glossary: members tagged with the tags
    involved get their evidence rebuilt with it (other members' texts on the next rebuild)."""
    forget_vocabulary()
    tag_ids = {instance.tag_id, instance.synonym_of_id} - {None}
    tag_ids |= set(
        TagCuration.objects.filter(synonym_of_id__in=tag_ids).values_list("tag_id", flat=True)
    )

    def resync():
        forget_vocabulary()
        page_ids = set(
            ProfilePage.objects.filter(tagged_items__tag_id__in=tag_ids, live=True).values_list(
                "pk", flat=True
            )
        )
        sync_profiles(page_ids)

    transaction.on_commit(resync)


def _report_participants(report_id: int) -> set[int]:
    return set(
        ReportParticipant.objects.filter(page_id=report_id, profile__isnull=False).values_list(
            "profile_id", flat=True
        )
    )


@receiver(pre_save, sender=ExchangeReportPage, dispatch_uid="match_report_before_save")
@receiver(pre_delete, sender=ExchangeReportPage, dispatch_uid="match_report_before_delete")
def remember_report_participants(sender, instance, **kwargs):
    """Who took part before this change: members taken off a report lose it as evidence."""
    instance._participants_before = _report_participants(instance.pk) if instance.pk else set()


@receiver(page_published, sender=ExchangeReportPage, dispatch_uid="match_report_published")
@receiver(page_unpublished, sender=ExchangeReportPage, dispatch_uid="match_report_unpublished")
@receiver(post_delete, sender=ExchangeReportPage, dispatch_uid="match_report_deleted")
def report_changed(sender, instance, **kwargs):
    """A report is evidence for its participants: rebuild theirs after the change commits."""
    if sync_deferred():
        return
    profile_ids = getattr(instance, "_participants_before", set()) | _report_participants(
        instance.pk
    )
    if profile_ids:
        transaction.on_commit(lambda: sync_profiles(profile_ids))
