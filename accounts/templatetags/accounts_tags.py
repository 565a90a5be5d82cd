"""Template helpers for account pages."""

from django import template

register = template.Library()


@register.filter
def get_key(mapping: dict, key: str):
    """mapping[key], or None when absent (a dotted lookup of a missing key is a template error)."""
    return mapping.get(key)


@register.simple_tag
def emails_to_confirm_before_two_factor(user) -> list:
    """The user's unconfirmed addresses: allauth refuses to set up two-factor sign-in while there
    is one (someone who signed up with another person's address could otherwise lock them out),
    so the two-factor page says so before "Set up" is pressed."""
    from allauth.account.models import EmailAddress
    from allauth.mfa import app_settings

    if app_settings.ALLOW_UNVERIFIED_EMAIL:
        return []
    return list(EmailAddress.objects.filter(user_id=user.pk, verified=False).order_by("email"))
