from django import template

register = template.Library()


@register.filter
def flag_url(post, reply_id) -> str:
    """Where the flag form of a post (reply_id None) or one of its replies posts to."""
    if reply_id:
        return post.url + post.reverse_subpage("flag_reply", args=[reply_id])
    return post.url + post.reverse_subpage("flag")


@register.inclusion_tag("community/includes/member_activity.html")
def member_activity(user, limit: int = 10) -> dict:
    """A member's latest visible posts and replies, for their profile page."""
    from community.models import DiscussionPostPage, Reply

    if user is None:
        return {"posts": [], "replies": []}
    posts = DiscussionPostPage.objects.live().filter(author=user).order_by("-first_published_at")
    replies = (
        Reply.objects.filter(author=user, is_deleted=False, is_hidden=False, post__live=True)
        .select_related("post")
        .order_by("-created_at")
    )
    return {"posts": posts[:limit], "replies": replies[:limit]}
