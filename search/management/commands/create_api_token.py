"""python manage.py create_api_token EMAIL — print a new matching-API token for a manager."""

from django.core.management.base import BaseCommand, CommandError

from wagtail.models import APIToken

from profiles.models import User
from profiles.signal_handlers import MANAGERS_GROUP


class Command(BaseCommand):
    help = "Create an API token for a member of the Managers group and print it once."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="matching API")

    def handle(self, *args, email: str, name: str, **options):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No account with the email address {email}.")
        if not (user.is_superuser or user.groups.filter(name=MANAGERS_GROUP).exists()):
            raise CommandError(f"{email} is not in the {MANAGERS_GROUP} group.")
        _token, plaintext = APIToken.create_token(user=user, name=name)
        self.stdout.write(plaintext)
