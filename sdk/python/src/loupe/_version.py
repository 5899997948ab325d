"""The SDK's version: the suite's (the root pom.xml), in PEP 440 form (0.1.0-SNAPSHOT -> 0.1.0.dev0)."""

__version__ = "0.1.0.dev0"
