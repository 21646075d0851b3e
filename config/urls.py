from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms.views import search
from config.content_urls import content_urlpatterns
from config.health import healthz
from courses.views import scorm_file

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Staff log in through allauth like everyone else, so the same throttling, lockout and
    # two-factor rules apply; the admins' own login forms are never served.
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path(
        "django-admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
    ),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("konto/kommune/", include("learners.urls.sso")),
    path("konto/", include("learners.urls.account")),
    path("konto/", include("allauth.urls")),
    path("sok/", search, name="search"),
    # SCORM package files, each response in its own CSP sandbox (courses.views).
    path("scorm/<uuid:key>/<path:path>", scorm_file, name="scorm_file"),
    path("hr/", include("learners.urls.hr")),
    path("scim/v2/", include("learners.urls.scim")),
    path("", include("learners.urls.certificates")),
    path("", include("learners.urls.learners")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if getattr(settings, "BENCH_ENDPOINTS", False):  # only config.settings.bench (make bench)
    from config.bench_views import floor

    urlpatterns += [path("bench/floor/", floor, name="bench_floor")]

# Pages last: bokmål at /..., nynorsk at /nn/... (config.content_urls).
urlpatterns += content_urlpatterns()
