"""People for the smoke test, made inside the running stack's database (as the app role).

Run by ``deploy/smoke.py`` and tests/ops through ``manage.py shell -c`` with the production
settings: the test world's two municipalities (tests/world.py: Leksand and Eksjö, one user per
role), each user with a fresh random password and an authenticator app (a TOTP secret), since
production requires two-factor for every role that sees children. Prints one JSON line: the
usernames by role, the password and the TOTP secrets. Running it again keeps the people and
gives them new passwords and secrets.
"""

import json
import secrets

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import transaction

from organisations.models import Municipality, User


def main() -> None:
    with transaction.atomic():
        if not Municipality.objects.filter(name="Leksand").exists():
            from tests.world import build_world

            build_world()
        password = secrets.token_urlsafe(18)
        people: dict[str, dict[str, str]] = {}
        for user in User.objects.filter(username__endswith=".leksand") | User.objects.filter(
            username__endswith=".eksjo"
        ):
            user.set_password(password)
            user.save(update_fields=["password"])
            Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
            secret = generate_totp_secret()
            TOTP.activate(user, secret)
            people[user.username] = {"secret": secret, "email": user.email}
    print(json.dumps({"password": password, "people": people}))
