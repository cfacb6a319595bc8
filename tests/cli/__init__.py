"""Tests of the flask commands, run through app.test_cli_runner() on the real test database."""
