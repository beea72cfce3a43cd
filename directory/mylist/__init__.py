"""My list: services a person keeps for themselves, or a link worker gathers for the person in
front of them, with a handover sheet (print, PDF, Easy Read, email, share link).

The list lives in the signed session cookie: no account, nothing about the person on the
server. Settings (typed and defaulted in :mod:`directory.config`, see docs/configuration.md):

* ``MYLIST_MAX_ITEMS`` (default 30): the most services a list holds.
* ``SHARED_LIST_DAYS`` (default 28): how long a share link works.
* ``MAIL_SERVER``, ``MAIL_PORT`` (25), ``MAIL_USE_TLS`` (off), ``MAIL_USERNAME``,
  ``MAIL_PASSWORD``, ``MAIL_DEFAULT_SENDER``: where handover emails are sent from; without
  ``MAIL_SERVER`` the email page says email is not available.
* ``MYLIST_EMAIL_RATELIMIT`` (default "5 per 10 minutes;20 per day"): emails sent per client
  address, on top of the site's form limit.
* ``PDF_FONT_REGULAR`` / ``PDF_FONT_BOLD``: TrueType fonts for the PDFs (default: DejaVu Sans
  or Liberation Sans where installed, else the PDF core font Helvetica).
"""
