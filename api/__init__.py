"""The Meritmatch web service: a thin FastAPI layer over :class:`matcher.Engine`.

``api.main.create_app`` builds the app; ``api.store`` persists what the service holds
(API keys, issuers' credentials and their skill links, candidates, requirement profiles, job
ads, the audit log). ``matcher serve`` (:mod:`api.cli`) starts it with uvicorn, or with gunicorn
and N uvicorn workers (:mod:`api.server`).
"""
