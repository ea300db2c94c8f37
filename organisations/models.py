"""Municipalities, their tree of units, users, memberships (a role at a unit) and school terms."""

import datetime

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.querysets import WatchedQuerySet
from organisations import access_stamp
from organisations import followup_stamp as followup_stamping
from organisations.phone import tel_uri


class Sector(models.TextChoices):
    """The confidentiality and reporting sectors. Medical student health is its own domain."""

    SCHOOL = "school", _("School")
    MEDICAL_STUDENT_HEALTH = "medical_student_health", _("Medical student health")
    SOCIAL_SERVICES = "social_services", _("Social services")
    HEALTH_REGION = "health_region", _("Health region")
    POLICE = "police", _("Police")
    LEISURE = "leisure", _("Leisure")
    MANAGEMENT = "management", _("Municipal management")
    AUDIT = "audit", _("Audit")


class UnitKind(models.TextChoices):
    ADMINISTRATION = "administration", _("Administration")
    PRESCHOOL = "preschool", _("Preschool")
    SCHOOL = "school", _("School")
    STUDENT_HEALTH = "student_health", _("Student health team")
    MEDICAL_STUDENT_HEALTH = "medical_student_health", _("Medical student health")
    INTAKE = "intake", _("Social services intake")
    SOCIAL_SERVICES_UNIT = "social_services_unit", _("Social services unit")
    HEALTH_REGION_CLINIC = "health_region_clinic", _("Health region clinic")
    POLICE = "police", _("Police")
    LEISURE = "leisure", _("Leisure")
    MUNICIPAL_OFFICE = "municipal_office", _("Municipal office")
    AUDITORS = "auditors", _("Auditors")


# The sector a unit of each kind normally belongs to; an administration may be of any sector.
DEFAULT_SECTOR_BY_KIND: dict[str, str] = {
    UnitKind.ADMINISTRATION: Sector.MANAGEMENT,
    UnitKind.PRESCHOOL: Sector.SCHOOL,
    UnitKind.SCHOOL: Sector.SCHOOL,
    UnitKind.STUDENT_HEALTH: Sector.SCHOOL,
    UnitKind.MEDICAL_STUDENT_HEALTH: Sector.MEDICAL_STUDENT_HEALTH,
    UnitKind.INTAKE: Sector.SOCIAL_SERVICES,
    UnitKind.SOCIAL_SERVICES_UNIT: Sector.SOCIAL_SERVICES,
    UnitKind.HEALTH_REGION_CLINIC: Sector.HEALTH_REGION,
    UnitKind.POLICE: Sector.POLICE,
    UnitKind.LEISURE: Sector.LEISURE,
    UnitKind.MUNICIPAL_OFFICE: Sector.MANAGEMENT,
    UnitKind.AUDITORS: Sector.AUDIT,
}


class SchoolForm(models.TextChoices):
    PRESCHOOL = "preschool", _("Preschool")
    PRESCHOOL_CLASS = "preschool_class", _("Preschool class")
    COMPULSORY = "compulsory", _("Compulsory school")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary school")
    SPECIAL = "special", _("Adapted school")
    AFTER_SCHOOL = "after_school", _("After-school centre")


class Role(models.TextChoices):
    """The roles of DESIGN.md section 2; a user holds them through memberships at units."""

    REPORTER = "reporter", _("Reporter (school staff)")
    STUDENT_HEALTH = "student_health", _("Student health")
    MEDICAL_STUDENT_HEALTH = "medical_student_health", _("Medical student health")
    PRINCIPAL = "principal", _("Principal")
    INTAKE = "intake", _("Intake social worker")
    SIP_PARTICIPANT = "sip_participant", _("SIP participant")
    COORDINATOR = "coordinator", _("Coordinator")
    MANAGER = "manager", _("Manager")
    BOARD_MEMBER = "board_member", _("Board member")
    AUDITOR = "auditor", _("Auditor")
    MUNICIPAL_ADMIN = "municipal_admin", _("Municipal administrator")


# Roles with which a person can see data about an identified child (DESIGN.md section 2).
# The reporter is among them: a reporter reads their own reports and the feedback the intake
# gives on them (whether an investigation was opened), so an admin who gives themselves the
# reporter role could file a report about any child and learn what the social services did.
# A municipal admin who gives one of these roles to themselves needs a second admin's approval.
ROLES_THAT_SEE_CHILDREN = frozenset(
    {
        Role.REPORTER,
        Role.STUDENT_HEALTH,
        Role.MEDICAL_STUDENT_HEALTH,
        Role.PRINCIPAL,
        Role.INTAKE,
        Role.SIP_PARTICIPANT,
    }
)


class Municipality(models.Model):
    """A Swedish municipality; every record in the system belongs to exactly one."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(
        _("municipality code"),
        max_length=4,
        unique=True,
        validators=[RegexValidator(r"^\d{4}$", _("The municipality code has four digits."))],
        help_text=_("SCB's four-digit code, e.g. 2029 for Leksand."),
    )

    # Changed with every change to what the follow-up's dashboard reads
    # (organisations/followup_stamp.py): the dashboards in the shared cache are keyed by it.
    followup_stamp = models.BigIntegerField(default=0, db_default=0, editable=False)

    # Bulk changes restamp the users of its units (organisations/access_stamp.py) and the
    # follow-up (organisations/followup_stamp.py).
    objects = WatchedQuerySet.as_manager()
    rows_changed = staticmethod(followup_stamping.municipalities_changed)
    rows_created = staticmethod(access_stamp.nothing_to_restamp)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A node in a municipality's tree: an administration, a school, the intake, a clinic…

    ``path`` is a materialised path of ancestor ids (``"/3/17/"``) kept by the services so
    that a membership can apply to a whole subtree with one indexed prefix lookup.
    """

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="units",
        verbose_name=_("municipality"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=40, choices=UnitKind.choices)
    sector = models.CharField(_("sector"), max_length=40, choices=Sector.choices)
    school_forms = models.JSONField(_("school forms"), default=list, blank=True)
    pupil_count = models.PositiveIntegerField(_("number of pupils"), null=True, blank=True)
    # The staff of the unit: the denominator of the share trained (training.indicators).
    staff_count = models.PositiveIntegerField(_("number of staff"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    path = models.CharField(max_length=500, db_index=True, editable=False, default="")
    history = HistoricalRecords()

    # Bulk changes restamp the unit's members (organisations/access_stamp.py) and its
    # municipality's follow-up (organisations/followup_stamp.py).
    objects = WatchedQuerySet.as_manager()
    rows_changed = staticmethod(followup_stamping.units_changed)
    rows_created = staticmethod(followup_stamping.units_created)

    class Meta:
        ordering = ["municipality", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="unit_unique_name"),
            # An empty path would match every unit in a prefix lookup: a membership with
            # "includes units below" at such a unit would cover the whole installation.
            models.CheckConstraint(condition=~Q(path=""), name="unit_path_not_empty"),
        ]
        indexes = [models.Index(fields=["municipality", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_school_unit(self) -> bool:
        return self.kind in {UnitKind.SCHOOL, UnitKind.PRESCHOOL}


class User(AbstractUser):
    """A person who logs in. ``municipality`` is the municipality that administers the account."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name=_("administered by"),
    )
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Changed with every change to the user's memberships (organisations/access_stamp.py): the
    # memberships kept in the shared cache are keyed by it.
    access_stamp = models.BigIntegerField(default=0, db_default=0, editable=False)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")  # type: ignore[assignment]
        verbose_name_plural = _("users")  # type: ignore[assignment]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class MembershipState(models.TextChoices):
    """Whether a membership gives access. Only ``ACTIVE`` ones ever do: a pending one waits for
    a second municipal admin (an admin gave themselves a role that sees children)."""

    ACTIVE = "active", _("In force")
    PENDING = "pending", _("Waiting for approval")
    REFUSED = "refused", _("Refused")


def active_on(day: datetime.date) -> Q:
    """Memberships in force on ``day`` (valid_to is inclusive); pending and refused ones never
    are, so every query that asks what a user may do today leaves them out."""
    return (
        Q(state=MembershipState.ACTIVE)
        & Q(valid_from__lte=day)
        & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    )


class Membership(models.Model):
    """A user's role at a unit for a period. With ``includes_subtree`` it covers the units below."""

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("unit"),
    )
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    includes_subtree = models.BooleanField(_("includes units below"), default=False)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=MembershipState.choices,
        default=MembershipState.ACTIVE,
    )
    decided_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or refused by"),
    )
    decided_at = models.DateTimeField(_("approved or refused"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    # Bulk changes restamp the users (organisations/access_stamp.py).
    objects = WatchedQuerySet.as_manager()
    rows_changed = staticmethod(access_stamp.memberships_changed)
    rows_created = staticmethod(access_stamp.memberships_created)

    class Meta:
        ordering = ["unit__name", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        indexes = [
            models.Index(fields=["user", "valid_to"]),
            models.Index(fields=["unit", "role"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_valid_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.unit}"

    def is_active_on(self, day: datetime.date) -> bool:
        return (
            self.state == MembershipState.ACTIVE
            and self.valid_from <= day
            and (self.valid_to is None or self.valid_to >= day)
        )


class TermKind(models.TextChoices):
    AUTUMN = "autumn", _("Autumn term")
    SPRING = "spring", _("Spring term")


class SchoolTerm(models.Model):
    """A school term on the municipality's own dates; the annual wheel plans "N per term" on it."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="terms",
        verbose_name=_("municipality"),
    )
    kind = models.CharField(_("term"), max_length=10, choices=TermKind.choices)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["municipality", "starts_on"]
        verbose_name = _("school term")
        verbose_name_plural = _("school terms")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kind", "starts_on"], name="term_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")),
                name="term_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on.year}"


class BreakKind(models.TextChoices):
    AUTUMN = "autumn", _("Autumn break")
    CHRISTMAS = "christmas", _("Christmas break")
    WINTER = "winter", _("Winter sports break")
    EASTER = "easter", _("Easter break")
    OTHER = "other", _("Other break")


class SchoolBreak(models.Model):
    """A school break (lov) on the municipality's own dates, kept beside its terms: the annual
    wheel plans no meetings in it and shows it in the month view. Breaks differ between
    municipalities (sportlov falls in weeks 7 to 10 depending on the county) and years."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="school_breaks",
        verbose_name=_("municipality"),
    )
    kind = models.CharField(_("break"), max_length=10, choices=BreakKind.choices)
    name = models.CharField(
        _("name"),
        max_length=100,
        blank=True,
        help_text=_("Leave empty to use the kind of break as its name."),
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["municipality", "starts_on"]
        verbose_name = _("school break")
        verbose_name_plural = _("school breaks")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="school_break_ends_on_or_after_start",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.label} {self.starts_on.year}"

    @property
    def label(self) -> str:
        return self.name or str(self.get_kind_display())


class MunicipalityContacts(models.Model):
    """The numbers school staff call about a child: the social services' intake, in its
    opening hours, and the social services' emergency line (socialjour) outside them. Kept by
    the municipal admin (``organisations.services_contacts``) and shown on the start page of
    everyone who files reports of concern. ``version`` grows with every change, so that two
    admins editing at once never overwrite each other unseen."""

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("municipality"),
    )
    intake_phone = models.CharField(_("the intake's phone number"), max_length=40, blank=True)
    intake_hours = models.CharField(_("when the intake answers"), max_length=200, blank=True)
    emergency_name = models.CharField(_("name of the emergency line"), max_length=100, blank=True)
    emergency_phone = models.CharField(
        _("the emergency line's phone number"), max_length=40, blank=True
    )
    emergency_hours = models.CharField(
        _("when the emergency line answers"), max_length=200, blank=True
    )
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(_("changed"), null=True, blank=True)
    updated_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phone numbers of the social services")
        verbose_name_plural = _("phone numbers of the social services")

    def __str__(self) -> str:
        return str(self.municipality)

    @property
    def intake_tel(self) -> str:
        return tel_uri(self.intake_phone)

    @property
    def emergency_tel(self) -> str:
        return tel_uri(self.emergency_phone)
