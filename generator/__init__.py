"""copier-asyncio-service: the wizard that generates and updates asyncio services."""
