"""The site around the learning: the home page and plain pages such as the privacy notice."""

import copy

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from courses import published
from courses.published import KeptPageMixin

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link"]


class HomePage(KeptPageMixin, Page):
    """The front page: what Endra is and where to start."""

    lead = models.TextField(_("lead"), blank=True)
    body = RichTextField(_("body"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CatalogPage", "cms.StandardPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")


class StandardPage(KeptPageMixin, Page):
    """A plain page: about, privacy notice, accessibility statement."""

    lead = models.TextField(_("lead"), blank=True)
    body = RichTextField(_("body"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


@register_setting(icon="site")
class SiteLinks(BaseSiteSetting):
    """Pages the footer links to on every page."""

    accessibility_statement = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("accessibility statement"),
    )
    privacy_notice = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("privacy notice"),
    )

    panels = [FieldPanel("accessibility_statement"), FieldPanel("privacy_notice")]
    # The footer links to both on every page: read them with the setting, in one query,
    # and kept in the process until content changes.
    select_related = ["accessibility_statement", "privacy_notice"]

    @classmethod
    def for_request(cls, request):
        attr_name = cls.get_cache_attr_name()
        if not hasattr(request, attr_name):
            site = published.site_for_request(request)
            if site is None:
                return cls.for_site(site)  # Wagtail's error for a request with no site
            links = copy.copy(
                published.kept(request, ("sitelinks", site.pk), lambda: cls.for_site(site))
            )
            links._request, links._page_url_cache = request, {}
            setattr(request, attr_name, links)
        return getattr(request, attr_name)

    class Meta:
        verbose_name = _("site links")
