from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower


class TimeStampedModel(models.Model):
    """Abstract base of every domain model: when a row was created and last changed."""

    created = models.DateTimeField(auto_now_add=True, editable=False)
    updated = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email: str) -> User:
        return self.get(email__iexact=email)


class User(AbstractUser):
    """A person who signs in: the e-mail address is the login; roles are Groups (accounts.roles).

    A patient registered at the front desk may have no e-mail address (NULL, so any number of
    them fit the unique constraints): such a user has no usable password and cannot sign in until
    staff add an address and the invitation is followed."""

    username = None
    email = models.EmailField("e-mail address", unique=True, null=True, blank=True)
    first_name = models.CharField("first name", max_length=150)
    last_name = models.CharField("last name", max_length=150)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        # Staff lists are sorted by name and paginated: this index serves them without a sort.
        indexes = [models.Index(fields=["last_name", "first_name", "email"], name="user_name_idx")]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message="An account with this e-mail address already exists.",
            ),
        ]
        permissions = [
            ("view_hospital_dashboard", "Can open the hospital admin dashboard"),
            ("view_doctor_dashboard", "Can open the doctor dashboard"),
            ("view_patient_dashboard", "Can open the patient dashboard"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email or f"User {self.pk}"

    def has_perm(self, perm: str, obj=None) -> bool:
        """Django's answer, without asking each backend on every call once the permission set
        is known: hms.auth's backends (ModelBackend subclasses, the only ones configured) answer
        from this `_perm_cache` set. A page calls this a hundred times or more (each row's
        actions); Django's own path loads the backends afresh on every call."""
        perms = getattr(self, "_perm_cache", None)
        if obj is None and perms is not None and self.is_active and not self.is_superuser:
            return perm in perms
        return super().has_perm(perm, obj)

    def clean(self) -> None:
        super().clean()
        # An empty address is stored as NULL: "" would be a second, colliding "address".
        self.email = self.__class__.objects.normalize_email(self.email).lower() or None
