"""The form renderer: Django's own Jinja2 copies of its form templates, else Django templates.

A report page renders two forms of ten fields on every view, and Django's template language
made that ~7 ms. Django ships each of its form templates twice, in the template language and in
Jinja2, with the same markup; Jinja2 renders them in about half the time. Templates that have
no Jinja2 copy (the Django admin's widgets, a library's own) render as before.
"""

from typing import Any

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template.exceptions import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    def __init__(self) -> None:
        self._jinja2 = Jinja2()
        self._django = DjangoTemplates()

    def get_template(self, template_name: str) -> Any:
        try:
            return self._jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self._django.get_template(template_name)
