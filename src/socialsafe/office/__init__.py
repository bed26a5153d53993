"""What the office does, with no Qt: its admin authority on the share and the certificates it can check."""
