"""The web shell every page shares: access rules, errors, forms, filters, navigation, security
headers, sign-in session hooks and the audit helper."""
