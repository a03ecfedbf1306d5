"""Every new account joins the Members group."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models.signals import post_save
from django.dispatch import receiver

MEMBERS_GROUP = "Members"
PROGRAMME_ADMINS_GROUP = "Programme admins"
MANAGERS_GROUP = "Managers"


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="add_new_user_to_members")
def add_new_user_to_members(sender, instance, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        group = Group.objects.filter(name=MEMBERS_GROUP).first()
        if group:
            instance.groups.add(group)
