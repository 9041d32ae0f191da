"""WSGI entry point for gunicorn: `gunicorn app.wsgi:server`.

The warehouse is opened lazily by the first request in each worker, never before the fork.
"""

from app.main import create_app

server = create_app().server
