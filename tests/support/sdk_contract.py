"""Contract checks against the official Huawei Cloud SDK (issue 19): a request or an answer of an API the collection
calls, checked field by field against the SDK's model classes, which are written independently of the collection and
of its simulator.

- :func:`sdk_operations` reads every operation of the SDK clients (``huaweicloudsdkdbss`` v1, ``huaweicloudsdkrds`` v3,
  ``huaweicloudsdkiam`` v3): method, path template, request and response model. Which operation a request is comes
  from its method and path alone, never from the simulator's route table.
- :func:`check_json` walks a model's ``openapi_types`` (``str``, ``int``, ``bool``, ``float``, ``object``,
  ``list[X]``, ``dict(str, X)``, nested model classes) through its ``attribute_map`` and names every field of the
  wrong JSON type and every field the model does not know (unless :data:`KNOWN_EXTRA_FIELDS` lists it with a reason).
  The SDK's own deserializer checks none of this (it stores a list into a ``str`` field without complaint).
- :func:`check_exchange` checks one request (query parameters and body) and its answer.

Used by tests/unit/plugins/module_utils/services/test_sdk_contract.py (every simulator route) and tests/live/ (a real account).
"""

import importlib
import inspect
import json
import re

SDK_CLIENTS = (
    ('huaweicloudsdkdbss.v1', 'DbssClient'),
    ('huaweicloudsdkrds.v3', 'RdsClient'),
    ('huaweicloudsdkiam.v3', 'IamClient'),
)

# Fields the SDK model does not declare but an answer may carry, each with the reason it is accepted.
# {(model class name, JSON key): reason}
KNOWN_EXTRA_FIELDS = {}

# Where one path has several SDK operations, the one the collection means (the others are checked too: an exchange
# passes when it fits one of them).
# {operation: (operation whose response model is also accepted, reason)}
ALTERNATIVE_RESPONSES = {
    'ListAuditInstancesNew': (
        'ListAuditInstances',
        'Huawei\'s API reference (Querying the Audit Instance List, tests/fixtures/api_reference/'
        'dbss_list_audit_instances.json) answers this path in the "servers" shape that the SDK models only for the '
        'older path (ListAuditInstancesResponse); the collection reads both'),
}

_SCALARS = {
    'str': (str,),
    'int': (int,),
    'float': (int, float),
    'bool': (bool,),
    'date': (str,),
    'datetime': (str,),
}
_JSON_NAMES = {str: 'a string', int: 'an integer', float: 'a number', bool: 'a boolean', list: 'a list', dict: 'an object'}


class Operation:
    """One SDK operation: ``name`` (e.g. ``ShowAuditlogPolicy``), ``method``, ``path`` (template), the ``request`` and
    ``response`` model classes, the wire names of its query parameters and the model of its JSON body (or None)."""

    def __init__(self, name, method, path, request, response, query, body, package):
        self.name = name
        self.method = method
        self.path = path
        self.request = request
        self.response = response
        self.query = query
        self.body = body
        self.package = package
        self.regex = re.compile('^' + re.sub(r'\\{[a-z_]+\\}', '[^/]+', re.escape(path)) + '/?$')

    def __repr__(self):
        return '%s (%s %s, %s)' % (self.name, self.method, self.path, self.package.__name__)


def _snake_to_camel(name):
    return ''.join(part.capitalize() for part in name.split('_'))


_OPERATIONS = None


def sdk_operations():
    """Every operation of the SDK clients in :data:`SDK_CLIENTS`, read from their ``_<operation>_http_info``."""
    global _OPERATIONS  # pylint: disable=global-statement
    if _OPERATIONS is not None:
        return _OPERATIONS
    operations = []
    for package_name, client_name in SDK_CLIENTS:
        package = importlib.import_module(package_name)
        client = getattr(package, client_name)
        for attr, member in inspect.getmembers(client):
            match = re.match(r'^_(\w+)_http_info$', attr)
            if not match:
                continue
            name = _snake_to_camel(match.group(1))
            request_class = getattr(package, name + 'Request', None)
            if request_class is None:
                continue
            request = request_class()
            info = member(request)
            response_class = getattr(package, info['response_type'])
            query = {}
            for wire_name, _value in info['query_params']:
                attribute = next(key for key, value in request_class.attribute_map.items() if value == wire_name)
                query[wire_name] = request_class.openapi_types[attribute]
            body_type = request_class.openapi_types.get('body')
            body = getattr(package, body_type) if body_type and hasattr(package, body_type) else body_type
            operations.append(Operation(name, info['method'], info['resource_path'], request_class, response_class,
                                        query, body, package))
    _OPERATIONS = operations
    return operations


def operations_for(method, path):
    """The SDK operations a request is, from its method and path (a template such as ``{instance_id}`` matches one
    segment); ``[]`` when the SDK has none."""
    return [operation for operation in sdk_operations() if operation.method == method and operation.regex.match(path)]


def operation_named(name):
    return next(operation for operation in sdk_operations() if operation.name == name)


def _model(package, type_name):
    return getattr(package, type_name, None) or getattr(importlib.import_module(package.__name__ + '.model'), type_name, None)


def check_json(value, type_name, package, where='', problems=None):
    """The problems of a JSON ``value`` against an SDK type (``str``, ``list[X]``, ``dict(str, X)``, a model class
    name or class, ...): ``["auditlogs[0].size: a string, the SDK model says float", ...]``; null fits every type."""
    problems = [] if problems is None else problems
    if value is None:
        return problems
    if isinstance(type_name, type):
        return _check_model(value, type_name, package, where, problems)
    if type_name == 'object':
        return problems
    if type_name in _SCALARS:
        allowed = _SCALARS[type_name]
        fits = isinstance(value, allowed) and (bool in allowed or not isinstance(value, bool))
        if not fits:
            problems.append('%s: %s, the SDK model says %s' % (where or '(answer)', _json_name(value), type_name))
        return problems
    listed = re.match(r'^list\[(.+)\]$', type_name)
    if listed:
        if not isinstance(value, list):
            problems.append('%s: %s, the SDK model says %s' % (where or '(answer)', _json_name(value), type_name))
            return problems
        for index, item in enumerate(value):
            check_json(item, listed.group(1), package, '%s[%d]' % (where, index), problems)
        return problems
    mapping = re.match(r'^dict\(str, (.+)\)$', type_name)
    if mapping:
        if not isinstance(value, dict):
            problems.append('%s: %s, the SDK model says %s' % (where or '(answer)', _json_name(value), type_name))
            return problems
        for key, item in value.items():
            check_json(item, mapping.group(1), package, '%s[%s]' % (where, json.dumps(key)), problems)
        return problems
    model = _model(package, type_name)
    if model is None:
        problems.append('%s: the SDK type %s is unknown to this checker' % (where or '(answer)', type_name))
        return problems
    return _check_model(value, model, package, where, problems)


def _check_model(value, model, package, where, problems):
    if not isinstance(value, dict):
        problems.append('%s: %s, the SDK model says an object (%s)' % (where or '(answer)', _json_name(value), model.__name__))
        return problems
    by_wire_name = {wire: attribute for attribute, wire in model.attribute_map.items()}
    for key, item in value.items():
        field = '%s.%s' % (where, key) if where else key
        attribute = by_wire_name.get(key)
        if attribute is None:
            if (model.__name__, key) not in KNOWN_EXTRA_FIELDS:
                problems.append('%s: not a field of the SDK model %s' % (field, model.__name__))
            continue
        check_json(item, model.openapi_types[attribute], package, field, problems)
    return problems


def _json_name(value):
    for kind in (bool, int, float, str, list, dict):
        if isinstance(value, kind):
            return _JSON_NAMES[kind]
    return type(value).__name__


def check_query(query, operation):
    """The problems of a request's query parameters (decoded strings) against the operation's request model."""
    problems = []
    for name, text in sorted(query.items()):
        declared = operation.query.get(name)
        if declared is None:
            problems.append('query %s: not a query parameter of the SDK model %s' % (name, operation.request.__name__))
        elif declared == 'int' and not re.match(r'^-?[0-9]+$', text):
            problems.append('query %s=%r: the SDK model says int' % (name, text))
        elif declared == 'bool' and text not in ('true', 'false'):
            problems.append('query %s=%r: the SDK model says bool' % (name, text))
    return problems


def check_request_body(body, operation):
    """The problems of a request's JSON body (bytes) against the operation's body model."""
    if not body:
        return []
    if operation.body is None:
        return ['body: the SDK operation %s sends none' % operation.name]
    try:
        document = json.loads(body.decode('utf-8'))
    except ValueError:
        return ['body: not JSON']
    return check_json(document, operation.body, operation.package, 'body')


def check_response_body(body, operation):
    """The problems of an answer's JSON body (bytes or a parsed document) against the operation's response model,
    or against its documented alternative (:data:`ALTERNATIVE_RESPONSES`) when that one fits."""
    document = json.loads(body.decode('utf-8')) if isinstance(body, bytes) else body
    problems = check_json(document, operation.response, operation.package)
    alternative = ALTERNATIVE_RESPONSES.get(operation.name)
    if problems and alternative:
        other = operation_named(alternative[0])
        if not check_json(document, other.response, other.package):
            return []
    return problems


def check_exchange(method, path, query, request_body, response_body):
    """``(operation, problems)`` of one exchange: the SDK operation it fits (the first of several that fits, or the
    first candidate when none does) and every problem of its query, body and answer; ``(None, [why])`` when the
    SDK has no such operation."""
    # The plainest operation first (KeystoneCreateUserTokenByPassword before ...AndMfa): it names a fitting exchange.
    candidates = sorted(operations_for(method, path), key=lambda operation: len(operation.name))
    if not candidates:
        return None, ['%s %s: no operation of the SDK clients has this method and path' % (method, path)]
    outcomes = []
    for operation in candidates:
        problems = check_query(query, operation) + check_request_body(request_body, operation)
        if response_body is not None:
            problems += check_response_body(response_body, operation)
        if not problems:
            return operation, []
        outcomes.append((operation, problems))
    return outcomes[0]
