"""The plumbing every feature stands on: settings, extensions, the database base, errors,
rendering helpers, security headers, languages, links, paging, the task queue and signals.
Imports nothing from the rest of the package."""
