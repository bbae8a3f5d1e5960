"""A worked example of a third-party medrep plugin distribution."""
