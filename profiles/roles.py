"""Who is a programme admin or a manager (the groups are seeded by migration 0003)."""

from .signal_handlers import MANAGERS_GROUP, PROGRAMME_ADMINS_GROUP


def in_group(user, *names: str) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or user.groups.filter(name__in=names).exists())
    )


def is_programme_admin(user) -> bool:
    return in_group(user, PROGRAMME_ADMINS_GROUP)


def is_manager_or_programme_admin(user) -> bool:
    return in_group(user, MANAGERS_GROUP, PROGRAMME_ADMINS_GROUP)
