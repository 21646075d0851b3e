"""The Wagtail edit form of a module: the SCORM zip upload beside the page's own fields."""

import weakref

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from courses import scorm


class ModulePageForm(WagtailAdminPageForm):
    scorm_upload = forms.FileField(
        label=_("Upload a SCORM package (.zip)"),
        required=False,
        help_text=_(
            "SCORM 1.2 or SCORM 2004. A new upload replaces the package for new attempts "
            "once the page is published; learners who have started keep their version."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unpacked: scorm.UnpackedPackage | None = None

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("scorm_upload")
        if upload:
            try:
                self.unpacked = scorm.package_unpack(upload)
            except scorm.ScormPackageError as error:
                self.add_error("scorm_upload", str(error))
            else:
                # Removed on save, and at the latest when the form is gone.
                weakref.finalize(self, self.unpacked.cleanup)
                self.instance.scorm_upload_pending = True
        return cleaned

    def save(self, commit=True):
        page = super().save(commit=False)
        if self.unpacked is not None:
            page.scorm_package = self._store(self.unpacked)
            self.unpacked.cleanup()
            self.unpacked = None
        if commit:
            page.save()
        return page

    def _store(self, unpacked: scorm.UnpackedPackage):
        package_model = self.instance._meta.get_field("scorm_package").related_model
        manifest = unpacked.manifest
        package = package_model(
            version=manifest.version,
            identifier=manifest.identifier,
            title=manifest.title or manifest.item_title or _("SCORM package"),
            organisation=manifest.organisation,
            item_title=manifest.item_title,
            launch=manifest.launch,
            mastery_score=manifest.mastery_score,
            file_count=len(unpacked.files),
            size=unpacked.size,
            original_name=getattr(self.cleaned_data.get("scorm_upload"), "name", "")[:250],
            uploaded_by=self.for_user if getattr(self.for_user, "pk", None) else None,
        )
        scorm.package_store(unpacked, prefix=package.storage_prefix)
        try:
            package.save()
        except BaseException:
            scorm.package_delete(prefix=package.storage_prefix, files=unpacked.files)
            raise
        return package
