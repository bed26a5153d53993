"""Who may make which record: the office's admin authority, enrolled PCs, and the proof each carries.

No Qt and no database here. The cryptography is PyCA ``cryptography``'s:
Ed25519 signatures, Argon2id to turn the admin passphrase into a key, and
AES-256-GCM to keep the admin key sealed with it. ``docs/share-format.md``
documents every file and field; ``docs/it-guide.md`` the threat model.
"""
