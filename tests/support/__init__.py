"""Test and benchmark support: demo data folders and the browser driver."""
