"""Benchmark helpers, mounted only when settings.BENCH_ENDPOINTS is true (config.settings.bench).

- `floor`: the cheapest useful Django view, reading one row through the full middleware stack;
  the baseline every page is compared with.
- `QueryCountMiddleware`: counts the SQL queries a request runs (without DEBUG) and reports
  them in the X-Bench-Queries response header, and the worker process that served it in
  X-Bench-Worker (so the benchmark can warm every worker). Queries run while a streamed body
  is iterated after the view returns are not counted."""

import os

from django.db import connection
from django.http import HttpResponse

from learners.models import Municipality


def floor(request):
    name = Municipality.objects.filter(number="0301").values_list("name", flat=True).first()
    return HttpResponse(name or "", content_type="text/plain; charset=utf-8")


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(count)
        response["X-Bench-Worker"] = str(os.getpid())
        return response
