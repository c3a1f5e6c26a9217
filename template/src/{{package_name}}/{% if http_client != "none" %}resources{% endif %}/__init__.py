"""The service's resources: each opened once by the lifespan in app.py, closed on every path."""
