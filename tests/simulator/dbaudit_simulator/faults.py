"""Fault injection rules and the request log, both shared by concurrent handler threads."""

import copy
import re
import threading

FAULT_KINDS = ("status", "html", "empty", "latency", "drop", "ignore_offset", "ignore_filters", "truncate", "reset", "expire")
# Kinds that only make sense for the object storage behind download links; API requests never match them.
STORAGE_ONLY_KINDS = ("expire",)
# Kinds that let the request be handled, then spoil the transfer of its answer (the server applies them).
TRANSFER_KINDS = ("truncate", "reset")

# Options each kind accepts beyond the common path/method/times/after.
_KIND_OPTIONS = {
    "status": {"status", "error_code", "error_msg", "retry_after", "body_shape"},
    "html": {"status", "retry_after"},
    "empty": {"status", "retry_after"},
    "latency": {"ms"},
    "drop": set(),
    "ignore_offset": set(),
    "ignore_filters": set(),
    # bytes: body bytes sent before the connection is closed (truncate; default half the body) or reset (default 0:
    # not even the status line).
    "truncate": {"bytes"},
    "reset": {"bytes"},
    "expire": set(),
}
_DEFAULT_STATUS = {"status": 500, "html": 502, "empty": 503}
BODY_SHAPES = ("flat", "nested", "iam")


class FaultRule:
    """One rule; counters are only touched under FaultInjector's lock."""

    def __init__(self, kind, path=None, method=None, times=None, after=0, **opts):
        if kind not in FAULT_KINDS:
            raise ValueError("unknown fault kind %r (expected one of %s)" % (kind, ", ".join(FAULT_KINDS)))
        unknown = set(opts) - _KIND_OPTIONS[kind]
        if unknown:
            raise ValueError("fault kind %r does not accept %s" % (kind, ", ".join(sorted(unknown))))
        if times is not None and (not isinstance(times, int) or times < 0):
            raise ValueError("times must be a non-negative integer or None")
        if not isinstance(after, int) or after < 0:
            raise ValueError("after must be a non-negative integer")
        if kind == "latency" and (not isinstance(opts.get("ms"), (int, float)) or opts["ms"] < 0):
            raise ValueError("latency faults need ms >= 0")
        if kind in _DEFAULT_STATUS:
            opts.setdefault("status", _DEFAULT_STATUS[kind])
            if not isinstance(opts["status"], int) or not 100 <= opts["status"] <= 599:
                raise ValueError("status must be an HTTP status code")
        if kind in TRANSFER_KINDS:
            opts.setdefault("bytes", None if kind == "truncate" else 0)
            if opts["bytes"] is not None and (isinstance(opts["bytes"], bool) or not isinstance(opts["bytes"], int) or opts["bytes"] < 0):
                raise ValueError("%s faults need bytes >= 0 (an integer)" % kind)
        if opts.get("body_shape", "flat") not in BODY_SHAPES:
            raise ValueError("body_shape must be one of %s" % ", ".join(BODY_SHAPES))
        self.kind = kind
        self.path = path
        self._path_re = re.compile(path) if path is not None else None
        self.method = method.upper() if method else None
        self.times = times
        self.after = after
        self.opts = opts
        self.seen = 0
        self.applied = 0

    def matches(self, method, path, storage=False):
        if self.method is not None and self.method != method:
            return False
        if self.kind in STORAGE_ONLY_KINDS and not storage:
            return False
        return self._path_re is None or self._path_re.search(path) is not None

    def exhausted(self):
        return self.times is not None and self.applied >= self.times

    def describe(self):
        return {"kind": self.kind, "path": self.path, "method": self.method, "times": self.times, "after": self.after,
                "seen": self.seen, "applied": self.applied, **self.opts}


class FaultInjector:
    """Decides which rules hit a request.

    Latency rules add up and never hide other rules, so a server-wide latency (CLI --latency-ms) can be
    combined with error faults; among the other kinds, the first active matching rule wins.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._rules = []

    def add(self, kind, **kwargs):
        rule = FaultRule(kind, **kwargs)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self):
        with self._lock:
            self._rules = []

    def describe(self):
        with self._lock:
            return [rule.describe() for rule in self._rules]

    def select(self, method, path, storage=False):
        """Return (latency_ms, latency_hit, rule_or_None) for this request and count it against the rules it hit.

        ``storage`` is True for object-storage requests (download links), the only ones storage-only kinds match.
        """
        latency_ms = 0
        latency_hit = False
        chosen = None
        with self._lock:
            for rule in self._rules:
                if rule.kind != "latency" and chosen is not None:
                    continue
                if not rule.matches(method, path, storage) or rule.exhausted():
                    continue
                rule.seen += 1
                if rule.seen <= rule.after:
                    continue
                rule.applied += 1
                if rule.kind == "latency":
                    latency_ms += rule.opts["ms"]
                    latency_hit = True
                else:
                    chosen = rule
        return latency_ms, latency_hit, chosen


class RequestLog:
    """Append-only list of request records; readers get deep copies so they never see a record change."""

    def __init__(self):
        self._lock = threading.Lock()
        self._records = []

    def append(self, record):
        with self._lock:
            self._records.append(record)

    def snapshot(self):
        with self._lock:
            return copy.deepcopy(self._records)

    def clear(self):
        with self._lock:
            self._records = []
