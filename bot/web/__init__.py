"""The public site: letter verification (what a letter's QR code opens), the official
subdomains and the month's Mutu Baku figures. A front end: it translates HTTP and calls the
office service (`office.public`) only; the pages are Jinja2 templates, no JavaScript."""
