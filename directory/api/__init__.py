"""The Open Referral UK 3.0 API under ``/api``."""
