"""Privacy pages: a learner sees and downloads all their data (HR erasing a person is
learners.views.hr.privacy)."""

import json

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from learners.selectors.privacy import personal_data_export


@login_required
@require_GET
def my_data_json(request):
    """The signed-in person's own data, as a JSON download."""
    data = {
        "exported_at": timezone.now(),
        "sections": {s["key"]: s["rows"] for s in personal_data_export(user=request.user)},
    }
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="endra-mine-data.json"'
    return response


@login_required
@require_GET
def my_data(request):
    """The signed-in person's own data, as a readable page."""
    sections = personal_data_export(user=request.user)
    return render(request, "learners/privacy/my_data.html", {"sections": sections})
