"""Background tasks of the community: notification emails, sent by the worker with retries,
so a reply is saved at once whatever the mail server is doing."""

from django_tasks import task

from talenthub.tasks import retry_later


@task()
def email_notifications(notification_ids: list[int], attempt: int = 1) -> dict | None:
    """Email one member the notifications not emailed yet; when the mail server fails,
    try again later with a growing delay (talenthub.tasks.retry_later)."""
    from .models import Notification
    from .notifications import send_notification_emails

    notifications = list(
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .select_related("recipient", "actor", "post", "reply")
        .order_by("pk")
    )
    if not notifications:  # sent by an earlier attempt, or deleted with their post
        return None
    try:
        send_notification_emails(notifications[0].recipient, notifications)
    except OSError as error:  # smtplib's errors, refused or timed-out connections
        return retry_later(email_notifications, [notification_ids], attempt, error)
    return {"emailed": len(notifications)}
