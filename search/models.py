"""Stored matching evidence per member, and managers' shortlists (API tokens are Wagtail's own
APIToken model)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from profiles.text_checks import SUMMARY_MAX_LENGTH

from .evidence import Evidence


class MemberEvidence(models.Model):
    """The evidence of one live profile (search.evidence), as both matchers read it.

    Both matchers score these rows (search.ranking); the OpenSearch index is built from them.
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

    @property
    def evidence(self) -> Evidence:
        """The stored dictionary as typed Evidence."""
        return Evidence.from_dict(self.data)


class Shortlist(models.Model):
    """A manager's named list of members for a project; private unless shared with managers."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shortlists"
    )
    name = models.CharField(_("name"), max_length=120)
    shared = models.BooleanField(
        _("shared with other managers"),
        default=False,
        help_text=_("Other managers and programme admins can read it; only you change it."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("shortlist")
        verbose_name_plural = _("shortlists")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="one_shortlist_name_per_owner")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("shortlist_detail", args=[self.pk])


class ShortlistEntry(models.Model):
    """A member on a shortlist, with the manager's note."""

    shortlist = models.ForeignKey(Shortlist, on_delete=models.CASCADE, related_name="entries")
    profile = models.ForeignKey(
        "profiles.ProfilePage", on_delete=models.CASCADE, related_name="shortlist_entries"
    )
    note = models.TextField(_("note"), blank=True, max_length=SUMMARY_MAX_LENGTH)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("shortlist entry")
        verbose_name_plural = _("shortlist entries")
        ordering = ["added_at"]
        constraints = [
            models.UniqueConstraint(fields=["shortlist", "profile"], name="once_per_shortlist")
        ]

    def __str__(self) -> str:
        return f"{self.shortlist}: {self.profile}"


class SiteSearchBacklog(models.Model):
    """An object whose site-search document the engine failed to write or delete.

    Recorded by search.site_search when OpenSearch is down, hung or erroring; the periodic
    reconciliation (search.reconciliation) writes it again and removes the row."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("site search backlog entry")
        verbose_name_plural = _("site search backlog")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="one_backlog_entry_per_object"
            )
        ]

    def __str__(self):
        return f"{self.content_type.model} {self.object_id}"
