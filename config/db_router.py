"""Send reads to a PostgreSQL read replica when one is configured (DATABASE_REPLICA_URL).

Search and detail are read-only and dominate traffic; writes (admin, imports, API keys usage)
stay on the primary. Replica lag of a few seconds is acceptable for listings.
"""


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return "replica"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
