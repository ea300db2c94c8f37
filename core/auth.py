"""django-allauth adapters: accounts are provisioned by the municipal admin, never self-made.

An OpenID Connect login is connected to the one existing account whose e-mail address (as
registered by the municipal admin) equals the address the identity provider vouches for;
someone the municipality has not registered can not get in.
"""

from typing import Any, override

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.http import HttpRequest

from organisations.models import User


class AccountAdapter(DefaultAccountAdapter):
    @override
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    @override
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return False

    def authenticate_by_email(self, sociallogin: SocialLogin) -> tuple[User, str] | None:
        """Find the account for a first login through the identity provider.

        Only the address on the account itself counts (the one the municipal admin entered),
        not addresses a user may have added, and it must point at exactly one account: two
        accounts with the same address are ambiguous and nobody is logged in.
        """
        for address in sociallogin.email_addresses:
            if not address.verified:
                continue
            if not self.can_authenticate_by_email(sociallogin, address.email):
                continue
            users = list(User.objects.filter(email__iexact=address.email)[:2])
            if len(users) == 1:
                _mark_verified(users[0], address.email)
                return users[0], address.email
        return None


def _mark_verified(user: User, email: str) -> None:
    """Record the address as verified: the admin registered it and the identity provider
    vouched for it. Without this allauth would treat the match as unverified and wipe the
    account's password on the first login through the identity provider."""
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
        EmailAddress.objects.create(
            user=user, email=email.lower(), verified=True, primary=not has_primary
        )
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
