"""Password hashing with Argon2, and temporary passwords for new or reset accounts."""

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MINIMUM_LENGTH = 12
MAXIMUM_LENGTH = 128
# No 0/O or 1/l/I: temporary passwords are read out or copied by hand.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _hasher():
    config = current_app.config
    return PasswordHasher(
        time_cost=config.get("ARGON2_TIME_COST", 3),
        memory_cost=config.get("ARGON2_MEMORY_COST", 65536),
    )


def hash_password(password):
    return _hasher().hash(password)


def verify_password(password_hash, password):
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher().check_needs_rehash(password_hash)


def spend_verification_time(password):
    """Do the work of a verification, so an unknown account answers as slowly as a known one."""
    verify_password(hash_password("not-a-real-password"), password)


def temporary_password():
    groups = ("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4))
    return "-".join(groups)
