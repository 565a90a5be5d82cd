from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _create_cache_tables(sender, using="default", verbosity=1, **kwargs):
    # The database cache is the fallback of the Redis cache (hms/cache.py); its table must exist
    # wherever the schema does, including test databases, whether or not Redis is configured now.
    from django.core.management import call_command

    from hms.cache import FALLBACK_TABLE

    call_command("createcachetable", FALLBACK_TABLE, database=using, verbosity=0)


class HmsConfig(AppConfig):
    name = "hms"
    verbose_name = "HMS project"

    def ready(self) -> None:
        from hms import checks  # noqa: F401 - registers the system checks

        post_migrate.connect(_create_cache_tables, sender=self, dispatch_uid="hms-cache-tables")
        from hms.auth import connect_signals

        connect_signals()
