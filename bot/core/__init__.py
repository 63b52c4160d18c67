"""The domain: recognition rules and services, free of Slack and SQL."""
