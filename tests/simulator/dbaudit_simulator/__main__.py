"""Command line: run the simulator in the foreground until SIGINT or SIGTERM."""

import argparse
import math
import os
import signal
import sys
import threading

from .config import INSTANCE_SHAPES, SimulatorConfig, check_log_file_kb
from .simulator import Simulator


def _non_negative(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be >= 1")
    return value


def _result_window(text):
    value = int(text)
    if not 1 <= value <= 10000:
        raise argparse.ArgumentTypeError("must be between 1 and 10000 (the service serves at most 10,000 records a query)")
    return value


def _rate(text):
    value = float(text)
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError("must be a finite number >= 0")
    return value


def _kb_range(text):
    try:
        return check_log_file_kb(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m dbaudit_simulator", description="Local simulator of the Huawei Cloud IAM, DBSS and RDS APIs.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=_non_negative, default=8080, help="0 picks a free port (combine with --url-file)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--regions", default="cn-north-4", help="comma-separated region names")
    parser.add_argument("--instances", type=_non_negative, default=24, help="DBSS audit instances per region")
    parser.add_argument("--scopes-per-instance", type=_non_negative, default=3)
    parser.add_argument("--databases-per-instance", type=_non_negative, default=2)
    parser.add_argument("--rds-instances", type=_non_negative, default=12, help="RDS instances per region")
    parser.add_argument("--log-days", type=_non_negative, default=45)
    parser.add_argument("--log-interval-hours", type=_positive, default=6)
    parser.add_argument("--instance-shape", choices=INSTANCE_SHAPES, default="servers")
    parser.add_argument("--latency-ms", type=_non_negative, default=0, help="delay added to every API request")
    parser.add_argument("--rate-limit", type=_rate, default=0.0,
                        help="API Gateway flow control: requests a second per credential, 429 APIGW.0308 beyond (0 = off)")
    parser.add_argument("--rate-limit-burst", type=_non_negative, default=0,
                        help="token bucket size of --rate-limit (0 = about 200 ms worth of requests)")
    parser.add_argument("--log-file-kb", type=_kb_range, metavar="MIN,MAX",
                        help="range of the audit-log files' size in KB, which is also what their download links serve "
                             "(default 256,20481.835938; e.g. 4,16 for tests, 204800,204800 for 200 MB files)")
    parser.add_argument("--link-ttl-seconds", type=_non_negative, default=300, help="lifetime of the audit-log download links")
    parser.add_argument("--sql-per-day", type=_non_negative, default=200, dest="sql_per_instance_per_day",
                        help="audited SQL statements a day per DBSS audit instance over --log-days (e.g. 2300 for about 100,000 in 45 days)")
    parser.add_argument("--clip-audit-totals", action="store_true",
                        help="report audit-data totals clipped at the records a query serves (--sql-result-window), as the console does")
    parser.add_argument("--sql-result-window", type=_result_window, default=10000,
                        help="the most audited statements one query serves, 1..10000 (default 10000, the service's); page * size beyond it is refused")
    parser.add_argument("--clean", action="store_true",
                        help="clean-account profile: the generated account made compliant with every audit check")
    parser.add_argument("--member-accounts", default="hwsim-member-1,hwsim-member-2",
                        help="comma-separated names of the other accounts, each with its own data and agencies (empty: none)")
    parser.add_argument("--sts-ttl-seconds", type=int, default=None,
                        help="lifetime of the temporary credentials agencies issue (default: the duration_seconds asked for)")
    parser.add_argument("--url-file", help="write the listening URL to this file once the server is up")
    return parser


def _tool_lines():
    """How to get the tools and the collection of this checkout, with absolute paths (any directory works)."""
    root = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, os.pardir))
    lines = ["# the tools and the collection of this checkout (after `make demo`, or `make tools-venv collection`):"]
    venv = os.path.join(root, ".venv", "bin", "activate")
    lines.append(". %s" % venv if os.path.isfile(venv) else "# no %s yet: run `make tools-venv` in %s" % (venv, root))
    lines.append("export ANSIBLE_COLLECTIONS_PATH=%s" % os.path.join(root, ".build", "collections"))
    lines.append("export ANSIBLE_INVENTORY=%s" % os.path.join(root, "docs", "examples", "inventory.ini"))
    lines.append("cd %s    # the commands of docs/ name docs/examples/... from here" % root)
    return lines


def _write_url_file(path, url):
    # Write then rename so a poller never reads a half-written URL.
    tmp = "%s.tmp%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(url + "\n")
    os.replace(tmp, path)


def main(argv=None):
    args = build_parser().parse_args(argv)
    config = SimulatorConfig(seed=args.seed, regions=args.regions, instances=args.instances, scopes_per_instance=args.scopes_per_instance,
                             databases_per_instance=args.databases_per_instance, rds_instances=args.rds_instances, log_days=args.log_days,
                             log_interval_hours=args.log_interval_hours, instance_shape=args.instance_shape, latency_ms=args.latency_ms,
                             rate_limit=args.rate_limit, rate_limit_burst=args.rate_limit_burst, clean=args.clean, log_file_kb=args.log_file_kb,
                             link_ttl_seconds=args.link_ttl_seconds, sql_per_instance_per_day=args.sql_per_instance_per_day,
                             clip_audit_totals=args.clip_audit_totals, sql_result_window=args.sql_result_window,
                             member_accounts=args.member_accounts, sts_ttl_seconds=args.sts_ttl_seconds)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    sim = Simulator(config).start(host=args.host, port=args.port)
    creds = sim.credentials
    lines = [
        "dbaudit simulator listening on %s" % sim.url,
        "# fake credentials; export these to point the collection at the simulator:",
        "export HW_REGION_NAME=%s" % config.regions[0],
        "export HW_ACCESS_KEY=%s" % creds["access_key"],
        "export HW_SECRET_KEY=%s" % creds["secret_key"],
        "export HW_DBSS_ENDPOINT=%s" % sim.url,
        "export HW_RDS_ENDPOINT=%s" % sim.url,
        "export HW_IAM_ENDPOINT=%s" % sim.url,
        "# token auth instead: HW_DOMAIN_NAME=%s HW_USER_NAME=%s HW_USER_PASSWORD=%s" % (creds["domain_name"], creds["user_name"], creds["password"]),
    ]
    print("\n".join(lines + _tool_lines()), flush=True)
    if args.url_file:
        _write_url_file(args.url_file, sim.url)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        sim.stop()
    print("dbaudit simulator stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
