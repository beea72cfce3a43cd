"""Problem reports from the public about listings ("Report a problem with this page")."""
