"""Translations our catalogue supplies for Django itself.

Django 6.1's blank choice label for selects is not in Django's Swedish catalogue yet. The
project's catalogue (LOCALE_PATHS) is looked up before Django's, so naming the same message
here gets it extracted into ``locale/sv`` and translated there.
"""

from django.utils.translation import gettext_lazy as _

DJANGO_BLANK_CHOICE_LABEL = _("- Select an option -")
