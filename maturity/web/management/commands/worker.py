"""`maturity worker`: run queued background tasks (reminders, snapshot builds)."""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand


class Command(DatabaseWorkerCommand):
    help = "Run the background task worker (database queue). Stop with Ctrl+C."
