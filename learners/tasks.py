"""Background work for learners. Tasks take ids only and call one service."""

from celery import shared_task

from . import services


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def municipalities_refresh(self) -> int:
    """Bring the municipality list in line with the shipped CSV (idempotent)."""
    return services.municipalities_load()
