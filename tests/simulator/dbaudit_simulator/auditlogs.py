"""RDS for MySQL audit-log files, generated on first use and searched by time with bisection.

A year of 2-hour files for dozens of instances is cheap to serve because only the instances a test touches
are generated, and each query is two binary searches plus a slice.
"""

import bisect
import collections.abc
import datetime
import threading

CHINA_TZ = datetime.timezone(datetime.timedelta(hours=8))
LOG_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"

# Slot boundaries sit 1h30m-2h after local midnight; with whole-hour intervals no boundary can fall on
# midnight, so every day one file spans midnight and therefore any midnight-aligned query window boundary.
_PHASE_MIN_SECONDS = 90 * 60
_PHASE_JITTER_SECONDS = 30 * 60
# Range of the listed `size` (KB) when SimulatorConfig.log_file_kb is None: the sizes the seeded data always had.
DEFAULT_LOG_FILE_KB = (256.0, 20481.835938)


class LogSeriesSpec:
    """What is needed to generate one instance's files deterministically, independent of access order."""

    def __init__(self, seed_key, rds_id, start, stop, interval_hours, size_kb=DEFAULT_LOG_FILE_KB):
        self.seed_key = seed_key
        self.rds_id = rds_id
        self.start = start          # aware datetime: no file begins before this
        self.stop = stop            # aware datetime: no file ends after this
        self.interval = interval_hours * 3600
        self.size_kb = size_kb      # (min, max) of the listed size in KB


class LogSeries:
    def __init__(self, files, begins, ends):
        self.files = files
        self.begins = begins
        self.ends = ends
        # Download links and the object storage look files up by id.
        self.by_id = {f["id"]: f for f in files}

    def overlapping(self, start_ts, end_ts):
        """Files whose [begin, end] intersects [start_ts, end_ts] (inclusive), in begin order.

        Files never overlap each other, so both begin and end times are sorted.
        """
        lo = bisect.bisect_left(self.ends, start_ts)
        hi = bisect.bisect_right(self.begins, end_ts)
        return self.files[lo:hi] if hi > lo else []


def _generate(spec, rng_factory):
    rng = rng_factory(spec.seed_key)
    start_ts = int(spec.start.timestamp())
    stop_ts = int(spec.stop.timestamp())
    local_start = spec.start.astimezone(CHINA_TZ)
    midnight = local_start.replace(hour=0, minute=0, second=0, microsecond=0)
    base = int(midnight.timestamp()) + _PHASE_MIN_SECONDS + rng.randrange(_PHASE_JITTER_SECONDS)
    interval = spec.interval
    first = max(0, -(-(start_ts - base) // interval))
    mac = "fa163e%06x" % rng.getrandbits(24)
    files, begins, ends = [], [], []
    slot = first
    seq = rng.randrange(100000, 900000)
    # Only the bounds vary with the config: uniform() draws one number whatever they are, so the ids, names and
    # times that follow stay the same.
    size_min, size_max = spec.size_kb
    while True:
        slot_start = base + slot * interval
        begin = slot_start + rng.randrange(60)
        end = slot_start + interval - 1 - rng.randrange(60)
        if end > stop_ts:
            break
        uuid_hex = "%032x" % rng.getrandbits(128)
        begin_local = datetime.datetime.fromtimestamp(begin, CHINA_TZ)
        begin_utc = datetime.datetime.fromtimestamp(begin, datetime.timezone.utc)
        file_uuid = "-".join((uuid_hex[:8], uuid_hex[8:12], uuid_hex[12:16], uuid_hex[16:20], uuid_hex[20:]))
        files.append({
            "id": "%st%08x%016xbr01" % (mac, slot, rng.getrandbits(64)),
            "name": "%d_%s_%s_Audit_%s" % (seq + slot, begin_utc.strftime("%Y%m%d%H%M%S"), spec.rds_id, file_uuid),
            "size": round(rng.uniform(size_min, size_max), 6),
            "begin_time": begin_local.strftime(LOG_TIME_FORMAT),
            "end_time": datetime.datetime.fromtimestamp(end, CHINA_TZ).strftime(LOG_TIME_FORMAT),
        })
        begins.append(begin)
        ends.append(end)
        slot += 1
    return LogSeries(files, begins, ends)


class AuditLogStore(collections.abc.Mapping):
    """Mapping rds_id -> list of audit-log dicts sorted by begin_time (empty when audit is off)."""

    def __init__(self, specs, rng_factory):
        self._specs = specs              # rds_id -> LogSeriesSpec or None (no logs)
        self._rng_factory = rng_factory
        self._series = {}
        self._lock = threading.Lock()

    def series(self, rds_id):
        spec = self._specs[rds_id]
        if spec is None:
            return LogSeries([], [], [])
        with self._lock:
            cached = self._series.get(rds_id)
            if cached is None:
                cached = _generate(spec, self._rng_factory)
                self._series[rds_id] = cached
        return cached

    def find(self, rds_id, file_id):
        """The file with this id, or None (also for an unknown instance)."""
        if rds_id not in self._specs:
            return None
        return self.series(rds_id).by_id.get(file_id)

    def query(self, rds_id, start, end):
        return self.series(rds_id).overlapping(start.timestamp(), end.timestamp())

    def __getitem__(self, rds_id):
        return self.series(rds_id).files

    def __iter__(self):
        return iter(self._specs)

    def __len__(self):
        return len(self._specs)
