"""A queryset that tells its model about bulk changes, which send no ``post_save``.

What is kept in the shared cache about some rows (a user's memberships, the unread count) must
be dropped whenever the rows change, in whatever way. ``save()`` and ``delete()`` of one object
send signals; ``update()``, ``delete()``, ``bulk_create()`` and ``bulk_update()`` of a queryset
do not, so this queryset calls the model's hooks itself:

- ``rows_changed(pks)``: rows that were updated, or are about to be deleted;
- ``rows_created(objs)``: new rows (their primary key may be unknown: ``ignore_conflicts``).
"""

from collections.abc import Iterable
from typing import Any

from django.db import models


def _hook(model: type[models.Model], name: str) -> Any:
    return getattr(model, name)


class WatchedQuerySet[M: models.Model](models.QuerySet[M]):
    def _pks(self) -> list[Any]:
        return list(self.values_list("pk", flat=True))

    def update(self, **kwargs: Any) -> int:
        pks = self._pks()
        count = super().update(**kwargs)
        _hook(self.model, "rows_changed")(pks)
        return count

    def delete(self) -> tuple[int, dict[str, int]]:
        # Before the delete: afterwards the rows (and whom they concerned) are gone.
        _hook(self.model, "rows_changed")(self._pks())
        return super().delete()

    def bulk_create(self, objs: Iterable[M], *args: Any, **kwargs: Any) -> list[M]:
        created = super().bulk_create(objs, *args, **kwargs)
        _hook(self.model, "rows_created")(created)
        return created

    def bulk_update(self, objs: Iterable[M], *args: Any, **kwargs: Any) -> int:
        objs = list(objs)
        count = super().bulk_update(objs, *args, **kwargs)
        _hook(self.model, "rows_changed")([obj.pk for obj in objs])
        return count
