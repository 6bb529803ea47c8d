from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person who signs in. Organisation memberships and roles hang off this."""

    class Meta:
        db_table = "accounts_user"
