"""Stored matching evidence per member (API tokens are Wagtail's own APIToken model)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberEvidence(models.Model):
    """The evidence of one live profile (search.evidence), as both matchers read it.

    The database matcher scores these rows directly; the OpenSearch index is built from them.
    `engine_version` records which `version` the engine holds, so missed updates are retried.
    """

    profile = models.OneToOneField(
        "profiles.ProfilePage",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="match_evidence",
    )
    external_id = models.CharField(max_length=32, unique=True)
    data = models.JSONField()
    version = models.PositiveIntegerField(default=1)
    engine_version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("member evidence")
        verbose_name_plural = _("member evidence")

    def __str__(self) -> str:
        return self.external_id
