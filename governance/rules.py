"""The fixed rules of governance documents, in one place."""

from organisations.models import Role

# A revision falling due within this many days is flagged (DESIGN.md §3.3).
REVISION_NOTICE_DAYS = 60
DEFAULT_REVISION_INTERVAL_MONTHS = 12
MAX_REVISION_INTERVAL_MONTHS = 120

# The staff asked to confirm that they have read the current routine, in the order their
# start-page sections are tried (the reminder is shown once, in the first section the user
# has). The read shares count the members with these roles.
STAFF_ROLES: tuple[str, ...] = (
    Role.REPORTER,
    Role.STUDENT_HEALTH,
    Role.MEDICAL_STUDENT_HEALTH,
    Role.PRINCIPAL,
    Role.INTAKE,
    Role.COORDINATOR,
    Role.MANAGER,
)

# Counts below this are shown as "<5" (DESIGN.md §2: aggregates protect individuals).
SMALL_COUNT = 5
