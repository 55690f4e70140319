"""The panel's meeting, from the register to the approved minutes.

- register.py: attendance, members' acknowledgement of confidentiality, starting and closing
  the meeting (closing drafts the minutes)
- quorum.py: quorum for the session or one item, gathered from the register (rule 6)
- conflicts.py: declaring conflicts of interest, and who is conflicted
- voting.py: opening and closing voting, casting votes, the count (rules 7-8)
- decisions.py: recording the decision, deferring an item, closing the dispute (rule 9)
- minutes.py: the minutes, their versions and the approval lock (rule 10)
- rules.py: the pure rules of quorum and the count, without a database
- permissions.py: who may do what at a meeting, each rule reading the `why_not_*` answer of
  the service it guards
- blueprint.py: the meeting's blueprint, to which views.py and minutes_views.py (the pages) add
  their routes
"""
