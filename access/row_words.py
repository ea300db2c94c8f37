"""The access log's rows in words for the log review: who (name, role and unit), what (the
object by its reference), and why (the rule that allowed the read) — never a code or a key.

The admin sees no child's data here: an object is named by what identifies it in the
system (a report's reference), not by anything about the child.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.apps import apps
from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from access.grouping import AccessGroup, RowWords
from access.models import AccessLog
from access.policies import rule_label
from organisations.models import Municipality, Role

# Lazy labels: translated when rendered, in the language of that request.
ROLE_LABELS: dict[str, str | Promise] = {str(value): label for value, label in Role.choices}

# A model whose reads are logged names its objects for the review with a classmethod
# ``access_log_labels(object_ids) -> {object_id: words}`` (one query for a page's objects).
LABELS_METHOD = "access_log_labels"
ObjectLabels = Callable[[list[str]], dict[str, str]]


def describe_groups(groups: Iterable[AccessGroup]) -> None:
    """Attach the words to each group, with one query per kind of object on the page. The
    rows must have been read with their user, unit and municipality (``select_related``)."""
    groups = list(groups)
    objects = _object_labels(group.row for group in groups)
    for group in groups:
        row = group.row
        group.words = RowWords(
            user=_user_name(row),
            role=str(ROLE_LABELS.get(row.role, row.role)),
            unit=row.unit.name if row.unit_id and row.unit else "",
            object=objects.get((row.object_type, row.object_id)) or _object_fallback(row),
            rule=rule_label(row.rule),
        )


def _user_name(row: AccessLog) -> str:
    # The account's name today; the username written with the row when the account has none.
    return row.user.get_full_name() or row.username


def _object_labels(rows: Iterable[AccessLog]) -> dict[tuple[str, str], str]:
    """Words for the rows' objects, from the models that name theirs (one query each)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        wanted[row.object_type].add(row.object_id)
    found: dict[tuple[str, str], str] = {}
    for object_type, object_ids in wanted.items():
        labels = _labels_method(object_type)
        if labels is None:
            continue
        for object_id, words in labels(sorted(object_ids)).items():
            found[(object_type, object_id)] = words
    return found


def _labels_method(object_type: str) -> ObjectLabels | None:
    model = _model(object_type)
    return getattr(model, LABELS_METHOD, None) if model is not None else None


def _model(object_type: str) -> type[Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _object_fallback(row: AccessLog) -> str:
    """A search is logged against the municipality searched (nothing may have been found), so
    its object is named by the row's own municipality; anything else by its kind and number."""
    if row.object_type == Municipality._meta.label_lower and row.object_id == str(
        row.municipality_id
    ):
        return _("%(municipality)s (the whole municipality)") % {
            "municipality": row.municipality.name
        }
    return _("%(kind)s no. %(number)s") % {
        "kind": object_kind(row.object_type),
        "number": row.object_id,
    }


def object_kind(object_type: str) -> str:
    """The kind of a logged object by its model's name ("Report of concern"), or the stored
    label of a model that no longer exists."""
    model = _model(object_type)
    return str(model._meta.verbose_name).capitalize() if model is not None else object_type
