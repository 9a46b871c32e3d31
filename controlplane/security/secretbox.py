"""Encryption of secrets at rest (API keys, social tokens) with Fernet.

The Fernet key is derived from the server's secret with HKDF, so one secret to back up unlocks
everything; losing or changing it makes stored secrets unreadable (they must then be re-entered).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

HKDF_INFO = b"autocode secrets at rest v1"


class SecretUnreadable(Exception):
    """The ciphertext was made with another key or was altered."""


class SecretBox:
    def __init__(self, server_secret: str) -> None:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(server_secret.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise SecretUnreadable("stored secret cannot be decrypted with the current secret key") from exc
