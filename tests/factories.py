"""factory_boy factories. Units and memberships go through the services, as in real use."""

from typing import override

import factory

from organisations import services
from organisations.models import Membership, Municipality, Role, Unit, UnitKind, User

TEST_PASSWORD = "correct-horse-battery-9"


class MunicipalityFactory(factory.django.DjangoModelFactory[Municipality]):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Testkommun {n}")
    # Four digits like SCB's codes, however many a test run makes (the sequence runs on
    # across tests; each test's rows are gone when the next begins).
    code = factory.Sequence(lambda n: f"{9000 + n % 1000:04d}")


class UnitFactory(factory.django.DjangoModelFactory[Unit]):
    class Meta:
        model = Unit

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Enhet {n}")
    kind = UnitKind.SCHOOL
    parent = None

    @classmethod
    @override
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> Unit:
        return services.unit_create(actor=None, **kwargs)  # type: ignore[arg-type]


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj: User, create: bool, _extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.REPORTER
