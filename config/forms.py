from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Every Django form renders through our accessible Designsystemet field template."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
