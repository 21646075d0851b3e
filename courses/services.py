"""Writes for course content: importing a course from the JSON format in seed_content/."""

import json
import uuid
from pathlib import Path

from django.db import transaction
from wagtail.fields import StreamField
from wagtail.models import Locale, Page

from courses.models import (
    CatalogPage,
    CoursePage,
    LearningPath,
    LearningPathCourse,
    ModulePage,
    Topic,
)

SEED_DIR = Path(__file__).resolve().parent / "seed_content"
# Translations of seed courses: seed_content/<language>/<slug of the bokmål course>.json
TRANSLATION_LANGUAGES = ["nn"]
TOPICS = [
    ("endringsledelse", "Endringsledelse"),
    ("tjenestedesign", "Tjenestedesign"),
    ("lean", "Lean"),
    ("gevinstrealisering", "Gevinstrealisering"),
    ("personvern", "Personvern"),
    ("prosjektledelse", "Prosjektledelse"),
    ("digital-ledelse", "Digital ledelse"),
]
_NAMESPACE = uuid.UUID("5b0f3c1e-6a43-4f0e-9d0c-2f6f3c1d9e77")


def topics_ensure() -> None:
    """The standard topics exist (a migration loads them; this restores them if removed)."""
    for slug, name in TOPICS:
        Topic.objects.get_or_create(slug=slug, defaults={"name": name})


def stable_id(*parts: str) -> str:
    """A block id derived from keys, so the same content gets the same ids on every load."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def _question_value(course_slug: str, q: dict) -> dict:
    return {
        "kind": q["type"],
        "text": q["text"],
        "explanation": q.get("explanation", ""),
        "choices": [
            {
                "type": "item",
                "id": stable_id(course_slug, "q", q["key"], c["key"]),
                "value": {
                    "text": c["text"],
                    "correct": bool(c.get("correct", False)),
                    "feedback": c.get("feedback", ""),
                },
            }
            for c in q["choices"]
        ],
    }


def _quiz_stream(course_slug: str, quiz: dict | None) -> list[dict]:
    """Single questions, then pools ("draw" of their questions asked per attempt)."""
    if not quiz:
        return []
    stream = [
        {
            "type": "question",
            "id": stable_id(course_slug, "q", q["key"]),
            "value": _question_value(course_slug, q),
        }
        for q in quiz.get("questions", [])
    ]
    for pool in quiz.get("pools", []):
        stream.append(
            {
                "type": "pool",
                "id": stable_id(course_slug, "pool", pool["key"]),
                "value": {
                    "title": pool["title"],
                    "draw": pool["draw"],
                    "questions": [
                        {
                            "type": "item",
                            "id": stable_id(course_slug, "q", q["key"]),
                            "value": _question_value(course_slug, q),
                        }
                        for q in pool["questions"]
                    ],
                },
            }
        )
    return stream


def _body_stream(course_slug: str, module_key: str, body: list[dict]) -> list[dict]:
    blocks = []
    for index, block in enumerate(body):
        value = block["value"]
        key = value.get("key", str(index)) if isinstance(value, dict) else str(index)
        if block["type"] == "reflection":
            value = {"prompt": value["prompt"]}
        blocks.append(
            {
                "type": block["type"],
                "id": stable_id(course_slug, module_key, block["type"], key),
                "value": value,
            }
        )
    return blocks


def _quiz_rules(quiz: dict | None) -> dict:
    if not quiz:
        return {}
    return {"pass_mark": quiz.get("pass_mark", 80), "max_attempts": quiz.get("max_attempts", 3)}


def _publish_child(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _course_fields(data: dict) -> dict:
    slug = data["slug"]
    return {
        "title": data["title"],
        "summary": data["summary"],
        "audience": data.get("audience", ""),
        "learning_outcomes": "\n".join(data.get("learning_outcomes", [])),
        "estimated_minutes": data.get("estimated_minutes", 60),
        "level": data.get("level", "intro"),
        "action_plan_enabled": data.get("action_plan_enabled", False),
        "quiz": _quiz_stream(slug, data.get("final_quiz")),
        **_quiz_rules(data.get("final_quiz")),
    }


def _module_fields(course_slug: str, module: dict) -> dict:
    return {
        "title": module["title"],
        "intro": module.get("intro", ""),
        "estimated_minutes": module.get("estimated_minutes", 15),
        "task_minutes": module.get("task_minutes", 0),
        "completion": module.get("completion", "manual"),
        "body": _body_stream(course_slug, module["key"], module.get("body", [])),
        "quiz": _quiz_stream(course_slug, module.get("quiz")),
        **_quiz_rules(module.get("quiz")),
    }


def _edited_by_a_person(page: Page) -> bool:
    """Every revision the seed makes has no user; one with a user is an editor's work."""
    return page.has_unpublished_changes or page.revisions.filter(user__isnull=False).exists()


def _normalised(page: Page) -> dict:
    data = page.serializable_data()
    for name in ("quiz", "body"):
        field = page._meta.get_field(name) if name in data else None
        if isinstance(field, StreamField):
            value = getattr(page, name)
            data[name] = field.stream_block.get_prep_value(
                field.stream_block.to_python(list(value.raw_data))
            )
    return data


def _seed_update(page: Page, fields: dict, topics=None) -> bool:
    """Bring a page the seed made up to date with the seed text, unless an editor has
    worked on it. Publishes a new revision only when something changed."""
    if _edited_by_a_person(page):
        return False
    before = _normalised(page)
    for name, value in fields.items():
        setattr(page, name, value)
    if topics is not None:
        page.topics.set(topics)
    if _normalised(page) == before:
        return False
    page.save_revision().publish()
    return True


@transaction.atomic
def course_import(*, catalog: CatalogPage, data: dict) -> tuple[CoursePage, bool]:
    """Create and publish a course with its modules from `data`. A course already loaded
    (same slug) is updated page by page to the seed text, and modules new in the seed are
    added; pages an editor has worked on are left as they are. Returns (course, created)."""
    slug = data["slug"]
    topics = Topic.objects.filter(slug__in=data.get("topics", []))
    course = CoursePage.objects.child_of(catalog).filter(slug=slug).first()
    created = course is None
    if created:
        course = CoursePage(slug=slug, **_course_fields(data))
        catalog.add_child(instance=course)
        course.topics.set(topics)
        course.save_revision().publish()
    else:
        _seed_update(course, _course_fields(data), topics=list(topics))
    existing = {page.slug: page for page in ModulePage.objects.child_of(course)}
    for module in data["modules"]:
        fields = _module_fields(slug, module)
        page = existing.get(module["key"])
        if page is None:
            _publish_child(course, ModulePage(slug=module["key"], **fields))
        else:
            _seed_update(page, fields)
    return course, created


def page_translation_ensure(*, page: Page, language: str, fields: dict) -> tuple[Page, bool]:
    """The `language` version of `page` (same translation_key), made with Wagtail's
    copy-for-translation and published with `fields`; a version that exists is brought up to
    date like any seed page (editors' work is left alone). Returns (page, created)."""
    locale, _created = Locale.objects.get_or_create(language_code=language)
    existing = page.specific_class.objects.filter(
        translation_key=page.translation_key, locale=locale
    ).first()
    if existing is not None:
        _seed_update(existing, fields)
        return existing, False
    version = page.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(version, name, value)
    version.save_revision().publish()
    return version, True


@transaction.atomic
def course_translation_import(
    *, source: CoursePage, language: str, data: dict
) -> tuple[CoursePage, bool]:
    """The `language` translation of a seed course, module for module. Block ids are the
    source course's (same keys), so reflections and quiz answers line up across languages.
    Returns (course, created)."""
    slug = source.slug
    if data["slug"] != slug:
        raise ValueError(f"The translation is of {data['slug']}, not {slug}.")
    course, created = page_translation_ensure(
        page=source, language=language, fields=_course_fields(data)
    )
    course.topics.set(source.topics.all())
    modules = {page.slug: page for page in ModulePage.objects.child_of(source)}
    for module in data["modules"]:
        if module["key"] not in modules:
            raise ValueError(f"{slug} has no module {module['key']} to translate.")
        page_translation_ensure(
            page=modules[module["key"]], language=language, fields=_module_fields(slug, module)
        )
    return course, created


def seed_courses_import(*, catalog: CatalogPage, directory: Path = SEED_DIR) -> list[CoursePage]:
    """Import every course JSON file in `directory`, then the translations of them in its
    language folders (idempotent). Returns the source-language courses."""
    topics_ensure()
    courses = []
    for path in sorted(directory.glob("*.json")):
        course, _created = course_import(
            catalog=catalog, data=json.loads(path.read_text(encoding="utf-8"))
        )
        courses.append(course)
    by_slug = {course.slug: course for course in courses}
    for language in TRANSLATION_LANGUAGES:
        catalog_version = catalog.get_translations().filter(locale__language_code=language)
        if not catalog_version.exists():
            continue  # the site has no catalogue in this language to put the courses in
        for path in sorted((directory / language).glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            if data["slug"] in by_slug:
                course_translation_import(
                    source=by_slug[data["slug"]], language=language, data=data
                )
    return courses


@transaction.atomic
def learning_path_create(
    *,
    slug: str,
    title: str,
    description: str,
    courses: list[tuple[CoursePage, bool]],
    validity_months: int | None = None,
) -> LearningPath:
    """Create a learning path of (course, required) pairs. A path that exists (same `slug`)
    keeps its title, courses and order; courses it lacks are added at the end."""
    path = LearningPath.objects.filter(slug=slug).first()
    if path is None:
        path = LearningPath.objects.create(
            slug=slug, title=title, description=description, validity_months=validity_months
        )
    items = list(path.path_courses.all())
    present = {item.course_id for item in items}
    order = max((item.sort_order for item in items), default=-1) + 1
    for course, required in courses:
        if course.pk in present:
            continue
        LearningPathCourse.objects.create(
            path=path, course=course, required=required, sort_order=order
        )
        present.add(course.pk)
        order += 1
    return path
