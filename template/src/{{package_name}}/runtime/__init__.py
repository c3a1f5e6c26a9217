"""The runtime: template-owned, generic, updated by `copier update`. Import it from here.

Owner code (app.py, settings.py, example.py, web/routes.py) imports these names from the
package, never from its modules, so a template update can reorganise the modules freely. The
optional parts a service was generated with are modules of their own, imported through the
package too: `from .runtime import webserver` (with an HTTP API), `redis_stream` (with Redis
Streams as the work source), `rabbitmq_queue` (with RabbitMQ), `nats_stream` (with NATS
JetStream), `metrics` (with Prometheus metrics).
"""

from .backoff import backoff_delay
from .breaker import Breakers, OutageError
from .config import ConfigError, load, setting
from .health import Health, JobCounts
from .lifespan import Lifespan, ResourceError
from .logs import event
from .pool import Handler, Job, RetryableJobError, WorkerPool, raise_if_cancelled
from .schedule import Schedule, TickClaim
from .service import run
from .settings import RuntimeSettings
from .supervisor import Child, ChildSpec, Restart, Strategy, Supervisor

__all__ = [
    "Breakers",
    "Child",
    "ChildSpec",
    "ConfigError",
    "Handler",
    "Health",
    "Job",
    "JobCounts",
    "Lifespan",
    "OutageError",
    "ResourceError",
    "Restart",
    "RetryableJobError",
    "RuntimeSettings",
    "Schedule",
    "Strategy",
    "Supervisor",
    "TickClaim",
    "WorkerPool",
    "backoff_delay",
    "event",
    "load",
    "raise_if_cancelled",
    "run",
    "setting",
]
