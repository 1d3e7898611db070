# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:

    DOCUMENTATION = r'''
options:
  access_key:
    description:
      - Access key ID (AK) for AK/SK request signing (C(SDK-HMAC-SHA256)).
      - Used when O(auth_token) is not set; needs O(secret_key).
      - If not set, the environment variable E(HW_ACCESS_KEY) or E(HUAWEICLOUD_SDK_AK) is used.
    type: str
  agency_domain_id:
    description:
      - ID of the account (domain) that created the agency O(agency_name); the other way to name that account than
        O(agency_domain_name). Letters, digits, C(_) and C(-).
      - Mutually exclusive with O(agency_domain_name); one of them is required with O(agency_name), and neither may be
        set without it.
      - If not set, the environment variable E(HW_ASSUME_ROLE_DOMAIN_ID) is used (the Huawei Cloud Terraform provider's
        C(assume_role) variables).
    type: str
  agency_domain_name:
    description:
      - Name of the account (domain) that created the agency O(agency_name), the account to act in. Letters, digits,
        C(_), C(-) and C(.).
      - Mutually exclusive with O(agency_domain_id); one of them is required with O(agency_name), and neither may be
        set without it.
      - If not set, the environment variable E(HW_ASSUME_ROLE_DOMAIN_NAME) is used.
    type: str
  agency_duration:
    description:
      - Seconds the agency's temporary credentials live, from V(900) (15 minutes) to V(86400) (24 hours); anything
        else is refused before any request. It may not exceed the maximum duration set on the agency.
      - Credentials are assumed once per task (per account for the inventory plugin) and assumed again shortly
        before they expire (5 minutes, or a tenth of their lifetime when that is shorter), so a long run never
        signs with expired ones.
      - Only used with O(agency_name).
      - If not set, the environment variable E(HW_ASSUME_ROLE_DURATION) is used.
    type: int
    default: 3600
  agency_name:
    description:
      - Name of an IAM agency (1 to 64 letters, digits, spaces, C(_), C(-) and C(.)) of another account, to act in
        that account. The base credentials (O(auth_token), O(access_key)/O(secret_key) or
        O(user_name)/O(password)) obtain temporary credentials of the agency from IAM
        (C(POST /v3.0/OS-CREDENTIAL/securitytokens), method C(assume_role)), and every request is signed with them.
      - The project ID is then looked up in that account (set O(project_id) only to a project of that account).
      - Needs O(agency_domain_name) or O(agency_domain_id). The agency must trust the account of the base
        credentials, and the IAM user needs permission to assume agencies. Otherwise IAM answers 403 and the error
        names the agency and the account.
      - The temporary access key, secret key and security token never appear in results, errors, warnings, logs or
        caches.
      - If not set, the environment variable E(HW_ASSUME_ROLE_AGENCY_NAME) is used.
    type: str
  auth_token:
    description:
      - An IAM token, sent as C(X-Auth-Token). It takes precedence over AK/SK and user/password authentication.
      - If not set, the environment variable E(HW_AUTH_TOKEN) is used.
    type: str
  ca_path:
    description:
      - A CA bundle (file or directory) to verify the endpoints' TLS certificates with.
      - A path that does not exist is an error before any request; ignored when O(validate_certs=false).
    type: path
  cloud:
    description:
      - Domain name suffix of the default endpoints C(https://<service>.<region>.<cloud>).
      - Some European regions use C(myhuaweicloud.eu).
      - Letters, digits, C(-) and dots only, for example V(myhuaweicloud.com); anything else is refused before any
        request, so that no default endpoint can point elsewhere.
      - If not set, the environment variable E(HW_CLOUD) is used.
    type: str
    default: myhuaweicloud.com
  domain_name:
    description:
      - Account (domain) name for IAM password authentication with O(user_name) and O(password).
      - If not set, the environment variable E(HW_DOMAIN_NAME) is used.
    type: str
  endpoints:
    description:
      - Full base URL of a service, overriding C(https://<service>.<region>.<cloud>), for private or proxied
        setups and for the local simulator (for example V(http://127.0.0.1:8080)).
      - Keys are V(dbss), V(rds) and V(iam); any other key is an error.
      - A key that is not set is taken from the environment variable E(HW_DBSS_ENDPOINT), E(HW_RDS_ENDPOINT) or
        E(HW_IAM_ENDPOINT) (also E(HW_AUTH_URL); a trailing C(/v3) is ignored).
      - Each URL is C(http) or C(https), a host name or IP address (IPv6 in brackets), an optional port and path.
        A user name or password (C(https://user:pass@host)), a query or a fragment is refused before any request,
        and never printed.
    type: dict
  max_requests_per_second:
    description:
      - A ceiling on the requests a second sent to each service endpoint, for example to leave part of the
        account's API gateway limit to other tools.
      - Without it, the pace adapts on its own. Nothing is held back until the gateway first refuses a request
        (HTTP 429, C(APIGW.0308)); then the pace drops to 70% of the rate that was being sent and grows back
        gently while no refusal comes, so refused requests stay rare. With it, requests are paced at this rate
        from the first one and the adaptive pace never exceeds it.
      - Each service endpoint has its own pace, shared by every parallel request of the task (or of the inventory
        source's region).
      - Must be a finite number greater than 0, such as V(10) or V(2.5).
      - If not set, the environment variable E(HW_MAX_REQUESTS_PER_SECOND) is used.
    type: float
  max_retries:
    description:
      - How many times a request is retried after throttling (HTTP 429), a 500, 502, 503 or 504 answer, a
        connection error or a timeout. Only idempotent requests are retried, with capped exponential backoff
        and jitter, honouring C(Retry-After).
      - Each retry is reported in the result key C(api_retries), whatever the verbosity.
      - If not set, the environment variable E(HW_MAX_RETRIES) is used.
    type: int
    default: 5
  password:
    description:
      - Password of O(user_name) for IAM password authentication. A project-scoped token is obtained once and
        reused for every request of the task.
      - If not set, the environment variable E(HW_USER_PASSWORD) is used.
    type: str
  project_id:
    description:
      - Project ID of the region (letters, digits, C(-) and C(_); it goes into every request path).
      - When not set, it is looked up once with IAM (C(GET /v3/projects?name=<region>)), or taken from the token
        obtained with O(user_name) and O(password).
      - If not set, the environment variable E(HW_PROJECT_ID) or E(HUAWEICLOUD_SDK_PROJECT_ID) is used.
    type: str
  region:
    description:
      - Region name, for example V(cn-north-4). Required, here or in the environment.
      - Letters, digits and C(-) only; anything else is refused before any request.
      - If not set, the environment variable E(HW_REGION_NAME) is used.
    type: str
  secret_key:
    description:
      - Secret access key (SK) that goes with O(access_key). Never displayed or logged.
      - If not set, the environment variable E(HW_SECRET_KEY) or E(HUAWEICLOUD_SDK_SK) is used.
    type: str
  security_token:
    description:
      - Security token of temporary AK/SK credentials, sent (and signed) as C(X-Security-Token).
      - If not set, the environment variable E(HW_SECURITY_TOKEN) or E(HUAWEICLOUD_SDK_SECURITY_TOKEN) is used.
    type: str
  timeout:
    description:
      - Seconds one HTTP request may take, from connecting to the last byte of the answer (greater than 0, at most
        3600). A server that answers slowly or never stops sending is cut off then; the request is retried like
        any timeout.
      - An answer larger than 32 MiB is refused with an error (no API this collection reads comes near it).
    type: float
    default: 30.0
  user_name:
    description:
      - IAM user name for password authentication, used when neither O(auth_token) nor AK/SK are set.
      - If not set, the environment variable E(HW_USER_NAME) is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the endpoints' TLS certificates. Turn it off only for test endpoints.
      - V(false) adds a warning to the result of every task that uses it; prefer O(ca_path) for a private CA.
    type: bool
    default: true
notes:
  - "Authentication precedence: O(auth_token), then O(access_key)/O(secret_key), then
    O(user_name)/O(password)/O(domain_name). Without any of them the task fails and names the three ways."
  - All modules of this collection belong to the action group C(hwcloud.dbaudit.huaweicloud), so
    C(module_defaults) can set the connection options once for a play.
  - Secrets (O(secret_key), O(password), O(auth_token), O(security_token)) and every credential obtained at run
    time (a token issued for O(password), an agency's temporary credentials) never appear in results, errors,
    warnings or logs.
  - IDs given to a module must not be empty, C(.) or C(..); they are refused before any request.
requirements:
  - python >= 3.8
  - requests
'''

    # Inventory and other controller plugins read the same options; Ansible's config system needs the
    # environment variables declared per option. Merged with DOCUMENTATION above, which describes them.
    PLUGIN_ENV = r'''
options:
  access_key:
    env:
      - name: HW_ACCESS_KEY
      - name: HUAWEICLOUD_SDK_AK
  agency_domain_id:
    env:
      - name: HW_ASSUME_ROLE_DOMAIN_ID
  agency_domain_name:
    env:
      - name: HW_ASSUME_ROLE_DOMAIN_NAME
  agency_duration:
    env:
      - name: HW_ASSUME_ROLE_DURATION
  agency_name:
    env:
      - name: HW_ASSUME_ROLE_AGENCY_NAME
  auth_token:
    env:
      - name: HW_AUTH_TOKEN
  cloud:
    env:
      - name: HW_CLOUD
  domain_name:
    env:
      - name: HW_DOMAIN_NAME
  max_requests_per_second:
    env:
      - name: HW_MAX_REQUESTS_PER_SECOND
  max_retries:
    env:
      - name: HW_MAX_RETRIES
  password:
    env:
      - name: HW_USER_PASSWORD
  project_id:
    env:
      - name: HW_PROJECT_ID
      - name: HUAWEICLOUD_SDK_PROJECT_ID
  region:
    env:
      - name: HW_REGION_NAME
  secret_key:
    env:
      - name: HW_SECRET_KEY
      - name: HUAWEICLOUD_SDK_SK
  security_token:
    env:
      - name: HW_SECURITY_TOKEN
      - name: HUAWEICLOUD_SDK_SECURITY_TOKEN
  user_name:
    env:
      - name: HW_USER_NAME
'''
