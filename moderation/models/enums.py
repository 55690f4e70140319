"""Enumerations whose members carry the words people read."""

import enum


class LabelledEnum(enum.StrEnum):
    """A StrEnum with a LABELS mapping (set after the class), in the order people read them."""

    @property
    def label(self):
        return type(self).LABELS[self]

    @classmethod
    def choices(cls):
        return [(member.value, member.label) for member in cls]
