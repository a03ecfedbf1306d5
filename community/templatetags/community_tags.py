from django import template

register = template.Library()


@register.filter
def flag_url(post, reply_id) -> str:
    """Where the flag form of a post (reply_id None) or one of its replies posts to."""
    if reply_id:
        return post.url + post.reverse_subpage("flag_reply", args=[reply_id])
    return post.url + post.reverse_subpage("flag")
