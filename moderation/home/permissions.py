"""Who lands on which home page: each role has its own, with that role's work on it."""

from moderation.models import Role
from moderation.web.permissions import rule

rule("home.referrer", Role.REFERRER)
rule("home.csc_manager", Role.CSC_MANAGER)
rule("home.panel_member", Role.PANEL_MEMBER)
rule("home.chair", Role.CHAIR)
rule("home.partnership", Role.PARTNERSHIP_MANAGER)
rule("home.data_protection", Role.DATA_PROTECTION_OFFICER)
