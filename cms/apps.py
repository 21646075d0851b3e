from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site")

    def ready(self):
        # Imported here, as Django requires: models are ready only now.
        from django.db.models.signals import post_delete, post_save
        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model
        from wagtail.models import Locale, PageViewRestriction, Site
        from wagtail.signals import page_unpublished, post_page_move

        from courses import published

        from .models import SiteLinks

        # Every change to what a served page shows renews the content stamp (courses.published).
        post_save.connect(published.page_saved, dispatch_uid="cms.stamp.page_saved")
        post_delete.connect(published.page_deleted, dispatch_uid="cms.stamp.page_deleted")
        page_unpublished.connect(published.content_changed, dispatch_uid="cms.stamp.unpublished")
        post_page_move.connect(published.content_changed, dispatch_uid="cms.stamp.moved")
        for model in (
            PageViewRestriction,
            Site,
            Locale,
            SiteLinks,
            get_image_model(),
            get_document_model(),
        ):
            label = model._meta.label_lower
            post_save.connect(
                published.content_changed, sender=model, dispatch_uid=f"cms.stamp.save.{label}"
            )
            post_delete.connect(
                published.content_changed, sender=model, dispatch_uid=f"cms.stamp.delete.{label}"
            )
