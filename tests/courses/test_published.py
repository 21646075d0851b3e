"""Published content kept in each process (courses.published): a page request reads the content
stamp instead of routing the URL through the page tree, and whatever an editor changes (or
another process commits) is seen on the next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Page, PageViewRestriction, Site

from cms.models import SiteLinks
from courses import published
from courses.models import CoursePage, ModulePage
from learners.lib.prepared import Prepared
from learners.models import Enrolment
from learners.selectors.learning import _learner_enrolment
from learners.services.learning import enrolment_create, module_complete
from tests.factories import MembershipFactory

LEAN = "lean-i-kommunale-tjenester"


@pytest.fixture
def course(demo):
    return CoursePage.objects.get(slug=LEAN, locale__language_code="nb")


@pytest.fixture
def module(course):
    return ModulePage.objects.get(pk=course.modules[1].pk)


def _renews(change) -> bool:
    before = published.stamp_read()
    change()
    return published.stamp_read() != before


def test_each_change_to_served_content_renews_the_stamp_and_a_draft_does_not(course, module):
    assert published.stamp_read() is not None
    page = ModulePage.objects.get(pk=module.pk)
    page.title = "Et utkast ingen ser ennå"
    assert not _renews(lambda: page.save_revision())
    assert _renews(lambda: page.get_latest_revision().publish())
    assert _renews(lambda: ModulePage.objects.get(pk=module.pk).unpublish())
    assert _renews(lambda: ModulePage.objects.get(pk=module.pk).get_latest_revision().publish())
    other = CoursePage.objects.exclude(pk=course.pk).filter(locale=course.locale).first()
    assert _renews(lambda: ModulePage.objects.get(pk=module.pk).move(other, "last-child"))
    restriction = []
    assert _renews(
        lambda: restriction.append(
            PageViewRestriction.objects.create(page=other, restriction_type="login")
        )
    )
    assert _renews(lambda: restriction[0].delete())
    site = Site.objects.get(is_default_site=True)
    assert _renews(lambda: SiteLinks.for_site(site).save())
    assert _renews(lambda: ModulePage.objects.get(pk=module.pk).delete())


def test_a_learner_sees_every_publish_unpublish_move_and_restriction_at_once(
    client, bergen, course, module
):
    user = MembershipFactory(municipality=bergen).user
    enrolment_create(user=user, course=course)
    client.force_login(user)
    assert client.get(module.url).status_code == 200

    page = ModulePage.objects.get(pk=module.pk)
    page.title = "Flyt i hjemmetjenesten, ny tittel"
    page.save_revision().publish()
    assert "Flyt i hjemmetjenesten, ny tittel" in client.get(module.url).text

    ModulePage.objects.get(pk=module.pk).unpublish()
    assert client.get(module.url).status_code == 404
    ModulePage.objects.get(pk=module.pk).get_latest_revision().publish()
    assert client.get(module.url).status_code == 200

    old_url = module.url
    page = ModulePage.objects.get(pk=module.pk)
    page.slug = "flyt-ny-adresse"
    page.save_revision().publish()
    assert client.get(old_url).status_code == 404
    new_url = ModulePage.objects.get(pk=module.pk).url
    assert client.get(new_url).status_code == 200
    # The course page's module list links to the new address at once.
    assert f'href="{new_url}"' in client.get(course.url).text

    restriction = PageViewRestriction.objects.create(page=course, restriction_type="login")
    client.logout()
    response = client.get(new_url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
    restriction.delete()
    assert client.get(new_url).status_code == 200


def test_a_change_committed_by_another_process_is_seen_once_it_renews_the_stamp(
    client, bergen, course, module
):
    """What each process keeps is checked against the stamp in the database, not against
    its own memory of what it changed: a change behind this process's back (as another
    process writes it, before its receiver renews the stamp) is not seen, then it is."""
    client.force_login(MembershipFactory(municipality=bergen).user)
    assert client.get(module.url).status_code == 200
    Page.objects.filter(pk=module.pk).update(title="Tittel fra en annen prosess")
    assert "Tittel fra en annen prosess" not in client.get(module.url).text
    published.stamp_renew()  # what the other process's transaction does with its change
    assert "Tittel fra en annen prosess" in client.get(module.url).text


def test_the_second_visit_reads_no_page_tree_and_a_new_stamp_reads_it_again(
    client, bergen, course, module
):
    client.force_login(MembershipFactory(municipality=bergen).user)
    client.get(module.url)

    def page_tree_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(module.url).status_code == 200
        # (A prepared statement's SQL is not logged: its text is on the server.)
        sqls = [q["sql"] or "" for q in queries.captured_queries]
        return sum('FROM "wagtailcore_page"' in sql for sql in sqls)

    assert page_tree_queries() == 0
    published.stamp_renew()
    assert page_tree_queries() > 0
    assert page_tree_queries() == 0


def test_what_a_process_keeps_is_bounded_and_a_missing_page_is_never_kept(
    client, course, monkeypatch
):
    monkeypatch.setattr(published, "MAX_ENTRIES", 5)
    for module in course.modules:
        client.get(module.url)
    for number in range(20):
        assert client.get(f"/kurs/{LEAN}/finnes-ikke-{number}/").status_code == 404
    kept = published._kept._entries
    assert len(kept) <= 5
    assert not any("finnes-ikke" in str(key) for key in kept)


def test_the_enrolment_read_is_the_same_as_the_orm_gives(bergen, course, module):
    """The prepared enrolment read (learners.lib.prepared) gives what the queryset it was
    built from gives, for a learner with progress and without an enrolment."""
    user = MembershipFactory(municipality=bergen).user
    assert _learner_enrolment(user=user, course_id=course.pk, module_id=module.pk) is None
    enrolment = enrolment_create(user=user, course=course)
    manual = [m for m in course.modules if m.completion == "manual"][:2]
    for done in manual:
        module_complete(enrolment=enrolment, module=done)
    read = _learner_enrolment(user=user, course_id=course.pk, module_id=module.pk)
    assert read.pk == enrolment.pk and isinstance(read, Enrolment)
    assert read.done_module_ids == {m.pk for m in manual}
    assert read.final_attempts == 0 and read.final_passed is False
    assert read.module_quiz_passed is False and read.action_plan_id is None
    assert read.created_at == Enrolment.objects.get(pk=enrolment.pk).created_at


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_a_prepared_query_is_planned_once_per_connection_on_postgresql(bergen, course):
    user = MembershipFactory(municipality=bergen).user
    enrolment_create(user=user, course=course)
    prepared = Prepared(
        lambda user_id: Enrolment.objects.filter(user_id=user_id).order_by("pk"), int
    )
    assert [e.user_id for e in prepared.rows(user.pk)] == [user.pk]
    assert [e.user_id for e in prepared.rows(user.pk)] == [user.pk]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "learners_enrolment" WHERE "learners_enrolment"."user_id" = $1%'],
        )
        assert cursor.fetchone()[0] == 1
    with pytest.raises(TypeError):
        prepared.rows("1; DROP TABLE learners_enrolment")


def test_a_prepared_query_gives_what_its_queryset_gives(bergen, course, django_assert_num_queries):
    """Related objects (select_related), converted values and values_list rows, in one
    query; a parameter is bound by type, so text where an id belongs is refused."""
    user = MembershipFactory(municipality=bergen).user
    enrolment = enrolment_create(user=user, course=course)
    with_related = Prepared(
        lambda email: (
            Enrolment.objects.select_related("user", "municipality")
            .filter(user__email=email)
            .order_by("pk")
        ),
        str,
    )
    with django_assert_num_queries(1):
        (found,) = with_related.rows(user.email)
        assert found.pk == enrolment.pk and found.user.email == user.email
        assert found.municipality.name == "Bergen"
    ids = Prepared(
        lambda municipality_id: (
            Enrolment.objects.filter(municipality_id=municipality_id)
            .order_by("pk")
            .values_list("pk", "status")
        ),
        int,
    )
    expected = list(
        Enrolment.objects.filter(municipality=bergen).order_by("pk").values_list("pk", "status")
    )
    assert ids.rows(bergen.pk) == expected
    with pytest.raises(TypeError):
        ids.rows(str(bergen.pk))
    assert with_related.rows("ingen@finnes.example") == []


def test_the_kept_footer_follows_the_language_and_the_site_links(client, demo):
    """The footer is rendered once per site and language (cms.templatetags.kept) and again
    when an editor points its links elsewhere."""
    from cms.models import StandardPage

    assert "Personvernerklæring" in client.get("/").text
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/").text
    assert "Privacy notice" in english and "Personvernerklæring" not in english
    client.post("/i18n/setlang/", {"language": "nb", "next": "/"})
    assert "Personvernerklæring" in client.get("/").text

    links = SiteLinks.for_site(Site.objects.get(is_default_site=True))
    other = StandardPage.objects.live().exclude(pk=links.privacy_notice_id).first()
    links.privacy_notice = other
    links.save()
    assert f'href="{other.url}">Personvernerklæring' in client.get("/").text


def test_the_signed_in_user_is_read_by_one_prepared_query(bergen):
    """User.objects.get(pk=...) (what the authentication backends run on every request)
    gives what the ORM gives; other lookups are Django's own."""
    from learners.models import User

    user = MembershipFactory(municipality=bergen).user
    found = User.objects.get(pk=user.pk)
    assert found == user and found.email == user.email and found.password == user.password
    assert found.date_joined == User.objects.filter(pk=user.pk).first().date_joined
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=10**9)
    assert User.objects.get(email=user.email) == user
    assert User.objects.get(pk=str(user.pk)) == user  # not an int: the ORM's own path
