"""The SCORM player's two endpoints, for the module page's script (static/js/scorm-player.js):
open (or resume) an attempt, and read or commit its runtime data. Both are the learner's own:
the module through their enrolment, the attempt through `access_own_scorm_attempt`, so
anyone else's id is a 404. Commits are ordinary POSTs with the CSRF token in a header."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST

from courses import translations
from courses.models import ModulePage
from learners.access import access_own_enrolment, access_own_scorm_attempt
from learners.services.learning import LearningError
from learners.services.scorm import (
    ScormDataError,
    scorm_attempt_commit,
    scorm_attempt_open,
    scorm_resume_data,
)

MAX_BODY = 1024 * 1024


def _learner_name(user) -> str:
    full = getattr(user, "full_name", "") or user.get_full_name()
    return full or user.email.split("@")[0]


def _attempt_json(request, attempt, module) -> dict:
    package = attempt.package
    path, _sep, query = package.launch.partition("?")
    launch = settings.SCORM_CONTENT_ORIGIN + reverse("scorm_file", args=[package.key, path])
    return {
        "attempt": attempt.pk,
        "number": attempt.number,
        "version": "2004" if package.is_2004 else "1.2",
        "launch": f"{launch}?{query}" if query else launch,
        "commit": reverse("learners:scorm_data", args=[attempt.pk]),
        "data": scorm_resume_data(attempt=attempt, learner_name=_learner_name(request.user)),
        "completed": attempt.completed_at is not None,
        "newer_version": module.scorm_package_id != attempt.package_id,
    }


@login_required
@require_POST
def scorm_open(request, module_id: int):
    module = get_object_or_404(
        ModulePage.objects.live().filter(scorm_package__isnull=False), pk=module_id
    )
    source = translations.canonical(module)
    enrolment = access_own_enrolment(user=request.user, course_id=source.get_parent().pk)
    try:
        attempt = scorm_attempt_open(
            enrolment=enrolment,
            module=source,
            package=module.scorm_package,
            restart=request.POST.get("restart") == "1",
        )
    except LearningError:
        raise Http404 from None
    return JsonResponse(_attempt_json(request, attempt, module))


@login_required
def scorm_data(request, attempt_id: int):
    attempt = access_own_scorm_attempt(user=request.user, pk=attempt_id)
    if request.method == "GET":
        module = ModulePage.objects.get(pk=attempt.module_id)
        return JsonResponse(_attempt_json(request, attempt, module))
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    if len(request.body) > MAX_BODY:
        return JsonResponse({"result": "false", "errorCode": 391}, status=413)
    try:
        data = json.loads(request.body or b"{}")
        attempt, done = scorm_attempt_commit(attempt_id=attempt.pk, data=data)
    except (ValueError, ScormDataError):
        return JsonResponse({"result": "false", "errorCode": 391}, status=400)
    except LearningError:
        raise Http404 from None
    return JsonResponse(
        {
            "result": "true",
            "errorCode": 0,
            "done": done,
            "completed": attempt.completed_at is not None,
            "score": attempt.score_percent,
        }
    )
