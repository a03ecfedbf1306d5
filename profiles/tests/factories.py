"""Factories for users and profile pages."""

import factory
import wagtail_factories
from allauth.account.models import EmailAddress

from profiles.models import Bureau, JobCategory, ProfilePage, User

TEST_PASSWORD = "correct-horse-battery-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@metro.example.jp")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        """UserFactory(groups=["Managers"]): the user joins these groups (seeded by migration)."""
        if create and extracted:
            from django.contrib.auth.models import Group

            groups = list(Group.objects.filter(name__in=extracted))
            missing = set(extracted) - {group.name for group in groups}
            if missing:
                raise LookupError(f"No such group: {', '.join(sorted(missing))}")
            self.groups.add(*groups)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class ProfilePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ProfilePage
        skip_postgeneration_save = True

    external_id = factory.Sequence(lambda n: f"T{n:05d}")
    slug = factory.LazyAttribute(lambda page: page.external_id.lower())
    title = factory.LazyAttribute(lambda page: page.name_ja)
    name_ja = "山田 太郎"
    name_en = "Taro Yamada"
    user = factory.SubFactory(UserFactory)
    bureau = factory.LazyFunction(lambda: Bureau.objects.get(name_ja="建設局"))
    job_category = factory.LazyFunction(lambda: JobCategory.objects.get(name_ja="土木"))
    position = "主任"
    years_of_service = 12
    bio_ja = "橋梁の維持管理を担当。"
    bio_en = "Works on bridge maintenance."
    live = True

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)
            self.save_revision().publish()
