"""Connection settings: authentication precedence, endpoints and one-line errors that name the option."""

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError

AKSK = {'region': 'cn-north-4', 'access_key': 'AK', 'secret_key': 'SK'}


def config(params, environ=None):
    return ClientConfig(params, environ=environ or {})


def test_precedence_token_then_aksk_then_password():
    everything = dict(AKSK, auth_token='tok', user_name='u', password='p', domain_name='d')
    assert config(everything).auth_method == 'token'
    del everything['auth_token']
    assert config(everything).auth_method == 'aksk'
    del everything['access_key'], everything['secret_key']
    assert config(everything).auth_method == 'password'


def test_no_credentials_names_the_three_ways():
    with pytest.raises(HuaweiCloudConfigError) as info:
        config({'region': 'cn-north-4'})
    message = str(info.value)
    for name in ('auth_token', 'access_key', 'secret_key', 'user_name', 'password', 'domain_name'):
        assert name in message
    assert '\n' not in message


@pytest.mark.parametrize('params,fragment', [
    ({'region': 'r', 'access_key': 'AK'}, 'secret_key (HW_SECRET_KEY) is missing'),
    ({'region': 'r', 'secret_key': 'SK'}, 'access_key (HW_ACCESS_KEY) is missing'),
    ({'region': 'r', 'user_name': 'u', 'password': 'p'}, 'domain_name missing'),
    ({'access_key': 'AK', 'secret_key': 'SK'}, 'region is required'),
    (dict(AKSK, timeout=0), 'timeout must be a number of seconds greater than 0'),
    (dict(AKSK, max_retries=-1), 'max_retries must be an integer of 0 or more'),
    (dict(AKSK, endpoints={'dbss': 'http://x', 'ecs': 'http://y'}), 'unknown key(s) ecs; allowed keys are dbss, iam, rds'),
    (dict(AKSK, endpoints={'dbss': '127.0.0.1:8080'}), 'endpoints.dbss: not an http or https URL'),
])
def test_bad_settings_fail_with_the_option_named(params, fragment):
    with pytest.raises(HuaweiCloudConfigError) as info:
        config(params)
    assert fragment in str(info.value)
    assert '\n' not in str(info.value)


def test_secret_values_never_appear_in_config_errors():
    with pytest.raises(HuaweiCloudConfigError) as info:
        config({'region': 'r', 'secret_key': 'super-secret-value', 'timeout': -1})
    assert 'super-secret-value' not in str(info.value)


def test_default_endpoints_follow_region_and_cloud():
    settings = config(dict(AKSK, cloud='myhuaweicloud.eu', region='eu-west-101'))
    assert settings.endpoints == {'dbss': 'https://dbss.eu-west-101.myhuaweicloud.eu',
                                  'iam': 'https://iam.eu-west-101.myhuaweicloud.eu',
                                  'rds': 'https://rds.eu-west-101.myhuaweicloud.eu'}


def test_endpoint_option_then_env_then_default():
    environ = {'HW_DBSS_ENDPOINT': 'http://127.0.0.1:9/', 'HW_RDS_ENDPOINT': 'http://env-rds:1',
               'HW_AUTH_URL': 'https://iam.myhuaweicloud.com/v3'}
    settings = config(dict(AKSK, endpoints={'rds': 'http://127.0.0.1:8080/proxy/rds/'}), environ)
    assert settings.endpoints == {'dbss': 'http://127.0.0.1:9', 'iam': 'https://iam.myhuaweicloud.com',
                                  'rds': 'http://127.0.0.1:8080/proxy/rds'}


def test_hw_iam_endpoint_wins_over_hw_auth_url():
    environ = {'HW_IAM_ENDPOINT': 'http://iam-one', 'HW_AUTH_URL': 'http://iam-two/v3'}
    assert config(AKSK, environ).endpoints['iam'] == 'http://iam-one'


def test_secrets_lists_every_secret():
    settings = config(dict(AKSK, security_token='st', auth_token='tok', password='pw', user_name='u', domain_name='d'))
    assert sorted(settings.secrets()) == ['SK', 'pw', 'st', 'tok']


@pytest.mark.parametrize('region, suggestion', [('cn_north_4', 'cn-north-4'), ('ap_southeast_1', 'ap-southeast-1'),
                                                ('cn north 4', 'cn-north-4'), ('q@z', None), ('', None)])
def test_a_malformed_region_is_one_line_with_the_nearest_known_one(region, suggestion):
    from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import check_region
    with pytest.raises(HuaweiCloudConfigError) as info:
        check_region(region)
    message = str(info.value)
    assert message.startswith("region must be a region name of letters, digits and '-' such as cn-north-4, got ")
    assert ("did you mean '%s'?" % suggestion in message) if suggestion else 'did you mean' not in message
    assert '\n' not in message
