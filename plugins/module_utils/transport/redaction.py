# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every credential a client holds at run time, and their removal from any text shown to a person.

Configured secrets are known when the client is built; others arrive later (a token issued for a password,
temporary credentials of an assumed agency). A server that reflects request headers can put any of them into an
error body, so every message, log line and warning goes through :meth:`Redactor.scrub`, and listeners (a module's
``no_log_values``) learn each new secret the moment the client holds it.
"""

import threading

REDACTED = '********'
# Shorter values would blank out ordinary words and numbers of a message; no real credential is this short.
MIN_SECRET_LENGTH = 4


class Redactor:
    """A thread-safe set of secret values; ``scrub`` replaces each (longest first) by ``********``."""

    def __init__(self, secrets=()):
        self._lock = threading.Lock()
        self._secrets = []
        self._listeners = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret):
        """Hold one more secret (ignored when empty, too short to be one, or already held)."""
        if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
            return
        with self._lock:
            if secret in self._secrets:
                return
            self._secrets.append(secret)
            self._secrets.sort(key=len, reverse=True)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(secret)

    def subscribe(self, listener):
        """Call ``listener(secret)`` for every secret held now and for each one added later."""
        with self._lock:
            self._listeners.append(listener)
            current = list(self._secrets)
        for secret in current:
            listener(secret)

    def values(self):
        with self._lock:
            return list(self._secrets)

    def scrub(self, text):
        text = str(text)
        for secret in self.values():
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text
