"""Template-owned runtime: lifespan, supervisor, shutdown, health. Updated by `copier update`."""
