"""Who may read the partnership's outcomes, export them, write learning summaries and keep the
list of learning themes. Figures are pseudonymised aggregates of every dispute (rule 12: the
partnership manager's view), so each rule is the manager's alone."""

from moderation.models import Role
from moderation.web.permissions import rule

rule("outcomes.read", Role.PARTNERSHIP_MANAGER)  # the dashboard and the lists behind a figure
rule("outcomes.export", Role.PARTNERSHIP_MANAGER)  # the pseudonymised CSV
rule("summaries.read", Role.PARTNERSHIP_MANAGER)  # the summaries kept, and their PDFs
rule("summaries.write", Role.PARTNERSHIP_MANAGER)
rule("themes.manage", Role.PARTNERSHIP_MANAGER)
