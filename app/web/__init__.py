"""The public web interface, in Swedish: server-rendered pages over the same services as the API."""
