import factory
from allauth.account.models import EmailAddress

from learners.models import Membership, Municipality, OrgUnit, User

PASSWORD = "riktig-hest-batteri-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@kommune.example")
    first_name = "Kari"
    last_name = factory.Sequence(lambda n: f"Nordmann{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: f"9{n:03d}")
    name = factory.Sequence(lambda n: f"Testkommune {n}")
    county_number = "99"
    county_name = "Testfylke"


class OrgUnitFactory(factory.django.DjangoModelFactory):
    """Top-level unit; pass `parent` to make a child."""

    class Meta:
        model = OrgUnit

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Enhet {n}")

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is not None:
            return parent.add_child(**kwargs)
        return model_class.add_root(**kwargs)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    org_unit = None


# --- Courses and enrolments (certificates) ----------------------------------------------------


def catalog_page():
    """The course catalogue, created once under the root page."""
    from wagtail.models import Page

    from courses.models import CatalogPage

    catalog = CatalogPage.objects.first()
    if catalog is None:
        # Transactional tests flush the page tree the migrations made, root and locale too.
        from django.conf import settings
        from wagtail.coreutils import get_supported_content_language_variant
        from wagtail.models import Locale

        language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
        Locale.objects.get_or_create(language_code=language)
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
        catalog = root.add_child(instance=CatalogPage(title="Kurs", slug="kurs-test"))
    return catalog


class CoursePageFactory(factory.django.DjangoModelFactory):
    """A published course in the catalogue."""

    class Meta:
        model = "courses.CoursePage"

    title = factory.Sequence(lambda n: f"Gevinstrealisering {n}")
    slug = factory.Sequence(lambda n: f"kurs-{n}")
    summary = "Et kurs om å hente ut gevinster."
    estimated_minutes = 90

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return catalog_page().add_child(instance=model_class(**kwargs))


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """A completed enrolment by default; pass status/completed_at to change it."""

    class Meta:
        model = "learners.Enrolment"

    user = factory.SubFactory(UserFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    course = factory.SubFactory(CoursePageFactory)
    status = "completed"
    completed_at = factory.LazyFunction(lambda: _now())


def _now():
    from django.utils import timezone

    return timezone.now()


def course_factory(*, title: str, modules: int = 2, required: bool = True):
    """A published course with `modules` manual modules under the demo catalogue."""
    from django.utils.text import slugify

    from courses.models import CatalogPage, CoursePage, ModulePage

    catalog = CatalogPage.objects.get(locale__language_code="nb")
    course = CoursePage(title=title, slug=slugify(title), summary=f"Om {title}.")
    catalog.add_child(instance=course)
    for index in range(modules):
        course.add_child(
            instance=ModulePage(
                title=f"{title} modul {index + 1}", slug=f"m{index + 1}", required=required
            )
        )
    return CoursePage.objects.get(pk=course.pk)
