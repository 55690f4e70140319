"""Password hashing with Argon2, and temporary passwords for new or reset accounts."""

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MINIMUM_LENGTH = 12
MAXIMUM_LENGTH = 128
# No 0/O or 1/l/I: temporary passwords are read out or copied by hand.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _parameters(config):
    return config.get("ARGON2_TIME_COST", 3), config.get("ARGON2_MEMORY_COST", 65536)


def _hasher():
    time_cost, memory_cost = _parameters(current_app.config)
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)


def hash_password(password):
    return _hasher().hash(password)


def verify_password(password_hash, password):
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher().check_needs_rehash(password_hash)


@functools.cache
def _dummy_hash(time_cost, memory_cost):
    """A hash of nothing anyone knows, made once per process for each set of parameters."""
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)
    return hasher.hash(secrets.token_urlsafe(32))


def prepare_dummy_hash(config):
    """Make the dummy hash at start-up: made on the first sign-in, it would make that one slower."""
    _dummy_hash(*_parameters(config))


def spend_verification_time(password):
    """Exactly the work of checking a wrong password (one verification, no hashing), so an
    unknown, deactivated or password-less account answers as slowly as a known one."""
    verify_password(_dummy_hash(*_parameters(current_app.config)), password)


def temporary_password():
    groups = ("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4))
    return "-".join(groups)
