"""Demo accounts for local development: one per role, with known passwords printed by `make run`."""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    first_name: str
    last_name: str
    role: str
    groups: tuple = field(default=())
    is_superuser: bool = False


DEMO_ACCOUNTS = [
    DemoAccount("admin", "admin-demo-2026", "Ada", "Admin", "site administrator", is_superuser=True),
    DemoAccount("editor", "editor-demo-2026", "Edith", "Editor", "editor (publishes lessons)", ("Editors",)),
    DemoAccount(
        "teacher", "teacher-demo-2026", "Tom", "Teacher", "teacher (authors lessons, runs a class)", ("Teachers",)
    ),
    DemoAccount("student", "student-demo-2026", "Sam", "Student", "student"),
    DemoAccount("manager", "manager-demo-2026", "Maria", "Manager", "business manager (staff training)"),
]


def ensure_demo_accounts():
    """Create or reset the demo accounts; refuses outside DEBUG so no known password reaches production."""
    if not settings.DEBUG:
        raise RuntimeError(
            "Demo accounts are only created with DEBUG on (development settings, cms.settings.dev): "
            "their passwords are in the source code and printed by `make run`."
        )
    User = get_user_model()
    users = []
    for account in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(username=account.username)
        user.first_name = account.first_name
        user.last_name = account.last_name
        user.email = f"{account.username}@example.com"
        user.is_superuser = user.is_staff = account.is_superuser
        user.set_password(account.password)
        user.save()
        for name in account.groups:
            user.groups.add(Group.objects.get_or_create(name=name)[0])
        users.append(user)
    return users
