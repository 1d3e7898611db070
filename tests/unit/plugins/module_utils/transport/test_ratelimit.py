"""Adaptive flow control: the limiter on a fake clock, the option's validation, and the client against the
simulator's API gateway flow control (counts of throttled answers, never times)."""

import threading

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HuaweiCloudClient
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.common_options import common_argument_spec
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import list_audit_scopes
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.ratelimit import (
    BETA,
    MIN_RATE,
    SCALE,
    AdaptiveRateLimiter,
    FlowControl,
    check_max_requests_per_second,
    is_throttled,
)

REGION = 'cn-north-4'


class FakeClock:
    """A clock that only moves when someone sleeps (or the test advances it)."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds):
        self.now += seconds


def limiter_on(clock, max_rate=None):
    return AdaptiveRateLimiter(max_rate=max_rate, clock=clock, sleep=clock.sleep)


def send_steadily(limiter, clock, count, interval, throttled=False):
    """``count`` requests ``interval`` seconds apart, each answered at once; returns their tickets."""
    tickets = []
    for _request in range(count):
        ticket = limiter.acquire()
        limiter.record(ticket, throttled)
        tickets.append(ticket)
        clock.advance(interval)
    return tickets


# --- the limiter, on a fake clock ---------------------------------------------------------------------------------

def test_unbounded_until_the_first_throttle():
    clock = FakeClock()
    limiter = limiter_on(clock)
    for _request in range(1000):
        limiter.record(limiter.acquire(), False)
    assert clock.sleeps == [] and limiter.rate is None and limiter.throttles == 0


def test_a_throttle_sets_the_rate_to_beta_times_the_measured_rate():
    clock = FakeClock()
    limiter = limiter_on(clock)
    send_steadily(limiter, clock, 50, 0.02)          # 50 requests a second for one second, all accepted
    limiter.record(limiter.acquire(), True)
    assert limiter.rate == pytest.approx(BETA * 50)  # 51 sent, 50 accepted in the last second
    assert limiter.throttles == 1 and limiter.decreases == 1


def test_a_throttle_cuts_from_what_the_gateway_accepted_when_that_is_less_than_what_was_sent():
    clock = FakeClock()
    limiter = limiter_on(clock)
    for number in range(60):                          # 60 requests a second, 20 of them answered so far
        ticket = limiter.acquire()
        if number % 3 == 0:
            limiter.record(ticket, False)
        clock.advance(1.0 / 60)
    limiter.record(limiter.acquire(), True)
    assert limiter.rate == pytest.approx(BETA * 20)


def test_after_a_cut_requests_are_paced_at_the_new_rate():
    clock = FakeClock()
    limiter = limiter_on(clock)
    send_steadily(limiter, clock, 50, 0.02)
    limiter.record(limiter.acquire(), True)
    rate = limiter.rate
    began = clock.now
    tickets = [limiter.acquire().send_at for _request in range(20)]   # all wanted at once
    gaps = [later - earlier for earlier, later in zip(tickets, tickets[1:])]
    assert gaps == [pytest.approx(1.0 / rate)] * 19
    # The first one waits one interval too: the gateway has just refused.
    assert tickets[0] == pytest.approx(began + 1.0 / rate)
    assert clock.now == pytest.approx(tickets[-1])


def test_refusals_of_requests_sent_before_the_cut_do_not_cut_again():
    clock = FakeClock()
    limiter = limiter_on(clock)
    in_flight = [limiter.acquire() for _request in range(8)]   # eight threads sent at once
    clock.advance(0.05)
    for ticket in in_flight:
        limiter.record(ticket, True)
    assert limiter.throttles == 8 and limiter.decreases == 1
    first_cut = limiter.rate
    # A request given its slot after the cut and refused again is news: the rate falls once more.
    limiter.record(limiter.acquire(), True)
    assert limiter.decreases == 2 and limiter.rate == pytest.approx(BETA * first_cut)


def test_slots_given_before_a_cut_but_sent_after_it_do_not_cut_again():
    clock = FakeClock()
    # Threads waiting for their slots: the clock stands still while they wait, so the cut comes before they leave.
    limiter = AdaptiveRateLimiter(max_rate=10, clock=clock, sleep=lambda seconds: None)
    first = limiter.acquire()
    queued = [limiter.acquire() for _request in range(3)]
    limiter.record(first, True)
    assert all(ticket.send_at > clock.now for ticket in queued)
    for ticket in queued:
        limiter.record(ticket, True)
    assert limiter.decreases == 1 and limiter.throttles == 4


def test_the_rate_grows_back_along_a_cubic_curve_while_nothing_is_refused():
    clock = FakeClock()
    limiter = limiter_on(clock)
    send_steadily(limiter, clock, 40, 0.025)
    limiter.record(limiter.acquire(), True)
    refused = limiter.rate / BETA
    k = (refused * (1 - BETA) / SCALE) ** (1.0 / 3.0)     # seconds back to the refused rate
    rates = []
    cut_at = clock.now
    while clock.now - cut_at < k + 3:
        limiter.record(limiter.acquire(), False)
        rates.append(limiter.rate)
    assert rates == sorted(rates), 'the rate only grows while nothing is refused'
    assert rates[0] < refused
    # Concave up to the refused rate (reached after K seconds), convex beyond it: probing for more.
    assert limiter.rate > refused + SCALE * 2 ** 3 * 0.9


def test_growth_is_capped_by_what_the_client_really_sends():
    clock = FakeClock()
    limiter = limiter_on(clock)
    send_steadily(limiter, clock, 40, 0.025)
    limiter.record(limiter.acquire(), True)
    # Demand falls to two requests a second for a minute: CUBIC alone would reach tens of thousands a second.
    send_steadily(limiter, clock, 120, 0.5)
    assert limiter.rate <= 2 * 41


def test_a_ceiling_paces_from_the_first_request_and_is_never_exceeded():
    clock = FakeClock()
    limiter = limiter_on(clock, max_rate=10)
    tickets = [limiter.acquire().send_at for _request in range(21)]
    assert tickets[-1] - tickets[0] == pytest.approx(2.0)
    for _request in range(500):
        limiter.record(limiter.acquire(), False)
    assert limiter.rate == 10
    limiter.record(limiter.acquire(), True)
    assert limiter.rate == pytest.approx(BETA * 10)
    for _request in range(500):
        limiter.record(limiter.acquire(), False)
    assert limiter.rate == 10


def test_the_rate_never_falls_below_the_minimum():
    clock = FakeClock()
    limiter = limiter_on(clock)
    for _request in range(100):
        limiter.record(limiter.acquire(), True)
    assert limiter.rate == MIN_RATE
    assert limiter_on(clock, max_rate=0.1).rate == 0.1


def test_only_429_is_throttling():
    assert is_throttled(429)
    assert not any(is_throttled(status) for status in (200, 400, 401, 403, 500, 503))


def test_threads_get_distinct_slots_at_the_paced_rate():
    limiter = AdaptiveRateLimiter(max_rate=400)
    tickets = []
    lock = threading.Lock()

    def worker():
        for _request in range(10):
            ticket = limiter.acquire().send_at
            with lock:
                tickets.append(ticket)

    threads = [threading.Thread(target=worker) for _request in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tickets.sort()
    assert len(tickets) == 80
    assert min(later - earlier for earlier, later in zip(tickets, tickets[1:])) == pytest.approx(1.0 / 400)


def test_one_limiter_per_endpoint_shared_by_threads():
    flow = FlowControl()
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(flow.limiter_for('dbss.example:443'))) for _request in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(map(id, seen))) == 1
    assert flow.limiter_for('rds.example:443') is not seen[0]
    assert sorted(flow.limiters()) == ['dbss.example:443', 'rds.example:443']
    assert FlowControl(max_rate=5).limiter_for('x').rate == 5


# --- the option -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('value, expected', [(None, None), ('', None), (25, 25.0), ('2.5', 2.5), (0.1, 0.1)])
def test_max_requests_per_second_accepts_positive_numbers(value, expected):
    assert check_max_requests_per_second(value) == expected


@pytest.mark.parametrize('value', [0, -1, 'nan', float('inf'), 'inf', 'fast', True, [1]])
def test_max_requests_per_second_refuses_anything_else_in_one_line(value):
    with pytest.raises(HuaweiCloudConfigError) as info:
        ClientConfig({'region': REGION, 'auth_token': 'x', 'max_requests_per_second': value}, environ={})
    message = str(info.value)
    assert message.startswith('max_requests_per_second must be a finite number of requests a second greater than 0')
    assert '\n' not in message


def test_the_option_is_common_with_an_environment_fallback():
    spec = common_argument_spec()['max_requests_per_second']
    assert spec['type'] == 'float' and 'default' not in spec
    assert spec['fallback'][1] == ['HW_MAX_REQUESTS_PER_SECOND']
    config = ClientConfig({'region': REGION, 'auth_token': 'x', 'max_requests_per_second': 7}, environ={})
    assert HuaweiCloudClient(config).flow_control.limiter_for('any').rate == 7.0


# --- the client against the simulator's gateway flow control -------------------------------------------------------

def client_for(sim, max_rate=None):
    config = ClientConfig({'region': REGION, 'project_id': sim.data.regions[REGION].project_id,
                           'access_key': sim.credentials['access_key'], 'secret_key': sim.credentials['secret_key'],
                           'endpoints': {'dbss': sim.url, 'rds': sim.url, 'iam': sim.url},
                           'max_requests_per_second': max_rate}, environ={})
    return HuaweiCloudClient(config, pool_size=8)


@pytest.fixture(scope='module')
def limited_sim():
    from dbaudit_simulator import Simulator, SimulatorConfig
    config = SimulatorConfig(regions=(REGION,), instances=200, scopes_per_instance=2, databases_per_instance=0,
                             rds_instances=0, latency_ms=10, rate_limit=100)
    with Simulator(config) as server:
        yield server


def scope_listing(sim, max_rate=None):
    """The scopes of every audit instance with default concurrency; returns (scopes, requests, throttled)."""
    sim.reset_requests()
    data = sim.data.regions[REGION]
    ids = [instance['id'] for instance in data.instances]
    scopes = list_audit_scopes(client_for(sim, max_rate), ids, max_workers=8)
    expected = [dict(scope, instance_id=instance_id) for instance_id in ids for scope in data.scopes[instance_id]]
    assert scopes == expected
    records = [record for record in sim.requests if record['path'].endswith('/rule/scopes')]
    return len(ids), len(records), sum(1 for record in records if record['throttled'])


def test_adaptive_pacing_keeps_throttled_requests_rare(limited_sim):
    instances, requests, throttled = scope_listing(limited_sim)
    # Unpaced (the client before flow control), eight threads at 10 ms a request offer up to 800 requests a second
    # to a limit of 100 with a burst of 20: about 12% of the requests were refused (26 of 226). Paced, about 3%.
    assert requests == instances + throttled
    assert throttled <= 0.07 * requests, (throttled, requests)


def test_a_ceiling_below_the_gateway_limit_is_never_throttled(limited_sim):
    instances, requests, throttled = scope_listing(limited_sim, max_rate=80)
    assert (requests, throttled) == (instances, 0)


def test_memory_is_bounded_by_the_measuring_window():
    clock = FakeClock()
    limiter = limiter_on(clock)
    send_steadily(limiter, clock, 10000, 0.01)
    assert len(limiter._sends) <= 101  # pylint: disable=protected-access


# --- the option on a module: refused before any request, used when given ----------------------------------------

def module_args(sim, **extra):
    args = {'region': REGION, 'endpoints': {'dbss': sim.url, 'iam': sim.url, 'rds': sim.url},
            'access_key': sim.credentials['access_key'], 'secret_key': sim.credentials['secret_key']}
    args.update(extra)
    return args


@pytest.mark.parametrize('value', [0, -2.5, 'inf', 'nan'])
def test_a_module_refuses_a_bad_ceiling_before_any_request(sim, value):
    from hwtest_support import run_module
    from ansible_collections.hwcloud.dbaudit.plugins.modules import dbss_scope_info
    outcome = run_module(dbss_scope_info, module_args(sim, instance_id='x', max_requests_per_second=value))
    assert outcome.rc == 1
    assert outcome.result['msg'] == ('max_requests_per_second must be a finite number of requests a second greater '
                                     'than 0, got %s' % float(value))
    assert sim.requests == []


def test_a_module_takes_the_ceiling_from_the_environment(sim):
    from hwtest_support import run_module
    from ansible_collections.hwcloud.dbaudit.plugins.modules import dbss_scope_info
    outcome = run_module(dbss_scope_info, module_args(sim, instance_id='x'), {'HW_MAX_REQUESTS_PER_SECOND': '-1'})
    assert outcome.rc == 1 and outcome.result['msg'].startswith('max_requests_per_second must be')
    assert sim.requests == []
    ids = [instance['id'] for instance in sim.data.regions[REGION].instances[:3]]
    outcome = run_module(dbss_scope_info, module_args(sim, instance_ids=ids), {'HW_MAX_REQUESTS_PER_SECOND': '50'})
    assert outcome.rc == 0 and len(sim.requests) == 3 + 1  # the project id lookup, then one page per instance
