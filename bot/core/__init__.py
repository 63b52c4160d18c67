"""The domain: recognition rules and services, free of any chat platform and of SQL."""
