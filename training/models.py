"""Training (DESIGN.md §3.5; Eksjö's audit 2022, recommendation 3): a case library of
fictional vignettes, and the training sessions where staff of school and social services
discuss them in mixed groups.

A **vignette** is a made-up case with discussion questions and the boundary questions between
school and social services it is meant to raise. It holds no real data: the forms refuse
identity numbers, and every page says the case is fictional. A vignette of no municipality
(``municipality`` empty) is shared with every municipality.

A **training session** records when it was held, which version of the routine it covered,
the vignettes used, how many took part from each unit (and so each sector), the mixed groups
with the sectors in each, optionally the named participants, its activity in the annual wheel
and its evaluation survey round. Counts of staff, never of children.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.models import DocumentVersion, GovernanceDocument
from organisations.models import Municipality, Sector, Unit


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class Vignette(models.Model):
    """A fictional case for discussion. ``version`` guards concurrent edits; the same
    ``submission_key`` twice makes one vignette."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    title = models.CharField(_("title"), max_length=200)
    case_text = models.TextField(_("the case"))
    discussion_questions = models.TextField(_("questions for discussion"), blank=True)
    boundary_questions = models.TextField(
        _("boundary questions between school and social services"), blank=True
    )
    governance_document = models.ForeignKey(
        GovernanceDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("routine it relates to"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["municipality", "title"])]

    def __str__(self) -> str:
        return self.title

    @property
    def discussion_list(self) -> list[str]:
        return _lines(self.discussion_questions)

    @property
    def boundary_list(self) -> list[str]:
        return _lines(self.boundary_questions)


class TrainingSession(models.Model):
    """One training session of a municipality. ``version`` guards concurrent edits; the same
    ``submission_key`` twice makes one session."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what was done"), blank=True)
    routine_version = models.ForeignKey(
        DocumentVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("routine version covered"),
    )
    vignettes = models.ManyToManyField(
        Vignette, blank=True, related_name="sessions", verbose_name=_("cases used")
    )
    occurrence = models.ForeignKey(
        "wheel.Occurrence",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_sessions",
        verbose_name=_("activity in the annual wheel"),
    )
    evaluation_round = models.ForeignKey(
        "surveys.Round",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evaluation survey"),
    )
    named_participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("named participants"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["municipality", "held_on"])]

    def __str__(self) -> str:
        return self.title


class Participation(models.Model):
    """How many took part from one unit; ``sector`` is the unit's sector on the day."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="participation"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    sector = models.CharField(_("sector"), max_length=40, choices=Sector.choices)
    participants = models.PositiveSmallIntegerField(_("number of participants"))

    class Meta:
        ordering = ["session", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "unit"], name="training_participation_once"),
            models.CheckConstraint(
                condition=models.Q(participants__gt=0), name="training_participation_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.participants}"


class SessionGroup(models.Model):
    """A discussion group of a session and the sectors in it: two sectors or more make a
    mixed (cross-sector) group."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="groups")
    position = models.PositiveSmallIntegerField(default=1)
    sectors = models.JSONField(_("sectors"), default=list)
    participants = models.PositiveSmallIntegerField(
        _("number of participants"), null=True, blank=True
    )

    class Meta:
        ordering = ["session", "position", "id"]

    def __str__(self) -> str:
        return f"{self.session_id} group {self.position}"

    @property
    def is_mixed(self) -> bool:
        return len(set(self.sectors)) >= 2

    @property
    def sector_labels(self) -> list[str]:
        labels = dict(Sector.choices)
        return [str(labels.get(sector, sector)) for sector in self.sectors]
