"""The office console: who is trained, who is not, and the evidence; behind the admin passphrase.

Loaded on first use (the header's Office button), so learners' start-up never
pays for it.
"""

from socialsafe.ui.admin.office import Office, OfficeArea

__all__ = ["Office", "OfficeArea"]
