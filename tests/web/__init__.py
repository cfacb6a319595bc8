"""Tests of the site (HTML pages) through the Flask client, on the real database."""
