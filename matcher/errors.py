"""Errors raised by the library.

Every message says what was wrong and what is valid. The CLI prints the message and exits 1;
the API turns it into a 4xx JSON body.
"""

from __future__ import annotations


class MatcherError(Exception):
    """Base class of every error the library raises on bad input or state."""

    code = "matcher_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class TaxonomyImportError(MatcherError):
    """An ESCO bundle or label file could not be read; the previous import is untouched."""

    code = "taxonomy_import_error"


class TaxonomyNotFoundError(MatcherError):
    """No taxonomy is available (nothing imported and no embedded default installed)."""

    code = "taxonomy_not_found"


class UnknownConceptError(MatcherError):
    """An ESCO URI that the loaded taxonomy does not contain."""

    code = "unknown_concept"


class IndexMismatchError(MatcherError):
    """A saved index was built for another taxonomy or model."""

    code = "index_mismatch"


class InvalidInputError(MatcherError):
    """Input text, file or parameter that cannot be used as given."""

    code = "invalid_input"


class CredentialError(InvalidInputError):
    """A credential document that does not follow the credential schema."""

    code = "invalid_credential"


def check_top_k(top_k: object, maximum: int) -> None:
    """Raise InvalidInputError unless ``top_k`` is a whole number from 1 to ``maximum``."""
    if not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= maximum:
        raise InvalidInputError(f"top_k must be a whole number from 1 to {maximum}, "
                                f"not {top_k!r}", field="top_k")
