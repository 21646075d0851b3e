"""Learner views: enrol, leave, mark done, reflect, take and review quizzes, «Min læring».
Every object is looked up through the acting user, so a foreign id is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from courses import translations
from courses.grading import question_is_correct
from courses.models import CoursePage, ModulePage
from learners.access import access_own_enrolment
from learners.forms.learning import QuizForm, ReflectionForm
from learners.models import QuizAttempt
from learners.selectors.learning import attempt_for, my_learning
from learners.services.learning import (
    LearningError,
    enrolment_create,
    enrolment_leave,
    module_complete,
    reflection_save,
)
from learners.services.quiz import (
    quiz_attempt_start,
    quiz_attempt_submit,
    quiz_page_for,
    right_answers_visible,
)

# Lazy: the dict is built at import, the text is chosen per request in the learner's language.
ERROR_MESSAGES = {
    "no_municipality": gettext_lazy(
        "You must belong to a municipality to enrol. Choose one on your profile."
    ),
    "assigned": gettext_lazy("This course was assigned to you, so you cannot leave it."),
    "completed": gettext_lazy("You have completed this course."),
    "passed": gettext_lazy("You have already passed this quiz."),
    "no_attempts_left": gettext_lazy("You have used all your attempts at this quiz."),
    "wait": gettext_lazy("You can try again from %(time)s."),
}


def _message(error: LearningError) -> str:
    text = ERROR_MESSAGES.get(error.code, _("That did not work. Please try again."))
    available = error.details.get("available_at")
    return text % {"time": date_format(localtime(available), "j. F H:i")} if available else text


@login_required
@require_POST
def enrol(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    try:
        # One enrolment per course, whichever language version the learner enrols from.
        enrolment = enrolment_create(user=request.user, course=translations.canonical(course))
    except LearningError as error:
        messages.error(request, _message(error))
        return redirect(course.url)
    messages.success(request, _("You are enrolled. Good luck!"))
    target = enrolment.last_module or (course.modules[0] if course.modules else course)
    return redirect(translations.in_language(target, course.locale.language_code).url)


@login_required
@require_POST
def leave(request, course_id: int):
    enrolment = access_own_enrolment(user=request.user, course_id=course_id)
    try:
        enrolment_leave(enrolment=enrolment)
        messages.success(request, _("You have left the course. Your progress is kept."))
    except LearningError as error:
        messages.error(request, _message(error))
    return redirect(CoursePage.objects.get(pk=course_id).url)


@login_required
@require_POST
def module_done(request, module_id: int):
    module = get_object_or_404(ModulePage.objects.live(), pk=module_id)
    course = CoursePage.objects.get(pk=module.get_parent().pk)
    enrolment = access_own_enrolment(user=request.user, course_id=course.pk)
    if module.completion == "quiz":
        messages.info(request, _("This module is done when you pass its quiz."))
        return redirect(module.url)
    if module.completion in ModulePage.SCORM_COMPLETIONS:
        messages.info(request, _("This module is done when you complete its package."))
        return redirect(module.url)
    source = translations.canonical(module)
    completed = module_complete(enrolment=enrolment, module=source)
    if completed:
        messages.success(request, _("Congratulations! You have completed the course."))
        return redirect("learners:my_learning")
    # The next module of the course, in this page's language where it is translated.
    modules = translations.canonical(course).modules
    shown = translations.in_language_many(modules, module.locale.language_code)
    following = [shown[m.pk] for m in modules if m.path > source.path]
    messages.success(request, _("The module is marked as done."))
    return redirect(following[0].url if following else course.url)


@login_required
@require_POST
def reflection(request, module_id: int, block_id: str):
    module = get_object_or_404(ModulePage.objects.live(), pk=module_id)
    enrolment = access_own_enrolment(user=request.user, course_id=module.get_parent().pk)
    form = ReflectionForm(request.POST, prefix=block_id)
    if not form.is_valid():
        messages.error(request, _("Write something before you save."))
    else:
        try:
            reflection_save(
                enrolment=enrolment,
                module=translations.canonical(module),
                block_id=block_id,
                text=form.cleaned_data["text"],
                prompt=module.reflection_prompts().get(block_id),
            )
            messages.success(request, _("Your reflection is saved. Only you can see it."))
        except LearningError:
            raise Http404 from None
    return redirect(f"{module.url}#r-{block_id}")


@login_required
def quiz(request, page_id: int):
    quiz_page = quiz_page_for(page_id=page_id)
    if quiz_page is None:
        raise Http404
    course = quiz_page if isinstance(quiz_page, CoursePage) else quiz_page.course
    # Attempts belong to the source-language quiz, whichever version the learner takes.
    source_course = translations.canonical(course)
    source = source_course if quiz_page.pk == course.pk else translations.canonical(quiz_page)
    enrolment = access_own_enrolment(user=request.user, course_id=source_course.pk, is_source=True)
    attempts = list(enrolment.attempts.filter(quiz_page_id=source.pk))
    previous = [a for a in attempts if a.status == QuizAttempt.Status.SUBMITTED]
    if request.method == "POST":
        # Submissions come first: a double click or a resubmitted form must land on the
        # first result, never start a new attempt.
        return _quiz_submit(request, enrolment, quiz_page, course, source, previous)
    try:
        attempt = quiz_attempt_start(
            enrolment=enrolment, quiz_page=source, shown=quiz_page, attempts=attempts
        )
    except LearningError as error:
        return render(
            request,
            "learners/quiz_closed.html",
            {"quiz_page": quiz_page, "message": _message(error), "previous": previous},
        )
    form = QuizForm(attempt=attempt)
    context = _quiz_context(quiz_page, course, attempt, form, previous)
    return render(request, "learners/quiz.html", context)


def _quiz_submit(request, enrolment, quiz_page, course, source, previous):
    try:
        attempt_id = int(request.POST.get("attempt", ""))
    except ValueError:
        raise Http404 from None
    attempt = attempt_for(user=request.user, attempt_id=attempt_id)
    if attempt is None or attempt.quiz_page_id != source.pk:
        raise Http404
    if attempt.status == "submitted":  # double click or a resubmitted form: same result
        return redirect("learners:attempt", attempt.pk)
    form = QuizForm(request.POST, attempt=attempt)
    if not form.is_valid():
        context = _quiz_context(quiz_page, course, attempt, form, previous)
        return render(request, "learners/quiz.html", context, status=400)
    attempt = quiz_attempt_submit(
        enrolment=enrolment, attempt_id=attempt.pk, answers=form.answers()
    )
    return redirect("learners:attempt", attempt.pk)


def _quiz_context(quiz_page, course, attempt, form, previous):
    return {
        "quiz_page": quiz_page,
        "course": course,
        "attempt": attempt,
        "form": form,
        "previous": previous,
    }


@login_required
def attempt_review(request, attempt_id: int):
    attempt = attempt_for(user=request.user, attempt_id=attempt_id)
    if attempt is None or attempt.status != "submitted":
        raise Http404
    page = (
        ModulePage.objects.filter(pk=attempt.quiz_page_id).first()
        or CoursePage.objects.filter(pk=attempt.quiz_page_id).first()
    )
    show_right = right_answers_visible(enrolment=attempt.enrolment, quiz_page=page)
    page = translations.in_language(page) if page is not None else None
    return render(
        request,
        "learners/attempt_review.html",
        {
            "attempt": attempt,
            "quiz_page": page,
            "show_right": show_right,
            "questions": review_rows(attempt, show_right=show_right),
        },
    )


def review_rows(attempt, *, show_right: bool) -> list[dict]:
    """What was asked, answered and (when the quiz's rule allows it) right, in the order the
    learner saw it. Without show_right nothing tells which unchosen answers were right."""
    by_id = {q["id"]: q for q in attempt.snapshot}
    rows = []
    for number, qid in enumerate(attempt.order["questions"], start=1):
        question = by_id[qid]
        chosen = attempt.answers.get(qid, [])
        choices = {c["id"]: c for c in question["choices"]}
        correct = question_is_correct(question, chosen)
        rows.append(
            {
                "number": number,
                "question": question,
                "correct": correct,
                "options": (
                    _option_rows(question, chosen, attempt.order["choices"].get(qid, []))
                    if show_right and not correct and question["kind"] == "multiple"
                    else []
                ),
                "chosen": [choices[cid] for cid in chosen if cid in choices],
                "right": (
                    []
                    if not show_right
                    else question["choices"]
                    if question["kind"] == "ordering"
                    else [c for c in question["choices"] if c["correct"]]
                ),
            }
        )
    return rows


def _option_rows(question, chosen, shown_order) -> list[dict]:
    """Every option of a wrong multiple-answer question, in the order shown, with its part:
    a right pick, a wrong pick, a right option that was missed, or rightly left out."""
    by_id = {c["id"]: c for c in question["choices"]}
    order = [cid for cid in shown_order if cid in by_id] or list(by_id)
    rows = []
    for cid in order:
        choice, picked = by_id[cid], cid in chosen
        if picked:
            state = "right_pick" if choice["correct"] else "wrong_pick"
        else:
            state = "missed" if choice["correct"] else "left_out"
        rows.append({"choice": choice, "picked": picked, "state": state})
    return rows


@login_required
def my_learning_view(request):
    return render(request, "learners/my_learning.html", my_learning(user=request.user))
