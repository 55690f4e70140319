"""A dispute's documents, a sub-feature with its own blueprint: attaching a file (identified by
its content), downloading it (streamed, audited) and withdrawing it until the panel has had it.

`services.py` holds the rules, `permissions.py` who may do what with one document (rule 12),
`forms.py` the two forms and `blueprint.py` the routes.
"""
