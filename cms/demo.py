"""The demo data set behind `seed_demo`: every step finds what is there before it creates."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from wagtail.models import Page, Site

from cms.editorial import editorial_setup
from cms.models import HomePage, SiteLinks, StandardPage
from courses.models import CatalogPage
from courses.services import learning_path_create, seed_courses_import
from learners.models import Municipality
from learners.services.memberships import membership_create
from learners.services.org import municipalities_load, org_unit_ensure_path

DEMO_PASSWORD = "endra-demo-2026"  # noqa: S105 - printed on purpose, demo only


@dataclass(frozen=True)
class DemoUser:
    role: str
    email: str
    first_name: str
    last_name: str
    municipality: str
    unit: tuple[str, ...]
    is_hr: bool = False
    is_staff: bool = False
    is_superuser: bool = False
    groups: tuple[str, ...] = ()
    password: str = DEMO_PASSWORD


DEMO_UNITS = {
    "4601": [  # Bergen
        ("Helse og omsorg", "Hjemmetjenesten Årstad"),
        ("Helse og omsorg", "Hjemmetjenesten Fana"),
        ("Helse og omsorg", "Sykehjem", "Løvåsen sykehjem"),
        ("Oppvekst", "Skoler", "Nygård skole"),
        ("Oppvekst", "Barnehager", "Møhlenpris barnehage"),
        ("Byutvikling", "Plan- og bygningsetaten"),
        ("Økonomi og organisasjon", "HR-avdelingen"),
    ],
    "5001": [  # Trondheim
        ("Helse og velferd", "Hjemmetjenester Midtbyen"),
        ("Oppvekst og utdanning", "Rosenborg skole"),
        ("Organisasjon", "HR og personal"),
    ],
}

DEMO_USERS = [
    DemoUser(
        "learner",
        "leder@bergen.example",
        "Ingrid",
        "Haugland",
        "4601",
        ("Helse og omsorg", "Hjemmetjenesten Årstad"),
    ),
    DemoUser(
        "hr",
        "hr@bergen.example",
        "Sindre",
        "Mjelde",
        "4601",
        ("Økonomi og organisasjon", "HR-avdelingen"),
        is_hr=True,
    ),
    DemoUser(
        "editor",
        "redaktor@endra.example",
        "Kari",
        "Nordmann",
        "4601",
        ("Økonomi og organisasjon", "HR-avdelingen"),
        is_staff=True,
        groups=("Editors",),
    ),
    DemoUser(
        "reviewer",
        "fagansvarlig@endra.example",
        "Ola",
        "Berg",
        "4601",
        ("Økonomi og organisasjon", "HR-avdelingen"),
        is_staff=True,
        groups=("Reviewers",),
    ),
    DemoUser(
        "admin",
        "admin@endra.example",
        "Plattform",
        "Admin",
        "4601",
        (),
        is_staff=True,
        is_superuser=True,
    ),
    DemoUser(
        "learner",
        "leder@trondheim.example",
        "Mari",
        "Lien",
        "5001",
        ("Helse og velferd", "Hjemmetjenester Midtbyen"),
    ),
    DemoUser(
        "hr",
        "hr@trondheim.example",
        "Per",
        "Aune",
        "5001",
        ("Organisasjon", "HR og personal"),
        is_hr=True,
    ),
]

PRIVACY_BODY = """
<h2>Hvem er ansvarlig</h2>
<p>Kommunen du er ansatt i er behandlingsansvarlig for opplysninger om opplæringen din.
Endra er databehandler og behandler opplysningene bare på kommunens vegne, etter en
databehandleravtale med kommunen.</p>
<h2>Hva vi lagrer, og hvorfor</h2>
<ul>
<li><strong>Navn og e-postadresse</strong>, for at du skal kunne logge inn, få påminnelser og
få navnet ditt på kursbevis.</li>
<li><strong>Kommune og enhet</strong>, for at kommunen skal kunne tildele kurs og følge med på
hvor mange i hver enhet som har fullført.</li>
<li><strong>Kurs, moduler du har fullført og quizforsøk</strong>, for at du skal kunne fortsette
der du slapp, og for at kommunen skal se status for opplæringen.</li>
<li><strong>Kursbevis</strong>, for at du og andre skal kunne kontrollere at et kursbevis er
ekte.</li>
<li><strong>Refleksjoner og endringsplaner</strong> du skriver. Disse ser bare du. HR ser bare
tall for grupper, aldri teksten din.</li>
<li><strong>En logg over viktige endringer</strong> (for eksempel tildelinger og sletting), for
å kunne etterprøve hva som er gjort. Loggen viser hvem som gjorde noe, ikke hva du skrev.</li>
</ul>
<p>Vi lagrer aldri fødselsnummer, og skjemaene avviser tall som ligner et fødselsnummer.</p>
<h2>Hvor lenge</h2>
<p>Opplysningene lagres så lenge du bruker Endra. Har du ikke vært aktiv på en stund,
anonymiseres opplysningene automatisk. Kommunen velger hvor lenge: som standard 36 måneder
etter siste aktivitet. Da fjernes navn og e-postadresse, du kan ikke lenger logge inn, og
refleksjoner og teksten i endringsplaner slettes. Tall for enheten (for eksempel hvor mange som
har fullført et kurs) blir stående, men uten å vise hvem du er.</p>
<p>Kursbevis som allerede er utstedt, kan fortsatt kontrolleres med koden, men viser ikke
lenger navnet ditt: det står at beviset er utstedt til en person som har fått sine
opplysninger slettet.</p>
<h2>Dine rettigheter</h2>
<p>Du kan se og laste ned alle opplysningene om deg under «Dine data» på profilsiden din, både
som en lesbar side og som en JSON-fil. Du kan be kommunen rette eller slette opplysningene.
HR i kommunen din kan slette dem for deg. Du kan også klage til Datatilsynet.</p>
"""

ACCESSIBILITY_BODY = """
<h2>Slik tester vi</h2>
<p>Endra skal oppfylle kravene til universell utforming (WCAG 2.1 nivå AA). Sidene bygger
på Designsystemet fra Digdir, fungerer uten JavaScript og kan brukes med tastatur alene.</p>
<p>Automatiske tester sjekker sidene med axe-core i en ekte nettleser, og vi tester
quizene med tastatur. Automatiske tester finner ikke alle feil, så vi tester også manuelt
med skjermleser før større endringer.</p>
<h2>Kjente mangler</h2>
<p>Vi har foreløpig ikke gjennomført en full manuell revisjon av alle sider. Finner du noe
som ikke fungerer, vil vi gjerne høre om det.</p>
<h2>Tilbakemelding</h2>
<p>Meld fra til kommunens HR-avdeling eller til Endra-teamet, og du kan klage til
Tilsynet for universell utforming av ikt (Uu-tilsynet).</p>
"""


def _child(parent: Page, model, slug: str, **fields):
    existing = parent.get_children().filter(slug=slug).first()
    if existing:
        return existing.specific
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _root_create() -> Page:
    """Wagtail's tree root, normally made by its migrations; recreated on an emptied database."""
    from wagtail.models import Locale

    locale, _created = Locale.objects.get_or_create(language_code="nb")
    return Page.add_root(instance=Page(title="Root", slug="root", locale=locale))


def site_seed() -> HomePage:
    """The page tree: home, catalogue, privacy notice and accessibility statement."""
    root = Page.get_first_root_node() or _root_create()
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(
            title="Endra",
            slug="endra",
            lead=(
                "Korte, praktiske kurs i endringsledelse for ledere i kommunen – "
                "og verktøy for å ta det du lærer i bruk i din egen enhet."
            ),
        )
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None or site.root_page_id != home.pk:
        Site.objects.filter(is_default_site=True).delete()
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="Endra",
        )
    Page.objects.filter(depth=2).exclude(pk=home.pk).filter(slug="home").delete()
    _child(
        home,
        CatalogPage,
        "kurs",
        title="Kurs",
        lead="Velg et kurs som passer det du og enheten din står i nå.",
    )
    privacy = _child(
        home,
        StandardPage,
        "personvern",
        title="Personvernerklæring",
        lead="Slik behandler Endra opplysninger om deg.",
        body=PRIVACY_BODY,
    )
    statement = _child(
        home,
        StandardPage,
        "tilgjengelighetserklaering",
        title="Tilgjengelighetserklæring",
        lead="Slik jobber vi med universell utforming i Endra.",
        body=ACCESSIBILITY_BODY,
    )
    links = SiteLinks.for_site(Site.objects.get(is_default_site=True))
    links.privacy_notice, links.accessibility_statement = privacy, statement
    links.save()
    editorial_setup(root=home)
    return home


def content_seed(home: HomePage) -> None:
    """The starter curriculum and the demo learning path."""
    catalog = CatalogPage.objects.child_of(home).get(slug="kurs")
    courses = {course.slug: course for course in seed_courses_import(catalog=catalog)}
    order = [
        "endringsledelse-for-mellomledere",
        "gevinstrealisering-i-praksis",
        "tjenestedesign-i-kommunen",
        "lean-i-kommunale-tjenester",
        "personvern-for-ledere",
        "prosjekt-og-linje",
        "digital-samhandling-og-brukeradopsjon",
    ]
    learning_path_create(
        slug="ledergrunnlag-for-digital-omstilling",
        title="Ledergrunnlag for digital omstilling",
        description=(
            "Grunnpakken for ledere som skal lede enheten sin gjennom en digital endring: "
            "endringsledelse og gevinstrealisering er obligatorisk, de andre kursene anbefales."
        ),
        courses=[(courses[slug], index < 2) for index, slug in enumerate(order) if slug in courses],
    )


def users_seed() -> None:
    """Demo org units and users, with verified e-mail addresses so they can log in at once."""
    from django.contrib.auth.models import Group

    User = get_user_model()
    for number, paths in DEMO_UNITS.items():
        municipality = Municipality.objects.get(number=number)
        for names in paths:
            org_unit_ensure_path(municipality=municipality, names=list(names))
    for demo in DEMO_USERS:
        user = User.objects.filter(email=demo.email).first()
        if user is None:
            user = User.objects.create_user(
                email=demo.email,
                password=demo.password,
                first_name=demo.first_name,
                last_name=demo.last_name,
                is_staff=demo.is_staff,
                is_superuser=demo.is_superuser,
            )
        EmailAddress.objects.update_or_create(
            user=user, email=demo.email, defaults={"verified": True, "primary": True}
        )
        for name in demo.groups:
            group = Group.objects.filter(name=name).first()
            if group:
                user.groups.add(group)
        municipality = Municipality.objects.get(number=demo.municipality)
        unit = (
            org_unit_ensure_path(municipality=municipality, names=list(demo.unit))
            if demo.unit
            else None
        )
        membership_create(user=user, municipality=municipality, org_unit=unit, is_hr=demo.is_hr)


def seed_demo(*, stdout=None) -> None:
    """Everything the demo needs, created once and left alone on later runs."""
    count = municipalities_load()
    home = site_seed()
    content_seed(home)
    users_seed()
    if stdout is not None:
        stdout.write(f"Municipalities: {count}. Site pages and demo users are in place.")
