"""Enumerations whose members carry the words people read."""

import enum


class LabelledEnum(enum.StrEnum):
    """A StrEnum with a LABELS mapping (set after the class), in the order people read them."""

    @property
    def label(self):
        return type(self).LABELS[self]

    @classmethod
    def has(cls, value):
        """Whether `value` is one of the members' values (Python 3.11's `in` raises instead)."""
        return value in cls._value2member_map_

    @classmethod
    def choices(cls):
        return [(member.value, member.label) for member in cls]
