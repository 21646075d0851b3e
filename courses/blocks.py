"""StreamField blocks for lessons and quizzes. Each content block has its own template."""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link", "h3"]


class RichTextBlock(blocks.RichTextBlock):
    """Rich text limited to the features lessons need; sanitised again when rendered."""

    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        template = "blocks/heading.html"
        label = _("Heading")


class ParagraphBlock(RichTextBlock):
    class Meta:
        icon = "pilcrow"
        template = "blocks/paragraph.html"
        label = _("Text")


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt = blocks.CharBlock(
        label=_("Alternative text"),
        max_length=250,
        help_text=_("What the image shows, for those who cannot see it. Required."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False)

    class Meta:
        icon = "image"
        template = "blocks/image.html"
        label = _("Image")


class VideoBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"))
    url = blocks.URLBlock(label=_("Video address"))
    transcript = RichTextBlock(
        label=_("Transcript"),
        help_text=_("Everything said and shown in the video. Required for universal design."),
    )

    class Meta:
        icon = "media"
        template = "blocks/video.html"
        label = _("Video")


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[("tip", _("Tip")), ("warning", _("Warning"))], default="tip", label=_("Kind")
    )
    title = blocks.CharBlock(label=_("Title"))
    text = RichTextBlock(label=_("Text"))

    class Meta:
        icon = "help"
        template = "blocks/callout.html"
        label = _("Tip or warning")


class CaseBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"))
    text = RichTextBlock(label=_("Scenario"))

    class Meta:
        icon = "group"
        template = "blocks/case.html"
        label = _("Case")


class ReflectionBlock(blocks.StructBlock):
    """A question the learner answers privately; answers are keyed by this block's id."""

    prompt = blocks.TextBlock(label=_("Question"))

    class Meta:
        icon = "edit"
        template = "blocks/reflection.html"
        label = _("Reflection")


class UnitTaskBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"))
    text = RichTextBlock(label=_("What to do"))

    class Meta:
        icon = "tasks"
        template = "blocks/unit_task.html"
        label = _("Try it in your unit")


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    description = blocks.CharBlock(label=_("Description"), required=False)

    class Meta:
        icon = "doc-full"
        template = "blocks/document.html"
        label = _("Downloadable document")


class LessonBodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    image = ImageBlock()
    video = VideoBlock()
    callout = CalloutBlock()
    case = CaseBlock()
    reflection = ReflectionBlock()
    unit_task = UnitTaskBlock()
    document = DocumentBlock()


QUESTION_TYPES = [
    ("single", _("Single choice")),
    ("multiple", _("Multiple choice")),
    ("true_false", _("True or false")),
    ("ordering", _("Put in order")),
]


class ChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Answer"))
    correct = blocks.BooleanBlock(
        label=_("Correct"), required=False, help_text=_("Ignored for ordering questions.")
    )
    feedback = blocks.TextBlock(label=_("Feedback when chosen"), required=False)


class QuestionBlock(blocks.StructBlock):
    """One quiz question. Block ids (question and each choice) stay the same across edits."""

    kind = blocks.ChoiceBlock(choices=QUESTION_TYPES, default="single", label=_("Type"))
    text = blocks.TextBlock(label=_("Question"))
    explanation = blocks.TextBlock(label=_("Explanation after grading"), required=False)
    choices = blocks.ListBlock(
        ChoiceBlock(),
        min_num=2,
        label=_("Answers"),
        help_text=_("For ordering questions, list the answers in the correct order."),
    )

    class Meta:
        icon = "help"
        label = _("Question")

    def clean(self, value):
        value = super().clean(value)
        correct = sum(1 for choice in value["choices"] if choice["correct"])
        kind = value["kind"]
        message = None
        if kind in {"single", "true_false"} and correct != 1:
            message = _("Mark exactly one answer as correct.")
        elif kind == "multiple" and correct < 1:
            message = _("Mark at least one answer as correct.")
        elif kind == "true_false" and len(value["choices"]) != 2:
            message = _("A true-or-false question has exactly two answers.")
        if message:
            raise StructBlockValidationError(non_block_errors=ErrorList([ValidationError(message)]))
        return value


class QuestionPoolBlock(blocks.StructBlock):
    """A group of questions of which each attempt asks only some, drawn on the server, so a
    retry meets different questions where the pool allows."""

    title = blocks.CharBlock(
        label=_("What the questions are about"), help_text=_("For editors only.")
    )
    draw = blocks.IntegerBlock(
        label=_("Questions asked per attempt"),
        min_value=1,
        default=1,
        help_text=_("Each attempt asks this many of the questions below, drawn at random."),
    )
    questions = blocks.ListBlock(QuestionBlock(), min_num=1, label=_("Questions in the pool"))

    class Meta:
        icon = "list-ul"
        label = _("Question pool")

    def clean(self, value):
        value = super().clean(value)
        if value["draw"] > len(value["questions"]):
            raise StructBlockValidationError(
                block_errors={
                    "draw": ValidationError(
                        _("The pool has only %(n)s questions.") % {"n": len(value["questions"])}
                    )
                }
            )
        return value


class QuizBlock(blocks.StreamBlock):
    question = QuestionBlock()
    pool = QuestionPoolBlock()
