"""python manage.py send_notification_digest — daily email of unsent notifications (for cron)."""

from itertools import groupby

from django.core.management.base import BaseCommand

from community.models import Notification, NotificationSetting
from community.notifications import send_notification_emails


class Command(BaseCommand):
    help = "Email members who chose the daily digest everything not yet emailed to them."

    def handle(self, *args, **options):
        daily_users = NotificationSetting.objects.filter(email="daily").values("user_id")
        pending = (
            Notification.objects.filter(recipient_id__in=daily_users, emailed_at__isnull=True)
            .select_related("recipient", "post", "actor")
            .order_by("recipient_id", "created_at")
        )
        sent = 0
        for _recipient_id, group in groupby(pending, key=lambda n: n.recipient_id):
            notifications = list(group)
            send_notification_emails(notifications[0].recipient, notifications)
            sent += 1
        self.stdout.write(f"Sent {sent} digest email(s).")
