"""The resources the service opens at startup, one module per resource.

Each module offers an async context manager that opens the resource and closes it on every
path, and the errors that mean "not up yet", which `Lifespan.enter(retry_on=...)` retries
until the open deadline. `app.py` opens them, in order, and hands them to the work.
"""
