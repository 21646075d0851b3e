"""Course content as Wagtail pages: CatalogPage -> CoursePage -> ModulePage."""

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
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
from courses.published import KeptPageMixin
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


def _route_to_child(parent: Page, model: type[Page], request, path_components):
    """Route to a child of the one page type `parent` holds in one query (Wagtail's own
    routing asks twice per level: the child, then its specific row). The child keeps its
    parent and its locale, so the breadcrumb and the translation lookups need no query.
    Anything else falls back to Wagtail's routing (and its 404)."""
    if not path_components:
        return Page.route(parent, request, path_components)
    child = (
        model.objects.filter(
            path__startswith=parent.path, depth=parent.depth + 1, slug=path_components[0]
        )
        .select_related("locale")
        .first()
    )
    if child is None:
        return Page.route(parent, request, path_components)
    child._cached_parent_obj = parent
    return child.route(request, path_components[1:])


class CatalogPage(KeptPageMixin, Page):
    """The course catalogue: filter by topic, level and duration, and search."""

    lead = models.TextField(_("lead"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("lead")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = _("course catalogue")

    def route(self, request, path_components):
        return _route_to_child(self, CoursePage, request, path_components)

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


class CoursePage(KeptPageMixin, QuizSettings, Page):
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

    def route(self, request, path_components):
        return _route_to_child(self, ModulePage, request, path_components)

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

    @cached_property
    def outline(self) -> "CourseOutline":
        """The source-language course's published modules, each in this course's language
        where it is translated, with every module's language versions: one query (two for a
        translation). Lesson bodies and quizzes are not loaded."""
        source = translations.canonical(self)
        keys = ModulePage.objects.child_of(source).live().values("translation_key")
        versions = list(
            ModulePage.objects.live()
            .filter(translation_key__in=keys)
            .select_related("locale")
            .defer("body", "quiz")
            .order_by("path")
        )
        return CourseOutline.build(
            source=source, language=self.locale.language_code, pages=versions
        )

    @property
    def task_minutes(self) -> int:
        """The learner's own time for the tasks in their unit, over all published modules."""
        return sum(module.task_minutes for module in self.modules)

    def last_unit_task_module(self) -> "ModulePage | None":
        """The published module holding the course's last task in the unit, the one that
        leads on to the action plan."""
        for module in reversed(self.modules):
            if module.unit_task_ids():
                return module
        return None


class ModulePage(KeptPageMixin, QuizSettings, Page):
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
    estimated_minutes = models.PositiveIntegerField(
        _("minutes on screen"),
        default=15,
        help_text=_("Reading, reflection and quiz, for a learner who reads at an even pace."),
    )
    task_minutes = models.PositiveIntegerField(
        _("minutes for the task in the unit"),
        default=0,
        help_text=_("The learner's own time for the task in their unit (meetings included)."),
    )
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
        MultiFieldPanel(
            [FieldPanel("estimated_minutes"), FieldPanel("task_minutes")],
            heading=_("Time"),
        ),
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
        parent = getattr(self, "_cached_parent_obj", None)  # routing keeps the parent
        if isinstance(parent, CoursePage):
            return parent
        return CoursePage.objects.select_related("locale").get(path=self.path[: -self.steplen])

    def unit_task_ids(self) -> list[str]:
        """Block ids of the module's tasks in the unit, in body order."""
        return [block.id for block in self.body if block.block_type == "unit_task"]

    def holds_last_unit_task(self, course: "CoursePage") -> bool:
        """Whether this module holds `course`'s last task in the unit. Without a task of its
        own it costs no query; with one, the answer for the modules after it is cached per
        published revision of each (one query when one of them changed)."""
        if not self.unit_task_ids():
            return False
        shown = course.outline.modules
        ids = [module.pk for module in shown]
        later = shown[ids.index(self.pk) + 1 :] if self.pk in ids else None
        if later is None:  # not in the outline (a preview): ask the database
            rows = ModulePage.objects.child_of(course).live().filter(path__gt=self.path)
            return not any(module.unit_task_ids() for module in rows.only("body"))
        outline = course.outline  # kept with the page between requests (courses.published)
        if self.pk in outline.later_unit_task:
            return not outline.later_unit_task[self.pk]
        stamp = ",".join(
            f"{m.pk}:{m.last_published_at and m.last_published_at.timestamp()}" for m in later
        )
        key = "courses:later-unit-task:" + hashlib.sha256(stamp.encode()).hexdigest()
        found = cache.get(key)
        if found is None:
            rows = ModulePage.objects.filter(pk__in=[m.pk for m in later]).only("body")
            found = any(module.unit_task_ids() for module in rows)
            cache.set(key, found, 24 * 3600)
        outline.later_unit_task[self.pk] = found
        return not found

    def reflection_prompts(self) -> dict[str, str]:
        """Reflection block id -> prompt, for storing answers against a stable key."""
        return {
            block.id: block.value["prompt"]
            for block in self.body
            if block.block_type == "reflection"
        }


@dataclass
class CourseOutline:
    """A course's modules as every language version shows them. Learning records point at
    the source-language modules: `source_ids` maps each shown module to its source."""

    source: CoursePage
    modules: list[ModulePage] = field(default_factory=list)
    source_ids: dict[int, int] = field(default_factory=dict)
    sources: dict[int, ModulePage] = field(default_factory=dict)
    versions: dict[str, list[ModulePage]] = field(default_factory=dict)
    # Module id -> whether a later module has a task in the unit (ModulePage.holds_last_unit_task).
    later_unit_task: dict[int, bool] = field(default_factory=dict)

    @classmethod
    def build(cls, *, source: CoursePage, language: str, pages: list[ModulePage]):
        outline = cls(source=source)
        order = [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]
        for page in pages:
            outline.versions.setdefault(str(page.translation_key), []).append(page)
        for versions in outline.versions.values():
            versions.sort(
                key=lambda v: (
                    order.index(v.locale.language_code) if v.locale.language_code in order else 99
                )
            )
        step = CoursePage.steplen
        for page in pages:  # ordered by path: the source course's order
            if page.depth != source.depth + 1 or page.path[:-step] != source.path:
                continue
            same = outline.versions[str(page.translation_key)]
            shown = next((v for v in same if v.locale.language_code == language), page)
            outline.modules.append(shown)
            outline.source_ids[shown.pk] = outline.source_ids[page.pk] = page.pk
            outline.sources[shown.pk] = outline.sources[page.pk] = page
        return outline

    def languages(self, page: Page) -> list[dict]:
        """The live language versions of one module, as translations.languages gives them."""
        names = dict(settings.WAGTAIL_CONTENT_LANGUAGES)
        return [
            {
                "code": v.locale.language_code,
                "name": names.get(v.locale.language_code, ""),
                "page": v,
            }
            for v in self.versions.get(str(page.translation_key), [])
        ]
