pytest_plugins = ["ilmis.core.testing"]
