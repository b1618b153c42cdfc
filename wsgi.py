"""The WSGI entry point: `gunicorn wsgi:application`, `flask --app wsgi ...`."""

from caseflow import create_app

application = create_app()
app = application
