"""Discussion categories, posts (Wagtail pages with revisions) and replies (plain models)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from talenthub import clock
from talenthub.ids import parse_row_id  # importing it registers <id:…> for the routes below

from .rendering import render_markdown

REPLY_EDIT_WINDOW = timedelta(minutes=30)
# Longest post or reply body, in characters: about ten pages of text.
MAX_BODY = 20_000
# The slug of a post whose title gives none (only punctuation or emoji): post, post-2, …
FALLBACK_SLUG = "post"


class CommunityIndexPage(Page):
    """All discussions, across categories."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["community.CategoryPage"]
    max_count = 1

    class Meta:
        verbose_name = _("community")

    def get_context(self, request, *args, **kwargs):
        from .views import listing_context

        context = super().get_context(request, *args, **kwargs)
        posts = DiscussionPostPage.objects.descendant_of(self)
        context.update(listing_context(request, posts))
        context["categories"] = CategoryPage.objects.child_of(self).live()
        return context


class CategoryPage(RoutablePageMixin, Page):
    """A category of discussions (海外大学院派遣, 技術交流, …), set by admins."""

    description = models.TextField(_("description"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("description")]
    parent_page_types = ["community.CommunityIndexPage"]
    subpage_types = ["community.DiscussionPostPage"]

    class Meta:
        verbose_name = _("discussion category")
        verbose_name_plural = _("discussion categories")

    def get_context(self, request, *args, **kwargs):
        from .views import listing_context

        context = super().get_context(request, *args, **kwargs)
        context.update(listing_context(request, DiscussionPostPage.objects.child_of(self)))
        return context

    @path("new/", name="new_post")
    def new_post(self, request):
        from .views import create_post

        return create_post(request, self)


class PostTag(TaggedItemBase):
    content_object = ParentalKey(
        "community.DiscussionPostPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class DiscussionPostPage(RoutablePageMixin, Page):
    """A member's post; members write and edit it from the front end, with revisions."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="discussion_posts",
    )
    body = models.TextField(
        _("body"), max_length=MAX_BODY, help_text=_("Markdown: **bold**, *italic*, lists, links.")
    )
    tags = ClusterTaggableManager(_("tags"), through=PostTag, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=clock.now, db_index=True)
    is_hidden = models.BooleanField(_("hidden by moderators"), default=False)

    content_panels = [
        *Page.content_panels,
        FieldPanel("author"),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("body"),
        index.SearchField("replies_text"),
        index.RelatedFields("tags", [index.SearchField("name")]),
    ]
    parent_page_types = ["community.CategoryPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("discussion post")
        verbose_name_plural = _("discussion posts")

    @property
    def body_html(self):
        from .notifications import link_mentions

        return render_markdown(link_mentions(self.body))

    def replies_text(self) -> str:
        """Replies' text, so site search finds a post by what was said under it."""
        visible = self.replies.filter(is_deleted=False, is_hidden=False)
        return "\n".join(visible.values_list("body", flat=True))

    def can_edit(self, user) -> bool:
        return bool(user.is_authenticated and (user.is_superuser or self.author_id == user.pk))

    def _set_core_field_defaults(self) -> None:
        # Wagtail makes the slug from the title, but a title of only punctuation or emoji
        # (「！！！」, 🎉) gives it none and the page would be refused on save.
        super()._set_core_field_defaults()
        if not self.slug and self.path:
            self.slug = self._get_autogenerated_slug(FALLBACK_SLUG)

    def get_context(self, request, *args, **kwargs):
        from .forms import ReplyForm

        context = super().get_context(request, *args, **kwargs)
        context["replies"] = self.replies.select_related("author", "quoted__author").order_by(
            "created_at"
        )
        quoting = None
        quote_id = parse_row_id(request.GET.get("quote"))
        if quote_id:
            quoting = self.replies.filter(pk=quote_id, is_deleted=False, is_hidden=False).first()
        context["quoting"] = quoting
        context["reply_form"] = ReplyForm(initial={"quoted": quoting.pk if quoting else None})
        user = request.user
        context["following"] = user.is_authenticated and self.follows.filter(user=user).exists()
        return context

    @path("edit/", name="edit")
    def edit(self, request):
        from .views import edit_post

        return edit_post(request, self)

    @path("reply/", name="reply")
    def reply(self, request):
        from .views import add_reply

        return add_reply(request, self)

    @path("replies/<id:reply_id>/edit/", name="edit_reply")
    def edit_reply(self, request, reply_id):
        from .views import edit_reply

        return edit_reply(request, self, reply_id)

    @path("flag/", name="flag")
    def flag(self, request):
        from .views import flag_content

        return flag_content(request, self, None)

    @path("replies/<id:reply_id>/flag/", name="flag_reply")
    def flag_reply(self, request, reply_id):
        from .views import flag_content

        return flag_content(request, self, reply_id)

    @path("follow/", name="follow")
    def follow(self, request):
        from .views import toggle_follow

        return toggle_follow(request, self)

    @path("replies/<id:reply_id>/delete/", name="delete_reply")
    def delete_reply(self, request, reply_id):
        from .views import delete_reply

        return delete_reply(request, self, reply_id)


# Sent with the posts whose replies a queryset update() changed (moderators hide and restore
# replies that way, which sends no post_save), so their search documents can be refreshed.
replies_updated = Signal()


class ReplyQuerySet(models.QuerySet):
    def update(self, **kwargs) -> int:
        post_ids = set(self.values_list("post_id", flat=True))
        count = super().update(**kwargs)
        replies_updated.send(sender=Reply, post_ids=post_ids)
        return count


class Reply(models.Model):
    """A reply under a post; may quote one earlier reply. Deleting keeps the row, not the text."""

    post = models.ForeignKey(DiscussionPostPage, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="replies"
    )
    body = models.TextField(_("reply"), max_length=MAX_BODY)
    quoted = models.ForeignKey(
        "self", verbose_name=_("quoted reply"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=clock.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    is_deleted = models.BooleanField(default=False)
    is_hidden = models.BooleanField(_("hidden by moderators"), default=False)

    objects = ReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return f"{self.author} on {self.post_id}"

    @property
    def body_html(self):
        from .notifications import link_mentions

        return render_markdown(link_mentions(self.body))

    @property
    def is_visible(self) -> bool:
        """Neither deleted by its author nor hidden by moderators (or flags)."""
        return not (self.is_deleted or self.is_hidden)

    def can_edit(self, user) -> bool:
        """Its author, within 30 minutes of posting, while it is not deleted."""
        return bool(
            user.is_authenticated
            and self.author_id == user.pk
            and not self.is_deleted
            and clock.now() - self.created_at <= REPLY_EDIT_WINDOW
        )

    def can_delete(self, user) -> bool:
        return bool(user.is_authenticated and self.author_id == user.pk and not self.is_deleted)


FLAGS_THAT_HIDE = 3


class Flag(models.Model):
    """A member's report that a post or reply breaks the rules, until a moderator resolves it."""

    RESOLUTIONS = [
        ("hidden", _("Hidden")),
        ("restored", _("Restored")),
        ("dismissed", _("Dismissed")),
    ]

    post = models.ForeignKey(
        DiscussionPostPage, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    reason = models.CharField(_("reason"), max_length=500)
    created_at = models.DateTimeField(default=clock.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=10, choices=RESOLUTIONS, blank=True)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(
                fields=["flagged_by", "post", "reply"], name="one_flag_per_member_and_content"
            )
        ]

    def __str__(self) -> str:
        return self.reason

    @property
    def content(self):
        return self.reply or self.post


class PostFollow(models.Model):
    """A member follows a post: replies under it notify them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    post = models.ForeignKey(DiscussionPostPage, on_delete=models.CASCADE, related_name="follows")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="follow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.post_id}"


class NotificationSetting(models.Model):
    """How a member wants notification emails: at once, in a daily digest, or never."""

    EMAIL_CHOICES = [
        ("immediately", _("Immediately")),
        ("daily", _("Daily digest")),
        ("never", _("Never")),
    ]

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_setting"
    )
    email = models.CharField(
        _("notification emails"), max_length=12, choices=EMAIL_CHOICES, default="immediately"
    )

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email}"

    @classmethod
    def email_frequency(cls, user) -> str:
        setting = cls.objects.filter(user=user).first()
        return setting.email if setting else "immediately"


class Notification(models.Model):
    """Something a member should know about: a reply to their post, a mention, a followed post."""

    KINDS = [
        ("reply", _("replied to your post")),
        ("mention", _("mentioned you")),
        ("followed", _("replied in a post you follow")),
    ]

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=KINDS)
    post = models.ForeignKey(DiscussionPostPage, on_delete=models.CASCADE, related_name="+")
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"
