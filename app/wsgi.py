"""WSGI entry point for gunicorn: `gunicorn app.wsgi:server`.

The warehouse is opened lazily by the first request in each worker, never before the fork.
"""

from app.logs import configure_json_logging
from app.main import create_app

configure_json_logging()
server = create_app().server
