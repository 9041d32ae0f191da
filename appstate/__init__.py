"""App state: what people write in the app (targets now; users, commentary and more later).

It lives in its own database through SQLAlchemy (SQLite in SAFEGUARD_HOME by default, any
SQLAlchemy URL in production), so swapping in a new warehouse never touches it.
"""
