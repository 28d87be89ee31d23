from __future__ import annotations

import factory
from django.contrib.auth.models import Group, User


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"customer{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("secret-pass")


class StaffFactory(UserFactory):
    """Staff in both staff groups: rights come from groups, as in production."""

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):  # noqa: ARG002
        if not create:
            return
        from oms.accounts.services import ensure_staff_groups

        ensure_staff_groups()
        self.groups.add(*Group.objects.filter(name__in=["Order managers", "Inventory managers"]))
