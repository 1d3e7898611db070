"""Helpers shared by the service handlers."""

import re

_DECIMAL_RE = re.compile(r"^[0-9]+$")


class HandlerContext:
    """What a service handler needs: the request, its region (for project-scoped paths), path params and app state."""

    def __init__(self, app, request, params, region):
        self.app = app
        self.request = request
        self.params = params
        self.region = region
        self.query = request.query
        self.ignore_offset = False
        # A broken-server fault: the audit-data lists answer every record of the instance, whatever the time and filters.
        self.ignore_filters = False
        # The account the request's credentials act as (accounts.Account); the app sets it after authentication.
        self.account = app.accounts.main


def parse_bounded_int(raw, name, minimum, maximum, error):
    """Parse a decimal string within [minimum, maximum] (maximum None = unbounded); error(msg) builds the exception."""
    if raw is None or not _DECIMAL_RE.match(raw):
        raise error("Invalid parameter %s: %r is not a non-negative integer" % (name, raw))
    value = int(raw)
    if value < minimum or (maximum is not None and value > maximum):
        bound = "between %d and %d" % (minimum, maximum) if maximum is not None else ">= %d" % minimum
        raise error("Invalid parameter %s: %d is not %s" % (name, value, bound))
    return value


def paging(ctx, max_limit, error, default_limit=100, required=False):
    """Return (offset, limit) from the query; a broken-server fault may force offset to 0."""
    query = ctx.query
    if required:
        for name in ("offset", "limit"):
            if name not in query:
                raise error("Missing mandatory parameter %s" % name)
    offset = parse_bounded_int(query["offset"], "offset", 0, None, error) if "offset" in query else 0
    limit = parse_bounded_int(query["limit"], "limit", 1, max_limit, error) if "limit" in query else default_limit
    if ctx.ignore_offset:
        offset = 0
    return offset, limit
