"""Requests the live server is still answering, so a browser test's teardown can wait for
them before the database is emptied (flushing while the server thread still holds a
transaction deadlocks on PostgreSQL). Installed by config.settings.test."""

import threading

_idle = threading.Condition()
_in_flight = 0


class InFlightMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        global _in_flight
        with _idle:
            _in_flight += 1
        try:
            return self.get_response(request)
        finally:
            with _idle:
                _in_flight -= 1
                _idle.notify_all()


def wait_until_idle(timeout: float) -> bool:
    """True once no request is being answered; False if that took longer than `timeout`."""
    with _idle:
        return _idle.wait_for(lambda: _in_flight == 0, timeout)
