"""What may come in: no national identity numbers, uploads of allowed types and sizes only,
and rich text on the site's own pages sanitised on output."""

import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.documents.forms import get_document_form
from wagtail.images import get_image_model
from wagtail.images.forms import get_image_form

from cms.models import HomePage, StandardPage
from learners.forms.account import SignupForm
from learners.services.employee_import import employee_import
from learners.validators import contains_identity_number
from tests.factories import MunicipalityFactory
from tests.learners.hr_support import person, totp_for, unit

NATIONAL_ID = re.compile(
    r"fnr|f(o|ø)dsels?n(umme)?r|personn(umme)?r|ssn|national_?id|d_?nummer", re.I
)


def test_no_model_has_a_field_for_a_national_identity_number():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            assert not NATIONAL_ID.search(field.name), f"{model.__name__}.{field.name}"


@pytest.mark.parametrize(
    "text",
    [
        "01019012345",
        "Kari 010190 12345",
        "010190-12345",
        "Ola 0101901234 5",
        "Ola 01 01 90 123 45",
        "01.01.90.123.45",
        "010190\u2013123\u00a045",  # en dash, no-break space
        "Kari \u0660\u0661\u0660\u0661\u0669\u0660\u0661\u0662\u0663\u0664\u0665",  # Arabic-Indic
        "\uff10\uff11\uff10\uff11\uff19\uff10 \uff11\uff12\uff13\uff14\uff15",  # fullwidth
    ],
)
def test_an_identity_number_is_recognised(text):
    assert contains_identity_number(text)


@pytest.mark.parametrize(
    "text", ["Kari Nordmann", "Tlf 12345678", "123456789012", "Tlf 12345678, 3 barn", ""]
)
def test_names_and_other_numbers_pass(text):
    assert not contains_identity_number(text)


@pytest.mark.django_db
def test_sign_up_refuses_an_identity_number_in_a_name(bergen):
    form = SignupForm(
        data={"first_name": "Kari", "last_name": "01019012345", "municipality": "4601"}
    )
    assert not form.is_valid()
    assert "fødselsnummer" in str(form.errors["last_name"])


@pytest.mark.django_db
def test_import_rejects_a_row_with_an_identity_number_in_the_name():
    kommune = MunicipalityFactory(name="Fjordvik")
    unit(kommune, "Helse")
    text = "navn;e-post;enhet;rolle;leder-e-post\nKari 01019012345;kari@f.no;Helse;deltaker;\n"
    result = employee_import(municipality=kommune, text=text, actor=None)
    assert result.count("reject") == 1
    assert "fødselsnummer" in " ".join(result.rows[0].reasons)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Ola 0101901234 5", "Ola 01.01.90-123.45"])
def test_import_rejects_an_identity_number_however_it_is_grouped(name):
    kommune = MunicipalityFactory(name="Fjordvik")
    unit(kommune, "Helse")
    text = f"navn;e-post;enhet;rolle;leder-e-post\n{name};ola@f.no;Helse;deltaker;\n"
    result = employee_import(municipality=kommune, text=text, actor=None)
    assert result.count("reject") == 1
    assert "fødselsnummer" in " ".join(result.rows[0].reasons)


@pytest.mark.django_db
def test_no_way_in_stores_a_name_with_an_identity_number(bergen):
    from learners.models import User
    from learners.services.ownership import person_bring_into_municipality

    with pytest.raises(ValueError):
        person_bring_into_municipality(
            municipality=bergen, email="ola@f.no", first_name="Ola", last_name="0101901234 5"
        )
    assert not User.objects.filter(email="ola@f.no").exists()
    user = User(email="kari@f.no", first_name="Kari", last_name="010190\u00a012345")
    with pytest.raises(ValidationError) as error:
        user.full_clean()  # what the admin's forms run
    assert "last_name" in error.value.message_dict


# --- Uploads ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_document_of_a_type_not_allowed_is_refused():
    form_class = get_document_form(get_document_model())
    upload = SimpleUploadedFile("skript.html", b"<script>alert(1)</script>")
    form = form_class({"title": "Farlig"}, {"file": upload})
    assert not form.is_valid()
    assert "file" in form.errors


@pytest.mark.django_db
def test_a_too_large_document_is_refused_with_the_limit_named(settings):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 1024
    form_class = get_document_form(get_document_model())
    upload = SimpleUploadedFile("stor.pdf", b"%PDF-1.4\n" + b"0" * 2048)
    form = form_class({"title": "Stor"}, {"file": upload})
    assert not form.is_valid()
    assert "1.0\xa0KB" in str(form.errors["file"]) or "1,0" in str(form.errors["file"])


def test_upload_limits_are_configured(settings):
    assert settings.WAGTAILDOCS_MAX_UPLOAD_SIZE <= 20 * 1024 * 1024
    assert settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE <= 10 * 1024 * 1024
    assert "svg" not in settings.WAGTAILIMAGES_EXTENSIONS
    assert "html" not in settings.WAGTAILDOCS_EXTENSIONS


@pytest.mark.django_db
def test_an_svg_image_is_refused():
    form_class = get_image_form(get_image_model())
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    form = form_class({"title": "Logo"}, {"file": SimpleUploadedFile("logo.svg", svg)})
    assert not form.is_valid()
    assert "file" in form.errors


@pytest.mark.django_db
def test_a_too_large_employee_file_is_refused(client):
    kommune = MunicipalityFactory(name="Fjordvik")
    hr = person(kommune, None, name="Hanne HR", is_hr=True)
    totp_for(hr)
    client.force_login(hr)
    big = SimpleUploadedFile("ansatte.csv", b"navn;e-post\n" + b"x" * (2 * 1024 * 1024 + 1))
    response = client.post(reverse("hr:import"), {"file": big})
    assert response.status_code == 200
    assert "for stor" in response.content.decode() or "too large" in response.content.decode()


# --- Rich text ----------------------------------------------------------------------------

DIRTY = (
    '<p>Hei<script>alert("x")</script></p><p><a href="javascript:alert(1)" '
    'onclick="alert(2)">lenke</a></p><iframe src="https://evil.example"></iframe>'
)


@pytest.mark.django_db
@pytest.mark.parametrize("model", [StandardPage, HomePage])
def test_the_body_of_site_pages_is_sanitised_on_output(client, model):
    page = model.objects.live().first()
    page.body = DIRTY
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert "Hei" in html
    assert 'alert("x")' not in html and "javascript:" not in html
    assert "onclick" not in html and "evil.example" not in html
