"""Serve the product with gunicorn on HOST:PORT (default 127.0.0.1:8000)."""

from __future__ import annotations

import os

from django.core.management import BaseCommand
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from maturity.wsgi import application

        return application


class Command(BaseCommand):
    help = "Serve the web application (gunicorn). Honours HOST, PORT and WEB_WORKERS."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))

    def handle(self, *args, host: str, port: int, workers: int, **options):
        self.stdout.write(f"Serving on http://{host}:{port}/ (Ctrl+C to stop)")
        _Gunicorn(
            {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": 4,
                "worker_class": "gthread",
                "accesslog": "-",
                "timeout": 60,
            }
        ).run()
