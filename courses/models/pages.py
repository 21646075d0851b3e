"""Course content as Wagtail pages: CatalogPage -> CoursePage -> ModulePage."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from courses import grading, translations
from courses.blocks import LessonBodyBlock, QuizBlock
from courses.choices import ANSWERS_SHOWN, DURATIONS, LEVELS
from courses.forms import ModulePageForm
from courses.models.snippets import Topic
from courses.quiz import quiz_groups, quiz_snapshot
from courses.search import page_search


class QuizSettings(models.Model):
    """Quiz rules an editor sets per quiz. Questions live in the `quiz` StreamField."""

    quiz = StreamField(QuizBlock(), blank=True, verbose_name=_("quiz questions"))
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("maximum attempts"), default=3, help_text=_("0 means no limit.")
    )
    wait_minutes = models.PositiveIntegerField(
        _("waiting time between attempts (minutes)"), default=0
    )
    show_answers = models.CharField(
        _("show the right answers"),
        max_length=20,
        choices=ANSWERS_SHOWN,
        default=grading.REVEAL_AFTER_SUCCESS_OR_END,
        help_text=_(
            "Until then the learner sees which questions were wrong and your feedback, "
            "but not the right answers."
        ),
    )

    quiz_panels = [
        MultiFieldPanel(
            [
                FieldPanel("pass_mark"),
                FieldPanel("max_attempts"),
                FieldPanel("wait_minutes"),
                FieldPanel("show_answers"),
            ],
            heading=_("Quiz rules"),
        ),
        FieldPanel("quiz"),
    ]

    class Meta:
        abstract = True

    @property
    def has_quiz(self) -> bool:
        return len(self.quiz) > 0

    @property
    def answers_promise(self) -> str:
        """What the quiz page tells the learner about feedback and right answers."""
        promises = {
            grading.REVEAL_AFTER_SUCCESS_OR_END: _(
                "After you submit you see which questions were wrong and our feedback. The "
                "right answers are shown when you have passed or have no attempts left."
            ),
            grading.REVEAL_AFTER_SUCCESS: _(
                "After you submit you see which questions were wrong and our feedback. The "
                "right answers are shown when you have passed."
            ),
            grading.REVEAL_AT_END: _(
                "After you submit you see which questions were wrong and our feedback. The "
                "right answers are shown when you have no attempts left."
            ),
            grading.REVEAL_NEVER: _(
                "After you submit you see which questions were wrong and our feedback. The "
                "right answers are not shown."
            ),
        }
        policy = self.show_answers
        if not self.max_attempts:  # no limit: "no attempt left" never comes
            policy = {
                grading.REVEAL_AFTER_SUCCESS_OR_END: grading.REVEAL_AFTER_SUCCESS,
                grading.REVEAL_AT_END: grading.REVEAL_NEVER,
            }.get(policy, policy)
        return promises.get(policy, promises[grading.REVEAL_AFTER_SUCCESS_OR_END])

    def quiz_snapshot(self) -> list[dict]:
        """Every question the quiz can ask, with ids, choices and correct answers."""
        return quiz_snapshot(self.quiz)

    def quiz_groups(self) -> list[dict]:
        """Single questions and pools, which an attempt draws its questions from."""
        return quiz_groups(self.quiz)

    @property
    def quiz_question_count(self) -> int:
        """How many questions one attempt asks."""
        return sum(group["draw"] for group in self.quiz_groups())


class CatalogPage(Page):
    """The course catalogue: filter by topic, level and duration, and search."""

    lead = models.TextField(_("lead"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("lead")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(self.get_courses(params=request.GET))
        return context

    def get_courses(self, *, params) -> dict:
        """Published courses in the catalogue, filtered by topic, level, duration and a
        search, with the filter choices (the page owns its query, like bakerydemo's
        BlogIndexPage.get_posts). Every language version of the catalogue lists the same
        courses (the source-language catalogue's), each in the reader's language when it has
        that translation: the catalogue's own language, or on the bokmål catalogue the
        interface language."""
        source = translations.canonical(self)
        course_language = source.locale.language_code
        language = (
            self.locale.language_code if source.pk != self.pk else translations.content_language()
        )
        courses = CoursePage.objects.child_of(source).live().public().order_by("title")
        topic, level = params.get("emne", ""), params.get("niva", "")
        duration, query = params.get("varighet", ""), params.get("q", "").strip()
        if topic:
            courses = courses.filter(topics__slug=topic)
        if level in dict(LEVELS):
            courses = courses.filter(level=level)
        if duration in DURATIONS:
            low, high = DURATIONS[duration]
            courses = courses.filter(estimated_minutes__gte=low, estimated_minutes__lte=high)
        if query:
            courses = courses.filter(pk__in=_search_course_ids(query))
        courses = list(courses.prefetch_related("topics").distinct())
        shown = translations.in_language_many(courses, language)
        course_languages = translations.languages_many(courses)
        for course in courses:
            course.shown = shown[course.pk]
            course.shown_language = language if course.shown.pk != course.pk else course_language
            course.language_codes = course_languages.get(str(course.translation_key), [])
        return {
            "courses": courses,
            "topics": list(Topic.objects.all()),
            "levels": LEVELS,
            "durations": list(DURATIONS),
            "filters": {"emne": topic, "niva": level, "varighet": duration, "q": query},
        }


def _search_course_ids(query: str) -> list[int]:
    """Public courses matching the query in their own text or in one of their public
    modules (a page behind a view restriction is never searched for the catalogue); a match
    in any language version finds the course."""
    found = list(page_search(CoursePage.objects.live().public(), query))
    modules = page_search(ModulePage.objects.live().public(), query)
    module_paths = [page.path for page in modules]
    parents = {path[: -CoursePage.steplen] for path in module_paths}
    if parents:
        found += list(CoursePage.objects.filter(path__in=parents))
    # A match in any language version finds the course.
    return sorted(set(translations.canonical_ids(found).values()))


class CoursePage(QuizSettings, Page):
    """A course: what it gives, who it is for, its modules and an optional final quiz."""

    quiz_kind = "course"  # the final quiz; templates name the page after this

    summary = models.TextField(_("summary"), help_text=_("One or two sentences."))
    audience = models.TextField(_("audience"), blank=True)
    learning_outcomes = models.TextField(
        _("learning outcomes"), blank=True, help_text=_("One outcome per line.")
    )
    estimated_minutes = models.PositiveIntegerField(_("estimated minutes"), default=60)
    level = models.CharField(_("level"), max_length=20, choices=LEVELS, default="intro")
    topics = ParentalManyToManyField("courses.Topic", blank=True, verbose_name=_("topics"))
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("image"),
    )
    image_alt = models.CharField(
        _("image alternative text"),
        max_length=250,
        blank=True,
        help_text=_("Required when there is an image."),
    )
    prerequisites = ParentalManyToManyField(
        "courses.CoursePage", blank=True, verbose_name=_("prerequisites")
    )
    action_plan_enabled = models.BooleanField(
        _("ends with an action plan"),
        default=False,
        help_text=_("Invite the learner to write a change plan for their unit at the end."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("audience"),
        FieldPanel("learning_outcomes"),
        MultiFieldPanel(
            [FieldPanel("estimated_minutes"), FieldPanel("level"), FieldPanel("topics")],
            heading=_("Catalogue"),
        ),
        MultiFieldPanel([FieldPanel("image"), FieldPanel("image_alt")], heading=_("Image")),
        FieldPanel("prerequisites"),
        FieldPanel("action_plan_enabled"),
        *QuizSettings.quiz_panels,
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("audience"),
        index.SearchField("learning_outcomes"),
        index.FilterField("level"),
    ]
    parent_page_types = ["courses.CatalogPage"]
    subpage_types = ["courses.ModulePage"]

    class Meta:
        verbose_name = _("course")

    def clean(self):
        super().clean()
        if self.image_id and not self.image_alt.strip():
            raise ValidationError(
                {"image_alt": _("Describe the image for those who cannot see it.")}
            )

    @property
    def outcomes(self) -> list[str]:
        return [line.strip() for line in self.learning_outcomes.splitlines() if line.strip()]

    @property
    def estimated_hours(self) -> float:
        return round(self.estimated_minutes / 60, 1)

    @cached_property
    def modules(self) -> list["ModulePage"]:
        """Published modules in the editor's order."""
        return list(ModulePage.objects.child_of(self).live().order_by("path"))


class ModulePage(QuizSettings, Page):
    """One lesson: text, cases, reflection, a task for the unit, and an optional quiz."""

    quiz_kind = "module"

    COMPLETION_CHOICES = [
        ("manual", _("The learner marks it as done")),
        ("quiz", _("Done when the quiz is passed")),
        ("scorm", _("Done when the SCORM package is completed")),
        ("scorm_pass", _("Done when the SCORM package is completed and passed")),
    ]
    SCORM_COMPLETIONS = ("scorm", "scorm_pass")

    intro = models.TextField(_("introduction"), blank=True)
    estimated_minutes = models.PositiveIntegerField(_("estimated minutes"), default=15)
    required = models.BooleanField(
        _("required"), default=True, help_text=_("Required modules count towards completion.")
    )
    completion = models.CharField(
        _("completion rule"), max_length=10, choices=COMPLETION_CHOICES, default="manual"
    )
    body = StreamField(LessonBodyBlock(), blank=True, verbose_name=_("content"))
    scorm_package = models.ForeignKey(
        "courses.ScormPackage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("SCORM package"),
        help_text=_(
            "The package new attempts start. A learner who has started keeps the version "
            "they started with."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("estimated_minutes"),
        FieldPanel("required"),
        FieldPanel("completion"),
        MultiFieldPanel(
            [FieldPanel("scorm_upload"), FieldPanel("scorm_package", read_only=True)],
            heading=_("SCORM package"),
        ),
        FieldPanel("body"),
        *QuizSettings.quiz_panels,
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("module")

    base_form_class = ModulePageForm

    def clean(self):
        super().clean()
        if self.completion == "quiz" and not self.has_quiz:
            raise ValidationError(
                {"completion": _("A module completed by quiz needs at least one question.")}
            )
        pending_upload = getattr(self, "scorm_upload_pending", False)
        if self.completion in self.SCORM_COMPLETIONS and not (
            self.scorm_package_id or pending_upload
        ):
            raise ValidationError(
                {"completion": _("Upload a SCORM package for this completion rule.")}
            )

    @property
    def is_scorm(self) -> bool:
        return self.scorm_package_id is not None

    @cached_property
    def course(self) -> CoursePage:
        return CoursePage.objects.get(pk=self.get_parent().pk)

    def reflection_prompts(self) -> dict[str, str]:
        """Reflection block id -> prompt, for storing answers against a stable key."""
        return {
            block.id: block.value["prompt"]
            for block in self.body
            if block.block_type == "reflection"
        }
