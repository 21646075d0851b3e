"""Private file storage: files only Endra's own views hand out, after a permission check.

PRIVATE_MEDIA_ROOT lies outside MEDIA_ROOT, so nothing that serves media (runserver in DEBUG,
a web server pointed at MEDIA_ROOT) can reach these files, and they have no URL."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """FileSystemStorage under settings.PRIVATE_MEDIA_ROOT (read on use, so a changed
    setting takes effect at once), without URLs."""

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        import os

        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL: serve them through a view that checks.")
