"""Assay: vendor AI due-diligence portal for DORA-regulated buyers."""

import warnings

import authlib.deprecate  # noqa: F401  (installs an "always" filter; ours must come after it)

__version__ = "0.1.0"

# Authlib ≥ 1.9.9 asks for the httpx2 fork and warns at import when it falls back to httpx, which
# it still supports: nothing an operator could act on, so keep it out of the server's log.
warnings.filterwarnings("ignore", message="The httpx module is deprecated")
