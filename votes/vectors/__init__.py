"""Published test vectors of the vote suite (votes.md §12) and their generator.

The JSON files in this directory are produced by :mod:`votes.vectors.generate` from a
fixed seed through :class:`votes.vectors.testrng.TestRandomness`.  The Python tests
regenerate them and compare byte for byte; the browser booth reads the same files.
Nothing outside this package and the tests uses the seeded randomness.
"""
