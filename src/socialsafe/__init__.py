"""SocialSafe: Use of Social Media policy training for school staff."""

__version__ = "0.1.0"
