"""Small helpers for accessible forms on top of Designsystemet."""

from django import template

register = template.Library()


@register.filter
def described_widget(field):
    """Render a field's widget tied to its help and error text with aria-describedby."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    attrs = {"class": "ds-input"}
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def is_choice_list(field) -> bool:
    return getattr(field.field.widget, "allow_multiple_selected", False) or getattr(
        field.field.widget, "input_type", ""
    ) in {"radio"}


@register.filter
def is_checkbox(field) -> bool:
    return getattr(field.field.widget, "input_type", "") == "checkbox" and not getattr(
        field.field.widget, "allow_multiple_selected", False
    )
