"""The learner's own account page: downloading their data and deleting the account (GDPR)."""
