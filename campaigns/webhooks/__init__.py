"""EngageLab's webhook receiver: public (no login, no CSRF), signature-checked, fast."""
